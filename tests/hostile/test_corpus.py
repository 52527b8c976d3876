"""Issue 15's hostile corpus through `xuncha check` and through the web upload.

Each file (tests/hostile/make_corpus.py says what it is and what must become of it):
- CLI: no traceback, no crash (a documented exit code), nothing left in TMPDIR; a
  refusal names the file in Chinese and leaves nothing in --out; a read accounts for
  every data line (used, or skipped with a reason) and reports the data problems.
- Web: a real `xuncha serve`; no 500, no traceback, a refusal names the file in
  Chinese and keeps nothing; an accepted file's dataset page opens; and after every
  upload the public petition page still answers 200.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from hostile import cli_runner, make_corpus, web_runner
from hostile.conftest import record

CASES = make_corpus.all_cases()
_ids = {"ids": lambda c: c.name}


def test_the_corpus_covers_the_issue() -> None:
    """At least 60 files, both outcomes, and every kind the issue and its brief name."""
    names = {c.name for c in CASES}
    assert len(CASES) >= 60
    assert {"read", "refused"} == {c.expect for c in CASES}
    wanted = {
        "csv_empty", "xlsx_truncated", "xls_truncated", "csv_truncated", "pdf_as_xlsx",
        "png_as_csv", "zip_as_xlsx", "xlsx_encrypted", "csv_utf16le_bom", "csv_utf16be_bom",
        "csv_utf16le_nobom", "csv_gb18030_4byte", "csv_nul_early", "csv_10000_columns",
        "csv_200mb_one_line", "xlsx_xfd_dimension", "xlsx_xfd_no_dimension", "xlsx_zip_bomb",
        "csv_stray_quote", "xlsx_formula_no_cache", "xlsx_error_cells",
        "csv_duplicate_key_columns", "csv_hyperlink_name", "csv_formula_cells",
        "xlsx_formula_sheet_names", "xlsx_xxe", "xlsx_billion_laughs", "xlsx_deep_nesting",
        "xlsx_rel_id_mismatch", "xlsx_blank_rows_1m", "xlsx_huge_shared_strings",
        "csv_invalid_dates_amounts", "csv_mixed_encodings", "csv_bom_then_gbk", "csv_cr_only",
        "html_as_csv", "dir_symlink", "fifo",
    }  # fmt: skip
    assert wanted <= names, wanted - names


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    small = {c.name for c in CASES if not c.huge and c.web}
    first = make_corpus.build(tmp_path / "a", only=small)
    make_corpus.build(tmp_path / "b", only=small)
    for c in first:
        a, b = (tmp_path / side / c.name / c.file for side in "ab")
        assert a.read_bytes() == b.read_bytes(), c.name
    assert (tmp_path / "a" / "corpus.json").read_text(encoding="utf-8").count('"expect"') == len(
        first
    )


@pytest.mark.slow
def test_the_huge_files_are_what_they_claim(corpus: Path) -> None:
    line = corpus / "csv_200mb_one_line" / "一行200MB.csv"
    assert line.stat().st_size == 200_000_000
    with line.open("rb") as f:
        assert not any(
            b"\n" in chunk or b"\r" in chunk for chunk in iter(lambda: f.read(1 << 24), b"")
        )
    import zipfile

    bomb = corpus / "xlsx_zip_bomb" / "压缩炸弹.xlsx"
    with zipfile.ZipFile(bomb) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    assert bomb.stat().st_size < 8_000_000 and unpacked > 1_000_000_000


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c.web], **_ids)
def test_web(
    case: make_corpus.Case,
    corpus: Path,
    server: web_runner.Server,
    cli_runs: dict[str, Future[cli_runner.CliResult]],  # started first: runs meanwhile
) -> None:
    result = server.upload_case(case, corpus)
    fails = web_runner.judge(result)
    record(case, "web", result.outcome(), fails)
    assert not fails, f"{case.file} ({case.what}): " + "; ".join(fails)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, **_ids)
def test_cli(case: make_corpus.Case, cli_runs: dict[str, Future[cli_runner.CliResult]]) -> None:
    result = cli_runs[case.name].result()
    fails = cli_runner.judge(result)
    record(case, "cli", result.outcome(), fails)
    assert not fails, f"{case.file} ({case.what}): " + "; ".join(fails)


def _case(name: str) -> make_corpus.Case:
    return next(c for c in CASES if c.name == name)


def test_the_cli_judge_catches_each_broken_promise() -> None:
    """The judgement is not vacuous: each way a run can break a promise is reported."""
    read, refused = _case("csv_stray_quote"), _case("xlsx_zip_bomb")
    sheet = {"rows_used": 85, "rows_skipped": {"空行": 3}, "problems": []}
    manifest = {"inputs": [{"file": read.file, "sheets": [sheet]}], "data_problems": {}}
    silent = cli_runner.CliResult(read, code=0, manifest=manifest)
    assert "silent row loss" in " ".join(cli_runner.judge(silent))
    sheet.update(rows_used=199, rows_skipped={"引号不成对": 1})
    assert cli_runner.judge(silent) == []
    silent.formulas = ["xl/worksheets/sheet2.xml: <f>HYPERLINK"]
    assert "live formulas" in " ".join(cli_runner.judge(silent))
    crash = cli_runner.CliResult(refused, code=-6, stderr="Traceback (most recent call last):\nX")
    said = " ".join(cli_runner.judge(crash))
    assert "exit code -6" in said and "traceback" in said
    english = cli_runner.CliResult(refused, code=1, stderr="error: bad zip", out_files=["hits.csv"])
    said = " ".join(cli_runner.judge(english))
    assert "does not name the file" in said and "left in --out" in said
    hung = cli_runner.CliResult(refused, code=None, tmp_left=["duckdb.tmp"])
    assert "no answer" in " ".join(cli_runner.judge(hung))
    fine = cli_runner.CliResult(
        refused, code=1, stderr=f"无法比对：文件「{refused.file}」：压缩炸弹"
    )
    assert cli_runner.judge(fine) == []


def test_the_web_judge_catches_each_broken_promise() -> None:
    refused = _case("xlsx_xfd_dimension")
    down = web_runner.WebResult(refused, refused.file, error="RemoteDisconnected", died=True)
    said = " ".join(web_runner.judge(down))
    assert "no answer" in said and "petition page answered None" in said and "died" in said
    kept = web_runner.WebResult(refused, refused.file, status=200, landed="dataset",
                                dataset_status=200, public_status=200)  # fmt: skip
    assert "accepted, expected refused" in " ".join(web_runner.judge(kept))
    vague = web_runner.WebResult(refused, refused.file, status=200, landed="team",
                                 public_status=200, messages=[("error", "请选择数据类别和文件。")],
                                 media_added=["checks/1/x.xlsx"])  # fmt: skip
    said = " ".join(web_runner.judge(vague))
    assert "naming the file" in said and "kept after the refusal" in said
    clear = web_runner.WebResult(refused, refused.file, status=200, landed="team",
                                 public_status=200,
                                 messages=[("error", f"文件「{refused.file}」：使用范围异常大")])  # fmt: skip
    assert web_runner.judge(clear) == []
