"""The three outputs: hits.csv for machines, 疑点核查表.xlsx for people, the manifest."""

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

from helpers import write_csv
from xuncha.crosscheck import check
from xuncha.crosscheck.idnumber import make_id, mask


@pytest.fixture
def run_dir(tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    dead = make_id("431003", dt.date(1940, 1, 2), 123)
    twice = make_id("431081", dt.date(1970, 7, 8), 789)
    payments = write_csv(
        tmp_path / "2021年发放表.csv",
        [
            "序号,姓名,身份证号码,发放金额,发放日期",
            f"1,张三,{dead},600,2021-03-05",
            f"2,王五,{twice},600,2021-03-05",
            f"3,王五,{twice},600,2021-06-05",
            "4,某某,,600,2021-06-05",
            "合计,,,2400,",
        ],
        encoding="gbk",
    )
    deaths = write_csv(
        tmp_path / "死亡.csv", ["姓名,身份证号码,死亡日期", f"张三,{dead},2020-01-01"]
    )
    out = tmp_path / "结果"
    check({"payments": [payments], "deaths": [deaths]}, out=out)
    return out, {"dead": dead, "twice": twice}, payments


def test_hits_csv_has_bom_and_required_columns(run_dir) -> None:
    out, people, _ = run_dir
    raw = (out / "hits.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    required = [
        "rule",
        "file",
        "sheet",
        "row",
        "name",
        "id_number",
        "amount",
        "payment_date",
        "match_tier",
        "evidence",
    ]
    assert list(rows[0])[: len(required)] == required
    dead = [r for r in rows if r["rule"] == "deceased_payee"]
    assert dead == [dead[0]] and dead[0]["row"] == "2" and dead[0]["id_number"] == people["dead"]
    assert {r["row"] for r in rows if r["rule"] == "duplicate_payment"} == {"3", "4"}


def test_workbook_is_masked_with_verifier_columns(run_dir) -> None:
    out, people, _ = run_dir
    wb = openpyxl.load_workbook(out / "疑点核查表.xlsx")
    assert wb.sheetnames[0] == "汇总"
    assert {"死亡后仍领取", "重复领取", "超标准发放", "身份证号码无效"} <= set(wb.sheetnames)
    ws = wb["死亡后仍领取"]
    header = [c.value for c in ws[3]]
    assert header[-3:] == ["核查结论", "应追回金额（元）", "备注"]
    values = [c.value for c in ws[4]]
    assert mask(people["dead"]) in values and people["dead"] not in values
    assert values[header.index("行号")] == 2
    all_text = " ".join(
        str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value
    )
    assert people["dead"] not in all_text and people["twice"] not in all_text
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    dup = next(r for r in summary if r[0] == "重复领取")
    assert dup[1:4] == [2, 1, 1200]


def test_unmask_shows_full_numbers(tmp_path: Path, run_dir) -> None:
    _, people, payments = run_dir
    out = tmp_path / "unmasked"
    check({"payments": [payments]}, out=out, unmask=True)
    ws = openpyxl.load_workbook(out / "疑点核查表.xlsx")["重复领取"]
    assert people["twice"] in [c.value for c in ws[4]]


def test_manifest_can_reproduce_the_run(run_dir) -> None:
    out, _, payments = run_dir
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    src = next(i for i in m["inputs"] if i["file"] == payments.name)
    assert src["sha256"] == hashlib.sha256(payments.read_bytes()).hexdigest()
    assert src["encoding"] == "GBK/GB18030"
    assert src["rows_used"] == 4 and src["sheets"][0]["rows_skipped"] == {"合计/小计行": 1}
    rules = {r["id"]: r for r in m["rules"]}
    assert rules["over_standard"]["parameters"] == {"standard": "600"}
    assert rules["payroll_payee"]["status"] == "skipped"
    assert rules["deceased_payee"]["hits"] == 1 and rules["deceased_payee"]["version"] >= 1
    assert (
        m["outputs"]["hits.csv"]["sha256"]
        == hashlib.sha256((out / "hits.csv").read_bytes()).hexdigest()
    )


def test_no_partial_output_left_behind(run_dir) -> None:
    out, _, _ = run_dir
    assert sorted(p.name for p in out.iterdir()) == ["hits.csv", "manifest.json", "疑点核查表.xlsx"]


def test_rule_sheets_hold_every_hit_as_typed_cells(tmp_path: Path) -> None:
    """The rule sheets' rows (built in SQL) equal hits.csv cell by cell, with XML-special
    and control characters in the data, numbers as numbers and dates as dates."""
    people = [make_id("431021", dt.date(1950 + i, 1, 1 + i), i) for i in range(30)]
    lines = ["姓名,身份证号码,发放金额,发放日期,村"]
    for i, pid in enumerate(people):
        lines += [f"李<{i}>&四,{pid},600.50,2022-0{1 + i % 9}-15,A&B\x07村"] * (1 + i % 2)
    lines.append("赵六,12345,600,2022-01-01,")
    payments = write_csv(tmp_path / "发放.csv", lines)
    out = tmp_path / "out"
    check({"payments": [payments]}, out=out)
    hits = list(csv.DictReader((out / "hits.csv").read_text(encoding="utf-8-sig").splitlines()))
    wb = openpyxl.load_workbook(out / "疑点核查表.xlsx")
    by_rule: dict[str, list[dict[str, str]]] = {}
    for h in hits:
        by_rule.setdefault(h["rule_title"], []).append(h)
    assert set(by_rule) == {"重复领取", "超标准发放", "身份证号码无效"}
    for title, rows in by_rule.items():
        ws = wb[title]
        header = [c.value for c in ws[3]]
        cells = list(ws.iter_rows(min_row=4))
        assert len(cells) == len(rows), title
        for n, (h, row) in enumerate(zip(rows, cells, strict=True), start=1):
            got = dict(zip(header, row, strict=True))
            assert got["序号"].value == n
            assert got["文件"].value == h["file"] and got["行号"].value == int(h["row"])
            assert got["姓名"].value == h["name"]
            assert got["身份证号码"].value == (mask(h["id_number"]) or None)
            if h["amount"]:
                assert got["金额（元）"].value == float(h["amount"])
                assert got["金额（元）"].number_format == "#,##0.00"
            if h["payment_date"]:
                assert got["发放日期"].value.date().isoformat() == h["payment_date"]
            assert got["同组编号"].value == (h["group_id"] or None)
            assert got["疑点依据"].value == h["evidence"]
            assert got["村（社区）"].value == (h["village"].replace("\x07", "") or None)
            assert got["核查结论"].value is None
    assert wb["重复领取"]["A3"].value == "序号" and wb["重复领取"].freeze_panes == "F4"


def test_the_report_spills_into_its_work_folder_not_the_current_one(tmp_path: Path) -> None:
    """DuckDB's default spill folder is ``.tmp`` in the current folder: a place nobody chose
    for rows with full ID numbers. The report's connections spill into its work folder."""
    from xuncha.crosscheck.report import _connect

    con = _connect(tmp_path)
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone() == (
            str(tmp_path),
        )
    finally:
        con.close()
