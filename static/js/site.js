// Site-wide behaviour: the mobile menu and the live notification bell.
(function () {
  "use strict";

  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  const bell = document.querySelector("[data-notification-socket]");
  if (!bell || !("WebSocket" in window)) return;
  const counter = bell.querySelector("[data-unread-count]");
  let attempts = 0;

  function setCount(n) {
    counter.textContent = String(n);
    counter.classList.toggle("is-zero", n === 0);
    document.dispatchEvent(new CustomEvent("hearth:unread", { detail: { unread: n } }));
  }

  // A badge earned, a challenge completed or a surprise while the page is open pops up
  // as a toast as well as in the bell. The region exists from the start so screen
  // readers announce what is added to it.
  const TOAST_KINDS = ["badge_earned", "referral_badge", "challenge_completed", "surprise"];
  const toasts = document.createElement("div");
  toasts.className = "toasts";
  toasts.setAttribute("role", "status");
  toasts.setAttribute("aria-live", "polite");
  document.body.appendChild(toasts);

  function showToast(notification) {
    if (!notification || TOAST_KINDS.indexOf(notification.kind) === -1) return;
    const toast = document.createElement("div");
    toast.className = "toast";
    toast.dataset.kind = notification.kind;
    const text = document.createElement("p");
    text.className = "toast__text";
    if (notification.url) {
      const link = document.createElement("a");
      link.href = notification.url;
      link.textContent = notification.text;
      text.appendChild(link);
    } else {
      text.textContent = notification.text;
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("aria-label", gettext("Dismiss"));
    close.textContent = "×";
    close.addEventListener("click", () => toast.remove());
    toast.append(text, close);
    toasts.appendChild(toast);
    while (toasts.children.length > 3) toasts.firstElementChild.remove();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + bell.dataset.notificationSocket);
    socket.addEventListener("open", () => { attempts = 0; });
    socket.addEventListener("message", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (typeof data.unread === "number") {
        setCount(data.unread);
        bell.dataset.live = "joined";  // the server counted us in: live notifications flow
      }
      // Other scripts (messages.js) read the frames meant for them.
      document.dispatchEvent(new CustomEvent("hearth:frame", { detail: data }));
      if (data.type === "notification") {
        document.dispatchEvent(new CustomEvent("hearth:notification", { detail: data.notification }));
        showToast(data.notification);
      }
    });
    socket.addEventListener("close", (event) => {
      delete bell.dataset.live;
      // 4001: signed out or suspended; 4401: not signed in. Do not hammer the server.
      if (event.code === 4001 || event.code === 4401) return;
      // Backoff with full jitter (4503: a service is down; 1006: the server went away),
      // so a deploy that drops every socket does not bring them all back at once.
      attempts += 1;
      setTimeout(connect, 500 + Math.random() * Math.min(30000, 1000 * 2 ** Math.min(attempts, 5)));
    });
  }
  connect();
})();

// Forms: the error summary takes focus when the page loads, and text with a limit
// (data-limit, set by hearth.forms) shows a counter near it. Nothing is cut here: the
// server refuses text over the limit with its own message and keeps what was typed.
(function () {
  "use strict";

  // The page title says "Error: " first, as GOV.UK's pattern does (allauth's pages say
  // it from the server already).
  function errorSummary(root) {
    const summary = root.matches && root.matches("[data-error-summary]")
      ? root : root.querySelector && root.querySelector("[data-error-summary]");
    if (!summary || summary.dataset.errorSummaryReady) return;
    summary.dataset.errorSummaryReady = "on";
    const prefix = gettext("Error:") + " ";
    if (document.title.indexOf(prefix) !== 0) document.title = prefix + document.title;
    summary.focus();
    // A link in the summary puts the cursor in its field, with the label in view.
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) return;
      event.preventDefault();
      const label = document.querySelector("label[for='" + CSS.escape(input.id) + "']");
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  const SHOW_FROM = 0.8;  // of the limit
  const lang = document.documentElement.lang || undefined;
  let unnamed = 0;

  function number(n) { return n.toLocaleString(lang); }
  // Characters as the server counts them (an emoji is one, not two).
  function characters(value) { return Array.from(value).length; }

  function countText(count, limit) {
    const over = count - limit;
    if (over > 0) {
      return interpolate(ngettext("%(n)s character too many", "%(n)s characters too many", over), { n: number(over) }, true);
    }
    return interpolate(
      ngettext("%(count)s of %(limit)s character", "%(count)s of %(limit)s characters", limit),
      { count: number(count), limit: number(limit) }, true);
  }

  // Give ``field`` (an input or textarea with data-limit) its counter. Exposed as
  // Hearth.charCount so other scripts can reuse it for fields they build.
  function charCount(field) {
    const limit = parseInt(field.dataset.limit, 10);
    if (!(limit > 0) || field.dataset.charCount) return;
    field.dataset.charCount = "on";
    if (!field.id) field.id = "limited-field-" + (++unnamed);
    const counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = field.id + "-count";
    // Read out politely, once the member pauses, rather than at every key.
    const live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.dataset.charCountLive = "";
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", live);
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(counter.id);
    field.setAttribute("aria-describedby", described.join(" "));
    let pause;
    function update(announce) {
      const count = characters(field.value);
      const text = count >= Math.ceil(limit * SHOW_FROM) ? countText(count, limit) : "";
      counter.textContent = text;
      counter.classList.toggle("char-count--over", count > limit);
      clearTimeout(pause);
      if (announce) pause = setTimeout(() => { live.textContent = text; }, 800);
    }
    field.addEventListener("input", () => update(true));
    update(false);  // a refused form comes back with its text: shown, not read out again
  }

  function charCounts(root) {
    if (root.matches && root.matches("[data-limit]")) charCount(root);
    if (root.querySelectorAll) root.querySelectorAll("input[data-limit], textarea[data-limit]").forEach(charCount);
  }

  window.Hearth = window.Hearth || {};
  window.Hearth.charCount = charCount;
  errorSummary(document);
  charCounts(document);
  // Forms htmx brings in later get the same.
  document.addEventListener("htmx:load", (event) => {
    errorSummary(event.detail.elt);
    charCounts(event.detail.elt);
  });
})();
