"""The risk pages: who sees what, the import walked through its pages (upload → mapping →
unit by unit → import), the classification list with its filters and export, a unit's
profile with an override, and a new model version refused with the line of its error."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from web.factories import UnitFactory, UserFactory
from web.test_risk_import import xlsx
from xuncha.accounts.models import Role
from xuncha.risk import services
from xuncha.risk.models import (
    BatchStatus,
    ImportBatch,
    Indicator,
    IndicatorValue,
    LevelOverride,
    RiskModel,
)
from xuncha.units.models import Unit, UnitKind


def place(name: str, kind: str, parent: Unit | None, county: Unit | None, code: str = "") -> Unit:
    u = UnitFactory(name=name, kind=kind, parent=parent, **({"code": code} if code else {}))
    u.county = county or u
    u.save()
    return u


@pytest.fixture
def risk_city(db):
    """Two counties, three townships, six villages; the shipped model and catalogue; values
    for 2024 set so that 和平村 is high risk and 东山村 (two of them) watch and general."""
    services.install_shipped(by=None)
    a = place("长沙县", UnitKind.COUNTY, None, None)
    b = place("浏阳市", UnitKind.COUNTY, None, None)
    xingsha = place("星沙街道", UnitKind.TOWNSHIP, a, a)
    huangxing = place("黄兴镇", UnitKind.TOWNSHIP, a, a)
    jili = place("集里街道", UnitKind.TOWNSHIP, b, b)
    v = {
        "和平村": place("和平村", UnitKind.VILLAGE, xingsha, a, "V001"),
        "东山村@星沙": place("东山村", UnitKind.VILLAGE, xingsha, a, "V002"),
        "东山村@黄兴": place("东山村", UnitKind.VILLAGE, huangxing, a, "V003"),
        "南塘社区": place("南塘社区", UnitKind.COMMUNITY, huangxing, a, "V004"),
        "光明村": place("光明村", UnitKind.VILLAGE, jili, b, "V005"),
        "新河社区": place("新河社区", UnitKind.COMMUNITY, jili, b, "V006"),
    }
    grade = {
        "和平村": 4,
        "东山村@星沙": 4,
        "东山村@黄兴": 1,
        "南塘社区": 2,
        "光明村": 1,
        "新河社区": 2,
    }
    petitions = {"和平村": 20, "东山村@星沙": 3, "东山村@黄兴": 0, "南塘社区": 2, "光明村": 1,
                 "新河社区": 0}  # fmt: skip
    anomalies = {"和平村": 10, "东山村@星沙": 1}
    compensation = {"和平村": 2500}  # with high risk: elevated inspection suggested
    inds = {i.code: i for i in Indicator.objects.all()}
    for key, unit in v.items():
        for code, table in (("party_org_grade", grade), ("petition_count", petitions),
                            ("assets_anomalies", anomalies),
                            ("land_compensation", compensation)):  # fmt: skip
            if key in table:
                IndicatorValue.objects.create(unit=unit, indicator=inds[code], year=2024,
                                              value=table[key], source="测试数据")  # fmt: skip
    services.classify(by=None, year=2024)
    return v


def users() -> dict[str, object]:
    unit = UnitFactory()
    return {role: UserFactory(role=role, unit=unit if role == Role.UNIT else None)
            for role in (Role.OFFICE, Role.SUPERVISOR, Role.LEADER, Role.TEAM, Role.UNIT)}  # fmt: skip


def test_readers_read_the_office_manages_others_get_404(client, risk_city):
    hp = risk_city["和平村"]
    reads = [reverse("risk:index"), reverse("risk:levels"), reverse("risk:profile", args=[hp.pk]),
             reverse("risk:model"), reverse("risk:levels_export")]  # fmt: skip
    manage_get = [reverse("risk:import_new"), reverse("risk:model_new")]
    posts = [(reverse("risk:classify"), {"year": "2024"}),
             (reverse("risk:override", args=[hp.pk]), {"level": "general", "reason": "试"})]  # fmt: skip
    for role, user in users().items():
        client.force_login(user)
        reader = role in (Role.OFFICE, Role.SUPERVISOR, Role.LEADER)
        for url in reads:
            assert client.get(url).status_code == (200 if reader else 404), (role, url)
        for url in manage_get:
            assert client.get(url).status_code == (200 if role == Role.OFFICE else 404), (role, url)
        if role != Role.OFFICE:
            for url, data in posts:
                assert client.post(url, data).status_code == 404, (role, url)
            assert not LevelOverride.objects.exists()
    page = client.get(reverse("risk:profile", args=[hp.pk]))
    assert page.status_code == 404  # the unit liaison, last


def test_index_levels_profile_show_the_classification(client, risk_city):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    index = client.get(reverse("risk:index")).content.decode()
    assert "村（社区）风险研判模型" in index and 'id="count-high"' in index
    assert 'id="classify-form"' not in index  # a reader cannot reclassify
    high = client.get(reverse("risk:levels"), {"level": "high"}).content.decode()
    assert "和平村" in high and "光明村" not in high
    county = Unit.objects.get(name="浏阳市")
    by_county = client.get(reverse("risk:levels"), {"county": county.pk}).content.decode()
    assert "光明村" in by_county and "和平村" not in by_county
    township = client.get(reverse("risk:levels"), {"township": "黄兴"}).content.decode()
    assert "南塘社区" in township and "和平村" not in township
    profile = client.get(reverse("risk:profile", args=[risk_city["和平村"].pk])).content.decode()
    assert "重点隐患类" in profile and 'id="contributions"' in profile
    assert "党组织考评等次" in profile and "测试数据" in profile
    assert 'id="override-form"' not in profile


def test_export_has_the_filtered_units(client, risk_city):
    from openpyxl import load_workbook

    client.force_login(UserFactory(role=Role.LEADER))
    response = client.get(reverse("risk:levels_export"), {"level": "high"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("单位编码", "单位名称")
    codes = {r[0] for r in rows[1:]}
    assert "V001" in codes and "V005" not in codes and all(r[6] == "重点隐患类" for r in rows[1:])


def test_override_needs_a_reason_and_is_kept_in_history(client, risk_city):
    office = UserFactory(role=Role.OFFICE)
    client.force_login(office)
    unit = risk_city["光明村"]
    url = reverse("risk:override", args=[unit.pk])
    client.post(url, {"level": "high", "reason": ""})
    assert not LevelOverride.objects.exists()
    page = client.get(reverse("risk:profile", args=[unit.pk])).content.decode()
    assert "请填写调整理由" in page

    client.post(url, {"level": "high", "reason": "群众反映集体资金问题集中"})
    unit.refresh_from_db()
    assert unit.risk_level == "high" and LevelOverride.objects.get(unit=unit).by == office
    page = client.get(reverse("risk:profile", args=[unit.pk])).content.decode()
    assert "群众反映集体资金问题集中" in page and 'id="withdraw-form"' in page

    withdraw = reverse("risk:override_withdraw", args=[unit.pk])
    client.post(withdraw, {"withdraw-reason": ""})
    assert LevelOverride.objects.filter(unit=unit).exists()
    client.post(withdraw, {"withdraw-reason": "经核实问题已整改"})
    unit.refresh_from_db()
    assert not LevelOverride.objects.exists() and unit.risk_level != "high"
    history = client.get(reverse("risk:profile", args=[unit.pk])).content.decode()
    assert history.count('<td data-label="操作">') == 2 and "撤销" in history


def test_new_model_version_bad_spec_shows_the_line_then_saved_and_activated(client, risk_city):
    client.force_login(UserFactory(role=Role.OFFICE))
    url = reverse("risk:model_new")
    form = client.get(url).content.decode()
    assert "[[indicators]]" in form and "party_org_grade" in form  # the current spec as TOML
    text = client.get(url).context["form"].initial["spec_text"]

    broken = text.replace("[thresholds]", "[thresholds\n", 1)
    response = client.post(url, {"spec_text": broken, "note": "改分界"})
    line = broken.splitlines().index("[thresholds") + 1
    assert response.status_code == 400
    assert f"第 {line} 行" in response.content.decode()

    unknown = text.replace('code = "petition_count"', 'code = "petitions_lodged"', 1)
    response = client.post(url, {"spec_text": unknown, "note": "改指标"})
    table = unknown.splitlines().index('code = "petitions_lodged"')  # the line above: [[...]]
    assert unknown.splitlines()[table - 1] == "[[indicators]]"
    assert f"（第 {table} 行起）" in response.content.decode()

    heavy = text.replace("weight = 0.25", "weight = 0.5", 1)
    response = client.post(url, {"spec_text": heavy, "note": "改权重"})
    assert response.status_code == 400 and "权重" in response.content.decode()
    assert RiskModel.objects.count() == 1

    lower = text.replace("high = 65", "high = 60", 1)
    response = client.post(url, {"spec_text": lower, "note": "重点隐患类分界降为 60 分"})
    new = RiskModel.objects.get(version=2)
    assert response.status_code == 302 and not new.active and new.spec["thresholds"]["high"] == 60
    client.post(reverse("risk:model_activate", args=[new.pk]))
    new.refresh_from_db()
    assert new.active and not RiskModel.objects.get(version=1).active
    shown = client.get(reverse("risk:model")).content.decode()
    assert "high = 60" in shown and "重点隐患类分界降为 60 分" in shown


def test_import_through_the_pages(client, risk_city):
    office = UserFactory(role=Role.OFFICE)
    client.force_login(office)
    data = xlsx([
        ["2024年信访件数统计"],
        ["村（社区）", "乡镇", "信访件数（件）"],
        ["和平村村委会", "星沙街道", "5"],  # row 3: matched
        ["东山村", "", "7"],  # row 4: two 东山村
        ["光明新村", "集里街道", "—"],  # row 5: none, and 「—」
    ])  # fmt: skip
    upload = io.BytesIO(data)
    upload.name = "信访局.xlsx"
    response = client.post(reverse("risk:import_new"),
                           {"department": "信访局", "year": "2024", "file": upload})  # fmt: skip
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("risk:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert '<option value="indicator:petition_count" selected>' in page
    assert 'id="resolve-4"' in page and 'id="resolve-5"' in page and 'id="resolve-3"' not in page

    resolve = reverse("risk:batch_resolve", args=[batch.pk])
    commit = reverse("risk:batch_commit", args=[batch.pk])
    client.post(commit)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.STAGED and not IndicatorValue.objects.filter(batch=batch)
    refused = client.get(reverse("risk:batch", args=[batch.pk])).content.decode()
    assert "第 4 行" in refused and "第 5 行" in refused and "未导入任何数据" in refused

    client.post(resolve, {"row": "4", "action": "choose", "unit": risk_city["东山村@黄兴"].pk})
    client.post(resolve, {"row": "5", "action": "choose", "code": "V005"})  # still 「—」
    client.post(resolve, {"row": "5", "action": "skip", "reason": ""})
    batch.refresh_from_db()
    assert batch.resolutions == {"4": risk_city["东山村@黄兴"].pk, "5": risk_city["光明村"].pk}
    client.post(resolve, {"row": "5", "action": "skip", "reason": "数值待信访局补报"})
    client.post(commit)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED and batch.rows_imported == 2
    result = client.get(reverse("risk:batch", args=[batch.pk])).content.decode()
    assert "数值待信访局补报" in result and 'id="rows-imported">2<' in result
    value = IndicatorValue.objects.get(
        unit=risk_city["东山村@黄兴"], indicator__code="petition_count"
    )
    assert value.value == 7.0 and value.source.endswith("第 4 行 · 「信访件数（件）」")
    profile = client.get(
        reverse("risk:profile", args=[risk_city["东山村@黄兴"].pk])
    ).content.decode()
    assert "信访局.xlsx" in profile


def test_upload_refusals_are_shown_on_the_form(client, risk_city):
    client.force_login(UserFactory(role=Role.OFFICE))
    upload = io.BytesIO(b"PK\x03\x04" + b"\x00" * 200)
    upload.name = "坏文件.xlsx"
    response = client.post(reverse("risk:import_new"),
                           {"department": "组织部", "year": "2024", "file": upload})  # fmt: skip
    assert response.status_code == 400 and "坏文件.xlsx" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_hostile_workbook_refused_by_the_sandbox(client, risk_city, tmp_path):
    from bombs import bomb_xlsx, far_cell_xlsx

    client.force_login(UserFactory(role=Role.OFFICE))
    for path in (far_cell_xlsx(tmp_path / "远.xlsx"), bomb_xlsx(tmp_path / "炸.xlsx")):
        with path.open("rb") as f:
            response = client.post(reverse("risk:import_new"),
                                   {"department": "组织部", "year": "2024", "file": f})  # fmt: skip
        assert response.status_code == 400 and path.name in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_classify_from_the_index(client, risk_city):
    client.force_login(UserFactory(role=Role.OFFICE))
    response = client.post(reverse("risk:classify"), {"year": "2023"}, follow=True)
    assert "2023 年度还没有" in response.content.decode()
    response = client.post(reverse("risk:classify"), {"year": "2024"}, follow=True)
    assert (
        "已按「村（社区）风险研判模型（第1版）」研判 2024 年度 6 个单位"
        in response.content.decode()
    )
    assert 'id="history"' in response.content.decode()  # the fixture's run and this one


def test_the_unit_page_links_to_the_profile_for_readers(client, risk_city):
    unit = risk_city["和平村"]
    link = reverse("risk:profile", args=[unit.pk])
    client.force_login(UserFactory(role=Role.LEADER))
    assert link in client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    client.force_login(UserFactory(role=Role.TEAM))
    page = client.get(reverse("units:detail", args=[unit.pk]))
    assert page.status_code != 200 or link not in page.content.decode()


def test_levels_filtered_by_override_and_elevation_and_sorted(client, risk_city):
    office = UserFactory(role=Role.OFFICE)
    services.override(by=office, unit=risk_city["光明村"], level="watch", reason="村干部涉嫌违纪")
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    url = reverse("risk:levels")
    overridden = client.get(url, {"overridden": "on"}).context["page"].object_list
    assert [r.unit.name for r in overridden] == ["光明村"]
    assert overridden[0].effective == "watch" and overridden[0].level == "general"
    elevated = client.get(url, {"elevated": "on"}).context["page"].object_list
    assert [r.unit.name for r in elevated] == ["和平村"]
    page = client.get(reverse("risk:profile", args=[risk_city["和平村"].pk])).content.decode()
    assert 'id="elevated"' in page
    scores = [r.score for r in client.get(url, {"sort": "score"}).context["page"].object_list]
    assert scores == sorted(scores) and len(scores) == 6
    top = client.get(url).context["page"].object_list
    assert [r.score for r in top] == sorted(scores, reverse=True)


def test_list_and_profile_queries_do_not_grow_with_the_rows(client, risk_city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(role=Role.OFFICE))
    services.override(by=UserFactory(role=Role.OFFICE), unit=risk_city["光明村"], level="high",
                      reason="试")  # fmt: skip
    counts = []
    for level in ("general", ""):  # a few rows, then all of them
        with CaptureQueriesContext(connection) as q:
            assert client.get(reverse("risk:levels"), {"level": level}).status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1] <= 16, counts
    with CaptureQueriesContext(connection) as q:
        client.get(reverse("risk:profile", args=[risk_city["和平村"].pk]))
    assert len(q) <= 18, len(q)
