"""Run one corpus file through ``xuncha check`` as a user would, and judge the result
against the case's expectation (test_corpus.py asserts; run_corpus.py tabulates)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hostile.make_corpus import Case

EXIT_CODES = {0, 1, 2}  # documented: done, nothing could be checked, misuse
CLI_TIMEOUT = 180
BLANK = "空行"  # a blank line is no data line: it may be counted as skipped, or not
OUTPUTS = ("hits.csv", "疑点核查表.xlsx", "manifest.json")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LIVE = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CliResult:
    case: Case
    code: int | None = None  # None: killed after the timeout
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    manifest: dict | None = None
    out_files: list[str] = field(default_factory=list)  # what --out holds afterwards
    tmp_left: list[str] = field(default_factory=list)  # what the run left in its TMPDIR
    outputs_text: bytes = b""  # hits.csv + the workbook's XML, for leak checks
    formulas: list[str] = field(default_factory=list)  # live formulas in the outputs

    def outcome(self) -> str:
        """What happened, in a few words, for the table."""
        if self.code is None:
            return f"hung, killed after {CLI_TIMEOUT} s"
        if self.code == 0 and self.manifest is not None:
            used, skipped = accounted(self.manifest, self.case.file)
            return f"read {used}+{skipped} rows (exit 0)"
        return (
            f"refused (exit {self.code})" if self.code in EXIT_CODES else f"CRASH exit {self.code}"
        )


def run_cli(case: Case, corpus: Path, work: Path, python: str = sys.executable) -> CliResult:
    """``xuncha check --payments FILE --out DIR`` in a fresh folder with a TMPDIR of its
    own (whatever the run leaves in it is a leftover)."""
    here = work / case.name
    tmp, out = here / "tmp", here / "out"
    tmp.mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp),
           "XUNCHA_DATA_DIR": str(here / "data"), "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    for key in (
        "XUNCHA_DATABASE_URL",
        "XUNCHA_CACHE_URL",
        "XUNCHA_QUEUE_URL",
        "DJANGO_SETTINGS_MODULE",
        "XUNCHA_SETTINGS",
    ):  # as a user's shell has it
        env.pop(key, None)  # fmt: skip
    cmd = [python, "-m", "xuncha", "check", "--payments", str(corpus / case.name / case.file),
           "--out", str(out)]  # fmt: skip
    result = CliResult(case)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=here, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        stdout, stderr = proc.communicate(timeout=CLI_TIMEOUT)
        result.code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    result.seconds = round(time.monotonic() - started, 1)
    result.stdout = stdout.decode("utf-8", "replace")
    result.stderr = stderr.decode("utf-8", "replace")
    (here / "stdout.txt").write_bytes(stdout)
    (here / "stderr.txt").write_bytes(stderr)
    if out.is_dir():
        result.out_files = sorted(p.name for p in out.iterdir())
        _read_outputs(result, out)
    result.tmp_left = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*"))
    return result


def _read_outputs(result: CliResult, out: Path) -> None:
    if (out / "manifest.json").is_file():
        result.manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    hits = out / "hits.csv"
    if hits.is_file():
        text = hits.read_text(encoding="utf-8-sig", errors="replace")
        result.outputs_text += text.encode()
        for row in csv.reader(io.StringIO(text)):
            result.formulas += [c for c in row if c.startswith(_LIVE) and _payload(c)]
    book = out / "疑点核查表.xlsx"
    if book.is_file():
        with zipfile.ZipFile(book) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    xml = z.read(name)
                    result.outputs_text += xml
                    result.formulas += [
                        f"{name}: {m.decode(errors='replace')}"
                        for m in re.findall(rb"<f[ >][^<]*", xml)
                    ]


def _payload(cell: str) -> bool:
    """A hits.csv cell from one of the corpus's formula payloads (a negative amount is
    not one)."""
    return any(s in cell for s in ("HYPERLINK", "cmd|", "SUM(", "1+1", "2+3"))


def accounted(manifest: dict, file: str) -> tuple[int, int]:
    """(rows used, rows skipped with a reason other than being blank) of ``file``."""
    used = skipped = 0
    for source in manifest.get("inputs", []):
        if source.get("file") != file and Path(source.get("path", "")).name != file:
            continue
        for sheet in source.get("sheets", []):
            used += int(sheet.get("rows_used", 0))
            skipped += sum(
                int(n) for why, n in sheet.get("rows_skipped", {}).items() if why != BLANK
            )
    return used, skipped


def problems(manifest: dict) -> int:
    """Rows reported as data problems: the run's totals, and each sheet's own list."""
    found = sum(int(n) for n in manifest.get("data_problems", {}).values())
    for source in manifest.get("inputs", []):
        for sheet in source.get("sheets", []):
            found += sum(int(p.get("count", 0)) for p in sheet.get("problems", []))
    return found


def judge(r: CliResult) -> list[str]:
    """Every broken promise of this run, in words (empty: the case passes)."""
    c, fails = r.case, []
    tail = (r.stderr.strip().splitlines() or [""])[-1][:300]
    if r.code is None:
        return [f"no answer after {CLI_TIMEOUT} s (killed); stderr: {tail}"]
    if r.code not in EXIT_CODES:
        fails.append(f"crashed with exit code {r.code}; stderr: {tail}")
    if "Traceback (most recent call last)" in r.stderr + r.stdout:
        fails.append("traceback: " + _traceback_tail(r.stderr + r.stdout))
    if r.tmp_left:
        fails.append(f"left in TMPDIR: {', '.join(r.tmp_left[:5])}")
    if c.expect == "refused":
        fails += _judge_refusal(r)
    elif r.code in EXIT_CODES:
        fails += _judge_read(r)
    if "xxe" in c.tags and b"root:x:0:0" in r.outputs_text + r.stdout.encode():
        fails.append("the contents of /etc/passwd reached the outputs")
    return fails


def _judge_refusal(r: CliResult) -> list[str]:
    fails = []
    if r.code == 0:
        fails.append(f"read, not refused: {r.outcome()}; {_summary_line(r)}")
    elif r.code in EXIT_CODES:
        said = r.stderr + r.stdout
        if r.case.file not in said or not _CJK.search(said):
            fails.append(f"the refusal does not name the file in Chinese: {said.strip()[-300:]}")
        elif not all(word in said for word in r.case.says):
            fails.append(f"the refusal does not say {r.case.says}: {said.strip()[-300:]}")
    kept = [f for f in r.out_files if f in OUTPUTS or f.startswith(".xuncha-")]
    if r.code != 0 and kept:
        fails.append(f"left in --out after the refusal: {', '.join(kept)}")
    return fails


def _judge_read(r: CliResult) -> list[str]:
    c = r.case
    if r.code != 0 or r.manifest is None:
        return [f"refused, expected read ({c.rows} rows): exit {r.code}; {r.stderr.strip()[-300:]}"]
    fails = []
    used, skipped = accounted(r.manifest, c.file)
    if used + skipped != c.rows:
        fails.append(
            f"{c.rows} data lines, {used} used + {skipped} skipped = {used + skipped} "
            f"accounted for ({'silent row loss' if used + skipped < (c.rows or 0) else 'too many'})"
            f"; {_summary_line(r)}"
        )
    found = problems(r.manifest)
    if found < c.problems:
        fails.append(
            f"{found} rows reported as data problems, expected at least {c.problems}: "
            f"{r.manifest.get('data_problems')}"
        )
    if r.formulas:
        fails.append(f"live formulas in the outputs: {r.formulas[:3]}")
    if any(f.startswith(".xuncha-") for f in r.out_files):
        fails.append("a .xuncha-* staging folder was left in --out")
    return fails


def _summary_line(r: CliResult) -> str:
    lines = [
        s.strip() for s in r.stdout.splitlines() if s.strip().startswith(("读取", "跳过", "注意"))
    ]
    return " / ".join(lines)[:300]


def _traceback_tail(text: str) -> str:
    lines = text[text.index("Traceback (most recent call last)") :].strip().splitlines()
    return " | ".join(line.strip() for line in lines[-3:])[:400]
