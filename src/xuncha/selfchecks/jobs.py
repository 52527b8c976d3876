"""The grouping's background jobs (worked by ``xuncha worker``; registered in
:data:`xuncha.common.jobs.TASK_MODULES`)."""

from __future__ import annotations

from django.db import close_old_connections
from huey import crontab

from xuncha.common.jobs import queue

from .services import grouping_build


def _build() -> None:
    close_old_connections()
    try:
        grouping_build()
    finally:
        close_old_connections()


@queue().task()
def grouping_task() -> None:
    """On the office's request (the 重新分组 button)."""
    _build()


@queue().periodic_task(crontab(minute="40", hour="0"))
def grouping_daily_task() -> None:
    """Once a day (00:40 by the queue's clock), so the candidates include the day's findings."""
    _build()
