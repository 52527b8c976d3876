"""Units to and from Excel: round trip, parents after children, updates, and every
bad input refused with its row, leaving the database as it was."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter
from django.urls import reverse

from xuncha.common.errors import ServiceError
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.services import unit_create
from xuncha.units.workbook import units_export, units_import


def book(rows: list[list[str]], title: str | None = None) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    start = 0
    if title:
        ws.write(0, 0, title)
        start = 2
    for r, row in enumerate(rows):
        ws.write_row(start + r, 0, row)
    wb.close()
    return out.getvalue()


HEAD = ["编码", "名称", "类型", "上级编码", "风险等级"]
CITY = [
    HEAD,
    ["431003100201", "某某村", "村", "431003100", "重点隐患类"],  # child before its parents
    ["431003100", "五里牌镇", "township", "431003", ""],
    ["431003", "苏仙区", "县市区", "", ""],
]


def snapshot() -> list[tuple]:
    return list(
        Unit.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "county__code", "risk_level"
        )
    )


def test_import_then_export_round_trip(db) -> None:
    report = units_import(book(CITY, title="湘南市被巡察单位名录"))
    assert (report.created, report.updated) == (3, 0)
    village = Unit.objects.get(code="431003100201")
    assert (village.parent.code, village.county.code, village.risk_level) == (
        "431003100",
        "431003",
        RiskLevel.HIGH,
    )
    before = snapshot()
    out = io.BytesIO()
    assert units_export(out) == 3
    Unit.objects.update(parent=None, county=None)
    Unit.objects.all().delete()
    units_import(out.getvalue())
    assert snapshot() == before


def test_update_existing(db) -> None:
    county = unit_create(name="旧名", code="431003", kind=UnitKind.COUNTY)
    report = units_import(book(CITY))
    assert (report.created, report.updated) == (2, 1)
    county.refresh_from_db()
    assert county.name == "苏仙区" and county.county_id == county.pk


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([HEAD, ["431003", "", "县市区", "", ""]], "第 2 行：编码和名称不能为空"),
        ([HEAD, ["1", "甲", "乡", "", ""]], "第 2 行：类型「乡」无法识别"),
        ([HEAD, ["1", "甲", "村", "", "很高"]], "风险等级「很高」无法识别"),
        (
            [HEAD, ["1", "甲", "村", "", ""], ["1", "乙", "村", "", ""]],
            "第 3 行：编码「1」与第 2 行重复",
        ),
        ([HEAD, ["1", "甲", "村", "9", ""]], "上级编码「9」在文件和系统中都不存在"),
        ([HEAD, ["1", "甲", "村", "1", ""]], "不能是自己的上级"),
        ([HEAD, ["1", "甲", "村", "2", ""], ["2", "乙", "镇", "1", ""]], "循环"),
        ([["姓名", "身份证号"], ["张三", "1"]], "找不到表头"),
    ],
)
def test_bad_rows_write_nothing(db, rows, message) -> None:
    unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    before = snapshot()
    with pytest.raises(ServiceError, match=message):
        units_import(book(rows))
    assert snapshot() == before


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really a zip", Path(__file__).read_bytes()])
def test_not_a_workbook(db, data) -> None:
    with pytest.raises(ServiceError):
        units_import(data)
    assert not Unit.objects.exists()


def test_pages(client, world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["office"])
    upload = SimpleUploadedFile("units.xlsx", book(CITY))
    page = client.post(reverse("units:import"), {"file": upload}, follow=True).content.decode()
    assert "导入完成：新增 3 个，更新 0 个" in page
    response = client.get(reverse("units:export"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    client.force_login(world.users["team"])
    assert (
        client.post(
            reverse("units:import"), {"file": SimpleUploadedFile("u.xlsx", book(CITY))}
        ).status_code
        == 404
    )
