/* The NCTV alert board, live: the element with data-url (#alert-board or #alert-state) asks it
   every data-poll-seconds; the answer's "regions" map element ids to fresh HTML rendered by the
   server (the table rows, the totals, the time of the update). Forms with data-confirm ask
   before they are sent (cancel, all clear, publish). */
(function () {
  "use strict";

  function refresh(source) {
    return fetch(source.getAttribute("data-url"), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error("stop");
      }
      return response.json();
    }).then(function (data) {
      var regions = data.regions || {};
      Object.keys(regions).forEach(function (id) {
        var element = document.getElementById(id);
        if (element) {
          element.innerHTML = regions[id];
        }
      });
      source.setAttribute("data-refreshed", String(+(source.getAttribute("data-refreshed") || 0) + 1));
    });
  }

  function startPolling(source) {
    var value = parseFloat(source.getAttribute("data-poll-seconds"));
    var interval = (value > 0 ? value : 10) * 1000;
    function tick() {
      if (document.hidden) {
        window.setTimeout(tick, interval);
        return;
      }
      refresh(source).then(
        function () {
          window.setTimeout(tick, interval);
        },
        function (error) {
          if (!error || error.message !== "stop") {
            window.setTimeout(tick, interval);
          }
        }
      );
    }
    window.setTimeout(tick, interval);
  }

  function start() {
    var source = document.querySelector("#alert-board[data-url], #alert-state[data-url]");
    if (source) {
      startPolling(source);
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
