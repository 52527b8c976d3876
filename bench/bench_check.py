"""Speed, accuracy and memory of ``xuncha check`` at 2,000,000 payment rows (``make bench``).

Generates (once, cached under bench/data/) 2,000,000 payment rows in CSV, mixed UTF-8
and GBK, a 500,000-row death register and a 300,000-row payroll register, then times
in this one invocation, each once a round for ``--rounds`` rounds (3 by default):

1. DuckDB alone reading the same files into tables (UTF-8 copies of the GBK files are
   made beforehand, outside the timing, since DuckDB cannot read GBK by itself);
2. the floor (issue 17): the GBK→UTF-8 transcoding plus DuckDB's read, what any check
   must do before it can check anything (the SHA-256 is not part of it: the check
   computes it in the pass that reads or transcodes the bytes);
3. the whole ``xuncha check`` command (a fresh process: start-up, ingest, rules,
   hits.csv, the workbook and the manifest), with its steps' times from its manifest;
4. bench/baseline_pandas.py, the exact-ID version of the rules in plain pandas.

It prints every run, the medians, the ratios the issue sets (check ≤ 2.5× the floor,
2× the stretch goal; pandas ≥ 3× the check), each process's peak memory (ru_maxrss
from wait4; the target is under 4 GB), the precision and recall per rule of both the
check and pandas against the generator's truth (target ≥ 0.999 for the check), and the
xlsx reading speed for one sheet per county (bench/bench_xlsx_read.py; target ≥ 200,000
rows/s).

    python bench/bench_check.py [--payments 2000000] [--deaths 500000] [--payroll 300000]
                                [--rounds 3] [--skip-pandas] [--xlsx-rows 300000]
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.crosscheck.evaluate import evaluate, format_scores

HERE = Path(__file__).parent


def run_process(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak resident memory in MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def utf8_copy(path: Path, cache: Path) -> Path:
    head = path.read_bytes()[:65536]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
        return path
    except UnicodeDecodeError:
        target = cache / (path.stem + ".utf8.csv")
        if not target.exists():
            target.write_text(path.read_text(encoding="gb18030"), encoding="utf-8")
        return target


def duckdb_read(paths: list[Path], transcode_dir: Path | None = None) -> float:
    """Seconds for DuckDB to read every file into a table (auto-detected dialect)."""
    t0 = time.perf_counter()
    con = duckdb.connect()
    for i, path in enumerate(paths):
        if transcode_dir is not None:
            path = utf8_copy_fresh(path, transcode_dir)
        con.execute(
            f"CREATE TABLE t{i} AS SELECT * FROM read_csv(?, all_varchar=true, null_padding=true)",
            [str(path)],
        )
    con.close()
    return time.perf_counter() - t0


def utf8_copy_fresh(path: Path, tmp: Path) -> Path:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(path.read_bytes()[:65536])
        return path
    except UnicodeDecodeError:
        target = tmp / (path.stem + ".t.csv")
        with path.open(encoding="gb18030") as src, target.open("w", encoding="utf-8") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk)
        return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=2_000_000)
    ap.add_argument("--deaths", type=int, default=500_000)
    ap.add_argument("--payroll", type=int, default=300_000)
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="measurements of each (median)")
    ap.add_argument("--xlsx-rows", type=int, default=300_000, help="0: no xlsx measurement")
    args = ap.parse_args()

    data_dir = HERE / "data" / f"check-{args.payments}-{args.deaths}-{args.payroll}"
    out_dir = HERE / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    # This run's outputs apart from another run's (others may run the bench at once).
    mine = out_dir / f"run-{os.getpid()}"
    mine.mkdir(exist_ok=True)
    cfg = DatagenConfig(
        payments=args.payments, deaths=args.deaths, payroll=args.payroll, xlsx=False
    )
    if not (data_dir / "truth.csv").exists():
        t0 = time.perf_counter()
        generate(data_dir, cfg)
        print(f"generated data in {time.perf_counter() - t0:.1f} s")
    data = generate_paths(data_dir)
    files = data["payments"] + data["deaths"] + data["payroll"]
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"inputs: {len(files)} CSV files, {size:.0f} MB")

    cache = out_dir / "utf8"
    cache.mkdir(exist_ok=True)
    utf8 = [utf8_copy(p, cache) for p in files]
    tmp = out_dir / "transcode"
    tmp.mkdir(exist_ok=True)
    xuncha = str(Path(sys.executable).parent / "xuncha")
    check_cmd = [xuncha, "check", "--payments", *map(str, data["payments"]),
                 "--deaths", *map(str, data["deaths"]), "--payroll", *map(str, data["payroll"]),
                 "--standard", "600", "--out", str(mine / "check")]  # fmt: skip
    pandas_cmd = [sys.executable, str(HERE / "baseline_pandas.py"),
                  "--payments", *map(str, data["payments"]), "--deaths", *map(str, data["deaths"]),
                  "--payroll", *map(str, data["payroll"]), "--out", str(mine / "pandas.csv")]  # fmt: skip

    # Every measurement is taken once a round, the rounds one after another, and the
    # median of each is compared: the machine's speed drifts between runs, and the
    # same statistic for all keeps the ratios fair.
    samples: dict[str, list[float]] = {"read": [], "floor": [], "check": [], "pandas": []}
    steps: list[dict[str, float]] = []
    peaks: dict[str, float] = {}
    for _ in range(args.rounds):
        samples["read"].append(duckdb_read(utf8))
        samples["floor"].append(duckdb_read(files, tmp))
        seconds, peak = run_process(check_cmd)
        samples["check"].append(seconds)
        steps.append(check_steps(mine / "check" / "manifest.json", seconds))
        peaks["check"] = max(peaks.get("check", 0.0), peak)
        if not args.skip_pandas:
            seconds, peak = run_process(pandas_cmd)
            samples["pandas"].append(seconds)
            peaks["pandas"] = max(peaks.get("pandas", 0.0), peak)
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    for key, label in (("read", "DuckDB reads the files into tables"),
                       ("floor", "floor: GBK→UTF-8 transcoding + DuckDB read"),
                       ("check", "xuncha check (whole command)"),
                       ("pandas", "pandas baseline (exact IDs only)")):  # fmt: skip
        if key in med:
            runs = " ".join(f"{s:.2f}" for s in samples[key])
            peak = f"   peak {peaks[key]:,.0f} MB" if key in peaks else ""
            print(f"{label + ':':46}{med[key]:8.2f} s   (runs: {runs}){peak}")

    def rounds(a: str, b: str) -> str:
        """The ratio within each round (measured minutes apart, so less exposed to drift)."""
        return " ".join(f"{x / y:.2f}" for x, y in zip(samples[a], samples[b], strict=True))

    print(
        f"ratio check / floor:                          {med['check'] / med['floor']:8.2f}"
        f"   (target ≤ 2.5, stretch 2; each round: {rounds('check', 'floor')})"
    )
    print(
        f"ratio check / DuckDB read alone:              {med['check'] / med['read']:8.2f}"
        f"   (each round: {rounds('check', 'read')})"
    )
    median_run = steps[samples["check"].index(med["check"])] if args.rounds % 2 else steps[-1]
    print(
        "xuncha check by step (median run, s):         "
        + "  ".join(f"{k} {v:.2f}" for k, v in median_run.items())
    )
    if "pandas" in med:
        print(
            f"ratio pandas / check:                         {med['pandas'] / med['check']:8.2f}"
            f"   (target ≥ 3; each round: {rounds('pandas', 'check')})"
        )
    print(
        f"peak memory: check {peaks['check']:,.0f} MB"
        + (f", pandas {peaks['pandas']:,.0f} MB" if "pandas" in peaks else "")
        + "   (target < 4,096 MB for the check)"
    )
    hits = pacsv.read_csv(mine / "check" / "hits.csv")
    print("accuracy of xuncha check against the generator's truth (target ≥ 0.999 each):")
    print(format_scores(evaluate(hits, data_dir / "truth.csv")))
    if "pandas" in med:
        print("accuracy of the pandas baseline against the same truth:")
        print(format_scores(evaluate(pandas_hits(mine / "pandas.csv"), data_dir / "truth.csv")))
    if args.xlsx_rows:
        xlsx_speed(args.xlsx_rows)


def pandas_hits(path: Path) -> pa.Table:
    """The pandas baseline's output as hits (CSV files have no sheet)."""
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={"file": pa.string(), "row": pa.int64()}))  # fmt: skip
    return table.append_column("sheet", pa.nulls(len(table), pa.string()))


