"""The main flow in a real browser (Debian's headless Chromium through ChromeDriver):
the office creates a round and assigns a team; the team records a finding and feeds it
back; the unit plans and reports progress with evidence; the office accepts and closes
it out; the figures page shows it."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from web.chromium import Page, pick_unit
from web.factories import PDF, CadreFactory, TermFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.units.models import UnitKind


@pytest.mark.django_db(transaction=True)
def test_main_flow(live_server, browser, tmp_path) -> None:
    term = TermFactory(name="第十二届（2022—2026年）")
    unit = UnitFactory(name="东江街道", kind=UnitKind.TOWNSHIP)
    UserFactory(username="office", role=Role.OFFICE)
    team_user = UserFactory(username="team", role=Role.TEAM)
    unit_user = UserFactory(username="liaison", role=Role.UNIT, unit=unit)
    cadre = CadreFactory(name="李组长", user=team_user)
    page = Page(browser, live_server.url)

    page.login("office")
    page.go("/rounds/new/")
    page.fill(browser.find_element(By.CSS_SELECTOR, "main form"), term=term.name, number="1",
              name="2024年第一轮巡察", kind="常规巡察", start_date="2024-03-01", end_date="2024-05-31")  # fmt: skip
    assert "已建立2024年第一轮巡察" in page.text()
    page.fill(page.form("/team/"), name="第一巡察组")
    page.click_link("第一巡察组")  # the team's own page: members and units
    # A cadre is chosen with their home unit, so namesakes can be told apart.
    title = f"，{cadre.title}" if cadre.title else ""
    page.fill(page.form("/member/"), cadre=f"李组长（{cadre.home_unit.name}{title}）", role="组长")
    pick_unit(browser, "unit", "东江街道", within=page.form("/assign/"))
    page.fill(page.form("/assign/"))
    assert "李组长" in page.text() and "东江街道" in page.text()

    page.login("team")
    page.go("/findings/new/")
    pick_unit(browser, "assignment", "东江街道")
    page.fill(browser.find_element(By.CSS_SELECTOR, "main form"), category="群众身边不正之风和腐败问题",
              subcategory="惠民惠农资金", source="数据比对", description="向已故人员发放移民直补资金 1800 元",
              amount="1800")  # fmt: skip
    assert "问题已记录" in page.text()
    page.fill(page.form("feed-back"))
    assert "已反馈" in page.text()
    item_url = browser.current_url.removeprefix(live_server.url)

    page.login(unit_user.username)
    page.go(item_url)
    page.fill(
        page.form("/plan/"), measures="全额追回并约谈经办人", owner="张书记", deadline="2024-07-01"
    )
    page.login("office")
    page.go(item_url)
    page.fill(page.form("/accept/"))
    assert "已认可整改方案" in page.text()
    evidence = tmp_path / "退款凭证.pdf"
    evidence.write_bytes(PDF)
    page.login(unit_user.username)
    page.go(item_url)
    page.fill(page.form("/progress/"), text="已全额追回 1800 元", evidence=str(evidence), done=True)
    assert "整改进展已报告" in page.text() and "退款凭证.pdf" in page.text()

    page.login("office")
    page.go(item_url)
    page.fill(page.form("/close/"), note="凭证核实无误", money_recovered="1800")
    assert "已对账销号" in page.text() and "状态：已申请销号 → 已销号" in page.text()
    page.go("/figures/?year=2024")
    text = page.text()
    assert "整改完成率 100.00%（1/1）" in text, text
    assert "追回资金 1,800.00 元" in text, text
