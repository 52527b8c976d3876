// Unit picker: a <select data-unit-picker> becomes a search box. Typing filters by the
// unit's name, its superiors' names (county › township) and its code; several words
// must all match. Arrow keys move, Enter chooses, Escape closes. The select stays in
// the form (hidden) and is what is submitted; without this script it is used as is.
(function () {
  "use strict";
  var LIMIT = 50;
  var counter = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function enhance(select) {
    if (select.hasAttribute("data-unit-picker-ready")) return;  // once, even if loaded twice
    select.setAttribute("data-unit-picker-ready", "");
    var id = select.id || "unit-picker-" + (++counter);
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; })
      .map(function (o) {
        return { value: o.value, label: o.textContent, path: o.getAttribute("data-path") || "",
                 search: (o.getAttribute("data-search") || o.textContent).toLowerCase() };
      });
    var box = el("div", "unit-picker");
    var input = el("input");
    var list = el("ul", "unit-picker-list");
    var status = el("p", "unit-picker-status");
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = "输入单位名称或上级单位名称（县、乡镇）搜索";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    if (select.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.setAttribute("aria-live", "polite");
    // The label (for=id) now points at the search box; the select keeps the value.
    select.id = id + "-select";
    input.id = id;
    select.required = false;  // a hidden required select would block the submit silently
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(select);

    var shown = [];
    var active = -1;

    function chosenLabel() {
      var o = select.options[select.selectedIndex];
      return o && o.value !== "" ? o.textContent : "";
    }
    function setActive(i) {
      var items = list.children;
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && items[i]) {
        items[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function open() {
      var terms = input.value === chosenLabel() ? [] : input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var hits = options.filter(function (o) {
        return terms.every(function (t) { return o.search.indexOf(t) >= 0; });
      });
      if (terms.length) {  // names that start with what was typed first
        var first = terms[0];
        hits = hits.filter(function (o) { return o.label.toLowerCase().indexOf(first) === 0; })
          .concat(hits.filter(function (o) { return o.label.toLowerCase().indexOf(first) !== 0; }));
      }
      shown = hits.slice(0, LIMIT);
      list.textContent = "";
      shown.forEach(function (o, i) {
        var li = el("li", "unit-picker-option");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("span", "unit-picker-name", o.label));
        if (o.path) li.appendChild(el("span", "unit-picker-path", o.path));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      setActive(shown.length ? 0 : -1);
      status.textContent = !hits.length ? "没有找到名称或上级单位含“" + input.value.trim() + "”的单位"
        : hits.length > LIMIT ? "共 " + hits.length + " 个，显示前 " + LIMIT + " 个，请输入更多文字缩小范围"
        : "共 " + hits.length + " 个";
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
      status.textContent = "";
    }
    function choose(i) {
      var o = shown[i];
      if (!o) return;
      select.value = o.value;
      input.value = o.label;
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.value = chosenLabel();
    input.addEventListener("input", open);
    input.addEventListener("focus", function () { if (input.value === "" || input.value === chosenLabel()) open(); });
    input.addEventListener("blur", function () {
      if (input.value.trim() === "") select.value = "";
      input.value = chosenLabel();
      close();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (list.hidden) { open(); return; }
        var n = shown.length;
        if (n) setActive(ev.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n);
      } else if (ev.key === "Enter") {
        if (!list.hidden && active >= 0) { ev.preventDefault(); choose(active); }
      } else if (ev.key === "Escape") {
        if (!list.hidden) { ev.preventDefault(); input.value = chosenLabel(); close(); }
      }
    });
  }

  // Form media may come before the form in the page: wait for the document when it is
  // still being read, so every picker on the page is found.
  function enhanceAll() { document.querySelectorAll("select[data-unit-picker]").forEach(enhance); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
