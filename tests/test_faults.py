"""`xuncha check` stopped by real signals: kill -9 in the middle of reading or of writing
the report, Ctrl+C and SIGTERM. A killed run's scratch (full ID numbers) stays only in
the output folder the user chose, and the next run into it removes it; an interrupted
run says so, without a traceback, and leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xuncha.crosscheck import workdir
from xuncha.crosscheck.datagen import DatagenConfig, generate

XUNCHA = str(Path(sys.executable).with_name("xuncha"))
OUTPUTS = ["hits.csv", "manifest.json", "疑点核查表.xlsx"]


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    data = generate(tmp_path_factory.mktemp("lists"), DatagenConfig(payments=60_000, seed=9,
                                                                   xlsx=False))  # fmt: skip
    return ["--payments", *map(str, data.payments), "--deaths", *map(str, data.deaths),
            "--payroll", *map(str, data.payroll)]  # fmt: skip


def _env(tmp_path: Path) -> dict[str, str]:
    """The system temp folder made private to the test, to see what lands there."""
    (tmp_path / "systemp").mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp_path / "systemp")}


def _start(lists: list[str], out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([XUNCHA, "check", *lists, "--out", str(out)], text=True,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(out.parent))  # fmt: skip


def _await(out: Path, prefix: str, proc: subprocess.Popen[str]) -> list[Path]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        found = list(out.glob(prefix + "*"))
        if found:
            return found
        time.sleep(0.01)
    raise AssertionError(f"no {prefix}* in {out} while the run lasted: {proc.communicate()}")


def _await_released(folders: list[Path]) -> None:
    """Wait until the killed group's last process (the check's child, which outlives the
    CLI by a moment) is gone and its lock with it: the next run sweeps only unlocked
    folders, as it must not take a live run's."""
    deadline = time.monotonic() + 60
    while any(workdir._in_use(p) for p in folders) and time.monotonic() < deadline:
        time.sleep(0.05)


def _system_temp(tmp_path: Path) -> list[str]:
    return [p.name for p in (tmp_path / "systemp").iterdir()]


@pytest.mark.parametrize("stage", [".xuncha-work-", ".xuncha-report-"])
def test_kill_9_then_the_next_run_leaves_nothing_behind(tmp_path, lists, stage) -> None:
    out = tmp_path / "结果"
    killed = _start(lists, out)
    left = _await(out, stage, killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert all(p.exists() for p in left)  # what kill -9 leaves: the hidden folder, ID numbers
    _await_released(left)
    assert _system_temp(tmp_path) == []  # … and nowhere but the folder the user chose
    again = subprocess.run([XUNCHA, "check", *lists[:2], "--out", str(out)], capture_output=True,
                           text=True, timeout=600, env=_env(tmp_path))  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS
    assert _system_temp(tmp_path) == []


@pytest.mark.parametrize(("how", "group"), [(signal.SIGINT, True), (signal.SIGINT, False),
                                            (signal.SIGTERM, False)])  # fmt: skip
def test_ctrl_c_or_sigterm_says_interrupted_and_leaves_nothing(tmp_path, lists, how, group):
    """Ctrl+C reaches the whole foreground group (the CLI and its child); `kill` only the
    CLI. Either way: 已中断, exit 130, no traceback, no output folder made by the run."""
    out = tmp_path / "结果"
    run = _start(lists, out)
    _await(out, ".xuncha-work-", run)
    time.sleep(0.5)  # well into reading
    if group:
        os.killpg(run.pid, how)
    else:
        run.send_signal(how)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, (stdout, stderr)
    assert "已中断，未生成结果" in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_a_full_disk_while_writing_the_report_is_said_and_leaves_nothing(tmp_path) -> None:
    disk = tmp_path / "小盘"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(disk)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("this test needs to mount a 32 KB tmpfs (root)")
    try:
        data = generate(tmp_path / "lists", DatagenConfig(payments=20_000, seed=4, xlsx=False))
        argv = [
            XUNCHA,
            "check",
            "--payments",
            *map(str, data.payments),
            "--out",
            str(disk / "结果"),
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        assert done.returncode == 1, done.stderr
        assert f"结果无法写入输出目录「{disk / '结果'}」" in done.stderr
        assert "Traceback" not in done.stderr and list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
