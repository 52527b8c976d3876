// A select marked data-follows="<field name>" shows only the options whose data-parent
// is that field's value (具体类别 follows 问题类别). The server checks the pair again.
(function () {
  "use strict";
  function follow(select) {
    // Once per select, even when the script is on the page twice (it would keep only the
    // options the first run had already filtered).
    if (select.hasAttribute("data-following")) return;
    var parent = select.form && select.form.elements[select.getAttribute("data-follows")];
    if (!parent) return;
    select.setAttribute("data-following", "");
    var all = Array.prototype.slice.call(select.options).map(function (o) { return o.cloneNode(true); });
    function update() {
      var keep = select.value;
      select.textContent = "";
      all.forEach(function (o) {
        var p = o.getAttribute("data-parent");
        if (p === null || p === parent.value) select.appendChild(o.cloneNode(true));
      });
      select.value = keep;
      if (select.value !== keep && select.options.length) select.selectedIndex = 0;
    }
    parent.addEventListener("change", update);
    update();
  }
  // Form media may come before the form in the page: wait for the document when needed.
  function followAll() { document.querySelectorAll("select[data-follows]").forEach(follow); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", followAll);
  else followAll();
})();
