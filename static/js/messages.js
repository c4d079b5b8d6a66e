// Private messages, live: the unread count beside "Messages" in the header, and new
// messages appearing at the bottom of the conversation that is open. The frames come
// from the bell's socket (site.js hands them over as "hearth:frame" events); the
// markup of a message comes rendered from the server, so this script only places it.
(function () {
  "use strict";

  const link = document.querySelector("[data-messages-link]");

  function setUnread(n) {
    if (!link || typeof n !== "number") return;
    let badge = link.querySelector("[data-messages-unread]");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "bell__count";
      badge.dataset.messagesUnread = "";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.classList.toggle("is-zero", n === 0);
    link.dataset.unread = String(n);
  }

  const page = document.querySelector("[data-conversation-id]");
  const log = page && page.querySelector("[data-pm-log]");

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function markRead(id) {
    const body = new URLSearchParams({ up_to: String(id) });
    fetch(page.dataset.readUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).catch(() => {});  // the next visit marks it read anyway
  }

  function append(message) {
    if (!log || document.getElementById("message-" + message.id)) return;
    const holder = document.createElement("template");
    holder.innerHTML = message.html.trim();
    const item = holder.content.firstElementChild;
    if (!item) return;
    const empty = log.querySelector("[data-empty]");
    if (empty) empty.remove();
    log.appendChild(item);
    if (document.visibilityState === "visible") markRead(message.id);
  }

  document.addEventListener("hearth:frame", (event) => {
    const frame = event.detail || {};
    if (frame.type === "message" && frame.message) {
      setUnread(frame.messages_unread);
      if (page && String(frame.message.conversation) === page.dataset.conversationId) {
        append(frame.message);
      }
    } else if (frame.type === "messages_count") {
      setUnread(frame.messages_unread);
    }
  });

  // Messages that came while the tab was hidden are read once it is shown.
  document.addEventListener("visibilitychange", () => {
    if (!log || document.visibilityState !== "visible") return;
    const last = log.querySelector("li[data-id]:last-of-type");
    if (last) markRead(last.dataset.id);
  });
})();
