"""The daily derivation of sham-rectification signals: fingerprint what is new, run every
rule, then record the difference. A group found again keeps its signal (and the decision
on it); a changed group updates its links; a signal whose group is no longer found gets
``gone_on``, and loses it if found again. Running it twice on a day changes nothing."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from . import fingerprint
from .models import Signal
from .rules import RULES, Found, recurrence_candidates

BATCH = 5000


@dataclass(frozen=True)
class Derivation:
    fingerprinted: int  # evidence files read for the first time
    found: int  # groups the rules hold for today
    opened: int  # new signals
    changed: int  # signals whose items, files, reports or explanation changed
    gone: int  # signals no longer found today
    seconds: dict[str, float] = field(default_factory=dict, compare=False)  # per step


def signals_derive(today: dt.date) -> Derivation:
    """Fingerprint new evidence files and texts, run every rule, record the day's
    difference."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    # Files, report texts and the descriptions the recurrence rule compares, all at once
    # (a first run's backlog keeps every core busy); the rules then find them done.
    fingerprinted = fingerprint.prints_update(recurrence_candidates())
    seconds["prints"] = time.perf_counter() - t0
    found = []
    for kind, rule in RULES.items():
        t0 = time.perf_counter()
        found += rule()
        seconds[str(kind)] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        opened, changed, gone = _record(found, today)
    seconds["record"] = time.perf_counter() - t0
    return Derivation(fingerprinted, len(found), opened, changed, gone, seconds)


COLUMNS = {
    "items": "rectificationitem_id",
    "evidence": "evidence_id",
    "reports": "progressreport_id",
}


def _links() -> dict[str, dict[int, set[int]]]:
    """Every signal's linked items, evidence files and reports: name -> signal -> ids (all
    of them: no list of ids sent, which SQLite limits)."""
    out: dict[str, dict[int, set[int]]] = {}
    for name, column in COLUMNS.items():
        through = getattr(Signal, name).through
        per: dict[int, set[int]] = {}
        rows = through.objects.values_list("signal_id", column)
        for signal, other in rows:
            per.setdefault(signal, set()).add(other)
        out[name] = per
    return out


def _record(found: list[Found], today: dt.date) -> tuple[int, int, int]:
    existing = {(s.kind, s.key): s for s in Signal.objects.all()}
    links = _links()
    seen: set[int] = set()
    new: list[tuple[Signal, Found]] = []
    changed = 0
    for f in found:
        signal = existing.get((f.kind, f.key))
        if signal is None:
            new.append(
                (Signal(kind=f.kind, key=f.key, explanation=f.explanation, first_seen=today), f)
            )
            continue
        seen.add(signal.pk)
        wanted = _wanted(f)
        now = {name: links[name].get(signal.pk, set()) for name in wanted}
        if wanted != now or signal.explanation != f.explanation or signal.gone_on is not None:
            signal.explanation, signal.gone_on = f.explanation, None
            signal.save(update_fields=["explanation", "gone_on", "updated_at"])
            for name, ids in wanted.items():
                getattr(signal, name).set(ids)
            changed += 1
    gone = [s for s in existing.values() if s.gone_on is None and s.pk not in seen]
    for signal in gone:  # few: a signal goes when its data is corrected
        signal.gone_on = today
        signal.save(update_fields=["gone_on", "updated_at"])
    gone_count = len(gone)
    made = bulk_create_with_history([s for s, _ in new], Signal, batch_size=BATCH)
    for name, column in COLUMNS.items():
        through = getattr(Signal, name).through
        rows = [through(signal_id=s.pk, **{column: other})
                for s, (_, f) in zip(made, new, strict=True) for other in _wanted(f)[name]]  # fmt: skip
        through.objects.bulk_create(rows, batch_size=BATCH)
    return len(made), changed, gone_count


def _wanted(f: Found) -> dict[str, set[int]]:
    return {"items": f.item_ids, "evidence": f.evidence_ids, "reports": f.report_ids}
