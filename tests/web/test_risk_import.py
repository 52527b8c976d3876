"""Department workbooks into unit profiles (xuncha.risk.importing): the header found under
a title, the mapping proposed from the headers, rows matched by code or by name, those
matching none or several resolved one by one, all or nothing."""

from __future__ import annotations

import io

import pytest

from web.factories import UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.risk import importing
from xuncha.risk.models import BatchStatus, ImportBatch, Indicator, IndicatorValue, Source
from xuncha.units.models import Unit, UnitKind


def xlsx(rows: list[list[object]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("考评")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif v is not None:
                ws.write_number(r, c, v)
    wb.close()
    return out.getvalue()


def place(name: str, kind: str, parent: Unit | None, county: Unit | None) -> Unit:
    u = UnitFactory(name=name, kind=kind, parent=parent)
    u.county = county or u
    u.save()
    return u


@pytest.fixture
def city(db):
    county = place("长沙县", UnitKind.COUNTY, None, None)
    xingsha = place("星沙街道", UnitKind.TOWNSHIP, county, county)
    huangxing = place("黄兴镇", UnitKind.TOWNSHIP, county, county)
    units = {
        "东山村@星沙": place("东山村", UnitKind.VILLAGE, xingsha, county),
        "东山村@黄兴": place("东山村", UnitKind.VILLAGE, huangxing, county),
        "南塘社区": place("南塘社区", UnitKind.COMMUNITY, xingsha, county),
        "光明村": place("光明村", UnitKind.VILLAGE, huangxing, county),
        "光华村": place("光华村", UnitKind.VILLAGE, huangxing, county),
    }
    for code, name, label in (("party_org_grade", "党组织考评等次", "等"),
                              ("petitions", "信访件数", "件")):  # fmt: skip
        Indicator.objects.create(code=code, name=name, unit_label=label, source=Source.IMPORTED)
    return units


@pytest.fixture
def office(db):
    return UserFactory(role=Role.OFFICE)


def messy(units: dict[str, Unit]) -> bytes:
    return xlsx([
        ["2024年度村（社区）党组织考评结果"],
        [],
        ["序号", "村（社区）名称", "所属乡镇（街道）", "党组织考评等次", "信访件数（件）", "备注"],
        [1, "南塘社区居委会", "星沙街道", "2", "3", ""],  # row 4: by name, suffix dropped
        [2, "东山村村委会", "黄兴镇", 4, 7, ""],  # row 5: same name twice, township decides
        [3, "东山村", "", 1, 0, ""],  # row 6: two 东山村 and no township: several
        [4, "光明新村", "黄兴镇", 3, "无", ""],  # row 7: no such unit, and 「无」
        ["合计", "", "", "", 10, ""],  # row 8: not a unit
    ])  # fmt: skip


def test_messy_workbook_mapped_resolved_and_imported_with_sources(city, office):
    batch = importing.stage(
        by=office, department="组织部", year=2024, data=messy(city), name="组织部考评.xlsx"
    )
    assert batch.header_row == 2
    assert batch.mapping == {
        "序号": "", "村（社区）名称": "unit_name", "所属乡镇（街道）": "township",
        "党组织考评等次": "indicator:party_org_grade", "信访件数（件）": "indicator:petitions",
        "备注": "",
    }  # fmt: skip
    p = importing.preview(batch)
    by_row = {r.row: r for r in p.rows}
    assert by_row[4].unit == city["南塘社区"] and by_row[4].values == {
        "party_org_grade": 2.0, "petitions": 3.0}  # fmt: skip
    assert by_row[5].unit == city["东山村@黄兴"]
    assert by_row[6].status == "several" and by_row[6].unit is None
    assert {u.pk for u in by_row[6].candidates} >= {city["东山村@星沙"].pk, city["东山村@黄兴"].pk}
    assert by_row[7].status == "none" and "光明村" in {u.name for u in by_row[7].candidates}
    assert by_row[7].bad == ["列「信访件数（件）」的「无」不是数字"]
    assert by_row[7].problem == "没有匹配到单位；列「信访件数（件）」的「无」不是数字"
    assert by_row[8].skip and not by_row[8].pending
    assert [r.row for r in p.pending] == [6, 7]

    # Refused while rows 6 and 7 are open, naming them; nothing written.
    with pytest.raises(ServiceError, match=r"第 6 行.*第 7 行"):
        importing.commit(by=office, batch=batch)
    assert not IndicatorValue.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.STAGED

    stale = ImportBatch.objects.get(pk=batch.pk)  # another user's page
    importing.resolve(by=office, batch=batch, row=6, unit=city["东山村@星沙"])
    importing.resolve(by=office, batch=stale, row=7, skip_reason="先跳过")
    importing.unresolve(by=office, batch=stale, row=7)
    assert stale.resolutions == {"6": city["东山村@星沙"].pk}  # the first choice kept
    # A unit chosen for row 7 does not make 「无」 a number: the row stays open.
    importing.resolve(by=office, batch=batch, row=7, unit=city["光明村"])
    assert [r.row for r in importing.preview(batch).pending] == [7]
    with pytest.raises(ServiceError, match="跳过须填写理由"):
        importing.resolve(by=office, batch=batch, row=7, skip_reason="  ")
    importing.resolve(by=office, batch=batch, row=7, skip_reason="信访件数待信访局核实")
    batch = importing.commit(by=office, batch=batch)

    assert batch.status == BatchStatus.IMPORTED
    assert (batch.rows_total, batch.rows_imported) == (5, 3)
    assert {s["row"]: s["reason"] for s in batch.skipped} == {
        7: "信访件数待信访局核实", 8: "「合计」行，不是单位数据"}  # fmt: skip
    got = {(v.unit_id, v.indicator.code): (v.value, v.source)
           for v in IndicatorValue.objects.select_related("indicator")}  # fmt: skip
    assert len(got) == 6
    assert got[(city["东山村@星沙"].pk, "party_org_grade")][0] == 1.0
    assert got[(city["东山村@黄兴"].pk, "petitions")] == (
        7.0,
        "组织部 · 组织部考评.xlsx · 考评 · 第 5 行 · 「信访件数（件）」",
    )
    assert got[(city["南塘社区"].pk, "party_org_grade")][1].endswith("第 4 行 · 「党组织考评等次」")


def test_a_later_import_replaces_the_value_and_its_source(city, office):
    def load(value: str, name: str) -> None:
        data = xlsx([["单位编码", "单位名称", "信访件数"], [city["光明村"].code, "光明村", value]])
        batch = importing.stage(by=office, department="信访局", year=2024, data=data, name=name)
        importing.commit(by=office, batch=batch)

    load("5", "一月.xlsx")
    load("９", "二月.xlsx")
    v = IndicatorValue.objects.get()
    assert v.value == 9.0 and "二月.xlsx" in v.source and "第 2 行" in v.source


def test_gbk_csv_with_codes(city, office):
    text = "单位编码,单位名称,信访件数\n" + "\n".join(
        f"{city[k].code},{city[k].name},{n}" for k, n in (("东山村@星沙", 2), ("光华村", 11))
    )
    batch = importing.stage(
        by=office, department="信访局", year=2023, data=text.encode("gbk"), name="信访.csv"
    )
    assert batch.mapping["单位编码"] == "unit_code"
    assert not importing.preview(batch).pending
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get(unit=city["光华村"]).value == 11.0


def test_mapping_set_by_hand_and_checked(city, office):
    data = xlsx([["村名", "年度评分"], ["光明村", "2"]])
    batch = importing.stage(by=office, department="组织部", year=2024, data=data, name="a.xlsx")
    assert batch.mapping == {"村名": "unit_name", "年度评分": ""}
    with pytest.raises(ServiceError, match="至少要有一列对应一项指标"):
        importing.set_mapping(by=office, batch=batch, mapping={"村名": "unit_name", "年度评分": ""})
    with pytest.raises(ServiceError, match="都对应"):
        importing.set_mapping(by=office, batch=batch,
                              mapping={"村名": "unit_name", "年度评分": "unit_name"})  # fmt: skip
    importing.set_mapping(by=office, batch=batch,
                          mapping={"村名": "unit_name", "年度评分": "indicator:party_org_grade"})  # fmt: skip
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get().indicator.code == "party_org_grade"


def test_corrupt_and_wrong_files_refused(city, office):
    with pytest.raises(ServiceError, match=r"坏\.xlsx"):
        importing.stage(by=office, department="组织部", year=2024,
                        data=b"PK\x03\x04not a zip at all" * 10, name="坏.xlsx")  # fmt: skip
    with pytest.raises(ServiceError, match="没有任何内容"):
        importing.stage(by=office, department="组织部", year=2024, data=b",,\n\n,\n",
                        name="x.csv")  # fmt: skip
    with pytest.raises(ServiceError, match="只接受"):
        importing.stage(by=office, department="组织部", year=2024, data=b"x", name="x.exe")
    assert not ImportBatch.objects.exists()


def test_same_file_twice_and_cancel(city, office):
    data = xlsx([["单位名称", "信访件数"], ["光明村", 1]])
    batch = importing.stage(by=office, department="信访局", year=2024, data=data, name="a.xlsx")
    with pytest.raises(ServiceError, match="内容相同"):
        importing.stage(by=office, department="信访局", year=2024, data=data, name="b.xlsx")
    importing.cancel(by=office, batch=batch)
    with pytest.raises(ServiceError, match="已取消"):
        importing.commit(by=office, batch=batch)
    importing.stage(by=office, department="信访局", year=2024, data=data, name="b.xlsx")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LEADER, Role.TEAM, Role.UNIT])
