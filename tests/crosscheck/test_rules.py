"""Each rule on small hand-made data: hits, near misses, evidence, match tiers."""

import datetime as dt
from pathlib import Path

import pytest

from helpers import write_csv, write_xlsx
from xuncha.crosscheck import RULES, check
from xuncha.crosscheck.idnumber import check_char, from_legacy15, make_id

HEAD = "序号,姓名,身份证号码,发放金额,发放日期"


def hits_of(result, rule: str) -> list[tuple]:
    return [
        (h["file"], h["row"], h["name"], h["match_tier"])
        for h in result.hits.to_pylist()
        if h["rule"] == rule
    ]


@pytest.fixture
def people() -> dict[str, str]:
    return {
        "dead": make_id("431003", dt.date(1940, 1, 2), 123),
        "dead_namesake": make_id("431021", dt.date(1945, 6, 1), 222),
        "clerk": make_id("431003", dt.date(1980, 5, 6), 456),
        "retired_clerk": make_id("431003", dt.date(1955, 5, 6), 458),
        "twice": make_id("431081", dt.date(1970, 7, 8), 789),
        "ok": make_id("431081", dt.date(1971, 7, 8), 781),
    }


@pytest.fixture
def registers(tmp_path: Path, people: dict[str, str]) -> tuple[Path, Path]:
    deaths = write_csv(
        tmp_path / "死亡人员名单.csv",
        [
            "姓名,身份证号码,死亡日期",
            f"張  三,{people['dead']},2020-12-01",  # traditional and spaced
            f"王芳,{people['dead_namesake']},2019-01-01",  # same name as a living payee
        ],
    )
    payroll = write_csv(
        tmp_path / "财政供养人员.csv",
        [
            "姓名,身份证号,工作单位,入职时间,离职时间",
            f"李四,{people['clerk']},某镇政府,2015-03-01,",
            f"赵六,{people['retired_clerk']},某局,1978-01-01,2020-06-30",
        ],
    )
    return deaths, payroll


def run(tmp_path: Path, lines: list[str], registers: tuple[Path, Path], **params):
    payments = write_csv(tmp_path / "2021年发放表.csv", [HEAD, *lines])
    inputs = {"payments": [payments], "deaths": [registers[0]], "payroll": [registers[1]]}
    return check(inputs, params=params)


def test_deceased_payee(tmp_path, people, registers) -> None:
    other_wang = make_id("431002", dt.date(1960, 1, 1), 100)
    result = run(
        tmp_path,
        [
            f"1,张三,{people['dead']},600,2021-03-05",  # after death: hit
            f"2,张三,{people['dead']},600,2020-11-30",  # before death: near miss
            f"3,王芳,{other_wang},600,2021-03-05",  # same name, different person: not a hit
        ],
        registers,
    )
    assert hits_of(result, "deceased_payee") == [("2021年发放表.csv", 2, "张三", "exact")]
    evidence = result.hits.to_pylist()[0]["evidence"]
    assert "死亡人员名单.csv 第2行" in evidence and "2020-12-01" in evidence


def test_grace_days(tmp_path, people, registers) -> None:
    lines = [f"1,张三,{people['dead']},600,2020-12-20"]
    assert len(hits_of(run(tmp_path, lines, registers), "deceased_payee")) == 1
    assert hits_of(run(tmp_path, lines, registers, grace_days=30), "deceased_payee") == []


def test_payroll_payee(tmp_path, people, registers) -> None:
    result = run(
        tmp_path,
        [
            f"1,李四,{people['clerk']},600,2021-03-05",  # employed: hit
            f"2,李四,{people['clerk']},600,2015-02-28",  # before start: miss
            f"3,赵六,{people['retired_clerk']},600,2020-06-30",  # last day: hit
            f"4,赵六,{people['retired_clerk']},600,2020-07-01",  # after leaving: miss
        ],
        registers,
    )
    assert [h[1] for h in hits_of(result, "payroll_payee")] == [2, 4]


