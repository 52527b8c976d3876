"""The figures page in a real browser (Debian's headless Chromium): the vendored ECharts
draws every chart on canvas under the staff CSP with no console error and no CSP
violation, and a number or a bar leads to the list it counts."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from web.chromium import Page
from web.factories import FindingFactory
from xuncha.findings.choices import Category, Subcategory
from xuncha.rectifications.models import RectificationItem, Status

# Recorded before any page script: a CDP script is not subject to the page's CSP.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
"""


def watch(driver) -> None:
    """From the next page on, keep what :func:`_problems` reads: CSP violations and the
    console's errors."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    driver.execute_cdp_cmd("Log.enable", {})


def _data(world) -> None:
    by, team = world.users["office"], world.team
    for i in range(6):
        category = Category.CORRUPTION if i % 2 else Category.ORGANISATION
        sub = Subcategory.BENEFIT_FUNDS if i % 2 else Subcategory.WEAK_ORGANISATION
        f = FindingFactory(team=team, round=team.round, unit=world.unit, recorded_by=by,
                           category=category, subcategory=sub)  # fmt: skip
        done = {"status": Status.CLOSED, "closed_by": by, "closed_at": timezone.now()}
        RectificationItem.objects.create(finding=f, round=team.round, team=team, unit=world.unit,
                                         **(done if i < 4 else {}))  # fmt: skip


def _problems(driver) -> list[str]:
    """CSP violations seen by the page, and console errors (the log holds CSP refusals too)."""
    logged = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return list(driver.execute_script("return window.__csp")) + logged


def figures_page(driver, base: str, world) -> Page:
    """The office on the figures page of :func:`_data`, CSP violations and console errors
    kept from the first page on."""
    _data(world)
    watch(driver)
    page = Page(driver, base)
    page.login_as(world.users["office"])
    page.go("/figures/")
    return page


@pytest.mark.django_db(transaction=True)
def test_charts_render_under_csp_and_drill_down(live_server, browser, world) -> None:
    page = figures_page(browser, live_server.url, world)
    assert "巡察工作数据：2024年" in browser.find_element(By.TAG_NAME, "h1").text
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart[data-chart]")
    drawn = browser.execute_script(
        """return Array.from(document.querySelectorAll('.chart[data-chart]')).map(function (el) {
             var c = el.querySelector('canvas');
             if (!c) { return [el.dataset.chart, 0]; }
             var px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
             for (var i = 3; i < px.length; i += 4) { if (px[i]) { n++; } }
             return [el.dataset.chart, n]; });"""
    )
    drawn = dict(drawn)
    assert len(charts) >= 8 and drawn["by_category"] > 1000 and drawn["ranking"] > 1000, drawn
    assert drawn["trend"] > 1000 and drawn["coverage_kind"] > 1000, drawn
    # Hovering draws the tooltip (on canvas: no HTML with style attributes).
    chart = browser.find_element(By.CSS_SELECTOR, ".chart[data-chart=by_category]")
    ActionChains(browser).move_to_element(chart).pause(0.3).perform()
    assert _problems(browser) == []

    # A bar: its click handler opens the findings of that category in that year.
    point = browser.execute_script(
        """var c = echarts.getInstanceByDom(arguments[0]);
           var p = c.convertToPixel({seriesIndex: 0}, [1, 1]);
           return [p[0] - c.getWidth() / 2, p[1] - c.getHeight() / 2];""",
        chart,
    )
    ActionChains(browser).move_to_element_with_offset(chart, *point).click().perform()
    WebDriverWait(browser, 10).until(lambda d: "/findings/" in d.current_url)
    assert "year=2024" in browser.current_url and "category=" in browser.current_url
    assert "共 3 个" in browser.find_element(By.TAG_NAME, "main").text

    # A number: the closed items of the year in the ledger, the same count.
    page.go("/figures/")
    link = browser.find_element(By.ID, "ledger-closed")
    assert link.text == "4"
    link.click()
    WebDriverWait(browser, 10).until(lambda d: "/ledger/" in d.current_url)
    assert re.search(r"status=closed", browser.current_url)
    assert "共 4 项" in browser.find_element(By.TAG_NAME, "main").text
    assert _problems(browser) == []
