"""The job worker `xuncha serve` starts: isolated from the current folder, reported and
started again when it dies, given up on (with the reason) when it keeps dying."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from xuncha.supervise import WorkerSupervisor


def test_a_worker_that_keeps_dying_is_given_up_on_with_the_reason() -> None:
    said: list[str] = []
    watch = WorkerSupervisor([sys.executable, "-c", "raise SystemExit(3)"], quick=30,
                             max_quick=3, backoff=(0.05,), say=said.append).start()  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not watch.gave_up and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watch.stop()
    assert watch.gave_up and watch.starts == 3
    assert said[0].startswith("警告：后台任务进程意外退出（退出码 3")
    assert "连续 3 次启动后很快退出（退出码 3），已停止重启" in said[-1]


def children(pid: int) -> list[int]:
    """The child processes of ``pid``, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that just ended
            found += [int(c) for c in (task / "children").read_text().split()]
    return sorted(found)


def _lines(stream) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in stream], daemon=True).start()
    return lines


def _until(lines: queue.Queue[str], text: str, seen: list[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} in:\n{''.join(seen)}")


def test_serve_keeps_its_worker_isolated_and_restarts_it_when_killed(tmp_path: Path) -> None:
    """A json.py in the folder `xuncha serve` is started from does not kill the worker
    (it did: `python -m` put the folder first on sys.path); a worker killed by SIGKILL
    is reported on stderr and replaced."""
    (tmp_path / "json.py").write_text("raise SystemExit('the shadowing json.py was imported')")
    env = {**os.environ, "XUNCHA_DATA_DIR": str(tmp_path / "site"), "XUNCHA_SETTINGS": "base"}
    for name in ("XUNCHA_DATABASE_URL", "XUNCHA_QUEUE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    xuncha = str(Path(sys.executable).with_name("xuncha"))  # the console script, as installed
    # In a process group of its own, so that everything it starts can be ended with it.
    server = subprocess.Popen([xuncha, "serve", "--port", "0"], cwd=tmp_path, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    seen: list[str] = []
    try:
        lines = _lines(server.stdout)
        _until(lines, "后台任务进程已启动", seen)
        deadline = time.monotonic() + 60
        while not children(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        (first,) = children(server.pid)
        assert "-P" in Path(f"/proc/{first}/cmdline").read_bytes().split(b"\0")[1:2][0].decode()
        time.sleep(3)  # long enough for a shadowed import to have killed it
        assert server.poll() is None and children(server.pid) == [first], "".join(seen)
        assert not any("shadowing" in line or "意外退出" in line for line in seen)
        os.kill(first, signal.SIGKILL)
        said = _until(lines, "后台任务进程意外退出", seen)
        assert "被信号 SIGKILL 终止" in said and str(first) in said
        deadline = time.monotonic() + 30
        while children(server.pid) in ([], [first]) and time.monotonic() < deadline:
            time.sleep(0.1)
        (second,) = children(server.pid)
        time.sleep(3)
        assert second != first and children(server.pid) == [second], "".join(seen)
        assert "worker" in Path(f"/proc/{second}/cmdline").read_text()
    finally:
        try:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        finally:
            _end_group(server.pid)


def _end_group(pgid: int) -> None:
    """SIGKILL to what is left of the process group: the job queue's own processes, which
    the worker killed by SIGKILL above left running (SIGTERM does not end them)."""
    with contextlib.suppress(ProcessLookupError):  # nothing left
        os.killpg(pgid, signal.SIGKILL)
