/* The figures page's charts: Apache ECharts (vendored, canvas renderer) draws what the
   page put in <script id="figures-data" type="application/json">. Nothing inline, so the
   staff CSP (script-src 'self'; style-src 'self') holds; tooltips are drawn on the canvas
   (renderMode richText), not as HTML with style attributes. Clicking a bar opens the list
   behind it, as the numbers in the tables do. */
(function () {
  "use strict";
  var source = document.getElementById("figures-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var PALETTE = ["#b22222", "#2f5d8a", "#d18f00", "#4a7f3f", "#7a4a8a", "#3c8d93", "#8a5a2b"];

  function base(spec) {
    return {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0 } : undefined
    };
  }

  function bar(spec, horizontal) {
    var option = base(spec);
    var category = { type: "category", data: spec.labels, axisLabel: { interval: 0 } };
    var value = { type: "value", max: spec.max };
    if (horizontal) {
      category.inverse = true;
      option.xAxis = value; option.yAxis = category;
    } else {
      category.axisLabel.rotate = spec.labels.length > 4 ? 30 : 0;
      option.xAxis = category; option.yAxis = value;
    }
    option.series = spec.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.values, label: { show: true, position: horizontal ? "right" : "top" } };
    });
    return option;
  }

  function trend(spec) {
    var option = base(spec);
    option.xAxis = { type: "category", data: spec.labels };
    option.yAxis = [{ type: "value", name: spec.series[0].name },
                    { type: "value", name: spec.series[1].name, max: 100 }];
    option.series = [
      { name: spec.series[0].name, type: "bar", data: spec.series[0].values },
      { name: spec.series[1].name, type: "line", yAxisIndex: 1, data: spec.series[1].values }
    ];
    return option;
  }

  var BUILD = { bar: function (s) { return bar(s, false); }, hbar: function (s) { return bar(s, true); }, trend: trend };

  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var spec = data[el.getAttribute("data-chart")];
    if (!spec || !spec.labels.length) { el.classList.add("empty"); el.textContent = "暂无数据"; return; }
    // One row per unit: set through the CSSOM, which the CSP's style-src does not govern.
    if (spec.kind === "hbar") { el.style.height = Math.max(12, 1.6 * spec.labels.length + 4) + "rem"; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(BUILD[spec.kind](spec));
    chart.on("click", function (params) {
      var href = spec.links && spec.links[params.dataIndex];
      if (href) { window.location.href = href; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
