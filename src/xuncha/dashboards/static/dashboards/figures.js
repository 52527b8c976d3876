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

  // Labels longer than this many characters do not fit under a vertical bar.
  var SHORT_LABEL = 6;
  // Below this chart width (a phone: 390 px) every bar chart lies on its side.
  var NARROW = 560;

  function longest(labels) {
    return labels.reduce(function (n, l) { return Math.max(n, String(l).length); }, 0);
  }

  // Bars lie on their side when the labels are long or the chart is narrow: each label
  // then has a row of its own, at most 40% of the width, cut with an ellipsis (the
  // tooltip names the category in full), so no label runs into another or off the edge.
  function horizontalFor(spec, width) {
    return spec.kind === "hbar" || width < NARROW || longest(spec.labels) > SHORT_LABEL;
  }

  function bar(spec, horizontal, width) {
    var option = base(spec);
    var category = { type: "category", data: spec.labels, axisLabel: { interval: 0 } };
    // Counts are whole numbers (no 0.5 on the axis); percentages (spec.max) need not be.
    var value = { type: "value", max: spec.max, minInterval: spec.max ? undefined : 1 };
    if (horizontal) {
      category.inverse = true;
      category.axisLabel.width = Math.max(64, Math.floor(width * 0.4));
      category.axisLabel.overflow = "truncate";
      option.xAxis = value; option.yAxis = category;
    } else {
      category.axisLabel.rotate = spec.labels.length > 4 ? 30 : 0;
      category.axisLabel.width = 96;
      category.axisLabel.overflow = "truncate";
      option.xAxis = category; option.yAxis = value;
    }
    option.series = spec.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.values, label: { show: true, position: horizontal ? "right" : "top" } };
    });
    return option;
  }

  function trend(spec) {
    var option = base(spec);
    option.xAxis = { type: "category", data: spec.labels,
                     axisLabel: { hideOverlap: true, width: 96, overflow: "truncate" } };
    option.yAxis = [{ type: "value", name: spec.series[0].name },
                    { type: "value", name: spec.series[1].name, max: 100 }];
    option.series = [
      { name: spec.series[0].name, type: "bar", data: spec.series[0].values },
      { name: spec.series[1].name, type: "line", yAxisIndex: 1, data: spec.series[1].values }
    ];
    return option;
  }

  function build(spec, width) {
    return spec.kind === "trend" ? trend(spec) : bar(spec, horizontalFor(spec, width), width);
  }

  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var spec = data[el.getAttribute("data-chart")];
    if (!spec || !spec.labels.length) { el.classList.add("empty"); el.textContent = "暂无数据"; return; }
    // One row per unit: set through the CSSOM, which the CSP's style-src does not govern.
    var width = el.clientWidth;
    if (spec.kind !== "trend" && horizontalFor(spec, width)) {
      el.style.height = Math.max(12, 1.6 * spec.labels.length + 4) + "rem";
      el.setAttribute("data-layout", "horizontal");
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(spec, width));
    chart.on("click", function (params) {
      var href = spec.links && spec.links[params.dataIndex];
      if (href) { window.location.href = href; }
    });
    window.addEventListener("resize", function () {
      chart.resize();
      chart.setOption(build(spec, el.clientWidth), true);
    });
  });
})();
