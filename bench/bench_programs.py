"""Every shipped program (比对模型) on its own generated data (``make bench-programs``).

For each program with a generator: generate (under bench/data/) about
``--payments`` payment rows in CSV, then run the check on DuckDB ``--rounds`` times in
this one invocation, and print per program:

* the median time of the check (ingest, normalise, link, rules; the report is the same
  writer for every program and is not timed here) and its ratio to the reservoir
  program's median in the same invocation (issue 20: each program within 1.5x);
* precision and recall of every rule against the generator's truth.csv (target >= 0.99),
  on a seed no test was tuned on (``--seed``).

    python bench/bench_programs.py [--payments 2000000] [--rounds 3] [--seed 20261204]
                                   [--programs reservoir subsistence ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from xuncha.crosscheck.engine import CheckConfig, run_check
from xuncha.crosscheck.evaluate import evaluate, format_scores
from xuncha.crosscheck.programs import PROGRAMS, table_files_of

HERE = Path(__file__).parent


def generated(program: Any, payments: int, seed: int) -> Any:
    folder = HERE / "data" / f"program-{program.id}-{payments}-{seed}"
    t0 = time.perf_counter()
    data = program.generate(folder, payments=payments, seed=seed, xlsx=False)
    print(f"  data: {folder.name} ({time.perf_counter() - t0:.1f} s)", flush=True)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--programs", nargs="+", default=[p.id for p in PROGRAMS.values() if p.datagen]
    )
    args = parser.parse_args()
    medians: dict[str, float] = {}
    scores: dict[str, Any] = {}
    for program_id in args.programs:
        program = PROGRAMS[program_id]
        print(f"\n{program.id}（{program.title}）", flush=True)
        data = generated(program, args.payments, args.seed)
        tables = table_files_of(data)
        times = []
        for _ in range(args.rounds):
            config = CheckConfig(inputs=data.files(), program=program.id, params=dict(data.params),
                                 table_files=tables, memory_limit="6GB")  # fmt: skip
            result = run_check(config, HERE / "data")
            rows = sum(sh.rows_used for s in result.sources if s.dataset == program.inputs[0].id
                       for sh in s.sheets)  # fmt: skip
            times.append(result.seconds)
            print(f"  run: {result.seconds:.2f} s {result.timings} — {rows:,} payment rows, "
                  f"{result.hits.num_rows:,} hits", flush=True)  # fmt: skip
        medians[program.id] = statistics.median(times)
        scores[program.id] = evaluate(result.hits, data.truth, program=program.id)
        print(format_scores(scores[program.id]), flush=True)
    base = medians.get("reservoir")
    print("\nprogram              median s   ratio to reservoir   min precision   min recall")
    for program_id, median in medians.items():
        ratio = f"{median / base:.2f}x" if base else "—"
        low_p = min(s.precision for s in scores[program_id].values())
        low_r = min(s.recall for s in scores[program_id].values())
        print(f"{program_id:<20} {median:>8.2f}   {ratio:>18}   {low_p:>13.4f}   {low_r:>10.4f}")


if __name__ == "__main__":
    main()