def xlsx_speed(rows: int) -> None:
    """xlsx rows/s for one workbook with one sheet per county (built once, cached)."""
    from bench_xlsx_read import COUNTIES, build, ingest

    path = HERE / "data" / f"xlsx-{rows}-{len(COUNTIES)}" / "2021年发放表.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, rows, len(COUNTIES))
    runs = [ingest(path) for _ in range(3)]
    best = statistics.median(runs)
    print(
        f"xlsx read, one sheet per county ({len(COUNTIES)} sheets, {rows:,} rows): "
        f"{rows / best:,.0f} rows/s   (target ≥ 200,000; runs: "
        + " ".join(f"{r:.2f}" for r in runs)
        + " s)"
    )


def check_steps(manifest: Path, seconds: float) -> dict[str, float]:
    """The check's steps (from its manifest) and the rest of the process: start-up,
    hits.csv, the workbook and the manifest itself."""
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return {**meta["timings"], "start-up+report": seconds - meta["seconds"]}


def generate_paths(data_dir: Path) -> dict[str, list[Path]]:
    meta = json.loads((data_dir / "datagen.json").read_text(encoding="utf-8"))
    return {
        k: [data_dir / f["file"] for f in meta["files"] if f["role"] == k]
        for k in ("payments", "deaths", "payroll")
    }


if __name__ == "__main__":
    main()
