"""Writes on sham-rectification signals: a person's decision (the rules find them)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError

from .models import Signal, SignalStatus


def signal_decide(
    *, signal: Signal, by: User, status: str, note: str, was: str | None = None
) -> Signal:
    """Mark a signal confirmed or dismissed (or back to open) with a note; the history
    keeps every decision. ``was`` is the status the deciding page showed: if someone
    decided in between, nothing is overwritten."""
    if not allowed(by, "sham.review"):
        raise PermissionDenied("只有巡察办和督查人员可以核实虚假整改疑点。")
    if status not in SignalStatus.values:
        raise ServiceError("请选择核实结论。")
    note = note.strip()
    if not note:
        raise ServiceError("请填写核实意见。")
    with transaction.atomic():
        locked = Signal.objects.select_for_update().get(pk=signal.pk)
        if was is not None and locked.status != was:
            raise ConcurrentEdit(
                f"该疑点已被他人改为「{locked.get_status_display()}」，请刷新后再核实。"
            )
        locked.status, locked.note = status, note
        locked.decided_by = by if status != SignalStatus.OPEN else None
        locked.decided_at = timezone.now() if status != SignalStatus.OPEN else None
        locked._change_reason = note  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    return locked