def test_duplicate_and_over_standard_across_files(tmp_path, people, registers) -> None:
    other = write_csv(
        tmp_path / "2021年补发.csv", [HEAD, f"1,王 五,{people['twice']},600,2021-11-05"]
    )
    main = write_csv(
        tmp_path / "2021年发放表.csv",
        [
            HEAD,
            f"1,王五,{people['twice']},600,2021-03-05",
            f"2,王五,{people['twice']},600,2022-03-05",  # another year: no duplicate
            f"3,钱七,{people['ok']},800,2021-03-05",  # one payment over the standard
        ],
    )
    result = check({"payments": [main, other], "deaths": [registers[0]], "payroll": [registers[1]]})
    dup = hits_of(result, "duplicate_payment")
    assert sorted(dup) == [
        ("2021年发放表.csv", 2, "王五", "exact"),
        ("2021年补发.csv", 2, "王 五", "exact"),
    ]
    groups = {h["group_id"] for h in result.hits.to_pylist() if h["rule"] == "duplicate_payment"}
    assert len(groups) == 1
    over = sorted(h[1:3] for h in hits_of(result, "over_standard"))
    assert over == [(2, "王 五"), (2, "王五"), (4, "钱七")]
    assert (
        hits_of(check({"payments": [main, other]}, params={"standard": 1200}), "over_standard")
        == []
    )


def test_invalid_id_flags_damage_but_not_harmless_forms(tmp_path, people, registers) -> None:
    ok = people["ok"]
    legacy15 = "430102900101123"
    assert from_legacy15(legacy15)
    typo = ok[:8] + str((int(ok[8]) + 1) % 10) + ok[9:]
    result = run(
        tmp_path,
        [
            f"1,甲,'{ok[:6]} {ok[6:]},600,2021-03-05",  # apostrophe and space: fine
            f"2,乙,{legacy15},600,2021-03-05",  # legacy: fine
            f"3,丙,{ok[:15]}000,600,2021-03-05",  # number-cell damage
            f"4,丁,{typo},600,2021-03-05",  # typo
            "5,戊,,600,2021-03-05",  # empty
        ],
        registers,
    )
    assert [h[1] for h in hits_of(result, "invalid_id")] == [4, 5, 6]


def test_damaged_and_mistyped_ids_still_link_by_name(tmp_path, people, registers) -> None:
    dead = people["dead"]
    swapped = dead[:4] + dead[5] + dead[4] + dead[6:]
    assert swapped != dead
    result = run(
        tmp_path,
        [
            f"1,张三,{dead[:15]}000,600,2021-03-05",
            f"2,张三,{swapped},600,2021-04-05",
            f"3,李四,{dead[:15]}000,600,2021-03-05",  # same damaged digits, other name: no link
            f"4,张三,{dead[0]}.{dead[1:6]}E+17,600,2021-05-05",
        ],
        registers,
    )
    assert hits_of(result, "deceased_payee") == [
        ("2021年发放表.csv", 2, "张三", "damaged_id"),
        ("2021年发放表.csv", 3, "张三", "typo_id"),
        ("2021年发放表.csv", 5, "张三", "damaged_id"),
    ]


def test_ambiguous_damaged_id_is_not_linked(tmp_path, people, registers) -> None:
    dead = people["dead"]
    twin = dead[:15] + ("45" if dead[15:17] != "45" else "54")
    twin += check_char(twin)
    result = run(
        tmp_path,
        [f"1,张三,{twin},600,2019-03-05", f"2,张三,{dead[:15]}000,600,2021-03-05"],
        registers,
    )
    # Two people named 张三 are both within the rounding of the surviving digits: no guess.
    assert hits_of(result, "deceased_payee") == []
    assert [h[1] for h in hits_of(result, "invalid_id")] == [3]


def test_legacy_number_links_to_18_digit_register(tmp_path, registers) -> None:
    first = make_id("431003", dt.date(1940, 1, 2), 123)
    legacy = first[:6] + first[8:17]
    assert from_legacy15(legacy) == first
    result = run(tmp_path, [f"1,张三,{legacy},600,2021-03-05"], registers)
    assert hits_of(result, "deceased_payee") == [("2021年发放表.csv", 2, "张三", "legacy")]


def test_year_only_payments_use_the_title_year(tmp_path, people, registers) -> None:
    payments = write_csv(
        tmp_path / "发放花名册.csv",
        [
            "郴州市2021年度水库移民直补资金发放花名册",
            "序号,姓名,身份证号码,发放金额",
            f"1,张三,{people['dead']},600",
        ],
    )
    result = check({"payments": [payments], "deaths": [registers[0]], "payroll": [registers[1]]})
    assert hits_of(result, "deceased_payee") == [("发放花名册.csv", 3, "张三", "exact")]


def test_rules_missing_their_register_are_skipped(tmp_path, people) -> None:
    payments = write_csv(tmp_path / "p.csv", [HEAD, f"1,张三,{people['dead']},600,2021-03-05"])
    result = check({"payments": [payments]})
    assert set(result.rules_skipped) == {"deceased_payee", "payroll_payee"}
    assert "死亡人员名单" in result.rules_skipped["deceased_payee"]


