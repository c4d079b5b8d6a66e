// Forum: "Quote" inserts the quoted post into the reply box without leaving the page.
// Without JavaScript the link opens the reply page with the quote filled in.
(function () {
  "use strict";

  const box = document.getElementById("id_body");
  if (!box) return;

  // "Reply" under a post: the reply box below answers that post ("in reply to @maya").
  // Without JavaScript the link opens the reply page, answering the post.
  const answering = document.getElementById("id_reply_to");
  let note = null;
  function answer(postId, label) {
    if (!note) {
      note = document.createElement("p");
      note.className = "replying-to";
      note.setAttribute("aria-live", "polite");
      const field = box.closest(".field") || box;
      field.parentNode.insertBefore(note, field);
    }
    answering.value = postId;
    note.textContent = interpolate(gettext("Answering %(post)s."), { post: label }, true) + " ";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = gettext("Answer the topic instead");
    cancel.addEventListener("click", () => {
      answering.value = "";
      note.remove();
      note = null;
      box.focus();
    });
    note.appendChild(cancel);
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.js-reply-to[data-post]");
    if (!link || !answering) return;
    event.preventDefault();
    answer(link.dataset.post, link.dataset.label);
    box.focus();
    box.scrollIntoView({ block: "center" });
  });

  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a.js-quote[data-quote-url]");
    if (!link) return;
    event.preventDefault();
    let text;
    try {
      const response = await fetch(link.dataset.quoteUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      text = await response.text();
    } catch (error) {
      window.location.href = link.href; // fall back to the reply page
      return;
    }
    const start = box.selectionStart ?? box.value.length;
    const before = box.value.slice(0, start);
    const after = box.value.slice(box.selectionEnd ?? start);
    const spacer = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    box.value = before + spacer + text + after;
    box.dispatchEvent(new Event("input", { bubbles: true })); // the preview and the draft follow
    const caret = (before + spacer + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.scrollIntoView({ block: "center" });
  });
})();

// Writing: the live preview, rendered by the server's own posting pipeline (so it is what
// will be posted), and the draft, saved as the member types and put back when they return.
(function () {
  "use strict";

  const form = document.querySelector("form[data-writing]");
  const data = document.getElementById("forum-draft");
  if (!form || !data) return;
  const box = form.querySelector("textarea[name=body]");
  const title = form.querySelector("input[name=title]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  const preview = form.querySelector("[data-preview]");
  const previewBody = form.querySelector("[data-preview-body]");
  const status = form.querySelector("[data-draft-status]");
  if (!box || !csrf || !preview || !previewBody || !status) return;
  let draft;
  try { draft = JSON.parse(data.textContent); } catch (e) { return; }

  if (draft.body && !box.value) {
    box.value = draft.body;
    status.textContent = gettext("Your draft is back: carry on where you left off.");
  }

  function send(url, fields) {
    const body = new URLSearchParams(fields);
    body.set("csrfmiddlewaretoken", csrf.value);
    return fetch(url, { method: "POST", body, credentials: "same-origin" });
  }

  let asked = 0;
  async function showPreview() {
    const text = box.value;
    if (!text.trim()) {
      preview.hidden = true;
      previewBody.replaceChildren();
      return;
    }
    const mine = ++asked;
    let answer;
    try {
      answer = await (await send(form.dataset.previewUrl, { body: text })).json();
    } catch (e) {
      return; // offline or the server is busy: the last preview stays
    }
    if (mine !== asked) return; // a later keystroke's preview is on its way
    preview.hidden = false;
    if (typeof answer.html === "string") {
      previewBody.innerHTML = answer.html; // sanitised by the server, exactly as the post will be
    } else {
      previewBody.textContent = answer.error || gettext("The preview is not available right now.");
    }
  }

  const current = () => box.value + "\u0000" + (title ? title.value : "");
  let saved = current();
  async function saveDraft() {
    const now = current();
    if (now === saved) return;
    try {
      const response = await send(form.dataset.draftUrl, {
        key: draft.key, body: box.value, title: title ? title.value : "",
      });
      const answer = await response.json();
      if (!response.ok) {
        status.textContent = answer.error || gettext("Your draft could not be saved.");
        return;
      }
      saved = now;
      status.textContent = answer.saved ? gettext("Draft saved.") : "";
    } catch (e) {
      status.textContent = gettext("Your draft could not be saved: you seem to be offline.");
    }
  }

  let previewTimer = 0;
  let draftTimer = 0;
  function changed() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(showPreview, 300);
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 1000);
  }
  box.addEventListener("input", changed);
  if (title) title.addEventListener("input", changed);
  form.addEventListener("submit", () => clearTimeout(draftTimer));
  if (box.value.trim()) showPreview();
})();
