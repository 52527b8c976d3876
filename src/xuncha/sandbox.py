"""Run a function over an untrusted file in a child process with memory and time limits.

A hostile file can make a parser allocate half a terabyte (an xlsx cell at XFD1048576)
or spin for minutes; in the process that parses it, that is an abort that takes the web
server, the job worker or the CLI down with it. So every parse of a file from outside
goes through :func:`run`: a fresh Python (``python -I``: no current folder on the path,
no PYTHON* variables) with RLIMIT_AS, RLIMIT_CPU and a wall-clock deadline, which dies
with its parent. The result comes back pickled; an exception the function raises (a
domain error such as ``InputError``) is raised again in the caller; a crash, a limit or
a MemoryError becomes :class:`FileCrashed`, a Chinese sentence naming the file.

A fresh interpreter rather than ``fork``: the web server is multi-threaded and DuckDB
connections do not survive a fork; rather than multiprocessing's forkserver: no server
process to keep, and no re-import of the caller's ``__main__`` script in the child.
Imports no Django (decision 0009).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

GB = 1024**3


@dataclass(frozen=True)
class Limits:
    """What a child may use: address space (bytes, RLIMIT_AS; 0 for none) and wall-clock
    seconds."""

    memory: int
    seconds: float

    @property
    def cpu_seconds(self) -> int:
        """RLIMIT_CPU: a backstop should the child outlive the wait; parsers use several
        threads, so it is a multiple of the wall time."""
        return int(self.seconds * max(2, os.cpu_count() or 1)) + 10


DEFAULTS = {
    "parse": (2 * GB, 120.0),  # previews, identification, attachments, imported workbooks
    "check": (16 * GB, 6 * 3600.0),  # a whole cross-check run (DuckDB keeps to its own limit)
}


def limits(kind: str) -> Limits:
    """The limits for ``kind`` ("parse" or "check"), from XUNCHA_SANDBOX_<KIND>_MEMORY_MB
    and XUNCHA_SANDBOX_<KIND>_SECONDS when set (0 MB: no memory limit)."""
    memory, seconds = DEFAULTS[kind]
    env = f"XUNCHA_SANDBOX_{kind.upper()}"
    memory = int(_number(f"{env}_MEMORY_MB", memory / 1024 / 1024, zero=True) * 1024 * 1024)
    return Limits(memory=memory, seconds=_number(f"{env}_SECONDS", seconds, zero=False))


def _number(name: str, default: float, *, zero: bool) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 or (zero and value == 0)) or value == float("inf"):
        raise ValueError(f"环境变量 {name} 应是{'非负' if zero else '正'}数，而不是「{text}」。")
    return value


class FileCrashed(Exception):
    """The child reading ``file`` died, ran out of memory or passed its time limit."""

    def __init__(
        self, message: str, *, file: str = "", reason: str = "", limits: Limits | None = None
    ) -> None:
        super().__init__(message)
        self.file = file
        self.reason = reason
        self.limits = limits or Limits(memory=0, seconds=0)


def describe(limits_: Limits, why: str) -> str:
    """Why a child stopped, in Chinese ("memory", "time", "cpu" or an exit status)."""
    if why == "memory":
        return f"所需内存超过上限（{limits_.memory / GB:.3g} GB）"
    if why == "time":
        return f"用时超过上限（{limits_.seconds:.0f} 秒）"
    if why == "cpu":
        return f"占用的处理器时间超过上限（{limits_.cpu_seconds} 秒）"
    return f"读取程序异常退出（{why}）"


def crash_message(file: str, limits_: Limits, why: str) -> str:
    return f"文件「{file}」{_crash_text(limits_, why)}"


def _crash_text(limits_: Limits, why: str) -> str:
    return (
        f"读取失败：{describe(limits_, why)}，已停止读取。文件可能已损坏，"
        "或是恶意构造的文件（如压缩炸弹）；请在 Excel 中检查后另存，再提交。"
    )


def crash_reason(err: FileCrashed) -> str:
    """The crash without the file's name (for an error type that adds it itself)."""
    return _crash_text(err.limits, err.reason)


# ------------------------------------------------------------------ the parent


Progress = Callable[[float, str], None]


def run(
    fn: Callable[..., Any],
    *args: Any,
    file: str,
    limits: Limits,
    progress: Progress | None = None,
    **kwargs: Any,
) -> Any:
    """``fn(*args, **kwargs)`` in a child under ``limits``; its result, or its exception.

    ``fn`` must be importable by name from a module that imports no Django (the child
    has no settings); arguments and result must pickle. If ``progress`` is given, ``fn``
    is called with ``progress=`` a callable whose calls are relayed to it here. A crash
    raises :class:`FileCrashed` naming ``file``; so does a limit passed.
    """
    payload = pickle.dumps((fn, args, kwargs, limits, progress is not None), protocol=5)
    with _child(payload) as (proc, conn, errors):
        try:
            return _wait(proc, conn, limits, progress, file)
        except FileCrashed:
            _log_stderr(errors, file)
            raise


_BOOT = "import sys; sys.path[:0] = sys.argv[1:]; del sys.argv[1:]; from xuncha.sandbox import _child_main; _child_main()"