def test_only_the_office_imports(city, role):
    data = xlsx([["单位名称", "信访件数"], ["光明村", 1]])
    user = UserFactory(role=role, unit=city["光明村"] if role == Role.UNIT else None)
    with pytest.raises(PermissionDenied):
        importing.stage(by=user, department="信访局", year=2024, data=data,
                        name="a.xlsx")  # fmt: skip


def test_rows_keep_their_excel_numbers_under_blank_rows(city, office):
    data = xlsx([[], [], ["", "单位名称", "信访件数"], ["", "光明村", 4]])
    batch = importing.stage(by=office, department="信访局", year=2024, data=data, name="a.xlsx")
    assert batch.sheet == "考评" and batch.header_row == 2
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get().source == "信访局 · a.xlsx · 考评 · 第 4 行 · 「信访件数」"


def test_headers_it_does_not_know_are_mapped_by_hand(city, office):
    text = "2024年统计\n地名,镇别,来访数\n光明村,黄兴镇,6\n"
    batch = importing.stage(by=office, department="信访局", year=2024, data=text.encode(),
                            name="x.csv")  # fmt: skip
    assert batch.header_row == 1 and set(batch.mapping.values()) == {""}
    with pytest.raises(ServiceError, match="列对应不完整"):
        importing.commit(by=office, batch=batch)
    importing.set_mapping(by=office, batch=batch, mapping={
        "地名": "unit_name", "镇别": "township", "来访数": "indicator:petitions"})  # fmt: skip
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get().unit == city["光明村"]


