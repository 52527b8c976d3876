"""Ctrl+C (and SIGTERM) at every stage of a large `xuncha check`, by real signals to a
real process: reading (see test_faults.py), the rules on DuckDB in the run's child, and
writing the report in the CLI itself, where DuckDB turns a signal during a query into
its own error ("Query interrupted"). Each time: exactly "已中断…" on stderr, exit 130,
no DuckDB or thread traceback, and no output folder."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from test_faults import XUNCHA, _await, _start, lists  # noqa: F401  (lists: a fixture)


def _stop(run: subprocess.Popen[str], how: signal.Signals, group: bool) -> tuple[str, str]:
    if group:  # Ctrl+C at a terminal: the whole foreground group, the CLI and its child
        os.killpg(run.pid, how)
    else:  # kill: the CLI alone
        run.send_signal(how)
    return run.communicate(timeout=120)


def _assert_interrupted(run: subprocess.Popen[str], out: Path, stderr: str, *,
                        late_signal: bool = False) -> None:  # fmt: skip
    # A Ctrl+C that lands as Python is finishing (its handlers gone) ends the process
    # by the signal: the shell reports 130 all the same.
    assert run.returncode in ((130, -signal.SIGINT) if late_signal else (130,)), stderr
    assert stderr == f"已中断，未生成结果（{out} 中没有留下这一次的任何文件）。\n"
    assert not out.exists()


@pytest.mark.parametrize(("how", "group"), [(signal.SIGINT, True), (signal.SIGINT, False),
                                            (signal.SIGTERM, False)])  # fmt: skip
def test_stopped_while_writing_the_report(tmp_path, lists, how, group) -> None:  # noqa: F811
    out = tmp_path / "结果"
    run = _start(lists, out)
    _await(out, ".xuncha-report-", run)  # the CLI's DuckDB is summarising the hits
    _, stderr = _stop(run, how, group)
    _assert_interrupted(run, out, stderr)


def test_ctrl_c_pressed_again_and_again_while_it_stops(tmp_path, lists) -> None:  # noqa: F811
    """An impatient user: Ctrl+C every 20 ms from the report's start until the CLI has
    gone. The later ones must not break off the removal of the run's files or the
    threads' shutdown (a traceback from threading, a half-removed folder)."""
    out = tmp_path / "结果"
    run = _start(lists, out)
    _await(out, ".xuncha-report-", run)
    while run.poll() is None:
        os.killpg(run.pid, signal.SIGINT)
        time.sleep(0.02)
    _, stderr = run.communicate(timeout=120)
    _assert_interrupted(run, out, stderr, late_signal=True)


def test_ctrl_c_at_any_stage(tmp_path, lists) -> None:  # noqa: F811
    """Stopped at several points through a run (timed against an uninterrupted run of
    the same lists, the faster of two): reading, normalising, linking and the rules in
    the child, the report in the CLI."""
    took = []
    for i in range(2):
        t0 = time.monotonic()
        done = subprocess.run([XUNCHA, "check", *lists, "--out", str(tmp_path / f"全部{i}")],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr
        took.append(time.monotonic() - t0)
    for share in (0.3, 0.5, 0.65, 0.8):
        out = tmp_path / f"结果{share}"
        run = _start(lists, out)
        time.sleep(share * min(took))
        _, stderr = _stop(run, signal.SIGINT, group=True)
        _assert_interrupted(run, out, stderr)
