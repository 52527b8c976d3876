"""The term coverage planner (issue 21): greedy baseline and CP-SAT on one generated term,
in the same invocation (target: a checked, feasible CP-SAT plan within 60 s on 2 cores).

The default term is 3,000 units over 5 years × 4 routine rounds × 10 teams, plus one
elevated round per year (2 % elevated units), each team of each round recusing the units
of 1–3 townships (:func:`xuncha.planning.planner.generate_problem`). Prints for each
method: wall time, status, the hard-constraint check (must be []), the objective
(risk-weighted earliness + township splits) and the townships split over several rounds;
then the ratio of CP-SAT's objective to greedy's (lower is better; ≤ 1 by construction).

    python bench/bench_planner.py [--units 3000] [--years 5] [--rounds 4] [--teams 10]
                                  [--capacity N] [--recusal-ties 3]
                                  [--time-limit 50] [--workers 2] [--seed 0]

A tight term where the greedy baseline gets stuck and CP-SAT still covers every unit:
``--units 3061 --capacity 15 --recusal-ties 30`` (routine room exactly the 3,000 routine units).
"""

from __future__ import annotations

import argparse
import sys
import time

from xuncha.planning.planner import (
    Infeasible,
    Plan,
    Problem,
    check,
    generate_problem,
    greedy,
    solve,
)

TARGET_SECONDS = 60


def report(name: str, problem: Problem, run: object) -> Plan | None:
    started = time.perf_counter()
    try:
        plan = run()  # type: ignore[operator]
    except Infeasible as e:
        print(f"{name:>7}: infeasible after {time.perf_counter() - started:.2f} s: {e}")
        return None
    wall = time.perf_counter() - started
    violations = check(problem, plan.placements)
    print(
        f"{name:>7}: {wall:6.2f} s  status={plan.status:<8}  check={violations!r:<4}  "
        f"objective={plan.objective:,}  township splits={plan.group_splits}"
    )
    if violations:
        sys.exit(f"{name} returned a plan that breaks a hard constraint")
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4, help="routine rounds per year")
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument(
        "--capacity", type=int, default=None, help="per routine team (default: 10%% slack)"
    )
    parser.add_argument("--recusal-ties", type=int, default=3, help="most townships a team recuses")
    parser.add_argument("--time-limit", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    # import the solver's modules first so that the CP-SAT timing is the solve alone
    from ortools.sat.python import cp_model  # noqa: F401

    problem = generate_problem(
        units=args.units,
        years=args.years,
        rounds_per_year=args.rounds,
        teams=args.teams,
        capacity=args.capacity,
        recusal_ties=args.recusal_ties,
        seed=args.seed,
    )
    routine = [s for s in problem.slots if s.kind == "routine"]
    room = sum(t.capacity for s in routine for t in s.teams)
    recused = sum(len(t.recused) for s in problem.slots for t in s.teams)
    print(
        f"term: {len(problem.units):,} units ({sum(u.elevated for u in problem.units)} elevated, "
        f"{len({u.group for u in problem.units if u.group})} townships), {len(problem.slots)} rounds "
        f"({len(routine)} routine × {args.teams} teams, routine room {room:,}), "
        f"{recused:,} recusal ties"
    )
    g = report("greedy", problem, lambda: greedy(problem))
    started = time.perf_counter()
    s = report(
        "CP-SAT",
        problem,
        lambda: solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed),
    )
    wall = time.perf_counter() - started
    if g is not None and s is not None:
        print(f"objective CP-SAT / greedy = {s.objective / g.objective:.4f}")
    if s is not None:
        verdict = "OK" if wall <= TARGET_SECONDS else "SLOW"
        print(
            f"CP-SAT plan checked and feasible in {wall:.1f} s (target {TARGET_SECONDS} s): {verdict}"
        )


if __name__ == "__main__":
    main()