def test_every_rule_has_id_title_meaning_and_sql() -> None:
    for rule in RULES:
        assert rule.id and rule.title and rule.meaning and rule.basis
        assert "SELECT" in rule.sql()
    assert len({r.id for r in RULES}) == len(RULES)


def test_xlsx_and_csv_inputs_mix(tmp_path, people, registers) -> None:
    def sheet(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额", "发放日期"])
        ws.write_row(1, 0, ["张三", float(people["dead"][:15] + "000"), 600, "2021/3/5"])

    book = write_xlsx(tmp_path / "2021.xlsx", {"苏仙区": sheet})
    result = check({"payments": [book], "deaths": [registers[0]], "payroll": [registers[1]]})
    assert [
        (h["sheet"], h["row"], h["match_tier"])
        for h in result.hits.to_pylist()
        if h["rule"] == "deceased_payee"
    ] == [("苏仙区", 2, "damaged_id")]


def test_csv_then_workbook_in_one_run(tmp_path, people, registers) -> None:
    def sheet(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额", "发放日期"])
        ws.write_row(1, 0, ["张三", people["dead"], 600, "2021/3/5"])

    csv_file = write_csv(tmp_path / "a.csv", [HEAD, f"1,钱七,{people['ok']},600,2021-03-05"])
    book = write_xlsx(tmp_path / "b.xlsx", {"苏仙区": sheet})
    result = check({"payments": [csv_file, book], "deaths": [registers[0]]})
    assert [h[:2] for h in hits_of(result, "deceased_payee")] == [("b.xlsx", 2)]


def test_zero_and_reversed_amounts_are_not_payments(tmp_path, people, registers) -> None:
    result = run(
        tmp_path,
        [
            f"1,张三,{people['dead']},0,2021-03-05",  # 停发 after death: not a payment
            f"2,王五,{people['twice']},600,2021-06-01",
            f"3,王五,{people['twice']},0,2021-07-01",  # 0: no second payment
            f"4,周八,{people['ok']},600,2021-06-01",
            f"5,周八,{people['ok']},-600,2021-08-01",  # reversed (冲回) …
            f"6,周八,{people['ok']},600,2021-09-01",  # … and paid again: once in all
            f"7,李四,{people['clerk']},0.00,2021-03-05",  # 0 while employed: not a payment
        ],
        registers,
    )
    assert result.count("deceased_payee") == result.count("payroll_payee") == 0
    assert result.count("duplicate_payment") == 0
    # Paid three times less one reversal is paid twice: the reversal is listed too.
    result = run(tmp_path, [*(f"{i},周八,{people['ok']},600,2021-0{i}-01" for i in (1, 2, 3)),
                            f"4,周八,{people['ok']},-600,2021-04-01"], registers)  # fmt: skip
    assert [h[1] for h in hits_of(result, "duplicate_payment")] == [2, 3, 4, 5]
    assert "共发放 2 次" in result.hits.to_pylist()[0]["evidence"]


def test_unreadable_register_dates_never_mean_still_employed(tmp_path, people) -> None:
    payroll = write_csv(
        tmp_path / "财政供养人员.csv",
        [
            "姓名,身份证号,工作单位,入职时间,离职时间",
            f"李四,{people['clerk']},某镇政府,2000-01-01,2019年底",  # not a date
            f"赵六,{people['retired_clerk']},某局,1978-01-01,2019-02-30",  # no such day
            f"王五,{people['twice']},某局,2000-01-01,2019/12/31 0:00",  # Excel's CSV form
        ],
    )
    payments = write_csv(
        tmp_path / "2021年发放表.csv",
        [HEAD] + [f"{i},某,{people[k]},600,2021-06-01" for i, k in
                  enumerate(("clerk", "retired_clerk", "twice"), 1)],
    )  # fmt: skip
    result = check({"payments": [payments], "deaths": [], "payroll": [payroll]})
    assert result.count("payroll_payee") == 0
    assert result.data_problems == {"财政供养人员名单：入职或离职日期无法识别的行": 2}


def test_dates_with_a_time_and_unreadable_payment_cells_are_counted(
    tmp_path, people, registers
) -> None:
    result = run(
        tmp_path,
        [
            f"1,张三,{people['dead']},600,2021/3/5 0:00",  # Excel date cell saved as CSV
            f"2,张三,{people['dead']},600,2021-03-06 08:30",
            f"3,王五,{people['twice']},六百元,不详",
        ],
        registers,
    )
    assert [h[1] for h in hits_of(result, "deceased_payee")] == [2, 3]
    assert result.data_problems == {
        "发放名单：发放日期无法识别的行": 1,
        "发放名单：金额无法识别的行": 1,
    }


def test_scientific_notation_with_few_digits_left_is_not_linked(
    tmp_path, people, registers
) -> None:
    dead = people["dead"]
    result = run(
        tmp_path,
        [f"1,张三,{dead[0]}.{dead[1]}E+17,600,2021-03-05",  # "4.3E+17": a region's first digits
         f"2,张三,{dead[0]}.{dead[1:6]}E+17,600,2021-03-05"],  # Excel's 6 digits: linked
        registers,
    )  # fmt: skip
    assert hits_of(result, "deceased_payee") == [("2021年发放表.csv", 3, "张三", "damaged_id")]
    problems = {
        h["row"]: h["evidence"] for h in result.hits.to_pylist() if h["rule"] == "invalid_id"
    }
    assert "只剩 2 位，无法据以关联" in problems[2] and "只剩" not in problems[3]


def test_invisible_spaces_are_harmless(tmp_path, people, registers) -> None:
    dead = people["dead"]
    result = run(
        tmp_path,
        [f"1,张\u00a0三,{dead}\u00a0,600,2021-03-05",  # no-break space (from a web page)
         f"2,张三\u200b,{dead[:6]}\u200b{dead[6:]},600,2021-03-05"],  # zero-width space
        registers,
    )  # fmt: skip
    assert [h[1] for h in hits_of(result, "deceased_payee")] == [2, 3]
    assert result.count("invalid_id") == 0


def test_parameters_are_bound_never_written_into_the_sql() -> None:
    """A rule's SQL is printable as it runs: markers for the parameters, whose values
    travel apart (so a value such as Infinity or a quote can never become SQL)."""
    from decimal import Decimal

    from xuncha.crosscheck import RULES_BY_ID
    from xuncha.crosscheck.dialect import SparkDialect

    over, dead = RULES_BY_ID["over_standard"], RULES_BY_ID["deceased_payee"]
    sql = over.sql({"standard": Decimal("1234.56")})
    assert "$standard" in sql and "1234.56" not in sql
    assert ":standard" in over.sql({"standard": 9}, SparkDialect())
    assert "$grace_days" in dead.sql({"grace_days": 987}) and "987" not in dead.sql()
    assert over.bind({"standard": "1234.56"}) == {"standard": Decimal("1234.56")}
    assert dead.bind() == {"grace_days": 0}
    assert RULES_BY_ID["invalid_id"].bind({"standard": 1}) == {}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"standard": "Infinity"}, "发放标准应是一个有限的金额"),
        ({"standard": float("nan")}, "发放标准应是一个有限的金额"),
        ({"standard": "600'; DROP TABLE pay; --"}, "发放标准不是有效的金额"),
        ({"standard": -1}, "发放标准应大于 0"),
        ({"grace_days": 10**30}, "死亡后宽限天数过大"),
        ({"grace_days": float("inf")}, "死亡后宽限天数应是整数"),
        ({"grace_days": "三"}, "死亡后宽限天数应是整数"),
    ],
)
def test_the_python_api_refuses_parameters_out_of_range(tmp_path, kw, message) -> None:
    from xuncha.crosscheck import InputError

    payments = write_csv(tmp_path / "p.csv", [HEAD, "1,张三,1,600,2021-03-05"])
    with pytest.raises(ValueError, match=message) as raised:
        check({"payments": [payments]}, out=tmp_path / "o", params=kw)
    assert isinstance(raised.value, InputError)  # the CLI and the web job report it so
    assert not (tmp_path / "o").exists()  # refused before any work


def test_a_bound_standard_reads_in_the_evidence(tmp_path, people, registers) -> None:
    lines = [f"{i},王五,{people['twice']},300.5,2021-0{i}-01" for i in (1, 2)]
    result = run(tmp_path, lines, registers, standard="500.25", grace_days=3650)
    (hit,) = [h for h in result.hits.to_pylist() if h["rule"] == "over_standard"][:1]
    assert "合计发放 601.00 元，标准 500.25 元/人/年，超出 100.75 元" in hit["evidence"]


def test_a_spark_stage_path_with_a_quote_stays_a_path(tmp_path) -> None:
    """The one path DuckDB cannot take as a parameter (COPY's target) is a quoted literal."""
    import duckdb

    from xuncha.crosscheck.dialect import lit

    folder = tmp_path / "o'; DROP TABLE t; --"
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.execute(f"COPY t TO {lit(folder.as_posix())} (FORMAT parquet, PER_THREAD_OUTPUT true)")
    assert folder.is_dir() and con.execute("SELECT count(*) FROM t").fetchone() == (1,)