@contextlib.contextmanager
def _child(payload: bytes) -> Iterator[tuple[subprocess.Popen[bytes], int, Any]]:
    """A child started on the payload: the process, the read end of its result pipe and
    the file its stderr goes to (library noise such as a Rust abort, kept for the log)."""
    paths = [str(Path(__file__).resolve().parent.parent)]
    paths += [p for p in sys.path if p and os.path.isabs(p) and p != os.getcwd()]
    read, write = os.pipe()
    env = dict(os.environ, MALLOC_ARENA_MAX="2", RUST_BACKTRACE="0", XUNCHA_SANDBOX_FD=str(write),
               XUNCHA_SANDBOX_PARENT=str(os.getpid()))  # fmt: skip
    try:
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, *dict.fromkeys(paths)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
                pass_fds=(write,), env=env,
            )  # fmt: skip
            os.close(write)
            write = -1
            try:
                assert proc.stdin is not None
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.write(payload)
                    proc.stdin.close()
                yield proc, read, errors
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)


def _wait(
    proc: subprocess.Popen[bytes], conn: int, limits_: Limits, progress: Progress | None, file: str
) -> Any:
    """Relay progress until the child sends its outcome or stops; enforce the deadline."""
    deadline = time.monotonic() + limits_.seconds
    frames = _Frames(conn)
    poll = select.poll()  # not select(): a busy server's descriptors pass 1024
    poll.register(conn, select.POLLIN | select.POLLHUP)
    while True:
        frame = frames.take()
        if frame is None:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                raise _crashed(file, limits_, "time")
            ready = poll.poll(min(left, 1.0) * 1000)
            if ready and not frames.fill():  # closed without an outcome: the child died
                proc.wait()
                why = _death(proc.returncode)
                raise _crashed(file, limits_, why)
            continue
        tag, value = pickle.loads(frame)
        if tag == "progress" and progress is not None:
            progress(*value)
        elif tag == "ok":
            return value
        elif tag == "raise":
            raise value
        elif tag == "crash":
            raise _crashed(file, limits_, value)


def _crashed(file: str, limits_: Limits, why: str) -> FileCrashed:
    return FileCrashed(crash_message(file, limits_, why), file=file, reason=why, limits=limits_)


def _death(code: int | None) -> str:
    """A child's end as a reason: a signal from the kernel's limits, or its status."""
    if code == -signal.SIGXCPU:
        return "cpu"
    if code in (-signal.SIGABRT, -signal.SIGKILL):
        # Rust and C++ abort when an allocation fails under RLIMIT_AS; the kernel's OOM
        # killer sends SIGKILL.
        return "memory"
    if code is not None and code < 0:
        return f"信号 {-code}"
    return f"退出码 {code}"


class _Frames:
    """Length-prefixed pickles from a pipe: :meth:`fill` after select() says there is
    something to read, :meth:`take` each complete frame."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()

    def fill(self) -> bool:
        """Read what is there; False at the end of the pipe."""
        chunk = os.read(self.fd, 1 << 20)
        self.buf += chunk
        return bool(chunk)

    def take(self) -> bytes | None:
        if len(self.buf) < 8:
            return None
        (size,) = struct.unpack_from(">Q", self.buf)
        if len(self.buf) < 8 + size:
            return None
        frame = bytes(self.buf[8 : 8 + size])
        del self.buf[: 8 + size]
        return frame


def _log_stderr(errors: Any, file: str) -> None:
    """The first lines the child wrote to stderr (a Rust abort names the allocation),
    for the log only: at INFO, so that a CLI without logging prints none of it."""
    errors.seek(0)
    head = errors.read(2000).decode("utf-8", "replace").strip().splitlines()[:3]
    if head:
        log.info("sandboxed read of %s stopped: %s", file, " | ".join(head))


# ------------------------------------------------------------------ the child


def _child_main() -> None:
    """Entry point of the child: limits first, then the payload from stdin."""
    fd = int(os.environ.pop("XUNCHA_SANDBOX_FD"))
    parent = os.environ.pop("XUNCHA_SANDBOX_PARENT", "")
    out = os.fdopen(fd, "wb", buffering=0)
    _die_with_parent(parent)
    fn, args, kwargs, limits_, relay = pickle.loads(sys.stdin.buffer.read())
    _limit(limits_)

    def send(tag: str, value: Any) -> None:
        data = pickle.dumps((tag, value), protocol=5)
        out.write(struct.pack(">Q", len(data)) + data)

    if relay:
        kwargs["progress"] = lambda share, what: send("progress", (share, what))
    try:
        result = fn(*args, **kwargs)
    except BaseException as err:
        if _out_of_memory(err):
            send("crash", "memory")
            os._exit(0)
        send("raise", _picklable(err))
        os._exit(0)
    try:
        send("ok", result)
    except MemoryError:
        send("crash", "memory")
    out.close()
    os._exit(0)  # skip interpreter teardown: library threads may still hold the GIL


def _out_of_memory(err: BaseException) -> bool:
    """Python's MemoryError, or a library's own (DuckDB's OutOfMemoryException, Arrow's
    ArrowMemoryError): an allocation the limit refused."""
    return isinstance(err, MemoryError) or type(err).__name__ in (
        "OutOfMemoryException",
        "ArrowMemoryError",
    )


def _picklable(err: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError saying what
    it was; either way with the child's traceback as a note for the log."""
    note = "".join(traceback.format_exception(err)[-6:])
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        err = RuntimeError(f"{type(err).__name__}: {err}")
    err.add_note(f"(in the sandboxed child)\n{note}")
    return err


def _die_with_parent(parent: str) -> None:
    """Ask Linux to kill this child when the process that started it dies (a killed
    server or CLI leaves no parse running on)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if str(os.getppid()) != parent:
        os._exit(1)  # the parent died before the request took effect


def _limit(limits_: Limits) -> None:
    import resource

    if limits_.memory:
        resource.setrlimit(resource.RLIMIT_AS, (limits_.memory, limits_.memory))
    cpu = limits_.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
