"""The same check on DuckDB and on Spark (local mode) at 10,000,000 payment rows.

Generates (once, cached under bench/data/) 10,000,000 payment rows in CSV, mixed UTF-8
and GBK, with a 2,500,000-row death register and a 1,500,000-row payroll register,
then in this one invocation runs ``run_check`` with each engine on the same files and
prints both times, the time of each step, the ratio Spark / DuckDB, and whether the
hits are identical.

Both engines read and normalise the files the same way (DuckDB); Spark then takes the
normalised rows as Parquet and runs the linking and the rules. On one machine Spark is
expected to be slower (a JVM, shuffles through local disk, no vectorised joins across
the process boundary); what it buys is running the same rules on a cluster.

    python bench/bench_spark.py [--payments 10000000] [--master local[*]] [--driver-memory 8g]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_check import generate_paths  # noqa: E402
from xuncha.crosscheck.datagen import DatagenConfig, generate  # noqa: E402
from xuncha.crosscheck.engine import CheckConfig, run_check  # noqa: E402
from xuncha.crosscheck.spark import spark_session  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--payments", type=int, default=10_000_000)
    p.add_argument("--master", default="local[*]")
    p.add_argument("--driver-memory", default="8g")
    args = p.parse_args()
    deaths, payroll = args.payments // 4, args.payments * 3 // 20
    data_dir = HERE / "data" / f"check-{args.payments}-{deaths}-{payroll}"
    if not (data_dir / "truth.csv").exists():
        t0 = time.perf_counter()
        generate(data_dir, DatagenConfig(payments=args.payments, seed=20231001, xlsx=False,
                                         deaths=deaths, payroll=payroll))  # fmt: skip
        print(f"generated data in {time.perf_counter() - t0:.1f} s", flush=True)
    files = generate_paths(data_dir)
    base = {"inputs": {k: files[k] for k in ("payments", "deaths", "payroll")}}
    print(
        f"{args.payments:,} payment rows, {deaths:,} deaths, {payroll:,} payroll rows", flush=True
    )

    duck = run_check(CheckConfig(**base, memory_limit="8GB"), HERE / "data")
    print(f"DuckDB: {duck.seconds:.1f} s {duck.timings} — {duck.hits.num_rows:,} hits", flush=True)

    t0 = time.perf_counter()
    spark_session(args.master, {"spark.driver.memory": args.driver_memory})
    start = time.perf_counter() - t0
    spark = run_check(CheckConfig(**base, memory_limit="8GB", engine="spark",
                                  spark_master=args.master), HERE / "data")  # fmt: skip
    print(f"Spark ({args.master}; JVM start {start:.1f} s, not counted): {spark.seconds:.1f} s "
          f"{spark.timings} — {spark.hits.num_rows:,} hits", flush=True)  # fmt: skip
    same = spark.hits.to_pylist() == duck.hits.to_pylist()
    print(f"\nratio Spark / DuckDB: {spark.seconds / duck.seconds:.2f}; identical hits: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
