// User cards: a click (or Enter) on a member's name (a[data-user-card], in forum posts and
// chat messages, live ones included) opens a small card fetched once from the server.
// Focus moves into the card; Escape closes it and puts focus back on the name. One card
// is open at a time. Without JavaScript the name is a plain link to the profile.
(function () {
  "use strict";

  const SELECTOR = "a[data-user-card]";
  const fetched = new Map(); // card URL -> Promise of its HTML
  let popover = null;
  let trigger = null;
  let count = 0;

  function cardUrl(link) {
    return link.dataset.userCard || new URL("card/", link.href).pathname;
  }

  function load(url) {
    if (!fetched.has(url)) {
      const request = fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        });
      request.catch(() => fetched.delete(url)); // a failure may be retried later
      fetched.set(url, request);
    }
    return fetched.get(url);
  }

  function prepare(link) {
    if (!link.hasAttribute("aria-expanded")) link.setAttribute("aria-expanded", "false");
  }

  function place() {
    if (!popover || !trigger) return;
    const rect = trigger.getBoundingClientRect();
    const margin = 8;
    const width = popover.offsetWidth;
    const viewport = document.documentElement.clientWidth;
    let left = rect.left;
    if (left + width > viewport - margin) left = viewport - margin - width;
    if (left < margin) left = margin;
    popover.style.left = left + window.scrollX + "px";
    popover.style.top = rect.bottom + window.scrollY + 6 + "px";
  }

  function close(returnFocus) {
    if (!popover) return;
    const link = trigger;
    popover.remove();
    popover = null;
    trigger = null;
    if (link) {
      link.setAttribute("aria-expanded", "false");
      link.removeAttribute("aria-controls");
      if (returnFocus) link.focus();
    }
  }

  async function open(link) {
    const url = cardUrl(link);
    close(false);
    trigger = link;
    link.setAttribute("aria-expanded", "true");
    let html;
    try {
      html = await load(url);
    } catch (error) {
      link.setAttribute("aria-expanded", "false");
      trigger = null;
      window.location.href = link.href; // the profile says the same, and more
      return;
    }
    if (trigger !== link) return; // another name was clicked meanwhile

    const card = document.createElement("div");
    card.className = "user-card-popover";
    card.id = "user-card-popover-" + ++count;
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-label", interpolate(gettext("About %(name)s"), { name: link.textContent.trim() }, true));
    card.tabIndex = -1;
    card.innerHTML = html; // our own server's fragment, escaped there
    const shut = document.createElement("button");
    shut.type = "button";
    shut.className = "user-card-popover__close link-button";
    shut.setAttribute("aria-label", gettext("Close"));
    shut.textContent = "×";
    shut.addEventListener("click", () => close(true));
    card.prepend(shut);
    document.body.appendChild(card);
    popover = card;
    link.setAttribute("aria-controls", card.id);
    place();
    card.focus();
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest(SELECTOR);
    if (link) {
      // A new tab or window keeps meaning the profile.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      if (trigger === link && popover) close(true);
      else open(link);
      return;
    }
    if (popover && !popover.contains(event.target)) close(false);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !popover) return;
    if (popover.contains(document.activeElement) || document.activeElement === trigger) {
      event.preventDefault();
      close(true);
    }
  });

  // Tabbing out of the card closes it, and focus stays where the member went.
  document.addEventListener("focusin", (event) => {
    const link = event.target.closest && event.target.closest(SELECTOR);
    if (link) prepare(link);
    if (popover && !popover.contains(event.target) && event.target !== trigger) close(false);
  });

  window.addEventListener("resize", place);

  function prepareAll() {
    document.querySelectorAll(SELECTOR).forEach(prepare);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepareAll);
  else prepareAll();
})();