def test_the_header_row_chosen_by_hand(city, office):
    data = xlsx([["单位名称", "说明"], ["光明村", "无"], ["单位名称", "信访件数"], ["光明村", 3]])
    batch = importing.stage(by=office, department="信访局", year=2024, data=data, name="h.xlsx")
    assert batch.header_row == 2  # the row naming more known columns
    importing.resolve(by=office, batch=batch, row=4, skip_reason="试")
    importing.set_header(by=office, batch=batch, row=1)
    assert batch.mapping == {"单位名称": "unit_name", "说明": ""}
    assert batch.resolutions == {} and batch.rows_total == 3
    with pytest.raises(ServiceError, match="不能作为表头"):
        importing.set_header(by=office, batch=batch, row=60)
    importing.set_header(by=office, batch=batch, row=3)
    assert batch.mapping == {"单位名称": "unit_name", "信访件数": "indicator:petitions"}
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get().source.endswith("第 4 行 · 「信访件数」")


def test_two_rows_of_one_unit_wait_for_the_user(city, office):
    data = xlsx([["单位编码", "单位名称", "信访件数"], ["", "光明村", 1],
                 [city["光明村"].code, "光明村", 2]])  # fmt: skip
    batch = importing.stage(by=office, department="信访局", year=2024, data=data, name="d.xlsx")
    (row,) = importing.preview(batch).pending
    assert row.row == 3 and row.problem == "与第 2 行是同一单位（光明村）"
    with pytest.raises(ServiceError, match="第 3 行"):
        importing.commit(by=office, batch=batch)
    importing.resolve(by=office, batch=batch, row=2, skip_reason="第 3 行为更正后的数")
    importing.commit(by=office, batch=batch)
    assert IndicatorValue.objects.get().value == 2.0
