"""Cross-check runs through the real queue: SQLite-file queue by default, Redis when
XUNCHA_QUEUE_URL is set (CI runs both); and a real `xuncha worker` process killed in
the middle of a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from huey import SqliteHuey

from xuncha.checks import services
from xuncha.checks.models import CheckRun, RunStatus
from xuncha.common import jobs
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.supervise import worker_command

SCRIPT = Path(__file__).with_name("jobs_script.py")


@pytest.fixture
def queue():
    """The app's queue as the settings make it (a SQLite file in the test data folder,
    or Redis when XUNCHA_QUEUE_URL is set), emptied before and after."""
    huey = jobs.queue()
    huey.flush()
    yield huey
    huey.flush()


@pytest.mark.django_db(transaction=True)
def test_a_run_goes_through_the_queue(world, queue, tmp_path):
    data = generate(tmp_path / "data", DatagenConfig(payments=800, seed=3))
    by = world.users["team"]
    datasets = services.dataset_upload_files(team=world.team, by=by, files=data.files())
    run = services.run_start(team=world.team, by=by, datasets=datasets, params=services.RunParams())
    assert len(queue) == 1  # queued once the transaction committed
    assert CheckRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    task = queue.dequeue()
    queue.execute(task)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.summary["total"] > 0
    # A second message for the same run (a retry, a duplicate) does nothing.
    queue.enqueue(task)
    queue.execute(queue.dequeue())
    assert CheckRun.objects.get(pk=run.pk).finished_at == run.finished_at


def _env(tmp_path: Path) -> tuple[dict[str, str], str | None]:
    env = {**os.environ, "XUNCHA_SETTINGS": "base", "XUNCHA_DATA_DIR": str(tmp_path / "site"),
           "DJANGO_SETTINGS_MODULE": "xuncha.config.settings.base",
           "XUNCHA_QUEUE_NAME": f"xuncha-kill-{uuid.uuid4().hex[:8]}",
           "XUNCHA_JOB_STALE_SECONDS": "60"}  # fmt: skip
    (tmp_path / "site").mkdir()
    database = None
    if connection.vendor == "postgresql":  # a database of its own, dropped afterwards
        database = f"xuncha_jobs_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as c:
            c.execute(f"CREATE DATABASE {database}")
        base = os.environ["XUNCHA_DATABASE_URL"].rsplit("/", 1)[0]
        env["XUNCHA_DATABASE_URL"] = f"{base}/{database}"
    else:
        env.pop("XUNCHA_DATABASE_URL", None)
    return env, database


def _script(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """`xuncha worker` as `xuncha serve` starts it, in a session of its own."""
    return subprocess.Popen(worker_command(), env=env, cwd=cwd, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _scratch(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "site" / "tmp").glob(".xuncha-*"))


def _await_scratch(tmp_path: Path) -> list[str]:
    """The run's scratch folder, once its check child has started and made it."""
    deadline = time.monotonic() + 120
    while not _scratch(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _scratch(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_halfway_fails_the_run_and_a_rerun_works(tmp_path):
    """kill -9 of a worker in the middle of a run, then the next worker's start: the run
    is failed, its folder and scratch files (full ID numbers) are gone, a rerun works."""
    generate(tmp_path / "data", DatagenConfig(payments=20_000, seed=5, xlsx=False))
    env, database = _env(tmp_path)
    cwd = tmp_path / "cwd"  # a folder with a file shadowing a standard module
    cwd.mkdir()
    (cwd / "json.py").write_text("raise SystemExit('json.py in the current folder was imported')")
    worker = None
    try:
        run_id = _script(env, "setup", str(tmp_path / "data"))
        _script(env, "hold", run_id)  # the worker will wait on its first file
        worker = _worker(env, cwd)
        running = json.loads(_script(env, "wait", run_id, "running,done,failed"))
        assert running["status"] == "running", running  # caught in the middle
        pid = int(str(running["worker"]).rsplit(":", 1)[1])
        assert pid != worker.pid  # a worker process of the consumer, not the consumer
        [scratch] = _await_scratch(tmp_path)  # made by the worker's check child (xuncha.sandbox)
        child = int(scratch.rsplit("-", 2)[1])
        assert Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid)
        os.kill(pid, signal.SIGKILL)  # its child dies with it
        for _ in range(100):  # the kernel takes a moment to end a killed process
            if jobs.pid_alive(str(running["worker"])) is False:
                break
            time.sleep(0.1)
        # Reaped here, or already by the minute's reap task the new worker process ran first.
        assert _script(env, "reap") in ("0", "1")
        failed = json.loads(_script(env, "wait", run_id, "failed"))
        assert "工作进程已退出" in str(failed["error"]) and "可以重新运行" in str(failed["error"])
        site = tmp_path / "site" / "media" / "checks" / "runs" / run_id
        assert not site.exists() and _scratch(tmp_path) == []  # nothing half-written
        # The consumer replaced its dead worker; a new run of the same data completes.
        _script(env, "release", run_id)
        again = _script(env, "rerun", run_id)
        done = json.loads(_script(env, "wait", again, "done,failed"))
        assert done["status"] == "done" and int(str(done["total"])) > 0, done
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        _drop(database)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_whole_is_cleaned_up_by_the_next_worker(tmp_path):
    """kill -9 of the whole worker (consumer and its processes) while a run is being
    read: no reaper ran, so the next worker, at its start, fails the run and removes
    what it left, before working the queue."""
    generate(tmp_path / "data", DatagenConfig(payments=2_000, seed=6, xlsx=False))
    env, database = _env(tmp_path)
    worker = None
    try:
        run_id = _script(env, "setup", str(tmp_path / "data"))
        _script(env, "hold", run_id)
        worker = _worker(env, tmp_path)
        running = json.loads(_script(env, "wait", run_id, "running,done,failed"))
        assert running["status"] == "running", running
        assert _await_scratch(tmp_path)  # its scratch folder, with the rows read so far
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
        # A half-written report of the run, as a worker killed while writing it leaves.
        half = tmp_path / "site" / "media" / "checks" / "runs" / run_id / ".xuncha-report-1-x"
        half.mkdir(parents=True)
        (half / "hits.csv").write_text("全部身份证号码")
        _script(env, "release", run_id)
        worker = _worker(env, tmp_path)
        failed = json.loads(_script(env, "wait", run_id, "failed"))
        assert "工作进程已退出" in str(failed["error"]), failed
        assert not half.parent.exists() and _scratch(tmp_path) == []
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        _drop(database)


def _drop(database: str | None) -> None:
    if database:
        connection.close()
        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def test_queue_follows_the_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QUEUE_URL = ""
    jobs.queue.cache_clear()
    try:
        assert isinstance(jobs.queue(), SqliteHuey) and (tmp_path / "queue.sqlite3").exists()
        settings.QUEUE_URL = "amqp://elsewhere"
        jobs.queue.cache_clear()
        with pytest.raises(ValueError, match="XUNCHA_QUEUE_URL"):
            jobs.queue()
        settings.QUEUE_URL = "redis://127.0.0.1:6379/13"
        jobs.queue.cache_clear()
        assert not isinstance(jobs.queue(), SqliteHuey)
    finally:
        jobs.queue.cache_clear()
    assert settings.JOB_STALE_SECONDS > 0
