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
    close.setAttribute("aria-label", "Dismiss");
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
