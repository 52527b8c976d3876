"""Reverse checks of closed items (销号反向核查): draw a reproducible random sample of
closed items per unit, record each one's on-site result, reopen what was not as
reported.

The draw (:func:`draw`) is a pure function of what the check stores: the seed, the
candidates as ``[unit_id, item_id]`` pairs ordered by unit id then item id, the per-unit
share or count, and the priority item ids. For each unit in that order, with one
``random.Random(seed)`` for the whole draw: the unit's quota is the count, or
ceil(candidates × share / 100); its priority candidates (ascending id) come first, all
of them if they fit, else ``rng.sample(priority, quota)``; the rest of the quota is
``rng.sample(other candidates, k)``. :func:`redraw` runs it again from the stored
check. See docs/decisions/0017.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.sampling import quota
from xuncha.common.services import (
    check_version,
    evidence_kept_on_success,
    evidence_store,
    save_versioned,
)
from xuncha.planning.models import Round
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import rectification_reopen_found_untrue
from xuncha.sham.selectors import flagged_item_ids
from xuncha.units.models import Unit

from .models import CheckResult, ReverseCheck, ReverseCheckSample


def draw(
    *, candidates: Sequence[Sequence[int]], seed: int, share: Decimal | None, count: int | None,
    priority_ids: Iterable[int] = (),
) -> list[tuple[int, bool]]:  # fmt: skip
    """The sampled item ids (with whether each came from the priority set), in draw
    order. ``candidates`` are ``(unit_id, item_id)`` pairs; every unit must have at least
    the count asked for (:func:`reverse_check_create` refuses a draw otherwise)."""
    by_unit: dict[int, list[int]] = {}
    for unit_id, item_id in sorted((int(u), int(i)) for u, i in candidates):
        by_unit.setdefault(unit_id, []).append(item_id)
    priority, rng, chosen = set(priority_ids), random.Random(seed), []
    for items in by_unit.values():  # in unit order
        n = quota(len(items), share=share, count=count)
        first = [i for i in items if i in priority]
        rest = [i for i in items if i not in priority]
        if len(first) >= n:
            chosen += [(i, True) for i in rng.sample(first, n)]
        else:
            chosen += [(i, True) for i in first]
            chosen += [(i, False) for i in rng.sample(rest, n - len(first))]
    return chosen


def redraw(check: ReverseCheck) -> list[int]:
    """The sample ``check``'s stored parameters give, drawn again."""
    drawn = draw(candidates=check.candidate_ids, seed=check.seed, share=check.share,
                 count=check.count, priority_ids=check.priority_ids)  # fmt: skip
    return [item_id for item_id, _ in drawn]


def _check_size(share: Decimal | None, count: int | None) -> None:
    if (share is None) == (count is None):
        raise ServiceError("请选择按比例或按数量抽取（二选一）。")
    if share is not None and not Decimal(0) < share <= 100:
        raise ServiceError(f"抽取比例须大于 0% 且不超过 100%，收到 {share}%。")
    if count is not None and count < 1:
        raise ServiceError(f"每单位抽取数量至少为 1，收到 {count}。")


def _candidates(round_: Round | None, units: list[Unit] | None) -> list[list[int]]:
    if round_ is None and not units:
        raise ServiceError("请选择一个轮次，或选择要核查的单位。")
    items = RectificationItem.objects.filter(status=Status.CLOSED)
    if round_ is not None:
        items = items.filter(round=round_)
    if units:
        items = items.filter(unit__in=units)
    return [[u, i] for u, i in items.order_by("unit_id", "id").values_list("unit_id", "id")]


