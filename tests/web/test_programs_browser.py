"""The program library in a real browser, each role from its own pages (issue 20):
the office uploads a rule it wrote; a team leader picks the 低保/特困 program on the
cross-check page, uploads a payment list and a vehicle register, sets the vehicle-value
limit the program declares, ticks the office's rule and runs; then works out a parcel's
compensation with the calculator from the menu."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from helpers import write_csv
from web.chromium import Page, work_the_queue
from web.factories import CadreFactory, TeamFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.checks.models import CheckRun, Suspect
from xuncha.common import jobs
from xuncha.crosscheck.idnumber import make_id
from xuncha.planning.models import MemberRole
from xuncha.planning.services import assignment_add, team_member_add

DOC = Path(__file__).resolve().parents[2] / "docs" / "user-rules.md"
YEAR_TOTAL = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[1]


@pytest.mark.django_db(transaction=True)
def test_office_rule_team_run_of_a_program_and_the_calculator(live_server, browser, tmp_path):
    jobs.queue().flush()
    owner = make_id("431003", dt.date(1960, 2, 3), 321)
    other = make_id("431003", dt.date(1962, 4, 5), 654)
    payments = write_csv(tmp_path / "2023年低保金发放表.csv", [
        "姓名,身份证号码,发放金额,发放日期",
        f"张三,{owner},700,2023-06-15", f"张三,{owner},700,2023-07-15",
        f"李四,{other},700,2023-06-15",
    ])  # fmt: skip
    vehicles = write_csv(tmp_path / "机动车登记信息.csv", [
        "所有人姓名,身份证明号码,号牌号码,车辆价格,初次登记日期,注销日期",
        f"张三,{owner},湘L12345,8.5万元,2020-01-01,", f"李四,{other},湘L54321,42000,2019-05-01,",
    ])  # fmt: skip
    rule_file = tmp_path / "年合计.toml"
    rule_file.write_text(YEAR_TOTAL.replace('program = "reservoir"', 'program = "subsistence"')
                         .replace("user_year_total_over_1000", "user_dibao_year_total"),
                         encoding="utf-8")  # fmt: skip
    team = TeamFactory(name="第一巡察组")
    assignment_add(team=team, unit=UnitFactory(name="湘南市民政局"))
    UserFactory(username="office", role=Role.OFFICE)
    leader = UserFactory(username="leader", role=Role.TEAM)
    team_member_add(team=team, cadre=CadreFactory(user=leader), role=MemberRole.LEADER)
    page = Page(browser, live_server.url)

    # The office: 数据比对 → 比对模型与规则 → upload its rule.
    page.login("office")
    page.go("/")
    page.click_link("数据比对")
    page.click_link("比对模型与规则")
    assert "最低生活保障和特困人员救助供养资金" in page.text()
    form = browser.find_element(By.ID, "user-rule-upload")
    form.find_element(By.NAME, "file").send_keys(str(rule_file))
    page.fill(form)
    assert "已上传自定义规则「年合计超过1000元」（user_dibao_year_total）" in page.text()

    # The team leader: its cross-check page, the 低保/特困 program, its files and limit.
    page.login("leader")
    page.go("/")
    page.click_link("数据比对")
    page.click_link("最低生活保障和特困人员救助供养资金")
    kinds = browser.find_element(By.CSS_SELECTOR, "#upload-form select[name=kind]").text
    assert "机动车登记信息" in kinds and "财政供养人员名单" in kinds and "征收地块" not in kinds
    for kind, path in (("发放名单", payments), ("机动车登记信息", vehicles)):
        form = browser.find_element(By.ID, "upload-form")
        form.find_element(By.NAME, "file").send_keys(str(path))
        page.fill(form, kind=kind)
        assert f"已上传「{path.name}」" in page.text() and "无法比对" not in page.text()
        page.click_link("数据比对")  # the breadcrumb back to the team's page
        page.click_link("最低生活保障和特困人员救助供养资金")
    form = browser.find_element(By.ID, "run-form")
    assert "车辆价值限额（元）" in form.text and "发放标准" not in form.text
    form.find_element(By.CSS_SELECTOR, "#user-rules input[type=checkbox]").click()
    page.fill(form, vehicle_value_limit="40000")
    work_the_queue()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "run-summary"))
    summary = browser.find_element(By.ID, "run-summary").text
    assert "名下有超过限额的机动车" in summary and "年合计超过1000元" in summary
    run = CheckRun.objects.get()
    assert run.params["program"] == "subsistence"
    assert run.params["params"]["vehicle_value_limit"] == "40000"
    cars = Suspect.objects.filter(run=run, rule="vehicle_owner")
    assert sorted(s.row for s in cars) == [2, 3, 4]  # 85,000 and 42,000 are over 40,000
    assert Suspect.objects.filter(run=run, rule="user_dibao_year_total").count() == 2

    # The calculator, from the menu.
    page.go("/")
    page.click_link("征地补偿")
    page.fill(browser.find_element(By.CSS_SELECTOR, "main form"), county="长沙市区",
              zone="1区", land_class="水田", area="1", basic_farmland=True)  # fmt: skip
    result = browser.find_element(By.ID, "result").text
    assert "应补偿 209,664.00 元" in result and "1.68" in result
    assert "83,865.60" in browser.find_element(By.ID, "land-fee").text
