"""The sham-rectification signals' daily background job (worked by ``xuncha worker``;
registered in :data:`xuncha.common.jobs.TASK_MODULES`)."""

from __future__ import annotations

from django.db import close_old_connections
from django.utils import timezone
from huey import crontab

from xuncha.common.jobs import queue

from .derive import signals_derive


@queue().periodic_task(crontab(minute="30", hour="0"))
def signals_derive_task() -> None:
    """Once a day (00:30, after the cards): fingerprint new evidence and texts, then the
    day's signals (a second run the same day changes nothing)."""
    close_old_connections()
    try:
        signals_derive(timezone.localdate())
    finally:
        close_old_connections()
