// Progress of a cross-check run: polls the run's status and reloads when it ends.
// The status comes labelled (label, tone, finished: from RunStatus, on the server);
// this script knows no status value of its own.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var step = box.querySelector(".step");
  var badge = document.querySelector("#run-status .badge");
  var url = box.getAttribute("data-status-url");
  function poll() {
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.onload = function () {
      if (req.status !== 200) { setTimeout(poll, 3000); return; }
      var s = JSON.parse(req.responseText);
      if (badge) {
        badge.textContent = s.label;
        badge.className = "badge tone-" + s.tone;
      }
      bar.value = s.progress;
      bar.textContent = Math.round(s.progress * 100) + "%";
      step.textContent = s.label + "：" + s.step + "（" + Math.round(s.progress * 100) + "%）";
      if (s.finished) { window.location.reload(); return; }
      setTimeout(poll, 1000);
    };
    req.onerror = function () { setTimeout(poll, 3000); };
    req.send();
  }
  setTimeout(poll, 500);
})();
