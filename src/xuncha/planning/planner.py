"""The term coverage planner (届内全覆盖规划): which unit is inspected in which round by which team.

Pure Python and OR-Tools, no Django: the web services (xuncha.planning) turn the office's
units, rounds and teams into a :class:`Problem` and store the :class:`Plan`.

Hard constraints: every unit exactly once in the term; at most a team's capacity per
(slot, team); no unit in a team that recuses it (回避); elevated units (提级) only in
elevated slots and elevated slots only for elevated units; pinned placements kept.
Soft: higher risk earlier (:func:`objective`), a township's units in one slot.

:func:`greedy` is the baseline; :func:`solve` is the CP-SAT model (two stages: slots with
exact Hall conditions for recusal, then a max-flow per slot for the teams), hinted with the
greedy plan and never worse than it. Both re-check their result with :func:`check` and raise
:class:`Infeasible` rather than return a plan that breaks a hard constraint.
See docs/decisions/0025-term-planner.md.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ELEVATED = "elevated"
ROUTINE = "routine"

WEIGHTS = {"high": 9, "watch": 3, "general": 1}
# Objective points per extra slot a township is spread over (a high-risk unit one round
# earlier is worth 9): keeps townships together where it costs little earliness.
SPLIT_PENALTY = 20
# Most team subsets per slot turned into Hall constraints before falling back to cuts.
HALL_LIMIT = 4000

CONSTRAINTS = (
    "coverage",
    "capacity",
    "recusal",
    "elevated",
    "unknown_unit",
    "unknown_slot",
    "duplicate",
)


@dataclass(frozen=True)
class PlanUnit:
    key: int
    name: str
    group: str
    level: str
    elevated: bool = False
    county: str = ""


@dataclass(frozen=True)
class PlanTeam:
    key: int
    capacity: int
    recused: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Slot:
    index: int
    year: int
    number: int
    kind: str = ROUTINE
    teams: tuple[PlanTeam, ...] = ()


@dataclass(frozen=True)
class Problem:
    units: tuple[PlanUnit, ...]
    slots: tuple[Slot, ...]
    pinned: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    unit: int
    slot: int
    team: int


@dataclass(frozen=True)
class Violation:
    constraint: str
    message: str
    units: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    placements: tuple[Placement, ...]
    objective: int
    status: str
    seconds: float
    group_splits: int


class Infeasible(Exception):
    """No plan meets the hard constraints; .violations says which constraint and by how many units."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = list(violations)
        super().__init__("；".join(v.message for v in self.violations) or "无可行方案")


# ---------------------------------------------------------------------------- helpers


def _n(value: int) -> str:
    return f"{value:,}"


def slot_label(slot: Slot) -> str:
    return f"{slot.year}年第{slot.number}轮"


def _team_label(slot: Slot, team: int) -> str:
    return f"{slot_label(slot)}第{team}组"


def _names(units: list[PlanUnit], limit: int = 5) -> str:
    shown = "、".join(u.name for u in units[:limit])
    return shown + (f"等 {_n(len(units))} 个单位" if len(units) > limit else "")


def _weight(unit: PlanUnit) -> int:
    return WEIGHTS.get(unit.level, WEIGHTS["general"])


def _fits_kind(unit: PlanUnit, slot: Slot) -> bool:
    return unit.elevated == (slot.kind == ELEVATED)


def _by_slot(problem: Problem) -> dict[int, Slot]:
    return {s.index: s for s in problem.slots}


def _team(slot: Slot, key: int) -> PlanTeam | None:
    for team in slot.teams:
        if team.key == key:
            return team
    return None


def _splits(problem: Problem, placements: Iterable[Placement]) -> tuple[int, int]:
    """(townships in more than one slot, extra slots summed over townships)."""
    group = {u.key: u.group for u in problem.units}
    slots: dict[str, set[int]] = defaultdict(set)
    for p in placements:
        g = group.get(p.unit, "")
        if g:
            slots[g].add(p.slot)
    return sum(1 for s in slots.values() if len(s) > 1), sum(len(s) - 1 for s in slots.values())


