"""Issue 21 end to end in a real browser, on a small world (39 units): the office, from
the home page and the menu, imports a department's workbook (the column mapping
confirmed, the row naming a merged-away village skipped with a reason, the row naming a
village two units share matched by hand), classifies with the shipped model, raises one
village's level with a reason, opens the term, proposes the term plan and commits its
first round, then sees the round with its teams and units."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from web.chromium import Page, click, to_new_page
from web.factories import CadreFactory, TermFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.demo.risk import import_file
from xuncha.planning.models import (
    Assignment,
    PlanEntry,
    Round,
    TeamMember,
    TermPlan,
)
from xuncha.risk.datagen import write_department_workbooks
from xuncha.risk.models import BatchStatus, Classification, ImportBatch, LevelOverride
from xuncha.risk.services import install_shipped
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.services import unit_create

YEAR = dt.date.today().year - 1  # the data year the pages offer by default
HEADS = "青白金龙梅枫杉竹荷桃石黄新大长"
REASON_SKIP = "该村已于去年撤并，数据不再单独统计"
REASON_UP = "群众反映村集体山林发包收入去向不明，调整为重点隐患类"


def _world() -> tuple[list[Unit], list[Unit]]:
    """A city, two counties of two townships, 30 villages (two of them namesakes in
    different counties) and two city departments; returns (villages, departments)."""
    city = unit_create(name="湘中市", code="439800", kind=UnitKind.CITY)
    towns = []
    for c in range(2):
        county = unit_create(name=f"{'东西'[c]}山县", code=f"43982{c + 1}", kind=UnitKind.COUNTY,
                             parent=city)  # fmt: skip
        for t in range(2):
            towns.append(unit_create(name=f"{HEADS[c * 2 + t]}溪镇", kind=UnitKind.TOWNSHIP,
                                     code=f"{county.code}{101 + t:03d}", parent=county))  # fmt: skip
    villages = []
    for i in range(30):
        town = towns[i % 4]
        name = "新民村" if i in (0, 3) else f"{HEADS[i % 15]}{'湾岭'[i // 15]}村"
        villages.append(unit_create(name=name, code=f"{town.code}{201 + i:03d}",
                                    kind=UnitKind.VILLAGE, parent=town))  # fmt: skip
    departments = [
        unit_create(name=name, code=f"439800-D{i:02d}", kind=UnitKind.DEPARTMENT, parent=city)
        for i, name in enumerate(("市财政局", "市审计局"), start=1)
    ]
    return villages, departments


def _submit(page: Page, form, timeout: float = 60, **values: str) -> None:
    """Page.fill with a longer wait for the page it leads to (the solver runs in it)."""
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)
    to_new_page(page.d, form.find_element(By.CSS_SELECTOR, "button[type=submit]").click, timeout)


def _press(page: Page, element_id: str) -> None:
    to_new_page(page.d, page.d.find_element(By.ID, element_id).click, 30)


@pytest.mark.django_db(transaction=True)
def test_import_classify_override_plan_commit(live_server, browser, tmp_path) -> None:
    office = UserFactory(username="office", role=Role.OFFICE, full_name="刘卫东")
    install_shipped()
    villages, departments = _world()
    by_code = {v.code: v for v in villages}
    units = [(v.code, v.name, v.parent.name, v.county.name) for v in villages]
    data = write_department_workbooks(tmp_path, units, year=YEAR, seed=2121)
    org, *others = data.files
    assert org.department == "组织部"  # the file with the ambiguous row
    for f in others:  # sent earlier and imported already
        import_file(office, f, data, year=YEAR, units=by_code)
    leaders = [
        CadreFactory(name=name, home_unit=home, title="副局长")
        for name, home in zip(("王建国", "李志明"), departments, strict=True)
    ]
    # The term runs from this year, so the form's default years (this one on) are both.
    first = dt.date.today().year
    term = TermFactory(name=f"第十五届市委巡察工作规划（{first}—{first + 1}年）",
                       start_year=first, end_year=first + 1)  # fmt: skip
    page = Page(browser, live_server.url)
    page.login("office")

    # 风险研判 → 导入部门数据: upload the 组织部 workbook.
    page.go("/")
    click(page, text="风险研判", within="nav")
    click(page, css="#import-link")
    form = browser.find_element(By.ID, "import-form")
    form.find_element(By.NAME, "file").send_keys(str(org.path))
    _submit(page, form, department="组织部", year=str(YEAR))
    batch = ImportBatch.objects.get(department="组织部")
    assert batch.status == BatchStatus.STAGED and org.path.name in page.text()

    # The proposed mapping is right: confirm it as it is.
    assert Select(browser.find_element(By.NAME, "col_2")).first_selected_option.text == "单位名称"
    assert Select(browser.find_element(By.NAME, "col_3")).first_selected_option.text == "单位编码"
    grade = Select(browser.find_element(By.NAME, "col_4")).first_selected_option.text
    assert grade.startswith("指标：") and "考评" in grade
    _press(page, "mapping-save")

    # Two rows need the user: one names no unit, one names two.
    pending = [
        int(tr.get_attribute("id").removeprefix("row-"))
        for tr in browser.find_elements(By.CSS_SELECTOR, "#attention tr.pending")
    ]
    assert sorted(pending) == sorted(r for (name, r) in data.resolutions if name == org.path.name)
    for row in pending:
        code = data.resolutions[(org.path.name, row)]
        if code:
            assert "匹配到多个单位" in browser.find_element(By.ID, f"row-{row}").text
            Select(browser.find_element(By.ID, f"unit-{row}")).select_by_value(
                str(by_code[code].pk)
            )
            _press(page, f"choose-{row}")
        else:
            assert "没有匹配到单位" in browser.find_element(By.ID, f"row-{row}").text
            browser.find_element(By.ID, f"reason-{row}").send_keys(REASON_SKIP)
            _press(page, f"skip-{row}")
    assert browser.find_element(By.ID, "rows-pending").text == "0"
    _press(page, "commit-button")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED and REASON_SKIP in page.text()
    assert browser.find_element(By.ID, "rows-imported").text == str(batch.rows_imported)
    assert batch.rows_imported == len(villages)  # the namesake row counted for its village

    # Back to 风险研判: classify the year's data with the shipped model.
    click(page, text="返回风险研判")
    _submit(page, browser.find_element(By.ID, "classify-form"), year=str(YEAR))
    expected = data.counts()
    for level, n in expected.items():
        assert f"：{n} 个" in browser.find_element(By.ID, f"count-{level}").text
    stored = dict(Unit.objects.filter(kind=UnitKind.VILLAGE).values_list("code", "risk_level"))
    assert stored == data.truth  # computed from the four departments' data, as planted

    # One general village raised to 重点隐患类 with a reason, from its profile.
    target = next(
        v for v in villages
        if data.truth[v.code] == RiskLevel.GENERAL and v.name != "新民村"
        and data.values[v.code].get("land_compensation", 0) < 2000
    )  # fmt: skip
    click(page, css="#count-general")
    click(page, css=f"#unit-{target.pk} a")
    _submit(page, browser.find_element(By.ID, "override-form"), level="重点隐患类",
            reason=REASON_UP)  # fmt: skip
    assert "重点隐患类" in browser.find_element(By.ID, "effective-level").text
    assert "人工调整" in browser.find_element(By.ID, "effective-level").text
    target.refresh_from_db()
    assert target.risk_level == RiskLevel.HIGH
    assert LevelOverride.objects.get(unit=target).reason == REASON_UP
    assert Classification.objects.get(current=True).counts["high"] == expected["high"] + 1

    # 巡察轮次 → 届期规划 → the term's 全覆盖规划: propose with two standing teams.
    click(page, text="巡察轮次", within="nav")
    click(page, text="届期规划")
    click(page, css=f"#termplan-{term.pk}")
    to_cover = int(browser.find_element(By.ID, "to-cover").text)
    assert to_cover == 36  # townships, villages and departments; not the city or counties
    elevated = any(
        data.truth[c] == RiskLevel.HIGH and v.get("land_compensation", 0) >= 2000
        for c, v in data.values.items()
    )
    labels = [f"{c.name}（{c.home_unit.name}，{c.title}）" for c in leaders]
    _submit(page, browser.find_element(By.ID, "propose-form"), rounds_per_year="2",
            teams_per_round="2", capacity="10", elevated_per_year="1" if elevated else "0",
            time_limit="5", leader_1=labels[0], leader_2=labels[1])  # fmt: skip
    plan = TermPlan.objects.get(term=term)
    assert browser.find_elements(By.ID, "all-ok"), page.text()
    assert PlanEntry.objects.filter(plan=plan).count() == to_cover
    assert target.name in page.text()
    # risk-weighted earliness: the solver's plan is never worse than the greedy baseline
    shown = int(browser.find_element(By.ID, "objective").text)
    baseline = int(browser.find_element(By.ID, "greedy-objective").text)
    assert shown == plan.objective <= baseline == plan.greedy_objective
    # 回避: neither team inspects its leader's own department
    for k, cadre in enumerate(leaders, start=1):
        assert not PlanEntry.objects.filter(plan=plan, team_key=k, unit=cadre.home_unit).exists()

    # Commit the first round; the round's page shows its teams and their units.
    first = plan.slots.get(index=0)
    planned = set(PlanEntry.objects.filter(plan=plan, slot=first).values_list("unit_id", flat=True))
    assert planned
    _press(page, "commit-0")
    rnd = Round.objects.get(term=term)
    first.refresh_from_db()
    assert first.round == rnd and rnd.name in page.text()
    assert (
        set(Assignment.objects.filter(team__round=rnd).values_list("unit_id", flat=True)) == planned
    )
    for team in rnd.teams.all():
        assert team.name in page.text()
        lead = TeamMember.objects.get(team=team, role="leader").cadre
        assert lead == leaders[team.number - 1] and lead.name in page.text()
    for unit in Unit.objects.filter(pk__in=planned):
        assert unit.name in page.text()
