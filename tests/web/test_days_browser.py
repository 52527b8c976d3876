"""A working day per role in Debian's headless Chromium (issue 16, "Figures to reach").

Each day starts on the role's home page and goes only by what the role can see and
click there: the office accepts one plan, returns another and closes an item out; the
team reaches a unit from home, records a talk and a finding, and verifies suspects
with previous/next; the unit, on a phone, plans, reports progress with a photo and sees
its 立行立改; the supervisor returns a close-out request; the leader goes from home
through the figures to a ledger item. A screenshot of each day's key step goes to the
test's tmp dir."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from web.days import (
    DECEASED,
    DOUBLE_SUBSIDY,
    NOTICE_BOARD,
    click,
    entry,
    home,
    shot,
    town,
)
from web.test_browser import Page, chrome
from xuncha.rectifications.models import RectificationItem, Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    driver = chrome()
    yield driver
    driver.quit()


def _status(item: RectificationItem) -> str:
    return RectificationItem.objects.get(pk=item.pk).status


def test_office_accepts_a_plan_returns_another_and_closes_an_item_out(
    live_server, browser, tmp_path
) -> None:
    t = town()
    accepted, returned = t.planned(DECEASED, 1800), t.planned(NOTICE_BOARD)
    closing = t.close_requested(DOUBLE_SUBSIDY, 2400)
    page = Page(browser, live_server.url)
    page.login("office")
    assert entry(page, "整改方案待认可") == "2" and entry(page, "销号申请待审核") == "1"

    click(page, text="整改方案待认可")
    assert "共 2 项" in page.text(), page.text()
    click(page, text=DECEASED)
    page.fill(page.form("/accept/"))
    text = page.text()
    assert "已认可整改方案" in text and "整改中" in text, text
    assert _status(accepted) == Status.IN_PROGRESS

    home(page)
    assert entry(page, "整改方案待认可") == "1"
    click(page, text="整改方案待认可")
    click(page, text=NOTICE_BOARD)
    page.fill(page.form("/return/"), reason="   ")  # only spaces: the browser lets it through
    text = page.text()
    assert "退回必须填写原因" in text, text
    assert _status(returned) == Status.PLAN_SUBMITTED
    shot(page, tmp_path, "office-return-without-reason")
    page.fill(page.form("/return/"), reason="整改措施过于笼统，请逐项明确责任人和完成时限")
    text = page.text()
    assert "已退回整改单位" in text, text
    assert "整改方案被退回：整改措施过于笼统，请逐项明确责任人和完成时限" in text, text
    assert _status(returned) == Status.AWAITING_PLAN

    home(page)
    assert entry(page, "整改方案待认可") == "0" and entry(page, "销号申请待审核") == "1"
    click(page, text="销号申请待审核")
    click(page, text=DOUBLE_SUBSIDY)
    assert "退款凭证.pdf" in page.text()
    page.fill(page.form("/close/"), note="退款凭证与银行回单核对无误", money_recovered="2400")
    text = page.text()
    assert "已对账销号" in text and "已销号" in text, text
    closed = RectificationItem.objects.get(pk=closing.pk)
    assert closed.status == Status.CLOSED and closed.money_recovered == 2400
    home(page)
    assert entry(page, "销号申请待审核") == "0"


def test_supervisor_returns_a_close_out_request_and_sees_who_falls_behind(
    live_server, browser, tmp_path
) -> None:
    t = town(users=("supervisor",))
    item = t.close_requested(DOUBLE_SUBSIDY, 2400)
    t.in_progress(NOTICE_BOARD, days=-3)  # its deadline passed three days ago
    page = Page(browser, live_server.url)
    page.login("supervisor")
    assert entry(page, "销号申请待审核") == "1" and entry(page, "东江街道 逾期事项") == "1"

    click(page, text="销号申请待审核")
    assert "共 1 项" in page.text(), page.text()
    click(page, text=DOUBLE_SUBSIDY)
    # The supervisor returns; accepting and closing out are the office's.
    actions = [
        f.get_attribute("action") for f in browser.find_elements(By.CSS_SELECTOR, "main form")
    ]
    assert len(actions) == 1 and actions[0].endswith("/return/"), (actions, page.text())
    reason = page.form("/return/").find_element(By.NAME, "reason")
    assert browser.execute_script("return !arguments[0].checkValidity()", reason), "空原因应被拦下"
    page.fill(page.form("/return/"), reason="   ")
    text = page.text()
    assert "退回必须填写原因" in text and _status(item) == Status.CLOSE_REQUESTED, text
    page.fill(page.form("/return/"), reason="凭证不清晰，请补充银行回单")
    text = page.text()
    assert "已退回整改单位" in text and "销号申请被退回：凭证不清晰，请补充银行回单" in text, text
    assert _status(item) == Status.IN_PROGRESS
    shot(page, tmp_path, "supervisor-returned")

    home(page)
    assert entry(page, "销号申请待审核") == "0"
    click(page, text="东江街道 逾期事项")
    text = page.text()
    assert "共 1 项" in text and NOTICE_BOARD[:20] in text and DOUBLE_SUBSIDY not in text, text


def test_leader_goes_from_home_through_the_figures_to_a_ledger_item(
    live_server, browser, tmp_path
) -> None:
    t = town(users=("leader",))
    item = t.close_requested(DECEASED, 1800)
    t.in_progress(NOTICE_BOARD)
    page = Page(browser, live_server.url)
    page.login("leader")
    assert entry(page, "整改事项") == "2" and entry(page, "发现问题") == "2"
    assert entry(page, "巡察轮次") == "1"

    click(page, text="巡察工作数据", within="header")
    text = page.text()
    assert "整改完成率" in text, text
    shot(page, tmp_path, "leader-figures")
    click(page, css="#ledger-total")
    assert "共 2 项" in page.text(), page.text()
    click(page, text=DECEASED)
    text = page.text()
    assert DECEASED in text and "已申请销号" in text and "退款凭证.pdf" in text, text
    assert not browser.find_elements(By.CSS_SELECTOR, "main form"), "领导只读，不应有任何操作表单"
    assert urlsplit(browser.current_url).path == f"/ledger/{item.pk}/"
