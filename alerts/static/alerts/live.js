/* Alerts without reloading.

   On every page: the unread counter in the navigation (#alerts-unread) asks its data-url every
   data-poll-seconds. On the inbox (#inbox): the list asks its data-url for entries sent since its
   cursor, puts the new ones at the top and updates the counter; the navigation then does not
   ask separately. Nothing is asked while the tab is hidden; polling stops when the session has
   ended (the answer is not JSON). The entries' HTML is rendered by the server. */
(function () {
  "use strict";

  function seconds(element, fallback) {
    var value = parseFloat(element.getAttribute("data-poll-seconds"));
    return value > 0 ? value : fallback;
  }

  function getJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error("stop");
      }
      return response.json();
    });
  }

  /* Calls ask() now and then every `interval` seconds until it fails with "stop". */
  function every(interval, ask) {
    function tick() {
      if (document.hidden) {
        window.setTimeout(tick, interval * 1000);
        return;
      }
      ask().then(
        function () {
          window.setTimeout(tick, interval * 1000);
        },
        function (error) {
          if (!error || error.message !== "stop") {
            window.setTimeout(tick, interval * 1000);
          }
        }
      );
    }
    tick();
  }

  function setUnread(badge, count) {
    if (!badge) {
      return;
    }
    badge.textContent = String(count);
    badge.hidden = !count;
    badge.setAttribute("data-count", String(count));
  }

  function insertEntries(list, items) {
    var added = 0;
    /* the answer is newest first: insert from the oldest, each at the top */
    for (var i = items.length - 1; i >= 0; i -= 1) {
      var item = items[i];
      if (list.querySelector('[data-id="' + item.id + '"]')) {
        continue;
      }
      var template = document.createElement("template");
      template.innerHTML = item.html.trim();
      var entry = template.content.firstElementChild;
      if (!entry) {
        continue;
      }
      entry.classList.add("arrived");
      list.insertBefore(entry, list.firstChild);
      added += 1;
    }
    return added;
  }

  function startInbox(list, badge) {
    var status = document.getElementById("inbox-status");
    var empty = document.getElementById("inbox-empty");
    var cursor = list.getAttribute("data-cursor") || "";
    var url = list.getAttribute("data-url");
    every(seconds(list, 15), function () {
      var query = cursor ? "?since=" + encodeURIComponent(cursor) : "";
      return getJson(url + query).then(function (data) {
        cursor = data.cursor || cursor;
        setUnread(badge, data.unread);
        var added = insertEntries(list, data.items || []);
        if (added) {
          if (empty) {
            empty.hidden = true;
          }
          if (status) {
            status.textContent = data.announcement || "";
          }
        }
        list.setAttribute("data-polls", String(+(list.getAttribute("data-polls") || 0) + 1));
      });
    });
  }

  function startCounter(badge) {
    every(seconds(badge, 30), function () {
      return getJson(badge.getAttribute("data-url")).then(function (data) {
        setUnread(badge, data.unread);
      });
    });
  }

  function start() {
    var badge = document.getElementById("alerts-unread");
    var list = document.getElementById("inbox");
    if (list && list.getAttribute("data-url")) {
      startInbox(list, badge);
    } else if (badge && badge.getAttribute("data-url")) {
      startCounter(badge);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