def reverse_check_create(
    *, name: str, by: User, round: Round | None = None, units: Iterable[Unit] | None = None,
    share: Decimal | None = None, count: int | None = None,
    priority_ids: Iterable[int] | None = None, seed: int | None = None,
) -> ReverseCheck:  # fmt: skip
    """Draw a sample of closed items of ``round`` (and/or of ``units``): per unit a
    ``share`` (percent) or a ``count``; ``priority_ids`` are taken first, by default the
    items sham-rectification signals flag (open or confirmed, :mod:`xuncha.sham`).
    ``seed`` is made at random unless given, and stored with everything else the draw
    used (the priority set too, so a later signal does not change a re-draw)."""
    if not allowed(by, "reversecheck.run"):
        raise PermissionDenied("只有巡察办或督查人员可以开展销号反向核查。")
    _check_size(share, count)
    chosen_units = list(units) if units is not None else None
    seed = secrets.randbits(48) if seed is None else seed
    with transaction.atomic():
        candidates = _candidates(round, chosen_units)
        if not candidates:
            raise ServiceError("所选范围内没有已销号的整改事项，无法抽取。")
        if priority_ids is None:
            priority_ids = flagged_item_ids({u for u, _ in candidates})
        closed = {i for _, i in candidates}
        priority = sorted({int(i) for i in priority_ids} & closed)
        have = Counter(u for u, _ in candidates)
        if count is not None and min(have.values()) < count:
            raise _too_few(have, count)
        drawn = draw(candidates=candidates, seed=seed, share=share, count=count,
                     priority_ids=priority)  # fmt: skip
        check = ReverseCheck(name=name.strip() or "销号反向核查", round=round, share=share,
                             count=count, seed=seed, candidate_ids=candidates,
                             priority_ids=priority, drawn_by=by)  # fmt: skip
        check._history_user = by  # type: ignore[attr-defined]
        check.save()
        sampled_units = {u for u, _ in candidates}
        check.units.set(chosen_units if chosen_units else sampled_units)
        unit_of = {i: u for u, i in candidates}
        ReverseCheckSample.objects.bulk_create([
            ReverseCheckSample(reverse_check=check, item_id=i, unit_id=unit_of[i], priority=p)
            for i, p in drawn
        ])  # fmt: skip
    return check


def _too_few(have: Counter[int], count: int) -> ServiceError:
    """The refusal naming every unit with fewer closed items than the count."""
    names = dict(Unit.objects.filter(pk__in=have).values_list("pk", "name"))
    short = [f"「{names[u]}」只有 {n} 项" for u, n in sorted(have.items()) if n < count]
    return ServiceError(
        f"抽取数量超过了已销号事项数：每单位抽取 {count} 项，但{'，'.join(short)}。"
        "请减少数量或改为按比例抽取。"
    )


def sample_record(
    *, sample: ReverseCheckSample, by: User, result: str, note: str, version: int,
    files: Sequence[tuple[IO[bytes], str]] = (),
) -> ReverseCheckSample:  # fmt: skip
    """Record a sampled item's on-site result, once. "Not as reported" needs a note and
    reopens the item (reason naming the check; the ledger history keeps it), whether the
    office or a supervisor records it: the on-site result is the authority."""
    if not allowed(by, "reversecheck.run"):
        raise PermissionDenied("只有巡察办或督查人员可以记录反向核查结果。")
    if result not in (CheckResult.CONFIRMED, CheckResult.NOT_AS_REPORTED):
        raise ServiceError("核查结果须为“属实”或“与报告不符”。")
    if result == CheckResult.NOT_AS_REPORTED and not note.strip():
        raise ServiceError("与报告不符须写明核查情况（实地看到了什么）。")
    with evidence_kept_on_success() as stored, transaction.atomic():
        current = (
            ReverseCheckSample.objects.select_for_update()
            .select_related("reverse_check", "item")
            .get(pk=sample.pk)
        )
        if current.result != CheckResult.PENDING:
            raise ServiceError(
                f"该事项已记录核查结果（{current.get_result_display()}），不能重复记录。"
            )
        check_version(current, version, "抽样事项", redo="记录")
        stored.extend(evidence_store(data=data, name=name, by=by) for data, name in files)
        current.result, current.note = result, note.strip()
        current.recorded_by, current.recorded_at = by, timezone.now()
        save_versioned(current, by, ["result", "note", "recorded_by", "recorded_at"])
        current.evidence.add(*stored)
        if result == CheckResult.NOT_AS_REPORTED:
            _reopen(current, by)
    return current


def _reopen(sample: ReverseCheckSample, by: User) -> None:
    """Reopen the item if it is still closed (another path may have reopened it since)."""
    item = sample.item
    if item.status == Status.CLOSED:
        rectification_reopen_found_untrue(
            item=item, by=by,
            reason=f"销号反向核查「{sample.reverse_check.name}」认定与报告不符：{sample.note}",
        )  # fmt: skip
    sample.reopened_at = timezone.now()
    save_versioned(sample, by, ["reopened_at"])
