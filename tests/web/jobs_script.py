"""Driven by test_check_jobs.py in a separate process with its own data directory and
database, so that a real `xuncha worker` process can share them (the test database of
pytest lives in its process only).

    python jobs_script.py setup <data folder>   -> prints the run id
    python jobs_script.py wait <run> <status,…> -> prints the run as JSON once in a status
    python jobs_script.py hold <run>            -> its first file becomes a pipe a reader waits on
    python jobs_script.py release <run>         -> the file is back
    python jobs_script.py reap                  -> prints how many runs were reaped
    python jobs_script.py rerun <run>           -> queues the run again, prints the new id
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from factories import CadreFactory, TeamFactory, UnitFactory, UserFactory  # noqa: E402

from xuncha.accounts.models import Role  # noqa: E402
from xuncha.checks import services  # noqa: E402
from xuncha.checks.models import CheckRun  # noqa: E402
from xuncha.planning.models import TeamMember  # noqa: E402


def setup(folder: Path) -> int:
    call_command("migrate", interactive=False, verbosity=0)
    user = UserFactory(username="team", role=Role.TEAM)
    team = TeamFactory(name="第一巡察组")
    cadre = CadreFactory(name="甲", user=user, home_unit=UnitFactory(name="市财政局"))
    TeamMember.objects.create(team=team, cadre=cadre)
    files: dict[str, list[Path]] = {"payments": [], "deaths": [], "payroll": []}
    for path in sorted(folder.glob("*.csv")):
        if path.name != "truth.csv":
            kind = (
                "deaths"
                if "死亡" in path.name
                else "payroll"
                if "财政" in path.name
                else "payments"
            )
            files[kind].append(path)
    datasets = services.dataset_upload_files(team=team, by=user, files=files)
    run = services.run_start(team=team, by=user, datasets=datasets, params=services.RunParams())
    return run.pk


def wait(run_id: int, statuses: set[str], timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = CheckRun.objects.get(pk=run_id)
        if run.status in statuses and (run.status != "running" or run.worker):
            return {"status": run.status, "worker": run.worker, "error": run.error,
                    "progress": run.progress, "total": run.summary.get("total")}  # fmt: skip
        time.sleep(0.05)
    raise SystemExit(f"run {run_id} not in {statuses} after {timeout} s")


def held_path(run_id: int) -> Path:
    return Path(CheckRun.objects.get(pk=run_id).datasets.order_by("pk")[0].file.path)


def hold(run_id: int) -> None:
    """Put a named pipe where the run's first file is: the worker's read of it waits
    until a writer comes, which is never, so the run is caught running, however fast."""
    path = held_path(run_id)
    path.rename(path.with_name(path.name + ".held"))
    os.mkfifo(path)


def release(run_id: int) -> None:
    path = held_path(run_id)
    path.unlink()
    path.with_name(path.name + ".held").rename(path)


def rerun(run_id: int) -> int:
    old = CheckRun.objects.get(pk=run_id)
    run = services.run_start(team=old.team, by=old.created_by, datasets=list(old.datasets.all()),
                             params=services.RunParams())  # fmt: skip
    return run.pk


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        print(setup(Path(args[0])))
    elif command == "wait":
        print(json.dumps(wait(int(args[0]), set(args[1].split(",")))))
    elif command == "reap":
        print(services.runs_reap())
    elif command == "hold":
        hold(int(args[0]))
        print("held")
    elif command == "release":
        release(int(args[0]))
        print("released")
    elif command == "rerun":
        print(rerun(int(args[0])))
