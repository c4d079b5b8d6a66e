// Writing boxes (form[data-writing]): @mention suggestions as the member types, and an
// emoji picker beside the box. Both work with the keyboard alone and tell the box
// ("input") so the live preview and the draft follow. Without JavaScript the box is a
// plain textarea, and a typed @username is still a mention.
(function () {
  "use strict";

  const script = document.currentScript;
  const suggestUrl = (script && script.dataset.suggestUrl) || "/members/suggest/";

  const EMOJI = [
    ["😀", gettext("grinning face")], ["😊", gettext("smiling face")], ["🙂", gettext("slightly smiling face")],
    ["😂", gettext("face with tears of joy")], ["😅", gettext("grinning face with sweat")], ["😉", gettext("winking face")],
    ["😍", gettext("smiling face with heart-eyes")], ["😎", gettext("smiling face with sunglasses")],
    ["🤔", gettext("thinking face")], ["😮", gettext("face with open mouth")], ["😢", gettext("crying face")],
    ["😬", gettext("grimacing face")], ["😴", gettext("sleeping face")], ["🥳", gettext("partying face")],
    ["👍", gettext("thumbs up")], ["👎", gettext("thumbs down")], ["👏", gettext("clapping hands")], ["🙌", gettext("raising hands")],
    ["👋", gettext("waving hand")], ["🙏", gettext("folded hands")], ["💪", gettext("flexed biceps")], ["🤝", gettext("handshake")],
    ["👀", gettext("eyes")], ["❤️", gettext("red heart")], ["💔", gettext("broken heart")], ["✨", gettext("sparkles")],
    ["🔥", gettext("fire")], ["⭐", gettext("star")], ["🎉", gettext("party popper")], ["🎂", gettext("birthday cake")],
    ["🍞", gettext("bread")], ["🥐", gettext("croissant")], ["☕", gettext("hot drink")], ["🌱", gettext("seedling")],
    ["🌸", gettext("cherry blossom")], ["☀️", gettext("sun")], ["💡", gettext("light bulb")], ["✅", gettext("check mark")],
    ["❓", gettext("question mark")], ["💯", gettext("hundred points")],
  ];

  // "@" at the start or after a space or punctuation, then what has been typed of a name.
  const TYPING_MENTION = /(^|[^\p{L}\p{N}_@/])@([\p{L}\p{N}_]{1,30})$/u;

  let count = 0;

  function setUp(form) {
    const box = form.querySelector("textarea[name=body]");
    if (!box || box.dataset.composer) return;
    box.dataset.composer = "on";
    const id = box.id || "composer-" + ++count;
    if (!box.id) box.id = id;

    function tellTheBox() {
      box.dispatchEvent(new Event("input", { bubbles: true })); // preview and draft follow
    }

    function insert(start, end, text) {
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      const caret = start + text.length;
      box.focus();
      box.setSelectionRange(caret, caret);
      tellTheBox();
    }

    // --- @mentions: the box is the combobox, the list under it the listbox -----------
    const list = document.createElement("ul");
    list.id = id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", gettext("Members to mention"));
    list.hidden = true;
    const said = document.createElement("p");
    said.className = "visually-hidden";
    said.setAttribute("role", "status");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.after(list, said);

    let found = []; // [{username, name, avatar}]
    let active = -1;
    let at = -1; // where the "@" being completed is in the box
    let dismissedAt = -1; // Escape: leave this "@" alone until the member moves on
    let asked = 0;
    let timer = 0;
    const answers = new Map();

    function close() {
      list.hidden = true;
      list.replaceChildren();
      found = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) {
        box.removeAttribute("aria-activedescendant");
      } else {
        const option = document.getElementById(list.id + "-" + index);
        box.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }

    function show(members) {
      found = members;
      active = -1;
      box.removeAttribute("aria-activedescendant");
      list.replaceChildren();
      if (!members.length) {
        list.hidden = true;
        said.textContent = "";
        return;
      }
      members.forEach((member, index) => {
        const option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.className = "mention-list__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const picture = document.createElement(member.avatar ? "img" : "span");
        picture.className = "mention-list__avatar";
        picture.setAttribute("aria-hidden", "true");
        if (member.avatar) {
          picture.src = member.avatar;
          picture.alt = "";
        } else {
          picture.textContent = (member.name || member.username).slice(0, 1).toUpperCase();
        }
        const name = document.createElement("span");
        name.className = "mention-list__name";
        name.textContent = member.name;
        const handle = document.createElement("span");
        handle.className = "mention-list__username";
        handle.textContent = "@" + member.username;
        option.append(picture, name, " ", handle);
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret
        option.addEventListener("click", () => choose(index));
        list.append(option);
      });
      list.hidden = false;
      said.textContent = interpolate(
        ngettext("%(count)s member matches: use the up and down arrows, then Enter.",
          "%(count)s members match: use the up and down arrows, then Enter.", members.length),
        { count: members.length }, true);
    }

    function choose(index) {
      const member = found[index];
      if (!member || at < 0) return;
      const end = box.selectionStart;
      const start = at;
      close();
      if (end <= start) return; // the caret has left the name being typed
      said.textContent = "";
      insert(start, end, "@" + member.username + " ");
    }

    async function ask(prefix) {
      const mine = ++asked;
      let members = answers.get(prefix.toLowerCase());
      if (!members) {
        try {
          const response = await fetch(suggestUrl + "?q=" + encodeURIComponent(prefix), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          });
          if (!response.ok) return;
          members = (await response.json()).members || [];
        } catch (e) {
          return; // offline: the member can still type the name in full
        }
        answers.set(prefix.toLowerCase(), members);
      }
      if (mine === asked && at >= 0 && at !== dismissedAt) show(members);
    }

    function typed() {
      const caret = box.selectionStart;
      const match = box.selectionEnd === caret && TYPING_MENTION.exec(box.value.slice(0, caret));
      clearTimeout(timer);
      if (!match) {
        at = -1;
        dismissedAt = -1;
        asked++;
        close();
        return;
      }
      at = caret - match[2].length - 1;
      if (at === dismissedAt) return;
      dismissedAt = -1;
      const prefix = match[2];
      timer = setTimeout(() => ask(prefix), 200);
    }

    box.addEventListener("input", typed);
    box.addEventListener("click", typed);
    box.addEventListener("keyup", (event) => {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) typed(); // caret moved
    });
    box.addEventListener("blur", () => {
      clearTimeout(timer);
      asked++;
      close();
    });
    box.addEventListener("keydown", (event) => {
      if (list.hidden || !found.length) return;
      const last = found.length - 1;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active >= last ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? last : active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        dismissedAt = at;
        clearTimeout(timer);
        asked++;
        close();
        said.textContent = "";
      } else if (event.key === "Enter" || event.key === "Tab") {
        close(); // nothing chosen: a new line, or on to the next field, as usual
      }
    });

    // --- the emoji picker -------------------------------------------------------------
    const tools = document.createElement("div");
    tools.className = "composer-tools";
    const opener = document.createElement("button");
    opener.type = "button";
    opener.className = "button button--secondary button--small composer-tools__emoji";
    opener.setAttribute("aria-expanded", "false");
    opener.setAttribute("aria-controls", id + "-emoji");
    opener.innerHTML = '<span aria-hidden="true">😊</span> ';
    opener.append(gettext("Insert an emoji"));
    const picker = document.createElement("div");
    picker.id = id + "-emoji";
    picker.className = "emoji-picker";
    picker.setAttribute("role", "group");
    picker.setAttribute("aria-label", gettext("Emoji"));
    picker.hidden = true;
    const buttons = EMOJI.map(([emoji, name], index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "emoji-picker__emoji";
      button.textContent = emoji;
      button.setAttribute("aria-label", name);
      button.title = name;
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("click", () => {
        const start = box.selectionStart ?? box.value.length;
        const end = box.selectionEnd ?? start;
        closePicker(false);
        insert(start, end, emoji);
      });
      picker.append(button);
      return button;
    });
    tools.append(opener, picker);
    said.after(tools);

    let current = 0;
    function focusEmoji(index) {
      buttons[current].tabIndex = -1;
      current = Math.max(0, Math.min(buttons.length - 1, index));
      buttons[current].tabIndex = 0;
      buttons[current].focus();
    }
    function columns() {
      const top = buttons[0].offsetTop;
      const inRow = buttons.findIndex((button) => button.offsetTop !== top);
      return inRow > 0 ? inRow : buttons.length;
    }
    function openPicker() {
      picker.hidden = false;
      opener.setAttribute("aria-expanded", "true");
      focusEmoji(current);
    }
    function closePicker(backToButton) {
      picker.hidden = true;
      opener.setAttribute("aria-expanded", "false");
      if (backToButton) opener.focus();
    }

    opener.addEventListener("click", () => (picker.hidden ? openPicker() : closePicker(true)));
    picker.addEventListener("keydown", (event) => {
      const moves = {
        ArrowRight: 1,
        ArrowLeft: -1,
        ArrowDown: columns(),
        ArrowUp: -columns(),
      };
      if (event.key in moves) {
        event.preventDefault();
        focusEmoji(current + moves[event.key]);
      } else if (event.key === "Home") {
        event.preventDefault();
        focusEmoji(0);
      } else if (event.key === "End") {
        event.preventDefault();
        focusEmoji(buttons.length - 1);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        closePicker(true);
      }
    });
    picker.addEventListener("focusin", (event) => {
      const index = buttons.indexOf(event.target);
      if (index >= 0 && index !== current) {
        buttons[current].tabIndex = -1;
        current = index;
        buttons[current].tabIndex = 0;
      }
    });
    document.addEventListener("click", (event) => {
      if (!picker.hidden && !tools.contains(event.target)) closePicker(false);
    });
  }

  document.querySelectorAll("form[data-writing]").forEach(setUp);
})();
