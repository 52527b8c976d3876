"""The rules' generated SQL (every program's), pinned by golden files: one per rule and per engine, in
tests/crosscheck/golden/<rule>.<engine>.sql, exactly what ``xuncha rules --sql RULE
--engine ENGINE`` prints. An unintended change to a rule's SQL (or to a dialect
function, or a shared table it reads) fails here and shows in review as a diff of
these files.

After an intended change, regenerate the files and review the diff:

    XUNCHA_REGEN_GOLDEN=1 .venv/bin/pytest tests/crosscheck/test_golden_sql.py -q
    git diff tests/crosscheck/golden/
"""

import os
from pathlib import Path

import pytest

from xuncha.cli import main
from xuncha.crosscheck.dialect import DIALECTS
from xuncha.crosscheck.programs import all_rules
from xuncha.crosscheck.rules import printed_sql

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("XUNCHA_REGEN_GOLDEN") == "1"
RULES_BY_ID = all_rules()  # every program's
CASES = [(rule_id, engine) for rule_id in RULES_BY_ID for engine in DIALECTS]


def golden(rule_id: str, engine: str) -> Path:
    return GOLDEN / f"{rule_id}.{engine}.sql"


@pytest.mark.parametrize(("rule_id", "engine"), CASES)
def test_rule_sql_matches_its_golden_file(rule_id: str, engine: str) -> None:
    sql = printed_sql(RULES_BY_ID[rule_id], DIALECTS[engine])
    path = golden(rule_id, engine)
    if REGEN:
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), (
        f"no golden file {path.name}: run XUNCHA_REGEN_GOLDEN=1 (module docstring)"
    )
    assert sql == path.read_text(encoding="utf-8"), (
        f"{rule_id}'s {engine} SQL changed: if intended, regenerate (module docstring) and review"
    )


def test_no_golden_file_without_a_rule() -> None:
    expected = {golden(r, e).name for r, e in CASES}
    assert {p.name for p in GOLDEN.glob("*.sql")} == expected


def test_golden_files_differ_by_dialect_where_the_rule_uses_it() -> None:
    # The Spark files are not copies of DuckDB's: parameter markers and date functions differ.
    assert ":standard" in golden("over_standard", "spark").read_text(encoding="utf-8")
    assert "$standard" in golden("over_standard", "duckdb").read_text(encoding="utf-8")
    assert "date_add(" in golden("deceased_payee", "spark").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", [None, "spark"])
def test_cli_prints_the_golden_sql(engine: str | None, capsys) -> None:
    argv = ["rules", "--sql", "over_standard", *(["--engine", engine] if engine else [])]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out == golden("over_standard", engine or "duckdb").read_text(encoding="utf-8")


def test_cli_engine_alone_is_a_usage_error(capsys) -> None:
    assert main(["rules", "--engine", "spark"]) == 2
    assert "--engine 只与 --sql 一起使用" in capsys.readouterr().err


def test_cli_unknown_rule_is_refused_in_chinese(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["rules", "--sql", "无此规则"])
    assert done.value.code == 2
    assert "选项 --sql 的值 '无此规则' 无效（可选：'deceased_payee'" in capsys.readouterr().err


@pytest.mark.parametrize("rule", list(RULES_BY_ID.values()), ids=lambda r: r.id)
def test_printed_duckdb_sql_is_valid_sql(rule) -> None:
    import duckdb

    # Parsed by DuckDB itself: the shared tables' statements, then the rule's SELECT.
    statements = duckdb.extract_statements(printed_sql(rule, DIALECTS["duckdb"]))
    assert len(statements) == len(rule.tables) + 1
    assert statements[-1].type == duckdb.StatementType.SELECT