def group_splits(problem: Problem, placements: Iterable[Placement]) -> int:
    """How many townships are spread over more than one slot."""
    return _splits(problem, placements)[0]


def objective(problem: Problem, placements: Iterable[Placement]) -> int:
    """Sum over units of WEIGHTS[level] × slot index, plus SPLIT_PENALTY per extra slot a
    township is spread over (a township in 3 slots costs 2 × SPLIT_PENALTY). Lower is better."""
    placements = list(placements)
    unit = {u.key: u for u in problem.units}
    earliness = sum(_weight(unit[p.unit]) * p.slot for p in placements if p.unit in unit)
    return earliness + SPLIT_PENALTY * _splits(problem, placements)[1]


def _plan(problem: Problem, placements: list[Placement], status: str, started: float) -> Plan:
    placements.sort(key=lambda p: (p.slot, p.team, p.unit))
    return Plan(
        placements=tuple(placements),
        objective=objective(problem, placements),
        status=status,
        seconds=round(time.perf_counter() - started, 3),
        group_splits=group_splits(problem, placements),
    )


# ---------------------------------------------------------------------------- check


def check(problem: Problem, placements: Iterable[Placement]) -> list[Violation]:
    """Every hard constraint re-checked; [] means the plan is valid.

    Pinned placements are not re-checked here (the office may move them by hand);
    solve() and greedy() keep them and verify that themselves."""
    unit = {u.key: u for u in problem.units}
    slots = _by_slot(problem)
    out: list[Violation] = []
    seen: dict[int, list[Placement]] = defaultdict(list)
    load: Counter[tuple[int, int]] = Counter()
    loaded: dict[tuple[int, int], list[int]] = defaultdict(list)
    unknown_units: list[int] = []
    recused: list[tuple[Placement, PlanUnit]] = []
    wrong_kind: list[tuple[Placement, PlanUnit]] = []
    for p in placements:
        u = unit.get(p.unit)
        if u is None:
            unknown_units.append(p.unit)
            continue
        seen[p.unit].append(p)
        slot = slots.get(p.slot)
        if slot is None:
            out.append(
                Violation(
                    "unknown_slot", f"{u.name}：安排在不存在的轮次（序号 {p.slot}）。", (p.unit,)
                )
            )
            continue
        team = _team(slot, p.team)
        if team is None:
            out.append(
                Violation(
                    "unknown_slot", f"{u.name}：{slot_label(slot)}没有第{p.team}组。", (p.unit,)
                )
            )
            continue
        load[(p.slot, p.team)] += 1
        loaded[(p.slot, p.team)].append(p.unit)
        if p.unit in team.recused:
            recused.append((p, u))
        if not _fits_kind(u, slot):
            wrong_kind.append((p, u))
    if unknown_units:
        out.append(
            Violation(
                "unknown_unit",
                f"方案中有 {_n(len(unknown_units))} 个不在本届名单中的单位（编号 "
                + "、".join(str(k) for k in unknown_units[:5])
                + ("等" if len(unknown_units) > 5 else "")
                + "）。",
                tuple(unknown_units),
            )
        )
    for key, ps in seen.items():
        if len(ps) > 1:
            where = "、".join(
                _team_label(slots[p.slot], p.team) if p.slot in slots else f"轮次{p.slot}"
                for p in ps
            )
            out.append(
                Violation(
                    "duplicate",
                    f"{unit[key].name}：在本届安排了 {len(ps)} 次（{where}），只能安排一次。",
                    (key,),
                )
            )
    missing = [u for u in problem.units if u.key not in seen]
    if missing:
        out.append(
            Violation(
                "coverage",
                f"未全覆盖：还有 {_n(len(missing))} 个单位未安排（{_names(missing)}）。",
                tuple(u.key for u in missing),
            )
        )
    for (s, t), count in sorted(load.items()):
        team = _team(slots[s], t)
        assert team is not None
        if count > team.capacity:
            out.append(
                Violation(
                    "capacity",
                    f"{_team_label(slots[s], t)}安排了 {_n(count)} 个单位，超过可巡察的 {_n(team.capacity)} 个，"
                    f"多 {_n(count - team.capacity)} 个。",
                    tuple(sorted(loaded[(s, t)])),
                )
            )
    for p, u in recused:
        out.append(
            Violation(
                "recusal",
                f"{u.name}：{_team_label(slots[p.slot], p.team)}有成员须回避，不能由该组巡察。",
                (u.key,),
            )
        )
    for p, u in wrong_kind:
        if u.elevated:
            msg = f"{u.name}：须提级巡察，却安排在常规轮次{slot_label(slots[p.slot])}。"
        else:
            msg = f"{u.name}：不属提级巡察，却安排在提级轮次{slot_label(slots[p.slot])}。"
        out.append(Violation("elevated", msg, (u.key,)))
    return out


