"""The cards' daily background job (worked by ``xuncha worker``; registered in
:data:`xuncha.common.jobs.TASK_MODULES`)."""

from __future__ import annotations

from django.db import close_old_connections
from django.utils import timezone
from huey import crontab

from xuncha.common.jobs import queue

from .cards import cards_derive


@queue().periodic_task(crontab(minute="10", hour="0"))
def cards_derive_task() -> None:
    """Once a day (00:10 by the queue's clock): the day's red and yellow cards (a second run the same day
    changes nothing, so a missed or repeated run is harmless)."""
    close_old_connections()
    try:
        cards_derive(timezone.localdate())
    finally:
        close_old_connections()
