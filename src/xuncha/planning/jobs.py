"""The term plan's background job (worked by ``xuncha worker``; registered in
:data:`xuncha.common.jobs.TASK_MODULES`): a large proposal is solved off the request."""

from __future__ import annotations

from django.db import close_old_connections

from xuncha.common.jobs import queue


@queue().task()
def termplan_solve_task(plan_id: int) -> None:
    """Solve the proposal stored 求解中 (:func:`xuncha.planning.termplan.solve_stored`)."""
    from .termplan import solve_stored

    close_old_connections()
    try:
        solve_stored(plan_id)
    finally:
        close_old_connections()
