"""User-supplied text reaches every exported workbook as text, never as a formula (issue
15): file, sheet, program, person and unit names shaped like the formulas of a CSV or
DDE injection go through a check and every export, and no cell holds a formula."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from helpers import write_csv, write_xlsx
from xuncha.checks import services, workbook
from xuncha.checks.models import RunStatus, Suspect
from xuncha.crosscheck import check
from xuncha.crosscheck.idnumber import make_id
from xuncha.units.models import Unit, UnitKind
from xuncha.units.workbook import units_export

FILE = '=HYPERLINK("x","y").csv'  # a file name cannot hold the "http://" of the issue's
SHEET = "=cmd|' -C calc'!A0"  # '/' may not appear in a sheet name
PROGRAM = "=cmd|' /C calc'!A0"
NAME = '=HYPERLINK("http://x","y")'


def formulas(data: bytes | Path) -> list[str]:
    """Every formula cell of a workbook, as sheet!cell."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    wb = openpyxl.load_workbook(source)
    return [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row
            if c.data_type == "f"]  # fmt: skip


def texts(data: bytes | Path) -> set[str]:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    wb = openpyxl.load_workbook(source)
    return {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value}


def hostile_lists(folder: Path) -> list[Path]:
    twice = make_id("431081", dt.date(1970, 7, 8), 789)
    head = "姓名,身份证号码,发放金额,发放日期,村"
    csv_file = write_csv(folder / FILE, [head, f'"{NAME}",{twice},600,2021-03-05,@SUM(1)',
                                         f"+1+1,{twice},600,2021-06-05,-2+3"])  # fmt: skip

    def sheet(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额", "发放日期"])
        ws.write_string(1, 0, NAME)
        ws.write_row(1, 1, [twice, 600, "2021/9/5"])
        ws.write_row(2, 0, ["李四", "12345", 600, "2021/9/5"])

    book = write_xlsx(folder / "b.xlsx", {SHEET: sheet})
    return [csv_file, book]


def test_the_cli_report_holds_no_formula(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = check({"payments": hostile_lists(tmp_path)}, out=out, title=PROGRAM)
    assert result.hits.num_rows >= 4
    report = out / "疑点核查表.xlsx"
    assert formulas(report) == []
    shown = texts(report)
    assert FILE in shown and SHEET in shown and NAME in shown
    assert any(t.startswith(PROGRAM) for t in shown)


@pytest.mark.django_db(transaction=True)
def test_every_web_export_holds_no_formula(world, tmp_path: Path, client) -> None:
    by = world.users["team"]
    csv_file, book = hostile_lists(tmp_path)
    datasets = [
        services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(path.read_bytes()),
                                name=name, by=by)
        for path, name in ((csv_file, FILE), (book, "b.xlsx"))
    ]  # fmt: skip
    run = services.run_start(team=world.team, by=by, datasets=datasets,
                             params=services.RunParams(title=PROGRAM))  # fmt: skip
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    kept = Path(services.run_folder(run.pk)) / "疑点核查表.xlsx"
    exported = workbook.export(run, Suspect.objects.filter(run=run), unmask=False)
    for data in (kept, exported):
        assert formulas(data) == []
        shown = texts(data)
        assert SHEET in shown and NAME in shown and any(PROGRAM in t for t in shown)
    assert FILE in texts(exported)
    Unit.objects.create(name=NAME, code="=1+2", kind=UnitKind.TOWNSHIP)
    units = io.BytesIO()
    units_export(units)
    assert formulas(units.getvalue()) == [] and NAME in texts(units.getvalue())
    client.force_login(world.users["office"])
    figures = client.get(reverse("dashboards:export"))
    assert figures.status_code == 200 and formulas(figures.content) == []
