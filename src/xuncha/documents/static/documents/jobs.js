// The documents page: starts the download of a Word file just generated, and follows the
// PDF jobs still queued or running, reloading the page when one ends. Statuses come
// labelled from the server (label, tone, finished); this script knows none of its own.
(function () {
  "use strict";
  var fresh = document.getElementById("fresh-download");
  if (fresh && fresh.getAttribute("href")) window.location.assign(fresh.getAttribute("href"));
  var list = document.getElementById("jobs");
  if (!list || !list.hasAttribute("data-status-url")) return;
  var url = list.getAttribute("data-status-url");
  function poll() {
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.onload = function () {
      if (req.status !== 200) { setTimeout(poll, 3000); return; }
      var ended = false;
      JSON.parse(req.responseText).jobs.forEach(function (s) {
        var row = document.getElementById("job-" + s.id);
        if (!row) return;
        var badge = row.querySelector(".badge");
        var step = row.querySelector(".step");
        if (badge) { badge.textContent = s.label; badge.className = "badge tone-" + s.tone; }
        if (step) step.textContent = s.step;
        if (s.finished && row.getAttribute("data-finished") === "0") ended = true;
      });
      if (ended) { window.location.assign(window.location.pathname); return; }
      setTimeout(poll, 1000);
    };
    req.onerror = function () { setTimeout(poll, 3000); };
    req.send();
  }
  setTimeout(poll, 500);
})();
