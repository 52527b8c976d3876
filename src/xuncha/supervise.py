"""The background-job worker ``xuncha serve`` runs beside the web server, watched.

The worker is started isolated from the current folder (``python -P``: the folder is
not put on ``sys.path``, so a ``json.py`` lying there cannot shadow the standard
module), with the server's environment and its data folder spelled out. When it dies,
the server says so on stderr, in Chinese, and starts it again after a pause that grows
with each quick death; after :data:`MAX_QUICK_DEATHS` deaths in a row within
:data:`QUICK_SECONDS` of starting it gives up, saying why, and the web pages go on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

QUICK_SECONDS = 30.0
MAX_QUICK_DEATHS = 5
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0)


def worker_command() -> list[str]:
    """``xuncha worker`` by this interpreter, the current folder kept off sys.path."""
    return [sys.executable, "-P", "-m", "xuncha", "worker"]


def _death_signal() -> Callable[[], None] | None:
    """In the child on Linux: SIGTERM when the server dies, even by SIGKILL (prctl
    PR_SET_PDEATHSIG). Resolved here, so the forked child imports nothing."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"被信号 {signal.Signals(-code).name} 终止"
        except ValueError:
            return f"被信号 {-code} 终止"
    return f"退出码 {code}"


class WorkerSupervisor:
    """Runs ``command`` and starts it again whenever it dies, until :meth:`stop`.

    The child is started on the supervising thread (a parent-death signal follows the
    thread that made the child, and this thread lives as long as the watch)."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        quick: float = QUICK_SECONDS,
        max_quick: int = MAX_QUICK_DEATHS,
        backoff: Sequence[float] = BACKOFF,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.command, self.env = list(command), env
        self.quick, self.max_quick, self.backoff = quick, max_quick, tuple(backoff)
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.gave_up = False
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> WorkerSupervisor:
        self._thread.start()
        self._started.wait(timeout=30)
        return self

    def _spawn(self) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            # Its own process group: what the worker started (the job queue's consumer
            # processes) goes with it when it dies, even by SIGKILL (see _end_group).
            self.process = subprocess.Popen(self.command, env=self.env,
                                            preexec_fn=_death_signal(), process_group=0)  # fmt: skip
            self.starts += 1
        self._started.set()
        return True

    def _watch(self) -> None:
        quick_deaths = 0
        while self._spawn():
            began = time.monotonic()
            assert self.process is not None
            code = self.process.wait()
            _end_group(self.process.pid)
            if self._stopping.is_set():
                return
            quick_deaths = quick_deaths + 1 if time.monotonic() - began < self.quick else 1
            if quick_deaths >= self.max_quick:
                self.gave_up = True
                self.say(f"错误：后台任务进程连续 {quick_deaths} 次启动后很快退出（{_how(code)}），"
                         "已停止重启；数据比对等后台任务不会运行。请查看上面的错误信息（例如当前目录中"
                         "与 Python 模块同名的文件、数据库或队列的设置），修正后重新启动 xuncha serve，"
                         "或另行运行 xuncha worker。")  # fmt: skip
                self._started.set()
                return
            pause = self.backoff[min(quick_deaths - 1, len(self.backoff) - 1)]
            self.say(f"警告：后台任务进程意外退出（{_how(code)}，进程 {self.process.pid}），"
                     f"{pause:g} 秒后重新启动。正在运行的比对会被标记为失败，可以重新运行。")  # fmt: skip
            if self._stopping.wait(pause):
                return

    def stop(self, timeout: float = 30) -> None:
        """Stop watching and end the worker (SIGTERM, then SIGKILL after ``timeout``)."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None:
            _end_group(process.pid)
        self._thread.join(timeout=5)


def _end_group(pid: int) -> None:
    """End what is left of a worker's process group: a worker killed outright (the
    out-of-memory killer) leaves its job-queue processes running as orphans, which
    would go on taking jobs beside the next worker's."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def start_worker(data_dir: str) -> WorkerSupervisor:
    """The supervised worker for ``xuncha serve``: the server's environment, with the
    data folder fixed (it would otherwise follow the worker's current folder)."""
    env = {**os.environ, "XUNCHA_DATA_DIR": data_dir}
    return WorkerSupervisor(worker_command(), env=env).start()
