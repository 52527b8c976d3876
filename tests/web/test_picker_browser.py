"""The unit picker and the category-following sub-category in headless Chromium, from the
keyboard; the unit's item pages at 390 px with the camera offered for photos."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from web.chromium import Page, pick_unit, to_new_page
from web.factories import FindingFactory, TeamFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.findings.models import Finding, ImmediateItem
from xuncha.planning.models import Assignment
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_create,
    rectification_propose_plan,
)
from xuncha.units.models import UnitKind


def _shown(driver) -> list[str]:
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".unit-picker-option")]


@pytest.mark.django_db(transaction=True)
def test_pick_a_village_by_its_township_from_the_keyboard(live_server, browser) -> None:
    from web.factories import CadreFactory

    county = UnitFactory(name="汝城县", kind=UnitKind.COUNTY)
    town = UnitFactory(name="文明瑶族乡", kind=UnitKind.TOWNSHIP, parent=county)
    other_town = UnitFactory(name="土桥镇", kind=UnitKind.TOWNSHIP, parent=county)
    team = TeamFactory(name="第一巡察组")
    user = UserFactory(username="team", role=Role.TEAM)
    team_member_add(team=team, cadre=CadreFactory(user=user))
    for name, parent in (("沙洲村", town), ("韩田村", town), ("沙洲社区", other_town)):
        assignment_add(team=team, unit=UnitFactory(name=name, kind=UnitKind.VILLAGE, parent=parent))
    page = Page(browser, live_server.url)
    page.login("team")
    page.go("/findings/new/")

    select = browser.find_element(By.NAME, "assignment")
    assert not select.is_displayed()  # the search box stands in for it
    box = browser.find_element(By.CSS_SELECTOR, "input[role=combobox]")
    # The label now points at the search box.
    browser.find_element(By.CSS_SELECTOR, "label[for=id_assignment]").click()
    assert browser.switch_to.active_element == box
    box.send_keys("沙洲")
    assert sorted(_shown(browser)) == ["沙洲村（" + team.round.name + " · 第一巡察组）\n汝城县 › 文明瑶族乡",
                                       "沙洲社区（" + team.round.name + " · 第一巡察组）\n汝城县 › 土桥镇"]  # fmt: skip
    # A superior's name finds its units; several words narrow together.
    box.clear()
    box.send_keys("文明")
    assert len(_shown(browser)) == 2 and all("文明瑶族乡" in t for t in _shown(browser))
    box.send_keys(" 韩田")
    assert len(_shown(browser)) == 1
    pick_unit(browser, "assignment", "沙洲社区")
    assert Select(select).first_selected_option.get_attribute("textContent").startswith("沙洲社区")
    box.clear()
    box.send_keys("文明")
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)  # the second of the two
    chosen = Select(select).first_selected_option.get_attribute("textContent")
    assert chosen.startswith("韩田村") and box.get_attribute("value") == chosen
    assert browser.find_element(By.ID, "id_assignment-list").get_attribute("hidden") is not None

    # 具体类别 follows 问题类别.
    Select(browser.find_element(By.NAME, "category")).select_by_visible_text(
        "基层党组织软弱涣散、组织力欠缺问题"
    )
    subs = [
        o.get_attribute("value")
        for o in Select(browser.find_element(By.NAME, "subcategory")).options
    ]
    assert subs and all(s.startswith("organisation.") for s in subs)
    Select(browser.find_element(By.NAME, "subcategory")).select_by_visible_text("组织生活不规范")
    Select(browser.find_element(By.NAME, "source")).select_by_visible_text("实地走访")
    browser.find_element(By.NAME, "description").send_keys("三会一课记录补写")
    to_new_page(
        browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click
    )
    assert "问题已记录" in page.text(), page.text()
    finding = Finding.objects.get()
    assert (finding.unit.name, finding.subcategory) == ("韩田村", "organisation.life")


@pytest.mark.django_db(transaction=True)
def test_unit_item_pages_fit_a_phone(live_server, phone) -> None:
    unit = UnitFactory(name="东江街道")
    office = UserFactory(username="office", role=Role.OFFICE)
    liaison = UserFactory(username="liaison", role=Role.UNIT, unit=unit)
    team = TeamFactory(name="第一巡察组")
    assignment_add(team=team, unit=unit)
    finding = FindingFactory(team=team, round=team.round, unit=unit,
                             description="向已故人员发放移民直补资金 1800 元，涉及 3 户" * 3)  # fmt: skip
    item = rectification_create(finding=finding, by=office, fed_back_on=dt.date(2024, 4, 1))
    item = rectification_propose_plan(item=item, by=liaison, measures="全额追回", owner="张书记",
                                      deadline=dt.date(2024, 7, 1))  # fmt: skip
    rectification_accept_plan(item=item, by=office)
    immediate = ImmediateItem.objects.create(
        team=team, round=team.round, unit=unit, description="公开栏补公示", deadline=dt.date(2024, 4, 9),
        recorded_by=office,
    )  # fmt: skip
    page = Page(phone, live_server.url)
    page.login("liaison")
    for path in (reverse("rectifications:detail", args=[item.pk]),
                 reverse("findings:immediate_detail", args=[immediate.pk])):  # fmt: skip
        page.go(path)
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        cameras = phone.find_elements(By.CSS_SELECTOR, "input[type=file][name=photos]")
        assert len(cameras) == 1, (path, page.text())
        camera = cameras[0]
        assert (
            camera.get_attribute("capture") == "environment"
            and camera.get_attribute("accept") == "image/*"
        )
        assert camera.is_displayed() and camera.rect["width"] <= 390
    assert Assignment.objects.filter(unit=unit).exists()
