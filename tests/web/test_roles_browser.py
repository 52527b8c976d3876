"""Two roles' working day in Debian's headless Chromium: the supervisor returns a
close-out request reached from its home page; the leader goes home → figures → a
ledger item, and finds it read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By

from web.chromium import Page, click
from web.factories import FindingFactory, TeamFactory, UnitFactory, UserFactory, pdf
from xuncha.accounts.models import Role
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
)


def close_requested() -> RectificationItem:
    unit = UnitFactory(name="东江街道")
    office = UserFactory(username="office", role=Role.OFFICE)
    liaison = UserFactory(username="liaison", role=Role.UNIT, unit=unit)
    team = TeamFactory(name="第一巡察组")
    finding = FindingFactory(team=team, unit=unit, description="向已故人员发放移民直补资金 1800 元")
    item = rectification_create(finding=finding, by=office, fed_back_on=dt.date(2024, 4, 1))
    rectification_propose_plan(item=item, by=liaison, measures="全额追回", owner="张书记",
                               deadline=dt.date(2024, 7, 1))  # fmt: skip
    item = rectification_accept_plan(item=item, by=office)
    rectification_report_progress(item=item, by=liaison, text="已追回", done=True,
                                  files=[(pdf(), "退款凭证.pdf")])  # fmt: skip
    return RectificationItem.objects.get(pk=item.pk)


def logged_in(browser, live_server, role: Role) -> Page:
    """A fresh user of ``role`` (named after it), logged in on the home page."""
    UserFactory(username=role.value, role=role)
    page = Page(browser, live_server.url)
    page.login(role.value)
    return page


@pytest.mark.django_db(transaction=True)
def test_supervisor_returns_a_close_out_request_from_home(live_server, browser) -> None:
    item = close_requested()
    page = logged_in(browser, live_server, Role.SUPERVISOR)
    assert "销号申请待审核 1" in page.text(), page.text()
    click(page, text="销号申请待审核")
    assert "共 1 项" in page.text()
    click(page, css="main table tbody a")
    page.fill(page.form("/return/"), reason="凭证不清晰，请补充银行回单")
    text = page.text()
    assert "已退回整改单位" in text and "销号申请被退回：凭证不清晰，请补充银行回单" in text, text
    assert RectificationItem.objects.get(pk=item.pk).status == Status.IN_PROGRESS
    page.go("/")
    assert "销号申请待审核 0" in page.text()


@pytest.mark.django_db(transaction=True)
def test_leader_goes_home_figures_then_a_ledger_item(live_server, browser) -> None:
    item = close_requested()
    page = logged_in(browser, live_server, Role.LEADER)
    assert "整改事项 1" in page.text() and "发现问题 1" in page.text(), page.text()
    click(page, text="巡察工作数据", within="header")
    click(page, css="#ledger-total")
    assert "共 1 项" in page.text(), page.text()
    click(page, css="main table tbody a")
    text = page.text()
    assert "向已故人员发放移民直补资金 1800 元" in text and "已申请销号" in text, text
    assert not browser.find_elements(By.CSS_SELECTOR, "main form"), "领导只读，不应有任何操作表单"
    assert str(item.pk) in browser.current_url
