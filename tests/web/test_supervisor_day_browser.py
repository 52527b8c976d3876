"""The supervisor's day in headless Chromium (issue 18, "Figures to reach"), clicking
only what the supervisor sees from the home page: open an assessment for a round, see
the pre-filled points, override one with a reason, fix the grade, find the unit on the
回头看 list; then draw a reverse check, record one item not as reported, and the item
reopens (the on-site result is the authority, docs/decisions/0017)."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By

from web.chromium import Page, click, to_new_page
from web.days import shot, town
from web.factories import ledger_item
from web.supervision_world import closed_item, small_system
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.supervision.models import CheckResult, FollowUp, Grade, ReverseCheckSample

pytestmark = pytest.mark.django_db(transaction=True)


class _World:
    """What the helpers expect of a ``world``: the team, the unit and users by role."""

    def __init__(self, t) -> None:
        self.team, self.unit = t.team, t.unit
        self.users = {"office": t.office, "unit": t.liaison}


def test_supervisor_assesses_a_unit_puts_it_on_the_list_and_reverse_checks_an_item(
    live_server, browser, tmp_path
) -> None:
    t = town(users=("supervisor",))
    w = _World(t)
    done = closed_item(w, deadline=dt.date(2024, 6, 1))
    for _ in range(3):
        ledger_item(w, deadline=dt.date(2030, 6, 1))
    version = small_system(w, name="整改评估测试体系")
    page = Page(browser, live_server.url)
    page.login("supervisor")

    # From home, the menu's 整改评估: open an assessment for the team's round.
    click(page, text="整改评估", within="header")
    page.fill(
        page.d.find_element(By.CSS_SELECTOR, "main form.card"),
        name="2024 年整改评估", version=str(version), round=t.team.round.name,
    )  # fmt: skip
    assert "2024 年整改评估" in page.text() and "评分未完成" in page.text(), page.text()
    click(page, text="东江街道")

    # Pre-filled from the ledger with its source: 1 of 4 closed, 60 × 25% = 15.
    text = page.text()
    assert "15.00 分" in text and "整改事项 4 项，已销号 1 项，完成率 25.00%" in text, text
    rate_form = page.d.find_elements(By.CSS_SELECTOR, "form[action*='/scores/']")[0]
    page.fill(
        rate_form,
        **{rate_form.find_element(By.CSS_SELECTOR, "[name$=points]").get_attribute("name"): "20"},
    )
    assert "改动了台账预填的得分" in page.text(), page.text()  # no reason: refused
    rate_form = page.d.find_elements(By.CSS_SELECTOR, "form[action*='/scores/']")[0]
    names = {
        key: rate_form.find_element(By.CSS_SELECTOR, f"[name$={key}]").get_attribute("name")
        for key in ("points", "override_reason")
    }
    page.fill(
        rate_form, **{names["points"]: "20", names["override_reason"]: "现场核实另有一项已整改到位"}
    )
    assert "评分已保存" in page.text() and "已改动：现场核实另有一项已整改到位" in page.text()
    work_form = page.d.find_elements(By.CSS_SELECTOR, "form[action*='/scores/']")[1]
    points = work_form.find_element(By.CSS_SELECTOR, "[name$=points]").get_attribute("name")
    page.fill(work_form, **{points: "10"})
    assert page.d.find_element(By.ID, "unit-total").text == "30.00"

    # Fix the grade: 30 is 差, the unit goes on the 回头看 list with a 约谈 task.
    to_new_page(page.d, page.d.find_element(By.ID, "fix-grade").click)
    assert "等次已确定：差。已列入回头看名单，并生成约谈任务。" in page.text(), page.text()
    shot(page, tmp_path, "supervisor-grade-fixed")
    click(page, text="整改评估", within="nav.crumbs")
    click(page, css="#follow-ups-link")
    text = page.text()
    assert "东江街道" in text and "待约谈" in text and "东江街道主要负责人" in text, text
    entry = FollowUp.objects.get()
    assert entry.grade == Grade.POOR and entry.interview.due_on > dt.date.today()

    # The reverse check: the round's closed items, 1 per unit, a seed to reproduce it.
    click(page, text="整改评估", within="nav.crumbs")
    click(page, css="#reverse-checks-link")
    form = page.d.find_element(By.CSS_SELECTOR, "#draw-form form")
    form.find_element(By.CSS_SELECTOR, "input[name=mode][value=count]").click()
    page.fill(form, name="2024 年销号反向核查", round=t.team.round.name, size="1", seed="42")
    text = page.text()
    assert "已抽取 1 个已销号事项（随机种子 42）" in text and "结果与本次抽样一致" in text, text
    result = page.form("/result/")
    result.find_element(By.CSS_SELECTOR, "input[value=not_as_reported]").click()
    note = result.find_element(By.CSS_SELECTOR, "[name$=note]").get_attribute("name")
    page.fill(result, **{note: "走访 3 户，均称未收到退还的补助"})
    assert "核查结果已记录：与报告不符。该事项已重新打开。" in page.text(), page.text()
    sample = ReverseCheckSample.objects.get()
    assert sample.item_id == done.pk and sample.result == CheckResult.NOT_AS_REPORTED
    shot(page, tmp_path, "supervisor-not-as-reported")

    # The item is open again; the ledger history names the check.
    item = RectificationItem.objects.get(pk=done.pk)
    assert (
        item.status == Status.IN_PROGRESS
        and "销号反向核查「2024 年销号反向核查」" in item.close_note
    )
    click(page, text=f"整改事项 #{done.pk}")
    assert "整改中" in page.text() and "走访 3 户" in page.text(), page.text()
