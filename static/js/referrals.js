// Referral hub: copy a link to the clipboard and share it with the device's share sheet.
// Without JavaScript the link is a read-only field to select and the share buttons are
// plain links, so everything still works.
(function () {
  "use strict";

  function announce(container, text) {
    const status = container && container.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy]").forEach((button) => {
    const input = document.getElementById(button.dataset.copy);
    if (!input) return;
    const container = button.closest(".copy-link");
    button.hidden = false;
    button.addEventListener("click", () => {
      const done = () => {
        button.textContent = gettext("Copied");
        announce(container, gettext("Link copied. Paste it anywhere to share it."));
        setTimeout(() => { button.textContent = gettext("Copy link"); }, 2500);
      };
      const failed = () => {
        input.focus();
        input.select();
        announce(container, gettext("Copying is blocked here: the link is selected, press Ctrl+C (or ⌘C) to copy it."));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, () => (fallbackCopy(input) ? done() : failed()));
      } else if (fallbackCopy(input)) {
        done();
      } else {
        failed();
      }
    });
    input.addEventListener("focus", () => input.select());
  });

  if (navigator.share) {
    document.querySelectorAll("[data-share]").forEach((box) => {
      const item = box.querySelector(".share-buttons__native");
      const button = box.querySelector("[data-native-share]");
      if (!item || !button) return;
      item.hidden = false;
      button.addEventListener("click", () => {
        navigator.share({ title: box.dataset.shareText, text: box.dataset.shareText, url: box.dataset.shareUrl })
          .catch(() => { /* the person closed the share sheet */ });
      });
    });
  }
})();
