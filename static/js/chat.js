// Live chat: takes over a server-rendered room page (see docs/chat.md for the protocol).
// Without JavaScript, or while the socket is down, the page's plain forms still work.
(function () {
  "use strict";

  // Words go through Django's JavaScript catalog (gettext, ngettext, interpolate) when the
  // page loads it, and stay English until then (counted ones in English's two forms: never
  // "1 minutes").
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, other, n) => (n === 1 ? one : other));
  const interpolate = window.interpolate ||
    ((format, values) => format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name])));
  const counted = (one, other, n) => interpolate(ngettext(one, other, n), { n: n }, true);

  const root = document.querySelector("[data-chat-room]");
  if (!root || !("WebSocket" in window)) return;

  const log = root.querySelector("[data-log]");
  const announcer = root.querySelector("[data-announcer]");
  const statusLine = root.querySelector("[data-status]");
  const typingLine = root.querySelector("[data-typing]");
  const presenceLine = root.querySelector("[data-presence]");
  const jump = root.querySelector("[data-jump]");
  const form = root.querySelector("[data-send-form]");
  const textarea = form ? form.querySelector("textarea") : null;
  const earlier = root.querySelector("[data-load-earlier]");
  const mutePanel = root.querySelector("[data-mute-panel]");
  const standing = root.querySelector("[data-standing]");
  // The server's own markup of a message (chat/_message.html) and of the edit form, and
  // its limits (room.html's data-* attributes): this script clones and reads them instead
  // of repeating any of them.
  const prototype = root.querySelector("template[data-message-template]");
  const editPrototype = root.querySelector("template[data-edit-template]");
  const editSeconds = Number(root.dataset.editSeconds);
  const historyMax = Number(root.dataset.historyMax);
  const typingSeconds = Number(root.dataset.typingSeconds);
  const maxLength = Number(root.dataset.maxLength);
  const maxFrameBytes = Number(root.dataset.maxFrameBytes);
  const counter = root.querySelector("[data-counter]");
  const numberFormat = new Intl.NumberFormat(root.dataset.locale);
  // The counter shows once a message is this far towards the server's limit.
  const COUNTER_FROM = 0.8;
  // New messages are announced at most this often, together ("3 new messages from …").
  const ANNOUNCE_EVERY_MS = 4000;
  // The presence line names this many members, then "and N more".
  const SHOWN_NAMES = 8;
  // Names of members present the page keeps (the server lists at most 50).
  const KNOWN_NAMES = 50;

  const me = root.dataset.me ? Number(root.dataset.me) : null;
  const isModerator = root.dataset.moderator === "true";
  let canSend = root.dataset.canSend === "true";
  let lastId = Number(root.dataset.lastId) || 0;
  // The page has every message up to caughtUpId. Live messages move it only while no
  // catch-up is under way: one arriving on a new socket before the catch-up's answer is
  // newer than the ones the answer brings, and if the socket drops in between, the next
  // catch-up must still start below them (else they are never shown).
  let caughtUpId = lastId;
  let catchingUp = false;
  let firstId = Number(root.dataset.firstId) || 0;
  let socket = null;
  let attempts = 0; // reconnects since the last good catch-up
  let sinceAfter = 0; // the id the last catch-up started from
  let pingTimer = null;
  let stopped = false;
  let refCounter = 0;
  const pending = new Map(); // ref -> body waiting for its ack
  const typers = new Map(); // member id -> timeout
  const present = new Map(); // member id -> name
  let presentCount = 0;
  let lastTypingSent = 0;
  let readTimer = null;
  let lastReadSent = 0;
  const pendingEdits = new Map(); // ref -> the in-place edit form waiting for its answer
  let heard = []; // live messages not announced yet
  let announceTimer = null;
  let lastAnnounced = 0;

  // --- rendering -------------------------------------------------------------------------

  // The server's format ("29 Nov, 22:36": its language and time zone), not the browser's.
  const timeFormat = new Intl.DateTimeFormat(root.dataset.locale, {
    timeZone: root.dataset.timeZone, day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });

  function formatTime(iso) {
    return timeFormat.format(new Date(iso));
  }

  function stillEditable(li) {
    const created = Date.parse(li.dataset.created || "");
    return Number.isFinite(created) && Date.now() - created < editSeconds * 1000;
  }

  function setCount(element, count) {
    element.querySelector("[data-count]").textContent = count ? String(count) : "";
    element.classList.toggle("has-count", count > 0);
    if (element.hasAttribute("data-read-only")) element.hidden = !count; // a visitor's view
    else placeReaction(element);
  }

  // As in the forum: a reaction someone gave (or the member's own) sits in the row, in
  // the site's order; the others wait inside the message's "Add a reaction" control.
  function placeReaction(button) {
    const item = button.closest("[data-order]");
    const box = button.closest("[data-reactions]");
    const add = box && box.querySelector("[data-add-reaction]");
    if (!item || !add) return;
    const given = button.classList.contains("has-count") || button.getAttribute("aria-pressed") === "true";
    const focused = button === document.activeElement;
    const order = Number(item.dataset.order);
    const place = given ? box : add;
    if (item.parentElement !== place) {
      const next = [...place.children].find((el) => el !== item && el.dataset.order && Number(el.dataset.order) > order);
      place.insertBefore(item, next || (given ? add : null));
      if (given && focused) { add.open = false; button.focus(); }
      else if (focused) add.querySelector("summary").focus();
    }
    add.hidden = !add.querySelector("[data-order]");
  }

  function buildMessage(m) {
    const li = prototype.content.firstElementChild.cloneNode(true);
    const mine = me !== null && m.author.id === me;
    li.id = "message-" + m.id;
    li.dataset.id = m.id;
    li.dataset.author = m.author.id;
    li.dataset.username = m.author.username;
    li.dataset.created = m.created_at;
    li.classList.toggle("chat-message--mine", mine);
    const author = li.querySelector(".chat-message__author");
    author.href = m.author.url;
    author.dataset.userCard = m.author.url + "card/"; // usercard.js opens the member's card
    author.textContent = m.author.name;
    const time = li.querySelector("time");
    time.dateTime = m.created_at;
    time.textContent = formatTime(m.created_at);
    li.querySelector("[data-edited]").hidden = !m.edited_at;
    li.querySelector("[data-body]").innerHTML = m.html; // escaped and linked by the server
    for (const form of li.querySelectorAll("form[action]")) {
      form.action = form.getAttribute("action").replace("/messages/0/", "/messages/" + m.id + "/");
    }
    for (const link of li.querySelectorAll("a[data-action]")) {
      link.href = link.getAttribute("href").replace("/messages/0/", "/messages/" + m.id + "/");
    }
    for (const reaction of li.querySelectorAll("[data-reaction]")) {
      setCount(reaction, (m.reactions || {})[reaction.dataset.reaction] || 0);
    }
    const allowed = {
      editable: mine && canSend && stillEditable(li),
      deletable: mine || isModerator,
      others: isModerator && !mine,
    };
    for (const tool of li.querySelectorAll("[data-if]")) {
      if (!allowed[tool.dataset.if]) tool.remove();
    }
    const mute = li.querySelector("[data-action=mute]");
    if (mute) {
      mute.dataset.username = m.author.username;
      mute.querySelector("[data-author-name]").textContent = m.author.name;
    }
    const tools = li.querySelector("[data-tools]");
    if (tools && !tools.querySelector("a, button")) tools.remove();
    return li;
  }

  // Where an item of the log sits in id order: a message at its id, a gap marker just
  // after the last message the client had before the gap, the unread divider just
  // before the first unread message.
  function position(el) {
    if (el.dataset.gapAfter !== undefined) return Number(el.dataset.gapAfter) + 0.5;
    if (el.dataset.before !== undefined) return Number(el.dataset.before) - 0.5;
    return Number(el.dataset.id);
  }

  // A catch-up sends the newest messages only; the ones between what the client had
  // and those are behind a button that pages back through them with "history".
  function showGap(after, before) {
    let gap = log.querySelector("[data-gap-after]");
    if (!gap) {
      gap = document.createElement("li");
      gap.className = "chat-gap";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = gettext("Show the messages you missed");
      gap.appendChild(button);
      button.addEventListener("click", () => {
        if (send({ type: "history", before: Number(gap.dataset.before), limit: historyMax })) {
          button.disabled = true;
        }
      });
      let next = log.lastElementChild;
      while (next && position(next) > after) next = next.previousElementSibling;
      if (next) next.after(gap); else log.prepend(gap);
    }
    gap.dataset.gapAfter = String(after);
    gap.dataset.before = String(before);
    gap.querySelector("button").disabled = false;
  }

  function fillGap(frame) {
    const gap = log.querySelector("[data-gap-after]");
    if (!gap || Number(gap.dataset.before) !== frame.before) return false;
    const after = Number(gap.dataset.gapAfter);
    const missed = frame.messages.filter((m) => m.id > after);
    for (const m of missed) insertMessage(m, { live: false });
    if (!frame.more || missed.length < frame.messages.length || !missed.length) {
      gap.remove();
    } else {
      showGap(after, missed[0].id);
    }
    announce(missed.length
      ? counted("Loaded %(n)s missed message.", "Loaded %(n)s missed messages.", missed.length)
      : gettext("No more missed messages."));
    return true;
  }

  function messageEl(id) {
    return log.querySelector('[data-id="' + Number(id) + '"]');
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  }

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
    jump.hidden = true;
  }

  function announce(text) {
    const line = document.createElement("p");
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 5) announcer.removeChild(announcer.firstChild);
  }

  // A burst of messages is one announcement ("3 new messages from Maya and Sam"), at most
  // one every ANNOUNCE_EVERY_MS; a single message is read out with its words.
  function announceMessage(m) {
    heard.push(m);
    if (announceTimer) return;
    const wait = Math.max(0, lastAnnounced + ANNOUNCE_EVERY_MS - Date.now());
    announceTimer = setTimeout(flushAnnouncements, wait);
  }

  function names(list) {
    if (window.Intl && Intl.ListFormat) {
      return new Intl.ListFormat(root.dataset.locale, { type: "conjunction" }).format(list);
    }
    if (list.length < 2) return list.join("");
    return interpolate(gettext("%(names)s and %(last)s"),
      { names: list.slice(0, -1).join(", "), last: list[list.length - 1] }, true);
  }

  function flushAnnouncements() {
    announceTimer = null;
    lastAnnounced = Date.now();
    const batch = heard;
    heard = [];
    if (batch.length === 1) {
      announce(interpolate(gettext("%(name)s: %(text)s"),
        { name: batch[0].author.name, text: batch[0].body.slice(0, 200) }, true));
    } else if (batch.length > 1) {
      const authors = [...new Set(batch.map((m) => m.author.name))];
      const shown = authors.length > 3
        ? [...authors.slice(0, 2), counted("%(n)s other", "%(n)s others", authors.length - 2)]
        : authors;
      announce(interpolate(
        ngettext("%(n)s new message from %(names)s", "%(n)s new messages from %(names)s", batch.length),
        { n: batch.length, names: names(shown) }, true,
      ));
    }
  }

  function insertMessage(m, { live }) {
    if (messageEl(m.id)) return false; // exactly once, whatever the path
    const empty = log.querySelector("[data-empty]");
    if (empty) empty.remove();
    const stick = atBottom();
    const li = buildMessage(m);
    // Keep id order even if frames from two senders cross.
    let after = log.lastElementChild;
    while (after && position(after) > m.id) after = after.previousElementSibling;
    if (after) after.after(li); else log.prepend(li);
    lastId = Math.max(lastId, m.id);
    if (live && !catchingUp) caughtUpId = Math.max(caughtUpId, m.id);
    if (!firstId) firstId = m.id;
    if (live) {
      if (m.author.id !== me) announceMessage(m);
      if (stick || m.author.id === me) scrollToBottom(); else jump.hidden = false;
      clearTyping(m.author.id);
      scheduleRead();
    }
    return true;
  }

  // --- presence and typing -----------------------------------------------------------------

  function showPresence() {
    const names = [...present.values()].sort((a, b) => a.localeCompare(b));
    if (!presentCount) { presenceLine.textContent = ""; return; }
    // The page may know only some of the names (a big room lists the first ones, see
    // setPresence): the rest are "and N more", from the server's count.
    const shown = names.slice(0, Math.min(SHOWN_NAMES, presentCount));
    const more = presentCount - shown.length;
    const words = { n: presentCount, names: shown.join(", "), more: more };
    let text;
    if (!shown.length) {
      text = ngettext("%(n)s here now", "%(n)s here now", presentCount);
    } else if (more > 0) {
      text = ngettext("%(n)s here now: %(names)s and %(more)s more",
        "%(n)s here now: %(names)s and %(more)s more", more);
    } else {
      text = ngettext("%(n)s here now: %(names)s", "%(n)s here now: %(names)s", presentCount);
    }
    presenceLine.textContent = interpolate(text, words, true);
  }

  function setPresence(frame) {
    // ready and the answer to a ping list who is here; in a big room only the first
    // names (partial: true) with the true count. The page keeps at most KNOWN_NAMES
    // names from the batches in between; the next ping brings the list up to date.
    if (Array.isArray(frame.members)) {
      present.clear();
      for (const p of frame.members) present.set(p.id, p.name);
    }
    // Arrivals and departures come in batches (joins, leaves); a server older than
    // batches sends one change as joined / left. Applying both is harmless.
    const arrive = (p) => { if (present.has(p.id) || present.size < KNOWN_NAMES) present.set(p.id, p.name); };
    for (const p of frame.joins || []) arrive(p);
    for (const p of frame.leaves || []) present.delete(p.id);
    if (frame.joined) arrive(frame.joined);
    if (frame.left) present.delete(frame.left.id);
    presentCount = typeof frame.count === "number" ? frame.count : present.size;
    showPresence();
  }

  function showTyping() {
    const names = [...typers.keys()].map((id) => present.get(id) || typers.get(id).name);
    typingLine.textContent = names.length === 0 ? "" :
      names.length === 1 ? interpolate(gettext("%(name)s is typing…"), { name: names[0] }, true) :
        interpolate(gettext("%(names)s are typing…"), { names: names.slice(0, 3).join(", ") }, true);
  }

  function clearTyping(id) {
    const entry = typers.get(id);
    if (entry) { clearTimeout(entry.timer); typers.delete(id); showTyping(); }
  }

  function typing(member) {
    if (member.id === me) return;
    clearTyping(member.id);
    typers.set(member.id, { name: member.name, timer: setTimeout(() => clearTyping(member.id), 5000) });
    showTyping();
  }

  // --- read state ------------------------------------------------------------------------------

  function scheduleRead() {
    if (me === null || readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      if (document.visibilityState === "visible" && atBottom() && lastId > lastReadSent) {
        lastReadSent = lastId;
        send({ type: "read", id: lastId });
      }
    }, 1500);
  }

  // --- socket ------------------------------------------------------------------------------------

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setStatus(text) { statusLine.textContent = text; }

  function handle(frame) {
    switch (frame.type) {
      case "ready":
        canSend = frame.can_send;
        setPresence(frame.present);
        clearInterval(pingTimer);
        if (frame.ping_seconds > 0) {
          pingTimer = setInterval(() => send({ type: "ping" }), frame.ping_seconds * 1000);
        }
        break;
      case "message":
        insertMessage(frame.message, { live: true });
        break;
      case "synced": {
        attempts = 0;
        // Everything up to here arrived (older ones left out are shown as a gap).
        catchingUp = false;
        caughtUpId = Math.max(caughtUpId, lastId);
        setStatus("");
        if (frame.more) {
          const first = [...log.querySelectorAll("[data-id]")].find((el) => Number(el.dataset.id) > sinceAfter);
          if (first) showGap(sinceAfter, Number(first.dataset.id));
        }
        scheduleRead();
        break;
      }
      case "history": {
        if (fillGap(frame)) break;
        const before = log.scrollHeight;
        const top = log.scrollTop;
        for (const m of frame.messages) insertMessage(m, { live: false });
        if (frame.messages.length) firstId = Math.min(firstId || Infinity, frame.messages[0].id);
        log.scrollTop = top + (log.scrollHeight - before);
        if (earlier) {
          earlier.hidden = !frame.more;
          earlier.setAttribute("href", "?before=" + firstId);
        }
        announce(frame.messages.length
          ? counted("Loaded %(n)s earlier message.", "Loaded %(n)s earlier messages.", frame.messages.length)
          : gettext("No earlier messages."));
        break;
      }
      case "edited": {
        const el = messageEl(frame.id);
        if (el) {
          el.querySelector("[data-body]").innerHTML = frame.html; // escaped by the server
          el.querySelector("[data-edited]").hidden = false;
        }
        break;
      }
      case "deleted": {
        const el = messageEl(frame.id);
        if (el) {
          if (el.contains(document.activeElement)) log.focus();
          el.remove();
          announce(gettext("A message was deleted."));
        }
        break;
      }
      case "reaction": {
        const el = messageEl(frame.id);
        const button = el && el.querySelector('[data-reaction="' + frame.reaction + '"]');
        if (button) {
          if (frame.member === me) button.setAttribute("aria-pressed", String(frame.on));
          setCount(button, frame.count);
        }
        break;
      }
      case "presence":
        setPresence(frame);
        break;
      case "typing":
        typing(frame.member);
        break;
      case "ack":
        if (pendingEdits.has(frame.ref)) {
          pendingEdits.get(frame.ref).finish();
          pendingEdits.delete(frame.ref);
        }
        if (pending.has(frame.ref)) {
          pending.delete(frame.ref);
          if (textarea && !pending.size) { textarea.value = ""; showCounter(); }
        }
        break;
      case "read":
        break;
      case "standing":
        setStanding(frame);
        break;
      case "error":
        setStatus(frame.message);
        if (frame.ref === "since" && frame.retry_after) {
          // Too many catch-ups at once (a deploy): ask again when allowed, with jitter.
          const asked = socket;
          setTimeout(() => { if (socket === asked) askSince(); }, frame.retry_after * 1000 * (1 + Math.random()));
        }
        if (pendingEdits.has(frame.ref)) {
          pendingEdits.get(frame.ref).area.focus();
          pendingEdits.delete(frame.ref);
        }
        if (frame.ref && pending.has(frame.ref) && textarea && !textarea.value) {
          textarea.value = pending.get(frame.ref); // never lose what they wrote
          showCounter();
        }
        if (frame.ref) pending.delete(frame.ref);
        break;
    }
  }

  // How long the message is, once it nears the server's limit (nothing is cut: a message
  // over the limit is refused by the server with its own words). Crossing the limit is
  // announced once, not every keystroke.
  let wasOver = false;
  function showCounter() {
    if (!counter || !textarea) return;
    const length = [...textarea.value.trim()].length; // characters, as the server counts
    const over = length - maxLength;
    counter.hidden = length < maxLength * COUNTER_FROM;
    if (counter.hidden) { counter.textContent = ""; wasOver = false; return; }
    counter.classList.toggle("is-over", over > 0);
    let text = numberFormat.format(length) + " / " + numberFormat.format(maxLength);
    if (over > 0) {
      text += " · " + interpolate(
        ngettext("%(n)s character too many", "%(n)s characters too many", over),
        { n: numberFormat.format(over) }, true,
      );
    }
    counter.textContent = text;
    if (over > 0 && !wasOver) announce(text);
    wasOver = over > 0;
  }

  // A moderator muted or silenced this member (or lifted it) while the page is open: the
  // input gives way to the server's notice (reason, rule, end, Appeal link), or comes back.
  function setStanding(frame) {
    canSend = frame.can_send;
    if (standing) standing.innerHTML = frame.notice; // rendered and escaped by the server
    if (form) form.hidden = !frame.can_send;
    if (frame.can_send && !form && standing) {
      const line = document.createElement("p");
      line.className = "chat__notice";
      const link = document.createElement("a");
      link.href = location.pathname;
      link.textContent = gettext("Reload to write");
      line.append(gettext("You can chat here again.") + " ", link);
      standing.replaceChildren(line);
    }
    announce(frame.can_send ? gettext("You can chat here again.") : frame.refusal);
  }

  // Backoff with full jitter, so a restart that drops every socket at once does not
  // bring them all back at once: 1013 (this socket fell behind) retries soon; anything
  // else (4503: a service is down, 1006: the server went away) waits longer each time.
  function reconnectDelay(code) {
    attempts += 1;
    if (code === 1013 && attempts === 1) return 200 + Math.random() * 800;
    const ceiling = Math.min(30000, 1000 * 2 ** Math.min(attempts, 5));
    return 500 + Math.random() * ceiling;
  }

  function askSince() {
    catchingUp = true;
    sinceAfter = caughtUpId;
    send({ type: "since", after: caughtUpId, ref: "since" });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.addEventListener("open", () => {
      setStatus("");
      root.classList.add("is-live");
      // Ask for everything after the newest message we have: nothing missed, nothing twice.
      askSince();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    });
    socket.addEventListener("close", (event) => {
      root.classList.remove("is-live");
      clearInterval(pingTimer);
      // Signed out, suspended, forbidden or gone: stay on the plain page.
      if ([4001, 4401, 4403, 4404].includes(event.code)) {
        stopped = true;
        setStatus(event.code === 4001
          ? gettext("You were signed out; reload the page to chat again.")
          : gettext("Live updates stopped."));
        return;
      }
      setStatus(gettext("Connection lost; reconnecting…"));
      setTimeout(connect, reconnectDelay(event.code));
    });
  }

  // --- wiring -------------------------------------------------------------------------------------

  if (form && textarea) {
    form.addEventListener("submit", (event) => {
      const body = textarea.value.trim();
      if (!body) { // spaces only: say so here rather than posting the page
        event.preventDefault();
        setStatus(gettext("Write a message first: it is empty."));
        textarea.focus();
        return;
      }
      if (stopped) return; // no socket: let the browser post it
      const ref = "m" + (++refCounter);
      const frame = { type: "send", body, ref };
      // A frame the socket would refuse outright: the page's form posts it instead, and
      // the server answers with the same refusal (and the words kept).
      if (new TextEncoder().encode(JSON.stringify(frame)).length > maxFrameBytes) return;
      if (send(frame)) {
        event.preventDefault();
        pending.set(ref, textarea.value);
        setStatus("");
      }
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    if (counter) textarea.setAttribute("aria-describedby", [textarea.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "));
    textarea.addEventListener("input", () => {
      showCounter();
      const now = Date.now();
      if (now - lastTypingSent > typingSeconds * 1000 && textarea.value.trim()) {
        lastTypingSent = now;
        send({ type: "typing" });
      }
    });
  }

  log.addEventListener("submit", (event) => {
    const f = event.target;
    const li = f.closest("[data-id]");
    if (!li) return;
    const id = Number(li.dataset.id);
    if (f.dataset.action === "react") {
      const reaction = f.querySelector("[name=reaction]").value;
      if (send({ type: "react", id, reaction })) event.preventDefault();
    } else if (f.dataset.action === "delete") {
      if (!window.confirm(gettext("Delete this message?"))) { event.preventDefault(); return; }
      if (send({ type: "delete", id })) event.preventDefault();
    }
  });

  log.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) return;
    const li = target.closest("[data-id]");
    if (target.dataset.action === "edit" && li && !stillEditable(li)) {
      event.preventDefault();
      target.remove();
      setStatus(counted(
        "The %(n)s minute to edit that message is over.",
        "The %(n)s minutes to edit that message are over.",
        Math.round(editSeconds / 60),
      ));
    } else if (target.dataset.action === "edit" && li && editPrototype && socket && socket.readyState === WebSocket.OPEN) {
      event.preventDefault();
      startEdit(li);
    } else if (target.dataset.action === "mute" && mutePanel) {
      mutePanel.open = true;
      const input = mutePanel.querySelector("input[name=username]");
      input.value = target.dataset.username;
      mutePanel.querySelector("select").focus();
    }
  });

  // The edit form is the server's (room.html's <template data-edit-template>): filled in
  // for this message, it goes over the socket, or posts to the edit page if that is down.
  function startEdit(li) {
    if (li.querySelector("[data-edit-form]")) return;
    const bodyEl = li.querySelector("[data-body]");
    const editForm = editPrototype.content.firstElementChild.cloneNode(true);
    editForm.action = editForm.getAttribute("action").replace("/messages/0/", "/messages/" + li.dataset.id + "/");
    const area = editForm.querySelector("textarea");
    area.id = "edit-" + li.dataset.id;
    editForm.querySelector("label").htmlFor = area.id;
    area.value = bodyEl.innerText;
    bodyEl.hidden = true;
    bodyEl.after(editForm);
    area.focus();
    const finish = () => { editForm.remove(); bodyEl.hidden = false; };
    editForm.querySelector("[data-cancel]").addEventListener("click", finish);
    editForm.addEventListener("submit", (event) => {
      // The form stays open until the server answers: a refusal (too long, too late)
      // is shown and the words are kept.
      const ref = "e" + (++refCounter);
      if (send({ type: "edit", id: Number(li.dataset.id), body: area.value, ref })) {
        event.preventDefault();
        pendingEdits.set(ref, { finish, area });
      }
    });
  }

  log.addEventListener("scroll", () => {
    if (atBottom()) { jump.hidden = true; scheduleRead(); }
  });
  jump.addEventListener("click", () => { scrollToBottom(); log.focus(); });
  document.addEventListener("visibilitychange", scheduleRead);

  if (earlier) {
    earlier.addEventListener("click", (event) => {
      if (send({ type: "history", before: firstId })) event.preventDefault();
    });
  }

  // The log is a scroll box from the start (not only once the socket is up), and opens
  // at the member's first unread message (the server's divider) or at the newest.
  root.classList.add("has-script");
  openView();
  showCounter();
  connect();

  function openView() {
    const divider = log.querySelector("[data-unread-divider]");
    const linked = /^#message-\d+$/.test(location.hash) ? log.querySelector(location.hash) : null;
    if (linked) {
      log.scrollTop = Math.max(0, linked.offsetTop - (log.clientHeight - linked.offsetHeight) / 2);
    } else if (divider) {
      // The divider near the top, the message before it just in sight.
      log.scrollTop = Math.max(0, divider.offsetTop - divider.offsetHeight);
      jump.hidden = true;
    } else {
      scrollToBottom();
    }
    // On a phone, bring the log and the input into view (not the site's header).
    if (form && form.getBoundingClientRect().bottom > window.innerHeight && !location.hash) {
      log.scrollIntoView({ block: "start" });
    }
  }
})();
