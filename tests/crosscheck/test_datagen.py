"""The messy-data generator, held to its own truth by an independent reading of its files.

The tests read the generated files the way a user would (openpyxl, csv with the right
encoding), normalise names, IDs, dates and amounts on their own, apply the five rules,
and require the result to equal truth.csv row for row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opencc
import openpyxl
import pytest

from xuncha.crosscheck import idnumber
from xuncha.crosscheck.datagen import DatagenConfig, GeneratedSet, generate
from xuncha.crosscheck.datagen.world import fast_id

RULES = ("deceased_payee", "payroll_payee", "duplicate_payment", "over_standard", "invalid_id")
NAME_HEADERS = {"姓名", "户主姓名", "移民姓名"}
ID_HEADERS = {"身份证号", "身份证号码", "公民身份号码"}
AMOUNT_HEADERS = {"发放金额", "金额（元）", "补助金额"}
DATE_HEADERS = {"发放日期", "发放时间", "拨付日期"}
T2S = opencc.OpenCC("t2s")
FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# ---------------------------------------------------------------- generated sets


@pytest.fixture(scope="module")
def xlsx_set(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSet:
    return generate(tmp_path_factory.mktemp("xlsx"), DatagenConfig(payments=2000))


@pytest.fixture(scope="module")
def csv_set(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSet:
    config = DatagenConfig(payments=1500, xlsx=False, seed=7)
    return generate(tmp_path_factory.mktemp("csv"), config)


def truth_rows(gen: GeneratedSet) -> list[dict[str, str]]:
    with gen.truth.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def manifest(gen: GeneratedSet) -> dict[str, Any]:
    return json.loads((gen.out_dir / "datagen.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- reading files


@dataclass
class Record:
    """One data row as read: where it is and its cells by header text."""

    file: str
    sheet: str
    row: int
    cells: dict[str, Any]

    def get(self, headers: set[str]) -> Any:
        return next((v for k, v in self.cells.items() if k in headers), None)


@dataclass
class Table:
    file: str
    sheet: str
    raw: list[tuple[int, list[Any]]]  # (row number as the user sees it, values)
    records: list[Record] = field(default_factory=list)
    number_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_csv(path: Path) -> Table:
    reader = csv.reader(io.StringIO(decode(path.read_bytes()), newline=""))
    raw = [(reader.line_num, row) for row in reader]
    return _with_records(Table(path.name, "", raw))


def read_xlsx(path: Path) -> list[Table]:
    wb = openpyxl.load_workbook(path)
    tables = []
    for ws in wb.worksheets:
        raw, formats = [], {}
        for r, row in enumerate(ws.iter_rows(), 1):
            raw.append((r, [c.value for c in row]))
            formats.update({(r, c): cell.number_format for c, cell in enumerate(row)})
        merged = [str(m) for m in ws.merged_cells.ranges]
        tables.append(
            _with_records(Table(path.name, ws.title, raw, number_formats=formats, merged=merged))
        )
    return tables


def _with_records(table: Table) -> Table:
    """Data rows are the ones whose first cell is a sequence number (序号)."""
    at = next(i for i, (_, v) in enumerate(table.raw) if NAME_HEADERS & {str(x) for x in v})
    head = [str(x or "") for x in table.raw[at][1]]
    sub = [str(x or "") for x in table.raw[at + 1][1]] if at + 1 < len(table.raw) else []
    if sub and not _is_seq(table.raw[at + 1][1][0]):
        head = [s or h for h, s in zip(head, sub + [""] * len(head), strict=False)]
    for r, values in table.raw[at + 1 :]:
        if values and _is_seq(values[0]):
            table.records.append(
                Record(table.file, table.sheet, r, dict(zip(head, values, strict=False)))
            )
    return table


def _is_seq(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def read_set(gen: GeneratedSet) -> dict[str, list[Table]]:
    tables: dict[str, list[Table]] = {}
    for role, paths in (("payments", gen.payments), ("deaths", gen.deaths)):
        for path in paths:
            found = read_xlsx(path) if path.suffix == ".xlsx" else [read_csv(path)]
            tables.setdefault(role, []).extend(found)
    tables["payroll"] = [read_csv(p) for p in gen.payroll]
    return tables


@pytest.fixture(scope="module")
def xlsx_tables(xlsx_set: GeneratedSet) -> dict[str, list[Table]]:
    return read_set(xlsx_set)


@pytest.fixture(scope="module")
def csv_tables(csv_set: GeneratedSet) -> dict[str, list[Table]]:
    return read_set(csv_set)


# ---------------------------------------------------------------- normalising


def norm_name(value: Any) -> str:
    return T2S.convert(re.sub(r"[\s\u3000]+", "", str(value or "")))


def norm_id(value: Any) -> str | None:
    """The 18-digit number the cell stands for, or None if it is not a valid one."""
    if not isinstance(value, str):
        return None
    s = re.sub(r"[\s\u3000]+", "", value).translate(FULL_DIGITS).lstrip("'").upper()
    if len(s) == 15:
        return idnumber.from_legacy15(s)
    return s if idnumber.is_valid18(s) else None


def norm_amount(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return float(re.sub(r"[元￥,]", "", value))


def norm_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value)
    if m:
        return dt.date(*map(int, m.groups()))
    return dt.datetime.strptime(value, "%Y%m%d").date()


def to_date(value: Any) -> dt.date:
    day = norm_date(value)
    assert day is not None, value
    return day


def year_of(rec: Record) -> int:
    day = norm_date(rec.get(DATE_HEADERS))
    return day.year if day else int(re.match(r"(\d{4})年", rec.file).group(1))  # type: ignore[union-attr]


# ---------------------------------------------------------------- the rules, again


def derive(tables: dict[str, list[Table]], truth: list[dict[str, str]]) -> set[tuple[str, ...]]:
    """Apply the five rules to the files as read; identity of a damaged ID from truth."""
    damaged = {(t["file"], t["sheet"], t["row"]): t for t in truth if t["rule"] == "invalid_id"}
    deaths = {
        norm_id(r.cells["身份证号码"]): to_date(r.cells["死亡日期"])
        for r in _recs(tables, "deaths")
    }
    stints: dict[str | None, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for r in _recs(tables, "payroll"):
        stints[norm_id(r.cells["身份证号"])].append(
            (to_date(r.cells["入职时间"]), norm_date(r.cells["离职时间"]))
        )
    found: set[tuple[str, ...]] = set()
    groups: dict[tuple[str, int], list[tuple[Record, float]]] = defaultdict(list)
    for rec in _recs(tables, "payments"):
        key = (rec.file, rec.sheet, str(rec.row))
        person = norm_id(rec.get(ID_HEADERS))
        if person is None:
            found.add(("invalid_id", *key))
            if key not in damaged or damaged[key]["id_form"] in ("empty", "short"):
                continue
            person = damaged[key]["person_id"]
        day, year = norm_date(rec.get(DATE_HEADERS)), year_of(rec)
        groups[(person, year)].append((rec, norm_amount(rec.get(AMOUNT_HEADERS))))
        died = deaths.get(person)
        if died and ((day > died) if day else (year > died.year)):
            found.add(("deceased_payee", *key))
        lo, hi = (day, day) if day else (dt.date(year, 1, 1), dt.date(year, 12, 31))
        if any(s <= lo and hi <= (e or hi) for s, e in stints.get(person, ())):
            found.add(("payroll_payee", *key))
    for rows in groups.values():
        keys = [(r.file, r.sheet, str(r.row)) for r, _ in rows]
        if len(rows) > 1:
            found.update(("duplicate_payment", *k) for k in keys)
        if sum(a for _, a in rows) > 600:
            found.update(("over_standard", *k) for k in keys)
    return found


def _recs(tables: dict[str, list[Table]], role: str) -> list[Record]:
    return [rec for t in tables[role] for rec in t.records]


@pytest.mark.parametrize("which", ["xlsx", "csv"])
def test_truth_is_what_the_rules_find_in_the_files(which: str, request: pytest.FixtureRequest):
    gen = request.getfixturevalue(f"{which}_set")
    tables = request.getfixturevalue(f"{which}_tables")
    truth = truth_rows(gen)
    expected = {(t["rule"], t["file"], t["sheet"], t["row"]) for t in truth}
    assert len(expected) == len(truth), "a truth row is listed twice"
    found = derive(tables, truth)
    assert sorted(found - expected) == []
    assert sorted(expected - found) == []


@pytest.mark.parametrize("which", ["xlsx", "csv"])
def test_truth_rows_point_at_the_named_row(which: str, request: pytest.FixtureRequest):
    gen = request.getfixturevalue(f"{which}_set")
    tables = request.getfixturevalue(f"{which}_tables")
    at = {(r.file, r.sheet, r.row): r for r in _recs(tables, "payments")}
    for t in truth_rows(gen):
        rec = at[(t["file"], t["sheet"], int(t["row"]))]  # a data row, never a header or total
        assert rec.get(NAME_HEADERS) == t["name"]
        cell = rec.get(ID_HEADERS)
        if t["id_form"] == "numcell":
            assert isinstance(cell, float) and cell == float(t["raw_id"])
        else:
            assert (cell or "") == t["raw_id"]


@pytest.mark.parametrize("which", ["xlsx", "csv"])
def test_damaged_ids_stay_linkable_by_name(which: str, request: pytest.FixtureRequest):
    """A damaged ID identifies its person only through the name, and unambiguously."""
    check_linkable(
        request.getfixturevalue(f"{which}_set"), request.getfixturevalue(f"{which}_tables")
    )


def check_linkable(gen: GeneratedSet, tables: dict[str, list[Table]]) -> None:
    people: set[tuple[str, str]] = set()
    for role, id_headers in (
        ("payments", ID_HEADERS),
        ("deaths", {"身份证号码"}),
        ("payroll", {"身份证号"}),
    ):
        for rec in _recs(tables, role):
            ident = norm_id(rec.get(id_headers))
            if ident:
                people.add((norm_name(rec.get(NAME_HEADERS | {"姓名"})), ident))
    for t in truth_rows(gen):
        if t["rule"] != "invalid_id" or t["id_form"] in ("empty", "short"):
            continue
        name, raw = norm_name(t["name"]), t["raw_id"]
        same = [i for n, i in people if n == name]
        if t["id_form"] in ("numcell", "text000"):
            near = [i for i in same if i[:14] == raw[:14]]
        elif t["id_form"] == "sci":
            near = [i for i in same if i[:5] == f"{float(raw):.0f}"[:5]]
        else:
            near = [i for i in same if one_edit(i, raw)]
        assert near == [t["person_id"]], t


def one_edit(a: str, b: str) -> bool:
    diff = [i for i in range(min(len(a), len(b))) if a[i] != b[i]]
    if len(a) != len(b) or not diff:
        return False
    swap = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
    return len(diff) == 1 or (swap and a[diff[1]] == b[diff[0]])


# ---------------------------------------------------------------- the set as a whole


def test_every_rule_in_every_kind_of_file(xlsx_set: GeneratedSet):
    files = {f["file"]: f for f in manifest(xlsx_set)["files"]}
    kinds: Counter[tuple[str, str]] = Counter()
    for t in truth_rows(xlsx_set):
        f = files[t["file"]]
        kinds[(t["rule"], f["format"] if f["format"] == "xlsx" else f["encoding"])] += 1
    for rule in RULES:
        assert kinds[(rule, "xlsx")] and kinds[(rule, "gbk")], rule
        assert kinds[(rule, "utf-8-sig")] or (rule == "invalid_id" and kinds[(rule, "utf-8")])


def test_sizes_and_hit_rate(xlsx_set: GeneratedSet, csv_set: GeneratedSet):
    for gen, n in ((xlsx_set, 2000), (csv_set, 1500)):
        counts = manifest(gen)["counts"]
        assert abs(counts["payment_rows"] - n) <= 0.05 * n
        assert counts["death_rows"] == n // 4 and counts["payroll_rows"] == n // 6
        assert 0.015 <= counts["hit_rows"] / counts["payment_rows"] <= 0.06
        assert all(counts["rules"][rule] > 0 for rule in RULES)
        assert gen.standard == 600


def test_csv_only_mixes_encodings(csv_set: GeneratedSet):
    encodings = {f["encoding"] for f in manifest(csv_set)["files"] if f["role"] == "payments"}
    assert all(p.suffix == ".csv" for p in csv_set.payments + csv_set.deaths + csv_set.payroll)
    assert {"gbk", "utf-8", "utf-8-sig"} <= encodings


def test_encodings_are_what_they_claim(xlsx_set: GeneratedSet, csv_set: GeneratedSet):
    for gen in (xlsx_set, csv_set):
        for f in manifest(gen)["files"]:
            data = (gen.out_dir / f["file"]).read_bytes()
            if f["encoding"] == "gbk":
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
                assert "姓名" in data.decode("gb18030")
            elif f["encoding"] == "utf-8-sig":
                assert data.startswith(b"\xef\xbb\xbf") and "姓名" in data.decode("utf-8-sig")
            elif f["encoding"] == "utf-8":
                assert not data.startswith(b"\xef\xbb\xbf") and "姓名" in data.decode()


def test_same_seed_same_bytes(tmp_path: Path):
    config = DatagenConfig(payments=1000, seed=3)
    a = generate(tmp_path / "a", config)
    b = generate(tmp_path / "b", config)
    names = sorted(p.name for p in a.out_dir.iterdir())
    assert names == sorted(p.name for p in b.out_dir.iterdir())
    for name in names:
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name
    c = generate(tmp_path / "c", DatagenConfig(payments=1000, seed=4))
    assert c.truth.read_bytes() != a.truth.read_bytes()


def test_fast_id_is_make_id():
    rng = random.Random(1)
    for _ in range(500):
        born = dt.date(1900, 1, 1) + dt.timedelta(rng.randrange(40000))
        seq = rng.randrange(1000)
        assert fast_id("432802", f"{born:%Y%m%d}", seq) == idnumber.make_id("432802", born, seq)


def test_too_small_a_set_is_refused(tmp_path: Path):
    with pytest.raises(ValueError):
        generate(tmp_path, DatagenConfig(payments=50))


# ---------------------------------------------------------------- the mess is there


def _payment_cells(tables: dict[str, list[Table]], headers: set[str]) -> list[Any]:
    return [rec.get(headers) for rec in _recs(tables, "payments")]


def test_id_forms(xlsx_tables: dict[str, list[Table]]):
    ids = _payment_cells(xlsx_tables, ID_HEADERS)
    text = [i for i in ids if isinstance(i, str)]
    assert any(isinstance(i, float) for i in ids), "number-cell damage"
    assert any(re.fullmatch(r"\d\.\d{5}E\+17", i) for i in text), "scientific notation"
    assert any(re.fullmatch(r"\d{15}000", i) and not norm_id(i) for i in text), "15 digits + 000"
    assert any(re.fullmatch(r"\d{15}", i) and norm_id(i) for i in text), "legacy 15 digits"
    assert any(" " in i.strip() or "\t" in i for i in text), "inner space or tab"
    assert any(i != i.strip() for i in text), "surrounding spaces"
    assert any(re.search("[０-９]", i) for i in text), "full-width digits"
    assert any(i.endswith("x") for i in text), "lower-case x"
    assert any(i.startswith("'") for i in text), "leading apostrophe"
    assert any(i is None or i == "" for i in ids), "empty ID"
    old = [i for i in map(norm_id, text) if i and i.startswith("4328")]
    assert old, "valid IDs with a retired region code"


def test_legacy_numbers_in_registers_for_people_paid_under_18_digits(xlsx_tables):
    paid = {norm_id(i) for i in _payment_cells(xlsx_tables, ID_HEADERS) if isinstance(i, str)}
    legacy = [
        norm_id(r.cells["身份证号码"])
        for r in _recs(xlsx_tables, "deaths")
        if re.fullmatch(r"\d{15}", str(r.cells["身份证号码"]))
    ]
    assert any(i in paid for i in legacy)


def test_name_forms(xlsx_tables: dict[str, list[Table]], xlsx_set: GeneratedSet):
    names = [n for n in _payment_cells(xlsx_tables, NAME_HEADERS) if n]
    assert any(re.fullmatch(r"\S \S+", n) for n in names), "inner space"
    assert any("\u3000" in n for n in names), "full-width space"
    trad = [n for n in names if T2S.convert(n) != n]
    assert trad, "traditional characters"
    assert {T2S.convert(n) for n in trad} & set(names), "the same name simplified elsewhere"
    by_id: dict[str, set[str]] = defaultdict(set)
    for rec in _recs(xlsx_tables, "payments"):
        ident = norm_id(rec.get(ID_HEADERS))
        if ident:
            by_id[ident].add(norm_name(rec.get(NAME_HEADERS)))
    reg = [
        (norm_id(r.cells["身份证号码"]), norm_name(r.cells["姓名"]))
        for r in _recs(xlsx_tables, "deaths")
    ]
    reg += [
        (norm_id(r.cells["身份证号"]), norm_name(r.cells["姓名"]))
        for r in _recs(xlsx_tables, "payroll")
    ]
    assert any(i in by_id and n not in by_id[i] for i, n in reg), "homophone in a register"


def test_namesakes_in_registers_are_not_hits(xlsx_tables, xlsx_set: GeneratedSet):
    """Paid people who share a name with someone in the death register, but not the ID."""
    truth = {
        (t["file"], t["sheet"], t["row"])
        for t in truth_rows(xlsx_set)
        if t["rule"] == "deceased_payee"
    }
    deaths = _recs(xlsx_tables, "deaths")
    dead_ids = {norm_id(r.cells["身份证号码"]) for r in deaths}
    dead_names = {norm_name(r.cells["姓名"]) for r in deaths}
    namesakes = [
        rec
        for rec in _recs(xlsx_tables, "payments")
        if norm_name(rec.get(NAME_HEADERS)) in dead_names
        and norm_id(rec.get(ID_HEADERS)) not in dead_ids | {None}
    ]
    assert namesakes
    assert not any((r.file, r.sheet, str(r.row)) in truth for r in namesakes)


def test_near_misses(xlsx_set: GeneratedSet):
    planted = manifest(xlsx_set)["planted"]
    for key in (
        "near_paid_before_death_same_year",
        "near_employed_after_last_payment",
        "near_left_before_first_payment",
        "near_namesake_in_death_register",
        "near_namesake_on_payroll",
        "namesake_in_village",
        "duplicate_split",
    ):
        assert planted.get(key, 0) > 0, key


def test_dates_and_amounts(xlsx_tables: dict[str, list[Table]]):
    dates = _payment_cells(xlsx_tables, DATE_HEADERS)
    text = {d for d in dates if isinstance(d, str)}
    assert any(isinstance(d, dt.datetime) for d in dates), "Excel date cells"
    assert any(isinstance(d, int) and 43000 < d < 46000 for d in dates), "serial numbers"
    for pattern in (
        r"\d{4}/\d{1,2}/\d{1,2}",
        r"\d{4}年\d{1,2}月\d{1,2}日",
        r"\d{8}",
        r"\d{4}\.\d{1,2}\.\d{1,2}",
        r"\d{4}-\d\d-\d\d",
    ):
        assert any(re.fullmatch(pattern, d) for d in text), pattern
    amounts = _payment_cells(xlsx_tables, AMOUNT_HEADERS)
    text = {a for a in amounts if isinstance(a, str)}
    assert any(isinstance(a, int | float) for a in amounts)
    for sample in ("600", "600.00", "600元", "￥600", "1,200.00"):
        assert sample in text, sample


def test_serial_numbers_sit_in_general_cells(xlsx_tables: dict[str, list[Table]]):
    general = [
        t.number_formats[(r, c)]
        for t in xlsx_tables["payments"]
        for r, values in t.raw
        for c, v in enumerate(values)
        if isinstance(v, int) and 43000 < v < 46000
    ]
    assert general and set(general) == {"General"}


def test_sheet_decorations(xlsx_tables: dict[str, list[Table]], xlsx_set: GeneratedSet):
    sheets = [t for t in xlsx_tables["payments"] if t.sheet]
    assert len({t.sheet for t in sheets}) >= 10, "one sheet per county"
    for t in sheets:
        firsts = [str(v[0]) for _, v in t.raw if v and v[0] is not None]
        assert "合计" in firsts and any(f.startswith("制表人") for f in firsts), t.sheet
        assert any("郴州市" in f or "年度" in f for f in firsts[:2]) and "填报单位" in "".join(
            firsts[:3]
        )
    assert any(t.raw[0][1][0] is None for t in sheets), "an empty first row"
    assert any(_blank_inside(t) for t in sheets), "blank rows among the data"
    merged = [m for t in sheets for m in t.merged]
    assert any(re.fullmatch(r"[A-Z](\d+):[A-Z]\1", m) and m[0] != "A" for m in merged)
    assert any(re.fullmatch(r"([A-Z])(\d+):\1(\d+)", m) for m in merged), "two-row header"
    no_date = [
        f for f in manifest(xlsx_set)["files"] if f["role"] == "payments" and not f["has_date"]
    ]
    assert no_date and all(re.match(r"\d{4}年", f["file"]) for f in no_date)


def _blank_inside(t: Table) -> bool:
    rows = [r.row for r in t.records]
    return bool(rows) and (rows[-1] - rows[0] + 1) > len(rows)


def test_headers_vary(xlsx_tables: dict[str, list[Table]]):
    seen = {k for rec in _recs(xlsx_tables, "payments") for k in rec.cells}
    for group in (NAME_HEADERS, ID_HEADERS, AMOUNT_HEADERS, DATE_HEADERS):
        assert group <= seen, group - seen
    assert {"乡镇", "乡镇（街道）", "村", "村（社区）", "银行账号", "银行卡号", "备注"} <= seen


def test_csv_decorations(xlsx_set: GeneratedSet):
    texts = {p.name: decode(p.read_bytes()) for p in xlsx_set.payments if p.suffix == ".csv"}
    assert any(t.splitlines()[-1].startswith("合计") for t in texts.values())
    assert any(re.search(r"^,+\r?$", t, re.M) for t in texts.values()), "blank lines"
    assert any(t.startswith('"郴州市') for t in texts.values()), "a title line"
    assert any('"1,200.00"' in t for t in texts.values()), "a quoted amount"


def test_large_workbooks_split_into_volumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The path big sets take: volumes of at most MAX_ROWS rows, constant_memory mode."""
    from xuncha.crosscheck.datagen import write_xlsx

    monkeypatch.setattr(write_xlsx, "MAX_ROWS", 120)
    monkeypatch.setattr(write_xlsx, "CONSTANT_MEMORY_FROM", 60)
    gen = generate(tmp_path, DatagenConfig(payments=1000, seed=11))
    volumes = [p.name for p in gen.payments if "第2册" in p.name]
    assert volumes
    tables = read_set(gen)
    per_file: dict[str, list[int]] = defaultdict(list)
    for t in tables["payments"]:
        if t.sheet:
            per_file[t.file].append(len(t.records))
    assert all(sum(n) <= 120 or len(n) == 1 for n in per_file.values())
    truth = truth_rows(gen)
    expected = {(t["rule"], t["file"], t["sheet"], t["row"]) for t in truth}
    assert derive(tables, truth) == expected