def _check_pinned(problem: Problem, placements: Iterable[Placement]) -> list[Violation]:
    where = {p.unit: (p.slot, p.team) for p in placements}
    name = {u.key: u.name for u in problem.units}
    return [
        Violation("coverage", f"{name.get(k, k)}：已固定的安排被改动。", (k,))
        for k, at in problem.pinned.items()
        if where.get(k) != at
    ]


# ---------------------------------------------------------------------------- explain


def explain_infeasible(problem: Problem) -> list[Violation]:
    """Fast necessary conditions, each with its numbers; [] does not prove a plan exists."""
    out: list[Violation] = []
    unit = {u.key: u for u in problem.units}
    slots = _by_slot(problem)
    dup_units = [k for k, c in Counter(u.key for u in problem.units).items() if c > 1]
    if dup_units:
        out.append(
            Violation(
                "duplicate",
                f"单位名单中有重复的单位（编号 {'、'.join(map(str, dup_units[:5]))}）。",
                tuple(dup_units),
            )
        )
    dup_slots = [k for k, c in Counter(s.index for s in problem.slots).items() if c > 1]
    if dup_slots:
        out.append(Violation("duplicate", f"轮次序号重复：{'、'.join(map(str, dup_slots))}。"))
    for s in problem.slots:
        dup_teams = [k for k, c in Counter(t.key for t in s.teams).items() if c > 1]
        if dup_teams:
            out.append(
                Violation(
                    "duplicate",
                    f"{slot_label(s)}的巡察组编号重复：{'、'.join(map(str, dup_teams))}。",
                )
            )

    # pinned placements
    pinned_load: Counter[tuple[int, int]] = Counter()
    for key, (si, t) in sorted(problem.pinned.items()):
        u = unit.get(key)
        if u is None:
            out.append(
                Violation("unknown_unit", f"固定安排中的单位（编号 {key}）不在本届名单中。", (key,))
            )
            continue
        slot = slots.get(si)
        if slot is None:
            out.append(
                Violation("unknown_slot", f"{u.name}：固定在不存在的轮次（序号 {si}）。", (key,))
            )
            continue
        team = _team(slot, t)
        if team is None:
            out.append(
                Violation(
                    "unknown_slot",
                    f"{u.name}：固定在{slot_label(slot)}，但该轮没有第{t}组。",
                    (key,),
                )
            )
            continue
        pinned_load[(si, t)] += 1
        if key in team.recused:
            out.append(
                Violation(
                    "recusal",
                    f"{u.name}：固定由{_team_label(slot, t)}巡察，但该组有成员须回避。",
                    (key,),
                )
            )
        if not _fits_kind(u, slot):
            kind = (
                "须提级巡察，却固定在常规轮次" if u.elevated else "不属提级巡察，却固定在提级轮次"
            )
            out.append(Violation("elevated", f"{u.name}：{kind}{slot_label(slot)}。", (key,)))
    for (si, t), count in sorted(pinned_load.items()):
        team = _team(slots[si], t)
        assert team is not None
        if count > team.capacity:
            out.append(
                Violation(
                    "capacity",
                    f"{_team_label(slots[si], t)}固定了 {_n(count)} 个单位，超过可巡察的 {_n(team.capacity)} 个，"
                    f"多 {_n(count - team.capacity)} 个。",
                    tuple(sorted(k for k, at in problem.pinned.items() if at == (si, t))),
                )
            )

    # capacity: routine slots for routine units, elevated slots for elevated units
    for elevated in (False, True):
        need = [u for u in problem.units if u.elevated == elevated]
        kind_slots = [s for s in problem.slots if (s.kind == ELEVATED) == elevated]
        room = sum(t.capacity for s in kind_slots for t in s.teams)
        if len(need) <= room:
            continue
        short = len(need) - room
        if elevated:
            msg = (
                f"提级巡察容量不足：需提级巡察 {_n(len(need))} 个单位，提级轮次只能容纳 {_n(room)} 个，"
                f"差 {_n(short)} 个。"
            )
        else:
            teams = {len(s.teams) for s in kind_slots}
            if len(teams) == 1:
                shape = f"届内 {len(kind_slots)} 轮 × {teams.pop()} 个组"
            else:
                shape = (
                    f"届内 {len(kind_slots)} 轮共 {sum(len(s.teams) for s in kind_slots)} 个组次"
                )
            msg = f"容量不足：{shape}，共可巡察 {_n(room)} 个单位，需覆盖 {_n(len(need))} 个，还差 {_n(short)} 个。"
        out.append(Violation("elevated" if elevated else "capacity", msg))

    # a unit no team of any fitting slot may inspect
    for u in problem.units:
        if u.key in problem.pinned:
            continue
        fitting = [s for s in problem.slots if _fits_kind(u, s)]
        if fitting and not any(
            u.key not in t.recused for s in fitting for t in s.teams if t.capacity > 0
        ):
            out.append(
                Violation(
                    "recusal", f"{u.name}：每一轮的每个巡察组都有成员须回避，无法安排。", (u.key,)
                )
            )
    return out


