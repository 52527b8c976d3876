"""The term plan (届内全覆盖规划): the database turned into a :class:`planner.Problem`,
proposals stored, moves by hand re-checked, a slot committed as a real round.

Units to cover are every inspectable unit (all kinds but city and county) that no round
of the term has yet been assigned to. A unit's level is its risk level; 提级 comes from
the risk app; 回避 is the one definition (``units.selectors.conflicting``) against the
home units of the standing teams' cadres (the plan's rosters). A slot is committed
through the existing services (``round_create``, ``team_create``, ``team_member_add``,
``assignment_add``), so 回避 is enforced once more, all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import Unit, UnitKind
from xuncha.units.selectors import conflicting

from . import planner
from .models import (
    Cadre,
    MemberRole,
    PlanEntry,
    PlanSlot,
    Round,
    RoundKind,
    Term,
    TermPlan,
    TermPlanStatus,
)
from .ordinals import chinese_number
from .selectors import inspected_q

NOT_INSPECTABLE = (UnitKind.CITY, UnitKind.COUNTY)
GROUPED = (UnitKind.VILLAGE, UnitKind.COMMUNITY)  # clustered by their township
MAX_TIME_LIMIT = 50.0
DEFAULT_TIME_LIMIT = 10.0
# More units than this are solved by a background job (the page shows 求解中 and reloads).
SYNC_UNITS = 200


@dataclass(frozen=True)
class Params:
    """What the office sets for a proposal."""

    years: tuple[int, ...]
    rounds_per_year: int = 2
    teams_per_round: int = 2
    capacity: int = 10
    elevated_per_year: int = 0
    time_limit: float = DEFAULT_TIME_LIMIT

    def as_json(self) -> dict[str, Any]:
        return {"years": list(self.years), "rounds_per_year": self.rounds_per_year,
                "teams_per_round": self.teams_per_round, "capacity": self.capacity,
                "elevated_per_year": self.elevated_per_year,
                "time_limit": self.time_limit}  # fmt: skip

    @classmethod
    def of(cls, data: dict[str, Any]) -> Params:
        return cls(years=tuple(data["years"]), rounds_per_year=data["rounds_per_year"],
                   teams_per_round=data["teams_per_round"], capacity=data["capacity"],
                   elevated_per_year=data.get("elevated_per_year", 0),
                   time_limit=data.get("time_limit", DEFAULT_TIME_LIMIT))  # fmt: skip


def _manage(by: User | None) -> None:
    if by is not None and not allowed(by, "termplan.manage"):
        raise PermissionDenied("只有巡察办可以制定和调整届内全覆盖规划。")


def _save(obj: Any, *, by: User | None, reason: str = "") -> Any:
    obj._history_user = by
    obj._change_reason = reason.strip()
    obj.save()
    return obj


# The database as a problem ----------------------------------------------------------


def units_to_cover(term: Term) -> QuerySet[Unit]:
    """Inspectable units no round of the term has yet been assigned to, in code order."""
    return (
        Unit.objects.exclude(kind__in=NOT_INSPECTABLE).filter(~inspected_q(term))
        .select_related("parent", "county").order_by("code")
    )  # fmt: skip


def elevated_ids() -> set[int]:
    """Units to inspect 提级 (the risk app's current classification and overrides)."""
    from xuncha.risk.selectors import elevated_unit_ids

    return set(elevated_unit_ids())


def _group(unit: Unit) -> str:
    """Villages and communities cluster by their township's code."""
    if unit.kind in GROUPED and unit.parent is not None:
        return unit.parent.code
    return ""


def plan_unit(unit: Unit, *, elevated: bool) -> planner.PlanUnit:
    return planner.PlanUnit(
        key=unit.pk, name=unit.name, group=_group(unit), level=unit.risk_level,
        elevated=elevated, county=unit.county.code if unit.county else "",
    )  # fmt: skip


def rosters_of(rosters: dict[str, list[int]] | dict[int, list[int]]) -> dict[int, list[Cadre]]:
    """Team key → its cadres (in the order given: the first leads)."""
    ids = {int(c) for cadres in rosters.values() for c in cadres}
    by_id = Cadre.objects.select_related("home_unit").in_bulk(ids)
    return {int(k): [by_id[int(c)] for c in v if int(c) in by_id] for k, v in rosters.items()}


def recusals(units: list[Unit], rosters: dict[int, list[Cadre]]) -> dict[int, frozenset[int]]:
    """Team key → the unit keys its members may not inspect (回避)."""
    out: dict[int, frozenset[int]] = {}
    for key, cadres in rosters.items():
        barred: set[int] = set()
        for cadre in cadres:
            barred |= {u.pk for u in conflicting(cadre.home_unit, units)}
        out[key] = frozenset(barred)
    return out


def slot_specs(params: Params) -> list[tuple[int, int, str]]:
    """(year, number in year, kind) of every slot in order: the last
    ``elevated_per_year`` rounds of each year are 提级 rounds."""
    specs: list[tuple[int, int, str]] = []
    for year in params.years:
        for n in range(1, params.rounds_per_year + 1):
            elevated = n > params.rounds_per_year - params.elevated_per_year
            kind = RoundKind.ELEVATED if elevated else RoundKind.ROUTINE
            specs.append((year, n, kind.value))
    return specs


def problem_of(plan: TermPlan, entries: Iterable[PlanEntry] | None = None) -> planner.Problem:
    """The stored plan as the planner's problem: its units, its slots with the standing
    teams, and the pinned units (and every unit of a committed slot) kept."""
    params = Params.of(plan.params)
    if entries is None:
        entries = plan.entries.select_related("unit__parent", "unit__county", "slot")
    entries = list(entries)
    units = [e.unit for e in entries]
    rosters = rosters_of(plan.rosters)
    recused = recusals(units, rosters)
    teams = tuple(
        planner.PlanTeam(key=k, capacity=params.capacity, recused=recused.get(k, frozenset()))
        for k in range(1, params.teams_per_round + 1)
    )
    slots = tuple(
        planner.Slot(index=s.index, year=s.year, number=s.number, kind=s.kind, teams=teams)
        for s in plan.slots.order_by("index")
    )
    pinned = {e.unit_id: (e.slot.index, e.team_key) for e in entries
              if e.pinned or e.slot.round_id is not None}  # fmt: skip
    return planner.Problem(
        units=tuple(plan_unit(e.unit, elevated=e.elevated) for e in entries),
        slots=slots, pinned=pinned,
    )  # fmt: skip


def placements_of(entries: Iterable[PlanEntry]) -> list[planner.Placement]:
    return [planner.Placement(unit=e.unit_id, slot=e.slot.index, team=e.team_key)
            for e in entries]  # fmt: skip


def violations(plan: TermPlan) -> list[planner.Violation]:
    """Every hard constraint re-checked on the plan as it stands ([] = valid)."""
    if plan.status in (TermPlanStatus.REFUSED, TermPlanStatus.SOLVING):
        return []
    entries = list(plan.entries.select_related("unit__parent", "unit__county", "slot"))
    return planner.check(problem_of(plan, entries), placements_of(entries))


# Writes -----------------------------------------------------------------------------


def _checked_params(term: Term, params: Params) -> Params:
    if not params.years:
        raise ServiceError("请至少选择一个年度。")
    outside = [y for y in params.years if not term.start_year <= y <= term.end_year]
    if outside:
        raise ServiceError(
            f"年度 {'、'.join(map(str, outside))} 不在{term}的起止年份"
            f"（{term.start_year}—{term.end_year} 年）内。"
        )
    for value, label, low, high in (
        (params.rounds_per_year, "每年轮次数", 1, 6), (params.teams_per_round, "每轮巡察组数", 1, 20),
        (params.capacity, "每组每轮最多巡察单位数", 1, 500),
        (params.elevated_per_year, "每年提级巡察轮次数", 0, params.rounds_per_year),
    ):  # fmt: skip
        if not low <= value <= high:
            raise ServiceError(f"{label}应在 {low}～{high} 之间，而不是 {value}。")
    if not 0 < params.time_limit <= MAX_TIME_LIMIT:
        raise ServiceError(f"求解时限应在 1～{MAX_TIME_LIMIT:g} 秒之间。")
    return Params(**{**params.__dict__, "years": tuple(sorted(set(params.years)))})


def _checked_rosters(params: Params, rosters: dict[int, list[int]]) -> dict[str, list[int]]:
    unknown = [k for k in rosters if not 1 <= k <= params.teams_per_round]
    if unknown:
        raise ServiceError(f"巡察组编号 {'、'.join(map(str, unknown))} 超出每轮巡察组数。")
    seen: Counter[int] = Counter(c for cadres in rosters.values() for c in cadres)
    if twice := [c for c, n in seen.items() if n > 1]:
        names = "、".join(Cadre.objects.filter(pk__in=twice).values_list("name", flat=True))
        raise ServiceError(f"同一干部不能同时在两个巡察组：{names}。")
    missing = set(seen) - set(Cadre.objects.filter(pk__in=seen).values_list("pk", flat=True))
    if missing:
        raise ServiceError(f"干部库中没有编号为 {'、'.join(map(str, sorted(missing)))} 的干部。")
    return {str(k): list(v) for k, v in sorted(rosters.items())}


def _store(plan: TermPlan, result: planner.Plan, *, greedy_objective: int | None) -> None:
    plan.objective, plan.solver_status = result.objective, result.status
    plan.seconds, plan.group_splits = round(result.seconds, 3), result.group_splits
    if greedy_objective is not None:
        plan.greedy_objective = greedy_objective
    plan.explanation = []


def _violations_json(found: Iterable[planner.Violation]) -> list[dict[str, Any]]:
    return [{"constraint": v.constraint, "message": v.message, "units": list(v.units)}
            for v in found]  # fmt: skip


def plan_propose(
    *, by: User | None, term: Term, params: Params, rosters: dict[int, list[int]],
    background: bool | None = None,
) -> TermPlan:  # fmt: skip
    """A new proposal for the units still to cover in the term; older proposals of the
    term are superseded. No plan meets the constraints → the proposal is stored as
    refused with the reasons (which constraint, by how many units), never half a plan.

    Solved at once for up to :data:`SYNC_UNITS` units, else (or with ``background``) by
    a background job: the plan is stored 求解中 and :func:`solve_stored` finishes it."""
    _manage(by)
    params = _checked_params(term, params)
    stored_rosters = _checked_rosters(params, rosters)
    units = list(units_to_cover(term))
    if not units:
        raise ServiceError(f"{term}的可巡察单位都已安排巡察，没有需要规划的单位。")
    elevated = elevated_ids()
    with transaction.atomic():
        for old in TermPlan.objects.filter(term=term).exclude(status=TermPlanStatus.SUPERSEDED):
            old.status = TermPlanStatus.SUPERSEDED
            _save(old, by=by, reason="新方案取代")
        number = (TermPlan.objects.filter(term=term).aggregate(m=Max("number"))["m"] or 0) + 1
        plan = _save(TermPlan(term=term, number=number, params=params.as_json(),
                              rosters=stored_rosters, created_by=by), by=by)  # fmt: skip
        slots = [
            _save(PlanSlot(plan=plan, index=i, year=y, number=n, kind=k), by=by)
            for i, (y, n, k) in enumerate(slot_specs(params))
        ]
        entries = [PlanEntry(plan=plan, unit=u, slot=slots[0], team_key=1,
                             elevated=u.pk in elevated) for u in units]  # fmt: skip
        if background if background is not None else len(units) > SYNC_UNITS:
            # Placed in the first slot until the job places them.
            PlanEntry.objects.bulk_create(entries)
            plan.status = TermPlanStatus.SOLVING
            _save(plan, by=by)
            transaction.on_commit(lambda: _enqueue(plan.pk))
            return plan
        problem = problem_of(plan, entries)
        try:
            result = planner.solve(problem, time_limit=params.time_limit)
        except planner.Infeasible as err:
            plan.status = TermPlanStatus.REFUSED
            plan.explanation = _violations_json(err.violations)
            return _save(plan, by=by)
        baseline = _greedy_objective(problem)
        _store(plan, result, greedy_objective=baseline)
        _save(plan, by=by)
        _place(entries, result, slots, by=by, create=True)
    return plan


def _enqueue(plan_id: int) -> None:
    from .jobs import termplan_solve_task

    termplan_solve_task(plan_id)


def solve_stored(plan_id: int) -> TermPlan:
    """Solve a plan stored 求解中 (the background job): its units placed, or the plan
    refused with the reasons and its placeholder entries removed."""
    plan = TermPlan.objects.select_related("created_by").get(pk=plan_id)
    if plan.status != TermPlanStatus.SOLVING:
        return plan
    by = plan.created_by
    entries = list(plan.entries.select_related("unit__parent", "unit__county", "slot"))
    problem = problem_of(plan, entries)
    try:
        result = planner.solve(problem, time_limit=Params.of(plan.params).time_limit)
    except planner.Infeasible as err:
        with transaction.atomic():
            plan.entries.all().delete()
            plan.status = TermPlanStatus.REFUSED
            plan.explanation = _violations_json(err.violations)
            return _save(plan, by=by)
    with transaction.atomic():
        _store(plan, result, greedy_objective=_greedy_objective(problem))
        plan.status = TermPlanStatus.DRAFT
        _save(plan, by=by)
        _place(entries, result, list(plan.slots.all()), by=by, create=True)
    return plan


def _greedy_objective(problem: planner.Problem) -> int | None:
    """The baseline's objective (highest risk first into the earliest room), when it
    finds a valid plan at all."""
    try:
        base = planner.greedy(problem)
    except planner.Infeasible:
        return None
    if planner.check(problem, base.placements):
        return None
    return base.objective


def _place(
    entries: list[PlanEntry], result: planner.Plan, slots: list[PlanSlot], *, by: User | None,
    create: bool,
) -> None:  # fmt: skip
    by_index = {s.index: s for s in slots}
    placed = {p.unit: p for p in result.placements}
    for entry in entries:
        p = placed[entry.unit_id]
        if create or (entry.slot.index, entry.team_key) != (p.slot, p.team):
            entry.slot, entry.team_key = by_index[p.slot], p.team
            if not create:
                entry.moved_by = None
                entry.reason = "重新求解"
            _save(entry, by=by, reason="" if create else "重新求解")


def _editable(plan: TermPlan) -> None:
    if plan.status not in (TermPlanStatus.DRAFT, TermPlanStatus.PARTLY):
        raise ServiceError(f"{plan}已{plan.get_status_display()}，不能再调整。")


def entry_move(
    *, by: User, entry: PlanEntry, slot_index: int, team_key: int, pinned: bool, reason: str = ""
) -> PlanEntry:
    """Move a unit to another slot and team, and pin it (or not). A move that breaks a
    hard constraint is kept but shown as a violation (:func:`violations`) and blocks
    committing that slot; a unit cannot leave or enter a committed slot."""
    _manage(by)
    plan = entry.plan
    _editable(plan)
    slot = plan.slots.filter(index=slot_index).first()
    if slot is None:
        raise ServiceError(f"本规划没有第 {slot_index + 1} 个规划轮次。")
    if not 1 <= team_key <= Params.of(plan.params).teams_per_round:
        raise ServiceError(f"本规划每轮只有 {Params.of(plan.params).teams_per_round} 个巡察组。")
    if entry.slot.round_id is not None:
        raise ServiceError(f"「{entry.unit}」所在的{entry.slot}已下达，不能调整。")
    if slot.round_id is not None and slot.pk != entry.slot_id:
        raise ServiceError(f"{slot}已下达，不能再调入单位。")
    entry.slot, entry.team_key, entry.pinned = slot, team_key, pinned
    entry.moved_by, entry.reason = by, reason.strip()[:200]
    return _save(entry, by=by, reason=reason)


def plan_resolve(*, by: User, plan: TermPlan) -> TermPlan:
    """Solve again keeping pinned units (and committed slots) where they are."""
    _manage(by)
    _editable(plan)
    entries = list(plan.entries.select_related("unit__parent", "unit__county", "slot"))
    problem = problem_of(plan, entries)
    try:
        result = planner.solve(problem, time_limit=Params.of(plan.params).time_limit)
    except planner.Infeasible as err:
        raise ServiceError(
            "保留固定的单位后没有可行方案：" + "；".join(v.message for v in err.violations)
        ) from err
    with transaction.atomic():
        _store(plan, result, greedy_objective=None)
        _save(plan, by=by, reason="重新求解")
        _place(entries, result, list(plan.slots.all()), by=by, create=False)
    return plan


def slot_dates(year: int, number: int, per_year: int) -> tuple[dt.date, dt.date]:
    """The round's period: the year cut into ``per_year`` equal runs of months."""
    months = 12 // per_year
    first = 1 + (number - 1) * months
    start = dt.date(year, first, 1)
    last = first + months
    end = dt.date(year, 12, 31) if number == per_year or last > 12 else (
        dt.date(year, last, 1) - dt.timedelta(days=1)
    )  # fmt: skip
    return start, end


def slot_commit(*, by: User, slot: PlanSlot) -> Round:
    """Commit a slot as a real round of the term: the round, its teams with the roster's
    members (the first of each roster leads) and the units as assignments, all through
    the planning services (回避 enforced once more), all or nothing."""
    from . import services

    _manage(by)
    plan = slot.plan
    _editable(plan)
    if slot.round_id is not None:
        raise ServiceError(f"{slot}已下达为「{slot.round}」。")
    entries = list(slot.entries.select_related("unit").order_by("team_key", "unit__code"))
    if not entries:
        raise ServiceError(f"{slot}没有安排单位，无需下达。")
    units = {e.unit_id for e in entries}
    if broken := [v for v in violations(plan) if not v.units or set(v.units) & units]:
        raise ServiceError(f"{slot}还有不符合约束的安排，不能下达："
                           + "；".join(v.message for v in broken))  # fmt: skip
    params = Params.of(plan.params)
    rosters = rosters_of(plan.rosters)
    start, end = slot_dates(slot.year, slot.number, params.rounds_per_year)
    term = plan.term
    with transaction.atomic():
        number = (term.rounds.aggregate(m=Max("number"))["m"] or 0) + 1
        rnd = services.round_create(
            by=by, term=term, number=number,
            name=f"第{chinese_number(number)}轮巡察（{slot.year}年）",
            kind=slot.kind, start_date=start, end_date=end,
        )  # fmt: skip
        for key in sorted({e.team_key for e in entries}):
            team = services.team_create(by=by, round=rnd, number=key)
            for i, cadre in enumerate(rosters.get(key, [])):
                role = MemberRole.LEADER if i == 0 else MemberRole.MEMBER
                services.team_member_add(team=team, cadre=cadre, role=role, by=by)
            for entry in (e for e in entries if e.team_key == key):
                services.assignment_add(team=team, unit=entry.unit, by=by)
        slot.round = rnd
        _save(slot, by=by, reason="下达为巡察轮次")
        plan.status = TermPlanStatus.PARTLY
        _save(plan, by=by, reason=f"{slot}下达")
    return rnd
