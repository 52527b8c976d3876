"""A working day per role in Debian's headless Chromium (issue 16, "Figures to reach").

Each day starts on the role's home page and goes only by what the role can see and
click there: the office accepts one plan, returns another and closes an item out; the
team reaches a unit from home, records a talk and a finding, and verifies suspects
with previous/next; the unit, on a phone, plans, reports progress with a photo and sees
its 立行立改; the supervisor returns a close-out request; the leader goes from home
through the figures to a ledger item. A screenshot of each day's key step goes to the
test's tmp dir."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from web.chromium import Page, click
from web.days import (
    CLEAN_BOARD,
    DECEASED,
    DOUBLE_SUBSIDY,
    NOTICE_BOARD,
    checked,
    enter,
    entry,
    fits_the_screen,
    follow,
    home,
    latin_words,
    photo,
    press,
    return_refused_without_reason,
    shot,
    shown_as_cards,
    town,
)
from web.factories import PDF
from xuncha.checks.models import Suspect, Verdict
from xuncha.findings.models import Finding, Talk
from xuncha.rectifications.models import RectificationItem, Status

pytestmark = pytest.mark.django_db(transaction=True)


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
    return_refused_without_reason(page, "   ")
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
    # Before closing out, the office opens the unit's evidence from the item.
    href = browser.find_element(By.LINK_TEXT, "退款凭证.pdf").get_attribute("href")
    opened = browser.execute_script(
        "const r = await fetch(arguments[0]); const body = new Uint8Array(await r.arrayBuffer());"
        "return [r.status, r.headers.get('content-disposition'), body.length,"
        " String.fromCharCode(...body.slice(0, 5))]",
        href,
    )
    status, disposition, size, head = opened
    assert (status, size, head) == (200, len(PDF), "%PDF-"), opened
    assert disposition.startswith("attachment") and quote("退款凭证.pdf") in disposition, opened
    page.fill(page.form("/close/"), note="退款凭证与银行回单核对无误", money_recovered="2400")
    text = page.text()
    assert "已对账销号" in text and "已销号" in text, text
    closed = RectificationItem.objects.get(pk=closing.pk)
    assert closed.status == Status.CLOSED and closed.money_recovered == 2400
    # Reached through "close-out requests", the item has now left that list: the page says so.
    stale = browser.find_element(By.ID, "prevnext-stale").text
    assert "已不在当前筛选结果中" in stale, stale
    home(page)
    assert entry(page, "销号申请待审核") == "0"


def test_team_reaches_a_unit_records_a_talk_and_a_finding_and_verifies_suspects(
    live_server, browser, tmp_path
) -> None:
    t = town()
    run = checked(t, tmp_path)
    page = Page(browser, live_server.url)
    page.login("team")
    assert entry(page, "第一巡察组 待核实疑点", "数据比对") == "3"

    # Reach the unit's work page from home; record a talk there.
    follow(page, f"{t.team.round.name} · 第一巡察组 · 东江街道", "本组被巡察单位")
    assert browser.find_element(By.TAG_NAME, "h1").text == "东江街道"
    today = dt.date.today().isoformat()
    page.fill(page.form("/talk/"), talk_on=today, interviewee="王建国", position="村党支部书记",
              summary="反映移民直补资金发放名单多年未核对，已故人员仍在名单上")  # fmt: skip
    text = page.text()
    assert "谈话记录已保存" in text and "个别谈话（1）" in text and "王建国" in text, text
    assert Talk.objects.filter(unit=t.unit, team=t.team, interviewee="王建国").count() == 1

    # "+ 记录问题" on the unit's page: the unit is already chosen.
    click(page, text="记录问题")
    chosen = Select(browser.find_element(By.NAME, "assignment")).first_selected_option
    # (the select may be hidden behind a searching picker: read its option, not the screen)
    assert chosen.get_attribute("value") == str(t.assignment.pk), chosen.get_attribute("value")
    assert "东江街道" in chosen.get_attribute("textContent")
    page.fill(browser.find_element(By.CSS_SELECTOR, "main form"),
              category="群众身边不正之风和腐败问题", subcategory="惠民惠农资金", source="个别谈话",
              description=DECEASED, amount="1800")  # fmt: skip
    assert "问题已记录" in page.text(), page.text()
    click(page, text="东江街道", within="nav.crumbs")
    assert "问题（1）" in page.text() and DECEASED in page.text(), page.text()
    assert Finding.objects.get(unit=t.unit).description == DECEASED

    # Verify the suspects one after another, never going back to the list.
    home(page)
    follow(page, "第一巡察组 待核实疑点", "数据比对")
    assert "共 3 条" in page.text(), page.text()
    click(page, css="#suspects tbody a")
    first = browser.find_element(By.TAG_NAME, "h1").text
    assert "第 1 / 3 条" in page.text() and "已是第一条" in page.text(), page.text()
    press(page, "#next-link")
    second = browser.find_element(By.TAG_NAME, "h1").text
    assert second != first and "第 2 / 3 条" in page.text(), page.text()
    press(page, "#prev-link")
    assert browser.find_element(By.TAG_NAME, "h1").text == first
    # Verify, then straight to the next one still awaiting verification.
    enter(page, browser.find_element(By.ID, "verify-form"), verdict="属实",
          improper_amount="600", note="经村组核实，已故人员仍领取")  # fmt: skip
    press(page, "#save-next")
    text = page.text()
    assert browser.find_element(By.TAG_NAME, "h1").text == second, text
    assert "核查结果已保存" in text and "第 1 / 2 条" in text, text
    enter(page, browser.find_element(By.ID, "verify-form"), verdict="不属实",
          note="同名同姓，非同一人")  # fmt: skip
    press(page, "#save-next")
    text = page.text()
    third = browser.find_element(By.TAG_NAME, "h1").text
    assert third not in (first, second) and "第 1 / 1 条" in text and "已是最后一条" in text, text
    shot(page, tmp_path, "team-last-suspect")
    verdicts = sorted(Suspect.objects.filter(run=run).values_list("verdict", flat=True))
    assert verdicts == sorted([Verdict.CONFIRMED, Verdict.REJECTED, Verdict.PENDING])
    home(page)
    assert entry(page, "第一巡察组 待核实疑点", "数据比对") == "1"


def test_unit_on_a_phone_plans_reports_progress_with_a_photo_and_sees_its_immediate_items(
    live_server, phone, tmp_path
) -> None:
    t = town()
    to_plan = t.item(DECEASED, 1800)
    working = t.in_progress(NOTICE_BOARD, days=5)
    t.immediate(CLEAN_BOARD)
    page = Page(phone, live_server.url)
    page.login("liaison")
    assert phone.execute_script("return window.innerWidth") == 390
    assert entry(page, "待制定整改措施") == "1" and entry(page, "整改中、7日内到期") == "1"
    assert entry(page, "本单位未完成的立行立改事项") == "1"
    fits_the_screen(page)
    shot(page, tmp_path, "unit-home")

    follow(page, "待制定整改措施")
    shown_as_cards(page)
    fits_the_screen(page)
    click(page, text=DECEASED)
    page.fill(page.form("/plan/"), measures="全额追回并约谈经办人，清理发放名单",
              owner="张书记", deadline=(dt.date.today() + dt.timedelta(days=60)).isoformat())  # fmt: skip
    text = page.text()
    assert "整改方案已提交，待巡察办认可" in text and "整改方案待认可" in text, text
    assert _status(to_plan) == Status.PLAN_SUBMITTED

    home(page)
    follow(page, "整改中、7日内到期")
    click(page, text=NOTICE_BOARD)
    page.fill(page.form("/progress/"), text="公示栏已更新，补公示 2023—2025 年惠民资金发放情况",
              photos=str(photo(tmp_path)))  # fmt: skip
    text = page.text()
    assert "整改进展已报告" in text and "公示栏整改后.jpg" in text, text
    fits_the_screen(page)
    shot(page, tmp_path, "unit-progress-with-photo")
    report = RectificationItem.objects.get(pk=working.pk).reports.get()
    assert [e.content_type for e in report.evidence.all()] == ["image/jpeg"]
    click(page, text="公示栏整改后.jpg")  # the photo opens on the phone, not as a download
    shown = phone.execute_script(
        "const i = document.querySelector('img'); return [document.contentType, i && i.naturalWidth]"
    )
    assert shown == ["image/jpeg", 64], shown
    phone.back()

    home(page)
    follow(page, "本单位未完成的立行立改事项")
    shown_as_cards(page)
    click(page, text=CLEAN_BOARD)
    page.fill(page.form("/report/"), text="已清理过期内容并张贴最新公示",
              photos=str(photo(tmp_path, "清理后的公示栏.jpg")))  # fmt: skip
    text = page.text()
    assert "整改情况已报告，待巡察组确认完成" in text and "清理后的公示栏.jpg" in text, text
    fits_the_screen(page)


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
        urlsplit(f.get_attribute("action")).path
        for f in browser.find_elements(By.CSS_SELECTOR, "main form")
    ]
    assert actions == [f"/ledger/{item.pk}/return/"], (actions, page.text())
    return_refused_without_reason(page, "")
    assert _status(item) == Status.CLOSE_REQUESTED
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


def test_the_pages_of_every_day_speak_chinese(live_server, browser, tmp_path) -> None:
    """Every page the days above open, for the role that opens it: no English left in
    what the user reads (labels, sizes, template comments), whatever the browser's own
    language (Debian's headless Chromium asks for en-US)."""
    t = town(users=("supervisor", "leader"))
    planned, closing = t.planned(DECEASED, 1800), t.close_requested(DOUBLE_SUBSIDY, 2400)
    working, immediate = t.in_progress(NOTICE_BOARD, days=5), t.immediate(CLEAN_BOARD)
    run = checked(t, tmp_path)
    suspect = Suspect.objects.filter(run=run).order_by("number").first()
    assert suspect is not None
    days = {
        "office": ["/", "/ledger/", f"/ledger/{planned.pk}/", f"/ledger/{closing.pk}/"],
        "team": ["/", f"/findings/units/{t.assignment.pk}/",
                 f"/findings/new/?assignment={t.assignment.pk}", f"/checks/teams/{t.team.pk}/",
                 f"/checks/runs/{run.pk}/suspects/", f"/checks/suspects/{suspect.pk}/"],
        "liaison": ["/", "/ledger/", f"/ledger/{working.pk}/", "/findings/immediate/",
                    f"/findings/immediate/{immediate.pk}/"],
        "supervisor": ["/", f"/ledger/{closing.pk}/"],
        "leader": ["/", "/figures/", f"/ledger/{closing.pk}/"],
    }  # fmt: skip
    page = Page(browser, live_server.url)
    english: dict[str, list[str]] = {}
    for user, paths in days.items():
        page.login(user)
        for path in paths:
            page.go(path)
            assert "服务器内部错误" not in page.text() and "页面不存在" not in page.text(), path
            if words := latin_words(page):
                english[f"{user} {path}"] = words
    assert not english, "\n".join(f"{k}: {' '.join(v)}" for k, v in english.items())
