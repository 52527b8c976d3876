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
    except Exception as err:  # the page must not say 求解中 for ever
        from .models import TermPlan, TermPlanStatus

        TermPlan.objects.filter(pk=plan_id, status=TermPlanStatus.SOLVING).update(
            status=TermPlanStatus.REFUSED,
            explanation=[{"constraint": "error", "message": f"求解出错：{err}", "units": []}],
        )
        raise
    finally:
        close_old_connections()