# ---------------------------------------------------------------------------- greedy


def _pinned_placements(problem: Problem) -> list[Placement]:
    return [Placement(k, s, t) for k, (s, t) in problem.pinned.items()]


def _greedy_order(problem: Problem) -> list[PlanUnit]:
    return sorted(
        (u for u in problem.units if u.key not in problem.pinned),
        key=lambda u: (-_weight(u), u.group, u.name, u.key),
    )


def greedy(problem: Problem) -> Plan:
    """The baseline: highest risk first (then township, name) into the earliest slot and
    lowest team with room and no recusal. Raises Infeasible when it gets stuck."""
    started = time.perf_counter()
    reasons = explain_infeasible(problem)
    if reasons:
        raise Infeasible(reasons)
    slots = sorted(problem.slots, key=lambda s: s.index)
    left = {(s.index, t.key): t.capacity for s in slots for t in s.teams}
    placements = _pinned_placements(problem)
    for p in placements:
        left[(p.slot, p.team)] -= 1
    stuck: list[PlanUnit] = []
    for u in _greedy_order(problem):
        placed = False
        for s in slots:
            if not _fits_kind(u, s):
                continue
            for t in s.teams:
                if left[(s.index, t.key)] > 0 and u.key not in t.recused:
                    left[(s.index, t.key)] -= 1
                    placements.append(Placement(u.key, s.index, t.key))
                    placed = True
                    break
            if placed:
                break
        if not placed:
            stuck.append(u)
    if stuck:
        raise Infeasible(
            [
                Violation(
                    "coverage",
                    f"按风险从高到低依次安排，{_names(stuck)}找不到尚有空位且无须回避的巡察组。",
                    tuple(u.key for u in stuck),
                )
            ]
        )
    plan = _plan(problem, placements, "greedy", started)
    bad = check(problem, plan.placements) + _check_pinned(problem, plan.placements)
    if bad:
        raise Infeasible(bad)
    return plan


# ---------------------------------------------------------------------------- generator

