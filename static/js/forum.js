// Forum: "Quote" inserts the quoted post into the reply box without leaving the page.
// Without JavaScript the link opens the reply page with the quote filled in.
(function () {
  "use strict";

  const box = document.getElementById("id_body");
  if (!box) return;

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
    const caret = (before + spacer + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.scrollIntoView({ block: "center" });
  });
})();
