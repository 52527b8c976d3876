// The term plan page: when a unit's round or team is changed in its move form, ask the
// server (planning:termplan_check) whether the plan would still meet every hard
// constraint, and say so beside the form before anything is saved.
(function () {
  "use strict";
  // A proposal solved in the background: reload until it is done.
  var solving = document.getElementById("solving");
  if (solving) {
    setTimeout(function () { window.location.reload(); },
      1000 * Number(solving.getAttribute("data-reload") || 3));
  }
  var forms = document.querySelectorAll("form.termplan-move");
  function check(form) {
    var out = form.querySelector(".live-check");
    var slot = form.querySelector("select[name=slot]").value;
    var team = form.querySelector("select[name=team]").value;
    var url = form.getAttribute("data-check-url") + "?entry=" +
      encodeURIComponent(form.getAttribute("data-entry")) + "&slot=" +
      encodeURIComponent(slot) + "&team=" + encodeURIComponent(team);
    out.textContent = "检查中…";
    out.className = "live-check";
    var req = new XMLHttpRequest();
    req.open("GET", url);
    req.onload = function () {
      if (req.status !== 200) { out.textContent = "检查失败，请提交后查看。"; return; }
      var found = JSON.parse(req.responseText).violations;
      if (!found.length) {
        out.textContent = "✓ 调整后全部约束均满足";
        out.className = "live-check ok";
        return;
      }
      out.textContent = "✗ " + found.map(function (v) { return v.message; }).join("；");
      out.className = "live-check bad";
    };
    req.onerror = function () { out.textContent = "检查失败，请提交后查看。"; };
    req.send();
  }
  Array.prototype.forEach.call(forms, function (form) {
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (sel) {
      sel.addEventListener("change", function () { check(form); });
    });
  });
})();
