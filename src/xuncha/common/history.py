"""History as people read it: "新建/修改 · who · field: from → to · local time to the minute".

django-simple-history keeps one row per save; this module turns those rows into
entries with the fields' verbose names, choice labels instead of raw values, related
objects by name instead of ids, and the local time to the minute. Every page that shows
history renders :func:`entries` with ``common/history.html`` (or the ``history_of`` tag).

Reading is a fixed number of queries: one per history table, plus one per kind of
related object named in a change (all the ids of a kind fetched at once).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import models
from django.utils import timezone

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
# Bookkeeping that is no one's business in a history: timestamps, optimistic-lock
# counters, and the ids simple-history keeps.
SKIPPED = frozenset({"id", "created_at", "updated_at", "version"})
EMPTY = "（空）"
LONGEST = 80  # characters of a long text shown in a change


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None  # None: the field was set when the row was made (no "from")
    new: str


@dataclass(frozen=True)
class Entry:
    action: str  # 新建 / 修改 / 删除
    who: str
    when: dt.datetime  # local time
    subject: str  # what the row is, when it is not the page's own object ("巡察组成员 张伟")
    changes: tuple[Change, ...]
    reason: str


def entries(
    records: Iterable[Any], *, fields: Sequence[str] | None = None, hide: Sequence[str] = (),
    subjects: Mapping[type[Any], str] | None = None, subject: str = "",
    newest_first: bool = False,
) -> list[Entry]:  # fmt: skip
    """Entries for history rows of one or several models, oldest first.

    ``fields`` keeps only those fields (a page must not show what its reader may not
    see, e.g. ID numbers in a suspect's history). ``subjects`` names the rows of other
    models shown on the page, by their model: ``{TeamMember: "巡察组成员"}``; for those,
    a 新建 or 删除 entry lists the row's values so it says who or what was added.
    ``hide`` drops fields the page already says (a member's team, on the team's page).
    ``subject`` names each row from its own values when one page shows several rows of
    one model: ``"第 {row.run.number} 次比对"`` (read what the records' query selected).
    """
    rows = sorted(records, key=lambda r: (r.history_date, r.history_id))
    view = _View(fields, hide, subjects or {})
    previous: dict[tuple[type, Any], Any] = {}
    steps: list[_Step] = []
    for row in rows:
        key = (row.instance_type, row.id)
        before = previous.get(key)
        steps.append(_Step(row, before, view.shown(row, before)))
        previous[key] = row
    names = _Names(steps)
    out = [_entry(step, names, view.subject(step.row, subject)) for step in steps]
    return out[::-1] if newest_first else out


def object_history(obj: models.Model, **options: Any) -> list[Entry]:
    """Entries for one object (a model with ``history = HistoricalRecords()``)."""
    return entries(obj.history.select_related("history_user"), **options)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _View:
    """Which fields of which rows an entry shows."""

    fields: Sequence[str] | None
    hide: Sequence[str]
    subjects: Mapping[type[Any], str]

    def tracked(self, row: Any) -> list[models.Field[Any, Any]]:
        return [
            f
            for f in row.instance_type._meta.concrete_fields
            if f.name not in SKIPPED and f.name not in self.hide
            and (self.fields is None or f.name in self.fields)
        ]  # fmt: skip

    def subject(self, row: Any, template: str) -> str:
        """What the row is: named from its values by ``template``, else by its model."""
        if template:
            return template.format(row=row)
        return self.subjects.get(row.instance_type, "")

    def shown(self, row: Any, before: Any) -> list[models.Field[Any, Any]]:
        """A change shows the fields that changed; a related row made or deleted, its
        values; the page's own object made or deleted, nothing (its name says it)."""
        subject = row.instance_type in self.subjects
        if row.history_type == "-" or (before is None and row.history_type == "+"):
            if not subject:
                return []
            return [f for f in self.tracked(row) if _value(row, f) not in (None, "")]
        if before is None:
            return [f for f in self.tracked(row) if _value(row, f) not in (None, "")]
        return [f for f in self.tracked(row) if _value(row, f) != _value(before, f)]


def _value(row: Any, field: models.Field[Any, Any]) -> Any:
    return getattr(row, field.attname)


class _Step(NamedTuple):
    row: Any
    before: Any  # the same object's previous history row; None for its first
    shown: list[models.Field[Any, Any]]


class _Names:
    """Related objects named in the changes, fetched once per model."""

    def __init__(self, steps: list[_Step]) -> None:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for row, before, shown in steps:
            for f in shown:
                if f.is_relation and f.related_model is not None:
                    for r in (row, before):
                        if r is not None and _value(r, f) is not None:
                            wanted[f.related_model].add(_value(r, f))  # type: ignore[index]
        self.names: dict[tuple[type[models.Model], Any], str] = {}
        for model, ids in wanted.items():
            rows = model._default_manager.filter(pk__in=ids)
            if related := getattr(model, "str_related", ()):
                rows = rows.select_related(*related)
            for obj in rows:
                self.names[(model, obj.pk)] = _name(obj)

    def of(self, model: type[models.Model], pk: Any) -> str:
        return self.names.get((model, pk), "（已删除）")


def _name(obj: models.Model) -> str:
    display = getattr(obj, "display_name", None)  # users: the person's name
    return str(display) if display else str(obj)


def _show(field: models.Field[Any, Any], value: Any, names: _Names) -> str:
    if value is None or value == "":
        return EMPTY
    if field.is_relation and field.related_model is not None:
        return names.of(field.related_model, value)  # type: ignore[arg-type]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    text = " ".join(str(value).split())
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _entry(step: _Step, names: _Names, subject: str) -> Entry:
    row, before, shown = step
    made = before is None or row.history_type == "-"
    changes = tuple(
        Change(
            str(f.verbose_name),
            None if made else _show(f, _value(before, f), names),
            _show(f, _value(row, f), names),
        )
        for f in shown
    )
    user = row.history_user
    return Entry(
        action=ACTIONS.get(row.history_type, row.history_type),
        who=user.display_name if user is not None else "系统",
        when=timezone.localtime(row.history_date),
        subject=subject,
        changes=changes,
        reason=row.history_change_reason or "",
    )
