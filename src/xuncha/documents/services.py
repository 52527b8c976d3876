"""Generating documents: a kind's files for one inspected unit of a round, or for every
unit of the round, rendered with the kind's template (the office's own, else the
shipped one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied
from xuncha.planning.models import Round
from xuncha.units.models import Unit

from . import selectors
from .kinds import KINDS, Document, NothingToRender, Scope

__all__ = ["NothingToRender", "Rendered", "build_documents", "render_documents"]


@dataclass
class Rendered:
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content)
    warnings: list[str] = field(default_factory=list)


def build_documents(
    *, kind: str, round: Round, unit: Unit | None = None, user: User | None = None,
    today: dt.date | None = None,
) -> tuple[list[Document], list[str]]:  # fmt: skip
    """The kind's documents (contexts, or the ledger's bytes) and warnings, unrendered.

    Without ``unit``: every unit of the round, each unit that has nothing for this kind
    named in the warnings; :class:`NothingToRender` when no unit has anything."""
    if kind not in KINDS:
        raise NothingToRender(f"没有“{kind}”这种公文（可选：{'、'.join(KINDS)}）。")
    label = KINDS[kind].label
    assignments = selectors.round_assignments(round=round, unit=unit)
    if not assignments:
        what = f"没有巡察{unit.name}" if unit is not None else "没有被巡察单位"
        raise NothingToRender(f"{round.name}{what}，无法生成{label}。")
    if user is not None:
        assignments = [a for a in assignments if selectors.may_generate(user, a, kind)]
        if not assignments:
            raise PermissionDenied(f"您无权生成{round.name}{unit.name if unit else ''}的{label}。")
    today = today or timezone.localdate()
    documents: list[Document] = []
    warnings: list[str] = []
    nothing: list[str] = []
    for a in assignments:
        scope = Scope(assignment=a, today=today, office=settings.OFFICE_NAME, user=user)
        try:
            built = KINDS[kind].build(scope)
        except NothingToRender as err:
            nothing.append(str(err))
            continue
        documents += built.documents
        warnings += [w if len(assignments) == 1 else f"{a.unit.name}：{w}" for w in built.warnings]
    if not documents:
        raise NothingToRender(nothing[0] if len(nothing) == 1 else
                              f"{round.name}的{len(nothing)}个被巡察单位都没有可生成{label}的内容。")  # fmt: skip
    return documents, [*nothing, *warnings]


def render_documents(
    *, kind: str, round: Round, unit: Unit | None = None, user: User | None = None,
    today: dt.date | None = None,
) -> Rendered:  # fmt: skip
    """The kind's files as DOCX (the ledger: XLSX) with the warnings to show beside them;
    raises :class:`NothingToRender` (a Chinese message) rather than make an empty one."""
    from .official.templates import render
    from .store import template_for

    documents, warnings = build_documents(kind=kind, round=round, unit=unit, user=user, today=today)
    template = template_for(kind) if kind != "ledger" else b""
    files = [
        (d.filename, d.data if d.data is not None else render(template, d.context or {}))
        for d in documents
    ]
    return Rendered(files=files, warnings=warnings)