# Seed 004's shares of risk levels: 859 general, 388 watch, 170 high of 1,417 units.
LEVEL_SHARES = (("general", 859), ("watch", 388), ("high", 170))
_TOWN_CHARS = "东南西北中新安平和兴华宁丰永康泰福盛昌宏龙凤云山河湖桥石青白金"
_VILLAGE_CHARS = "家庄店坪岭沟湾营屯堡岗洼寨铺坝口塘溪林园桥"


def generate_problem(
    units: int = 3000,
    years: int = 5,
    rounds_per_year: int = 4,
    teams: int = 10,
    capacity: int | None = None,
    recusal_ties: int = 3,
    elevated_share: float = 0.02,
    seed: int = 0,
) -> Problem:
    """A synthetic term for the bench and tests.

    Townships of 15–50 units (about one unit in ten is a county department with no township);
    levels in seed 004's shares; ``elevated_share`` of the units elevated (提级), with one extra
    elevated round per year (after the year's routine rounds) of max(1, teams // 5) teams;
    each team of each round recuses the units of 1..``recusal_ties`` random townships (its
    members' home units; 0: no recusal); ``capacity`` per routine team, by default just enough
    for the routine units plus 10 % slack."""
    rng = random.Random(seed)
    out: list[PlanUnit] = []
    towns: list[str] = []
    county = "330101"
    key = 1
    levels = [name for name, _ in LEVEL_SHARES]
    shares = [count for _, count in LEVEL_SHARES]
    n_departments = units // 10
    while len(out) < units - n_departments:
        code = f"{county}{len(towns) + 1:03d}"
        towns.append(code)
        town = "".join(rng.sample(_TOWN_CHARS, 2)) + "镇"
        for v in range(min(rng.randint(15, 50), units - n_departments - len(out))):
            village = (
                "".join(rng.sample(_TOWN_CHARS, 1) + rng.sample(_VILLAGE_CHARS, 1)) + f"{v + 1}村"
            )
            level = rng.choices(levels, shares)[0]
            out.append(PlanUnit(key, town + village, code, level, county=county))
            key += 1
    while len(out) < units:
        level = rng.choices(levels, shares)[0]
        out.append(PlanUnit(key, f"县直部门{key}", "", level, county=county))
        key += 1
    n_elevated = round(units * elevated_share)
    for i in rng.sample(range(units), n_elevated):
        u = out[i]
        out[i] = PlanUnit(u.key, u.name, u.group, u.level, True, u.county)
    by_town: dict[str, list[int]] = defaultdict(list)
    for u in out:
        if u.group:
            by_town[u.group].append(u.key)

    def recusals() -> frozenset[int]:
        if recusal_ties <= 0 or not towns:
            return frozenset()
        # at most half the townships, so that small terms stay feasible
        picked = rng.sample(towns, min(len(towns) // 2, rng.randint(1, recusal_ties)))
        return frozenset(itertools.chain.from_iterable(by_town[g] for g in picked))

    routine_slots = years * rounds_per_year
    if capacity is None:
        capacity = math.ceil((units - n_elevated) * 1.1 / max(1, routine_slots * teams))
    elevated_teams = max(1, teams // 5)
    elevated_capacity = (
        math.ceil(n_elevated * 1.1 / max(1, years * elevated_teams)) if n_elevated else 0
    )
    slots: list[Slot] = []
    number = 0
    for y in range(years):
        for r in range(rounds_per_year + (1 if n_elevated else 0)):
            number += 1
            elevated = r == rounds_per_year
            n_teams, cap = (elevated_teams, elevated_capacity) if elevated else (teams, capacity)
            slot_teams = tuple(PlanTeam(t + 1, cap, recusals()) for t in range(n_teams))
            slots.append(
                Slot(len(slots), 2026 + y, number, ELEVATED if elevated else ROUTINE, slot_teams)
            )
    return Problem(tuple(out), tuple(slots))


# ---------------------------------------------------------------------------- CP-SAT


@dataclass
class _SlotData:
    slot: Slot
    room: dict[int, int]  # team key -> capacity left after pinned units (only teams with room)
    allowed: dict[int, frozenset[int]]  # unit key -> team keys that may take it (non-empty)


def _slot_data(
    problem: Problem, units: list[PlanUnit], *, recusal: bool = True, kinds: bool = True
) -> list[_SlotData]:
    pinned_load: Counter[tuple[int, int]] = Counter(problem.pinned.values())
    out = []
    for s in sorted(problem.slots, key=lambda s: s.index):
        room = {t.key: t.capacity - pinned_load[(s.index, t.key)] for t in s.teams}
        room = {k: v for k, v in room.items() if v > 0}
        recused = {t.key: t.recused for t in s.teams if t.key in room}
        allowed: dict[int, frozenset[int]] = {}
        for u in units:
            if kinds and not _fits_kind(u, s):
                continue
            ok = frozenset(k for k, r in recused.items() if not (recusal and u.key in r))
            if ok:
                allowed[u.key] = ok
        out.append(_SlotData(s, room, allowed))
    return out


def _assign_teams(data: _SlotData, units: list[PlanUnit]) -> tuple[dict[int, int], set[int] | None]:
    """Units of one slot to its teams: township chunks greedily, else a max flow.
    Returns (unit -> team, None) or ({}, a Hall violator: units that cannot all be placed)."""
    order = sorted(units, key=lambda u: (u.group, u.name, u.key))
    left = dict(data.room)
    out: dict[int, int] = {}
    current: int | None = None
    for u in order:
        ok = data.allowed[u.key]
        if current is not None and current in ok and left[current] > 0:
            team = current
        else:
            free = [t for t in sorted(ok) if left[t] > 0]
            if not free:
                break
            # the allowed team with most room left keeps the next township's chunk together
            team = max(free, key=lambda t: (left[t], -t))
        out[u.key] = team
        left[team] -= 1
        current = team
    if len(out) == len(units):
        return out, None
    from ortools.graph.python import max_flow

    flow = max_flow.SimpleMaxFlow()
    teams = sorted(data.room)
    source, sink = 0, 1
    t_node = {t: 2 + i for i, t in enumerate(teams)}
    u_node = {u.key: 2 + len(teams) + i for i, u in enumerate(order)}
    arcs: list[tuple[int, int, int]] = []
    for u in order:
        flow.add_arc_with_capacity(source, u_node[u.key], 1)
        for t in sorted(data.allowed[u.key]):
            arcs.append((flow.add_arc_with_capacity(u_node[u.key], t_node[t], 1), u.key, t))
    for t in teams:
        flow.add_arc_with_capacity(t_node[t], sink, data.room[t])
    flow.solve(source, sink)
    if flow.optimal_flow() == len(order):
        return {u: t for arc, u, t in arcs if flow.flow(arc) > 0}, None
    side = set(flow.get_source_side_min_cut())
    return {}, {u.key for u in order if u_node[u.key] in side}


@dataclass
class _Class:
    """Interchangeable units: same township, weight and allowed teams in every slot."""

    group: str
    weight: int
    units: list[PlanUnit]
    allowed: dict[int, frozenset[int]]  # slot index -> allowed team keys


def _classes(units: list[PlanUnit], data: list[_SlotData]) -> list[_Class]:
    out: dict[tuple[Any, ...], _Class] = {}
    for u in sorted(units, key=lambda u: (u.group, u.name, u.key)):
        allowed = {d.slot.index: d.allowed[u.key] for d in data if u.key in d.allowed}
        sig = (
            u.group,
            _weight(u),
            tuple(sorted((s, tuple(sorted(a))) for s, a in allowed.items())),
        )
        if sig not in out:
            out[sig] = _Class(u.group, _weight(u), [], allowed)
        out[sig].units.append(u)
    return list(out.values())


def _hall_sets(data: _SlotData, allowed_sets: set[frozenset[int]]) -> list[frozenset[int]] | None:
    """The closed sets C of teams (intersections of the recusing-team sets) whose Hall
    condition "units that only teams outside C may take ≤ those teams' room" can bind;
    None when there are more than HALL_LIMIT (then cuts are added on demand)."""
    teams = frozenset(data.room)
    base = {teams - a for a in allowed_sets} - {frozenset()}
    closed = set(base)
    frontier = set(base)
    while frontier:
        new = set()
        for a in frontier:
            for b in base:
                c = a & b
                if c and c not in closed:
                    new.add(c)
        closed |= new
        frontier = new
        if len(closed) > HALL_LIMIT:
            return None
    return sorted(closed, key=lambda c: (len(c), sorted(c)))


def _build(
    problem: Problem,
    classes: list[_Class],
    data: list[_SlotData],
    *,
    optimise: bool,
) -> tuple[Any, dict[tuple[int, int], Any], dict[tuple[str, int], Any], bool]:
    """n[c, s]: how many units of class c go to slot s; z[g, s]: township g uses slot s."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    for ci, c in enumerate(classes):
        for s in c.allowed:
            n[(ci, s)] = model.new_int_var(0, len(c.units), f"n{ci}_{s}")
        model.add(sum(n[(ci, s)] for s in c.allowed) == len(c.units))
    complete = True
    for d in data:
        s = d.slot.index
        here = [ci for ci, c in enumerate(classes) if s in c.allowed]
        if not here:
            continue
        model.add(sum(n[(ci, s)] for ci in here) <= sum(d.room.values()))
        sets = _hall_sets(d, {classes[ci].allowed[s] for ci in here})
        if sets is None:
            complete = False
            sets = sorted(
                {frozenset(d.room) - classes[ci].allowed[s] for ci in here} - {frozenset()},
                key=sorted,
            )
        for team_set in sets:
            members = [ci for ci in here if not (classes[ci].allowed[s] & team_set)]
            room = sum(v for t, v in d.room.items() if t not in team_set)
            if sum(len(classes[ci].units) for ci in members) > room:
                model.add(sum(n[(ci, s)] for ci in members) <= room)
    z: dict[tuple[str, int], cp_model.IntVar] = {}
    if optimise:
        group_of = {u.key: u.group for u in problem.units}
        pinned_at = {(group_of.get(k, ""), s) for k, (s, _) in problem.pinned.items()}
        for (ci, s), var in n.items():
            g = classes[ci].group
            if not g:
                continue
            if (g, s) not in z:
                z[(g, s)] = model.new_bool_var(f"z{g}_{s}")
                if (g, s) in pinned_at:
                    model.add(z[(g, s)] == 1)
            model.add(var <= len(classes[ci].units) * z[(g, s)])
        model.minimize(
            sum(classes[ci].weight * s * var for (ci, s), var in n.items() if s)
            + sum(SPLIT_PENALTY * v for v in z.values())
        )
    return model, n, z, complete


def _params(solver: Any, time_limit: float, workers: int, seed: int) -> None:
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # Interleaved subsolvers (deterministic mode): the same search for the same seed and
    # workers whatever the machine's load, so a run that ends before the time limit is
    # reproducible; one task per worker in each batch keeps small terms fast.
    solver.parameters.interleave_search = True
    solver.parameters.interleave_batch_size = max(1, workers)


def _feasible(
    problem: Problem, units: list[PlanUnit], *, recusal: bool, kinds: bool, time_limit: float
) -> bool:
    from ortools.sat.python import cp_model

    data = _slot_data(problem, units, recusal=recusal, kinds=kinds)
    if any(not any(u.key in d.allowed for d in data) for u in units):
        return False
    model, _, _, _ = _build(problem, _classes(units, data), data, optimise=False)
    solver = cp_model.CpSolver()
    _params(solver, time_limit, 2, 0)
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _locate(problem: Problem, units: list[PlanUnit], time_limit: float) -> list[Violation]:
    """The solver proved there is no plan: find the constraint family whose relaxation helps."""
    limit = max(1.0, time_limit / 4)
    if _feasible(problem, units, recusal=False, kinds=True, time_limit=limit):
        return [
            Violation(
                "recusal",
                "求解器证明无法全覆盖：不考虑回避时可以安排，考虑回避后不行。"
                "请调整巡察组成员（减少回避）或增加未回避组的容量。",
            )
        ]
    if _feasible(problem, units, recusal=True, kinds=False, time_limit=limit):
        return [
            Violation(
                "elevated",
                "求解器证明无法全覆盖：提级巡察与常规轮次分开安排时容量不够。请增加提级轮次或其巡察组的容量。",
            )
        ]
    return [
        Violation(
            "capacity",
            "求解器证明无法全覆盖：各轮各组的容量不足以容纳全部单位。请增加轮次、巡察组或每组容量。",
        )
    ]


def solve(problem: Problem, *, time_limit: float = 50.0, workers: int = 2, seed: int = 0) -> Plan:
    """The CP-SAT plan: minimises :func:`objective` within ``time_limit`` seconds.

    Stage 1 counts how many units of each class (same township, weight and allowed teams)
    go to each slot, under per-slot capacity and exact Hall conditions for recusal; stage 2
    gives each slot's units to its teams (township chunks, else a max flow). Hinted with the
    greedy plan and never worse than it: if the solver ends with nothing better, the greedy
    plan is returned (status "greedy"). Raises Infeasible with explain_infeasible's reasons,
    or one solver-proved reason naming the constraint family to relax."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    reasons = explain_infeasible(problem)
    if reasons:
        raise Infeasible(reasons)
    try:
        baseline: Plan | None = greedy(problem)
    except Infeasible:
        baseline = None
    units = [u for u in problem.units if u.key not in problem.pinned]
    data = _slot_data(problem, units)
    classes = _classes(units, data)
    model, n, z, _ = _build(problem, classes, data, optimise=True)
    if baseline is not None:
        at = {p.unit: p.slot for p in baseline.placements}
        counts = Counter((ci, at[u.key]) for ci, c in enumerate(classes) for u in c.units)
        for key, var in n.items():
            model.add_hint(var, counts[key])
        used = {(classes[ci].group, s) for ci, s in counts}
        for gs, var in z.items():
            model.add_hint(var, gs in used)
    by_slot = {d.slot.index: d for d in data}
    placements: list[Placement] | None = None
    status_name = "greedy"
    while time.perf_counter() - started < time_limit:
        solver = cp_model.CpSolver()
        # leave half a second for the teams, the check and the plan
        _params(solver, time_limit - (time.perf_counter() - started) - 0.5, workers, seed)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            raise Infeasible(_locate(problem, units, time_limit))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        chosen: dict[int, list[PlanUnit]] = defaultdict(list)
        for ci, c in enumerate(classes):
            rest = iter(c.units)
            for s in sorted(c.allowed):
                chosen[s] += itertools.islice(rest, solver.value(n[(ci, s)]))
        placements = _pinned_placements(problem)
        for s, d in by_slot.items():
            teams, violator = _assign_teams(d, chosen[s])
            if violator is not None:
                # only when the Hall sets were too many to list: cut this violator off, resolve
                of = {u.key: ci for ci, c in enumerate(classes) for u in c.units}
                cut = {of[k] for k in violator}
                reach = frozenset().union(*(classes[ci].allowed[s] for ci in cut))
                model.add(sum(n[(ci, s)] for ci in cut) <= sum(d.room[t] for t in reach))
                placements = None
                break
            placements += [Placement(k, s, t) for k, t in teams.items()]
        if placements is not None:
            status_name = "optimal" if status == cp_model.OPTIMAL else "feasible"
            break
    if placements is None:
        if baseline is None:
            raise Infeasible(
                [
                    Violation(
                        "coverage",
                        f"在 {time_limit:g} 秒内未找到全覆盖方案（按风险依次安排也无法完成）。"
                        "请延长求解时间或放宽容量、回避限制。",
                    )
                ]
            )
        return _plan(problem, list(baseline.placements), "greedy", started)
    plan = _plan(problem, placements, status_name, started)
    bad = check(problem, plan.placements) + _check_pinned(problem, plan.placements)
    if bad:
        raise Infeasible(bad)
    if baseline is not None and baseline.objective < plan.objective:
        return _plan(problem, list(baseline.placements), "greedy", started)
    return plan
