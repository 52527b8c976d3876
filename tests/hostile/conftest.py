"""The hostile corpus, generated once per session into a temporary folder; the CLI runs
(two at a time, in the background from the first test on); one shared server for the
web uploads; and the table of outcomes printed at the end of the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from hostile import cli_runner, make_corpus, web_runner

CLI_POOL = 2
OUTCOMES: dict[
    str, dict[str, tuple[str, list[str]]]
] = {}  # case -> {"cli"/"web": (outcome, fails)}


def record(case: make_corpus.Case, where: str, outcome: str, fails: list[str]) -> None:
    OUTCOMES.setdefault(case.name, {})[where] = (outcome, fails)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-corpus")
    make_corpus.build(folder)
    return folder


@pytest.fixture(scope="session")
def cli_runs(
    request: pytest.FixtureRequest, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[cli_runner.CliResult]]]:
    """Every selected CLI case, started at once on a pool of two; each test waits on its
    own run (so the web uploads go on meanwhile)."""
    selected = {
        item.callspec.params["case"].name
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_cli" and hasattr(item, "callspec")
    }
    work = tmp_path_factory.mktemp("hostile-cli")
    with ThreadPoolExecutor(CLI_POOL) as pool:
        futures = {
            c.name: pool.submit(cli_runner.run_cli, c, corpus, work)
            for c in make_corpus.all_cases()
            if c.name in selected
        }
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[web_runner.Server]:
    with web_runner.Server(tmp_path_factory.mktemp("hostile-web")) as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not OUTCOMES:
        return
    lines = ["| case | expected | CLI | web |", "|---|---|---|---|"]
    failing = 0
    for case in make_corpus.all_cases():
        got = OUTCOMES.get(case.name)
        if not got:
            continue
        failing += any(fails for _, fails in got.values())
        expect = case.expect + (f" {case.rows} rows" if case.rows is not None else "")
        cells = []
        for where in ("cli", "web"):
            outcome, fails = got.get(where, ("—", []))
            verdict = (
                "" if outcome == "—" else " — ok" if not fails else " — FAIL: " + "; ".join(fails)
            )
            cells.append((outcome + verdict).replace("|", "\\|").replace("\n", " "))
        lines.append(f"| {case.name} | {expect} | {cells[0]} | {cells[1]} |")
    lines.append(f"\n{failing} of {len(OUTCOMES)} cases fail somewhere.")
    text = "\n".join(lines)
    terminalreporter.write_sep("=", "hostile corpus: case → CLI outcome, web outcome")
    terminalreporter.write_line(text)
    if target := os.environ.get("XUNCHA_HOSTILE_TABLE"):
        Path(target).write_text(text + "\n", encoding="utf-8")
