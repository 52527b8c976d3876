"""The task lists' daily 催办 job (worked by ``xuncha worker``; registered in
:data:`xuncha.common.jobs.TASK_MODULES`)."""

from __future__ import annotations

from django.db import close_old_connections
from django.utils import timezone
from huey import crontab

from xuncha.common.jobs import queue

from .services import reminders_derive


@queue().periodic_task(crontab(minute="20", hour="0"))
def worklist_remind_task() -> None:
    """Once a day (00:20 by the queue's clock): reminders for overdue items and missing
    monthly reports (a second run the same day adds nothing)."""
    close_old_connections()
    try:
        reminders_derive(timezone.localdate())
    finally:
        close_old_connections()
