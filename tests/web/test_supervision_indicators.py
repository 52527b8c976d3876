"""Indicator systems (评估指标体系): the declaration, its Excel form, its checks, the
shipped model systems and the versioning rule."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
import xlsxwriter

from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.supervision import indicators, selectors, services
from xuncha.supervision.indicators import COLUMNS, parse_rows, read_workbook, write_workbook
from xuncha.supervision.models import IndicatorKind, IndicatorSystem, IndicatorVersion

HEAD = list(COLUMNS)


def row(dim: str, dim_points: str, name: str, kind: str, points: str, **more: str) -> list[str]:
    return [dim, dim_points, name, kind, points, more.get("veto", ""), more.get("evidence", "否"),
            more.get("prefill", "")]  # fmt: skip


def good_rows() -> list[list[str]]:
    return [
        HEAD,
        row("组织领导", "40", "召开专题会议", "扣分项", "25", evidence="是"),
        row("", "", "制定整改方案", "扣分项", "15", prefill="整改方案逾期认可事项数"),
        row("整改任务完成", "60", "整改完成率", "扣分项", "60", prefill="整改完成率"),
        row("加减分", "0", "经验被推广", "加分项", "3"),
        row("", "", "报告与事实不符", "一票否决项", "0", veto="5"),
    ]


def xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, values in enumerate(rows):
            ws.write_row(r, 0, values)
    wb.close()
    return out.getvalue()


def test_rows_become_dimensions_and_indicators() -> None:
    spec = parse_rows(good_rows())
    assert [(d.name, d.points, len(d.indicators)) for d in spec.dimensions] == [
        ("组织领导", Decimal(40), 2), ("整改任务完成", Decimal(60), 1), ("加减分", Decimal(0), 2)
    ]  # fmt: skip
    first, veto = spec.dimensions[0].indicators[0], spec.dimensions[2].indicators[1]
    assert first.evidence_required and first.kind == IndicatorKind.DEDUCTION
    assert spec.dimensions[0].indicators[1].prefill == "plan_accepted_late"
    assert veto.kind == IndicatorKind.VETO and veto.veto_threshold == 5 and veto.points == 0


def test_every_bad_row_is_named_with_sheet_row_and_column() -> None:
    rows = good_rows()
    rows[1][4] = "-5"  # negative points
    rows[3][3] = "附加项"  # unknown kind
    rows[5][4] = "2"  # a veto with points
    rows[4][5] = "3"  # a threshold on a bonus item
    rows[4][7] = "逾期未完成事项数"  # a ledger measure on a bonus item
    with pytest.raises(ServiceError) as err:
        parse_rows(rows)
    text = str(err.value)
    assert text.startswith("导入失败，未写入任何数据")
    assert "「指标」表第 2 行“分值”列：「-5」不是不小于 0" in text
    assert "「指标」表第 4 行“类型”列：「附加项」无法识别" in text
    assert "「指标」表第 6 行“分值”列：一票否决项不设分值" in text
    assert "「指标」表第 5 行“否决条件”列：只有一票否决项填写否决条件" in text
    assert "「指标」表第 5 行“台账预填”列：台账预填只用于扣分项和减分项" in text


def test_items_not_summing_to_their_dimension_are_refused() -> None:
    rows = good_rows()
    rows[2][4] = "10"  # 25 + 10 ≠ 40
    with pytest.raises(
        ServiceError,
        match=re.escape(
            "第 2 行“维度分值”列：维度「组织领导」分值为 40.00，其扣分项分值合计为 35.00"
        ),
    ):
        parse_rows(rows)


def test_dimensions_must_total_one_hundred() -> None:
    rows = good_rows()
    rows[3][1], rows[3][4] = "50", "50"
    with pytest.raises(ServiceError, match=re.escape("各维度分值合计为 90.00，应为 100")):
        parse_rows(rows)


def test_unknown_columns_are_refused_with_their_letter() -> None:
    rows = [[*r, ""] for r in good_rows()]
    rows[0][-1] = "权重"
    with pytest.raises(ServiceError, match="第 1 行“I（权重）”列：未知的列"):
        parse_rows(rows)


def test_a_workbook_round_trips_through_the_sandboxed_reader() -> None:
    spec = parse_rows(good_rows())
    spec.grade_good, spec.grade_fair, spec.grade_average = Decimal(95), Decimal(85), Decimal(70)
    out = io.BytesIO()
    write_workbook(spec, out)
    back = read_workbook(out.getvalue(), name="指标.xlsx")
    assert back == spec


def test_a_bad_grade_sheet_is_refused() -> None:
    data = xlsx({"指标": good_rows(), "等次": [["等次", "最低分"], ["好", "80"], ["较好", "85"]]})
    with pytest.raises(ServiceError, match="「等次」表：最低分须为 好 > 较好 > 一般"):
        read_workbook(data, name="指标.xlsx")


def test_a_file_that_is_no_workbook_is_refused_by_name() -> None:
    with pytest.raises(ServiceError, match=re.escape("坏文件.xlsx")):
        read_workbook(b"not a workbook at all", name="坏文件.xlsx")


def test_the_shipped_systems_pass_the_checks_and_say_they_are_models() -> None:
    systems = indicators.shipped()
    assert len(systems) == 2
    weights = {
        name: [(d.name, d.points) for d in spec.dimensions] for name, (_, spec) in systems.items()
    }
    deduction = next(w for w in weights.values() if w[0][0] == "组织领导")
    assert deduction == [
        ("组织领导", 15),
        ("责任落实", 15),
        ("整改任务完成", 60),
        ("群众满意度", 10),
    ]
    kinds = {i.kind for _, spec in systems.values() for d in spec.dimensions for i in d.indicators}
    assert kinds == {"deduction", "bonus", "penalty", "veto"}
    assert all(
        "示例模型" in note and "不是任何巡察机构的正式评估表" in note
        for note, _ in systems.values()
    )


@pytest.mark.django_db
def test_installing_the_shipped_systems_twice_adds_them_once(world) -> None:
    office = world.users["office"]
    assert len(services.indicator_systems_install_shipped(by=office)) == 2
    assert services.indicator_systems_install_shipped(by=office) == []
    assert IndicatorSystem.objects.count() == 2
    version = IndicatorVersion.objects.get(system__name__contains="15/15/60/10")
    assert selectors.version_spec(version) == indicators.shipped()[version.system.name][1]


@pytest.mark.django_db
def test_only_the_office_manages_indicator_systems(world) -> None:
    with pytest.raises(PermissionDenied, match="只有巡察办"):
        services.indicator_version_import(
            spec=parse_rows(good_rows()), system_name="测试体系", by=world.users["supervisor"]
        )
    assert not IndicatorSystem.objects.exists()


@pytest.mark.django_db
def test_a_version_in_use_is_kept_and_an_import_makes_the_next(world) -> None:
    office = world.users["office"]
    first = services.indicator_version_import(
        spec=parse_rows(good_rows()), system_name="测试体系", by=office
    )
    again = services.indicator_version_import(
        spec=parse_rows(good_rows()), system_name="测试体系", by=office
    )
    assert again.pk == first.pk and again.number == 1  # not in use: replaced in place
    IndicatorVersion.objects.filter(pk=first.pk).update(frozen=True)
    rows = good_rows()
    rows[1][2] = "召开专题会议（修订）"
    second = services.indicator_version_import(
        spec=parse_rows(rows), system_name="测试体系", by=office
    )
    assert second.number == 2
    kept = selectors.version_spec(IndicatorVersion.objects.get(pk=first.pk))
    assert kept.dimensions[0].indicators[0].name == "召开专题会议"
    assert selectors.version_spec(second).dimensions[0].indicators[0].name == "召开专题会议（修订）"
    assert selectors.current_version(second.system) == second


@pytest.mark.django_db
def test_the_office_imports_and_exports_a_workbook_on_the_page(client, world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.users["office"])
    bad = good_rows()
    bad[2][4] = "-1"
    upload = SimpleUploadedFile("指标.xlsx", xlsx({"指标": bad}))
    r = client.post(
        reverse("supervision:indicator_import"), {"system": "页面体系", "file": upload}, follow=True
    )
    assert "「指标」表第 3 行“分值”列" in r.content.decode()
    assert not IndicatorSystem.objects.exists()
    upload = SimpleUploadedFile("指标.xlsx", xlsx({"指标": good_rows()}))
    r = client.post(
        reverse("supervision:indicator_import"), {"system": "页面体系", "file": upload}, follow=True
    )
    assert "已导入「页面体系」第 1 版" in r.content.decode()
    version = IndicatorVersion.objects.get(system__name="页面体系")
    exported = client.get(reverse("supervision:indicator_export", args=[version.pk]))
    assert read_workbook(exported.content, name="导出.xlsx") == selectors.version_spec(version)
    r = client.post(reverse("supervision:indicator_install"), follow=True)
    assert "已安装示例指标体系 2 个" in r.content.decode()
    assert IndicatorSystem.objects.count() == 3
