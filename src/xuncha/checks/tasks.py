"""The cross-check's background jobs (worked by ``xuncha worker``)."""

from __future__ import annotations

from django.db import close_old_connections
from huey import crontab

from xuncha.common.jobs import queue

from . import services


@queue().task()
def check_run_task(run_id: int) -> None:
    close_old_connections()
    try:
        services.run_execute(run_id)
    finally:
        close_old_connections()


@queue().periodic_task(crontab(minute="*"))
def reap_task() -> None:
    """Every minute: runs whose worker died are marked failed."""
    close_old_connections()
    services.runs_reap()
