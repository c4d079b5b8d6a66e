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

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + bell.dataset.notificationSocket);
    socket.addEventListener("open", () => { attempts = 0; });
    socket.addEventListener("message", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (typeof data.unread === "number") setCount(data.unread);
      if (data.type === "notification") {
        document.dispatchEvent(new CustomEvent("hearth:notification", { detail: data.notification }));
      }
    });
    socket.addEventListener("close", (event) => {
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
