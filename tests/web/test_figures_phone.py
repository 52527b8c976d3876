"""The figures page on a phone (390 px, headless Chromium): the 问题类别 and 问题来源
charts lie on their side, and no two of their axis labels overlap or run off the chart
(the long category names were drawn over each other and clipped)."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.common.by import By

from web.test_figures_browser import _problems, figures_page

# Every text ECharts drew for the chart's category axis, with its box in chart pixels
# (zrender's own text elements, transformed to the canvas).
LABEL_BOXES = """
var el = document.querySelector('.chart[data-chart=' + arguments[0] + ']');
var chart = echarts.getInstanceByDom(el), option = chart.getOption();
var labels = option.yAxis[0].type === 'category' ? option.yAxis[0].data : option.xAxis[0].data;
var boxes = [];
chart.getZr().storage.getDisplayList().forEach(function (t) {
  if (!t.style || typeof t.style.text !== 'string' || !t.style.text) { return; }
  var text = String(t.style.text), shown = text.replace(/\\.\\.\\.$|…$/, '');
  var isLabel = labels.some(function (l) { return l === text || (shown && l.indexOf(shown) === 0); });
  if (!isLabel) { return; }
  var r = t.getBoundingRect().clone();
  if (t.transform) { r.applyTransform(t.transform); }
  boxes.push([text, r.x, r.y, r.width, r.height]);
});
return {layout: el.getAttribute('data-layout'), category: option.yAxis[0].type,
        width: chart.getWidth(), height: chart.getHeight(), labels: labels, boxes: boxes};
"""


def _overlap(a, b) -> bool:
    (_, ax, ay, aw, ah), (_, bx, by, bw, bh) = a, b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@pytest.mark.django_db(transaction=True)
def test_category_and_source_labels_are_readable_at_phone_width(live_server, phone, world) -> None:
    figures_page(phone, live_server.url, world)
    assert phone.execute_script("return window.innerWidth") == 390
    if shot := os.environ.get("XUNCHA_SCREENSHOT"):
        phone.find_element(By.CSS_SELECTOR, ".charts").screenshot(shot)
    for key in ("by_category", "by_source"):
        seen = phone.execute_script(LABEL_BOXES, key)
        assert seen["layout"] == "horizontal" and seen["category"] == "category", seen
        boxes = seen["boxes"]
        assert len(boxes) == len(seen["labels"]) >= 3, seen
        for i, a in enumerate(boxes):
            assert a[1] >= 0 and a[1] + a[3] <= seen["width"] + 0.5, (key, a, seen["width"])
            for b in boxes[i + 1 :]:
                assert not _overlap(a, b), (key, a, b)
    assert _problems(phone) == []
