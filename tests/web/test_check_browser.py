"""The cross-check in a real browser: upload → map → run → review → verify → finding.

The job goes through the app's real queue; the test takes it off the queue and runs it
as the worker would (a real worker process is tested in test_check_jobs.py), while the
page's script polls the progress and shows the result."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from helpers import write_csv
from web.chromium import Page, work_the_queue
from web.factories import CadreFactory, TeamFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.checks.models import Suspect, Verdict
from xuncha.common import jobs
from xuncha.crosscheck.idnumber import make_id
from xuncha.findings.models import Finding
from xuncha.planning.models import MemberRole
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.rectifications.models import RectificationItem


@pytest.mark.django_db(transaction=True)
def test_upload_map_run_review_verify_finding(live_server, browser, tmp_path) -> None:
    jobs.queue().flush()
    dead = make_id("431003", dt.date(1940, 1, 2), 123)
    alive = make_id("431003", dt.date(1950, 5, 6), 456)
    deaths = write_csv(
        tmp_path / "死亡人员名单.csv", ["姓名,身份证号码,死亡日期", f"张三,{dead},2020-01-01"]
    )
    # The ID column's header is one the engine does not know: the user maps it.
    payments = write_csv(tmp_path / "2021年直补资金发放表.csv", [
        "序号,姓名,编码,金额,发放日期",
        f"1,张三,{dead},600,2021-03-05",
        f"2,李四,{alive},600,2021-03-05",
    ], encoding="gb18030")  # fmt: skip
    unit = UnitFactory(name="湘南市水利局")
    team = TeamFactory(name="第一巡察组")
    user = UserFactory(username="leader", role=Role.TEAM)
    team_member_add(team=team, cadre=CadreFactory(user=user), role=MemberRole.LEADER)
    assignment_add(team=team, unit=unit)
    page = Page(browser, live_server.url)
    page.login("leader")

    page.go("/checks/")  # one team: straight to its page
    assert "数据比对 · " in page.text() and "第一巡察组" in page.text()
    for kind, path in (("死亡人员名单", deaths), ("发放名单", payments)):
        page.go(f"/checks/teams/{team.pk}/")
        form = browser.find_element(By.ID, "upload-form")
        form.find_element(By.NAME, "file").send_keys(str(path))
        page.fill(form, kind=kind)
    assert "已上传「2021年直补资金发放表.csv」" in page.text()
    assert "无法比对：没有「身份证号码」列" in page.text() and "GBK" in page.text()

    page.fill(browser.find_element(By.ID, "mapping-form"), col_C="身份证号码")
    assert "列映射已保存" in page.text() and "无法比对" not in page.text()

    page.go(f"/checks/teams/{team.pk}/")
    page.fill(browser.find_element(By.ID, "run-form"), standard="600")
    assert browser.find_element(By.ID, "run-progress").is_displayed()
    # The script polls the status: its Chinese label (RunStatus, sent in the JSON) and the share done.
    WebDriverWait(browser, 10).until(
        lambda d: (
            d.find_element(By.CSS_SELECTOR, "#run-progress .step").text
            == "排队中：等待工作进程（0%）"
        )
    )
    assert browser.find_element(By.CSS_SELECTOR, "#run-status .badge").text == "排队中"
    work_the_queue()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "run-summary"))
    assert "死亡后仍领取" in page.text()

    browser.find_element(By.ID, "suspects-link").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#suspects tbody tr")
    assert len(rows) == 1 and "张三" in rows[0].text and dead not in rows[0].text
    assert dead[:3] + "***********" + dead[-4:] in rows[0].text
    # The list shows full numbers only after its button is pressed (a POST, logged).
    browser.find_element(By.ID, "unmask-button").click()
    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: dead in d.find_element(By.ID, "suspects").text
    )
    browser.find_element(By.ID, "mask-link").click()
    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: dead not in d.find_element(By.ID, "suspects").text
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#suspects tbody tr")
    rows[0].find_element(By.TAG_NAME, "a").click()
    payment = browser.find_element(By.ID, "payment-row").text
    register = browser.find_element(By.ID, "register-row").text
    assert "2021年直补资金发放表.csv" in payment and "第 2 行" in payment
    assert "死亡人员名单.csv" in register and "2020-01-01" in register

    page.fill(browser.find_element(By.ID, "verify-form"), verdict="属实", improper_amount="600",
              recovered_amount="600", note="已全额退回")  # fmt: skip
    assert "核查结果已保存" in page.text()
    browser.find_element(By.ID, "unmask-button").click()
    # The click reloads the page: wait for the new one (the old row goes stale).
    WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: dead in d.find_element(By.ID, "payment-row").text
    )
    assert "完整号码查看记录" in page.text()

    page.go(
        browser.find_element(By.LINK_TEXT, "疑点清单")
        .get_attribute("href")
        .removeprefix(live_server.url)
    )
    browser.find_element(By.LINK_TEXT, "第 1 次比对").click()
    assert "属实 1 条" in browser.find_element(By.ID, "verify-totals").text
    page.fill(browser.find_element(By.ID, "finding-form"), assignment="湘南市水利局")
    assert "已形成问题并反馈整改" in page.text() and "数据比对" in page.text()

    finding = Finding.objects.get()
    assert finding.amount == 600 and finding.source == "crosscheck"
    assert RectificationItem.objects.get(finding=finding).money_recovered == 600
    assert Suspect.objects.get().verdict == Verdict.CONFIRMED
