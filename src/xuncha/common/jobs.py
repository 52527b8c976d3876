"""Background jobs (see docs/decisions/0007-background-jobs.md).

One huey instance for the whole app: a queue in a SQLite file in the data directory by
default (no server to install), Redis when ``XUNCHA_QUEUE_URL=redis://…``. Tasks are
declared in each app's ``tasks.py`` and worked by ``xuncha worker`` (which ``xuncha
serve`` starts for the embedded queue).

The queue only carries "run job N"; what a job is and how far it got lives in the
database (e.g. :class:`xuncha.checks.models.CheckRun`), so pages read progress from
there and a job whose worker died is found by its stale heartbeat, not by the queue.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections
from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

TASK_MODULES = (
    "xuncha.checks.tasks",
    "xuncha.supervision.jobs",
    "xuncha.sham.jobs",
    "xuncha.selfchecks.jobs",
    "xuncha.documents.jobs",
    "xuncha.planning.jobs",
    "xuncha.worklist.jobs",
)
HEARTBEAT_SECONDS = 5


@cache
def queue() -> Huey:
    """The app's queue, built from the settings on first use."""
    url = settings.QUEUE_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(settings.QUEUE_NAME, url=url, results=False)
    if url:
        raise ValueError(
            f"XUNCHA_QUEUE_URL 只支持 redis://…（或留空使用内置队列），而不是「{url}」。"
        )
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        settings.QUEUE_NAME, filename=str(settings.DATA_DIR / "queue.sqlite3"), results=False
    )


def load_tasks() -> None:
    """Import every app's tasks so the queue knows them (the worker needs this)."""
    for name in TASK_MODULES:
        importlib.import_module(name)


def worker_id() -> str:
    """Who is running a job: host and process, shown on a failed job."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(worker: str) -> bool | None:
    """Whether the worker process named by :func:`worker_id` still runs (None when it ran
    on another machine, where only its heartbeat tells)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker stays a zombie until its parent reaps it: dead all the same
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


@contextmanager
def heartbeat(beat: Callable[[], None], every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Call ``beat`` every ``every`` seconds on a helper thread while the block runs, so a
    long step (reading a 2,000,000-row file) still shows the job is alive."""
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every):
                close_old_connections()
                try:
                    beat()
                except Exception:  # a busy database now and then must not end the job
                    log.warning("heartbeat failed", exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_worker(workers: int = 1) -> None:
    """Work the queue until stopped (SIGINT/SIGTERM). Jobs run in worker processes, so
    a long cross-check never holds the web server's interpreter."""
    load_tasks()
    connections.close_all()  # forked workers open their own
    # An idle worker polls the embedded queue at least twice a second (huey's default backs
    # off to 10 s, which a user waiting for a run would notice); Redis blocks instead.
    consumer = queue().create_consumer(
        workers=workers, worker_type="process", periodic=True, check_worker_health=True,
        health_check_interval=5, initial_delay=0.1, backoff=1.15, max_delay=0.5,
    )  # fmt: skip
    consumer.run()
