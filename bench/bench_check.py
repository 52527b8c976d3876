"""Speed and memory of ``xuncha check`` at 2,000,000 payment rows.

Generates (once, cached under bench/data/) 2,000,000 payment rows in CSV, mixed UTF-8
and GBK, a 500,000-row death register and a 300,000-row payroll register, then times
in this one invocation:

1. DuckDB alone reading the same files into tables (UTF-8 copies of the GBK files are
   made beforehand, outside the timing, since DuckDB cannot read GBK by itself);
2. the same, counting the GBK→UTF-8 transcoding DuckDB needs;
3. the least any check must do before it can check anything: the SHA-256 of every
   input (the manifest names inputs by it), the GBK→UTF-8 transcoding and DuckDB's
   read (a floor, not a check: it shows how much of the ≤ 2× budget reading takes);
4. the whole ``xuncha check`` command (a fresh process: start-up, ingest, rules,
   hits.csv, the workbook and the manifest), with its steps' times from its manifest;
5. bench/baseline_pandas.py, the exact-ID version of the rules in plain pandas.

Each is measured once a round for ``--rounds`` rounds (3 by default), one after
another, and the medians are compared. It prints every run, the medians, the ratios
the issue sets (check ≤ 2× DuckDB's read, pandas ≥ 5× check) and each process's peak
memory (ru_maxrss from wait4). Precision and recall against the generator's truth are
printed too.

    python bench/bench_check.py [--payments 2000000] [--deaths 500000] [--payroll 300000]
                                [--rounds 3] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
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


def floor_read(paths: list[Path], transcode_dir: Path) -> float:
    """Seconds for the SHA-256 of every file plus :func:`duckdb_read` with transcoding."""
    t0 = time.perf_counter()
    for path in paths:
        with path.open("rb") as f:
            hashlib.file_digest(f, "sha256")
    return time.perf_counter() - t0 + duckdb_read(paths, transcode_dir)


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
    args = ap.parse_args()

    data_dir = HERE / "data" / f"check-{args.payments}-{args.deaths}-{args.payroll}"
    out_dir = HERE / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
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
                 "--standard", "600", "--out", str(out_dir / "check")]  # fmt: skip
    pandas_cmd = [sys.executable, str(HERE / "baseline_pandas.py"),
                  "--payments", *map(str, data["payments"]), "--deaths", *map(str, data["deaths"]),
                  "--payroll", *map(str, data["payroll"]), "--out", str(out_dir / "pandas.csv")]  # fmt: skip

    # Every measurement is taken once a round, the rounds one after another, and the
    # median of each is compared: the machine's speed drifts between runs, and the
    # same statistic for all keeps the ratios fair.
    samples: dict[str, list[float]] = {
        "read": [], "read_t": [], "floor": [], "check": [], "pandas": []
    }  # fmt: skip
    steps: list[dict[str, float]] = []
    peaks: dict[str, float] = {}
    for _ in range(args.rounds):
        samples["read"].append(duckdb_read(utf8))
        samples["read_t"].append(duckdb_read(files, tmp))
        samples["floor"].append(floor_read(files, tmp))
        seconds, peak = run_process(check_cmd)
        samples["check"].append(seconds)
        steps.append(check_steps(out_dir / "check" / "manifest.json", seconds))
        peaks["check"] = max(peaks.get("check", 0.0), peak)
        if not args.skip_pandas:
            seconds, peak = run_process(pandas_cmd)
            samples["pandas"].append(seconds)
            peaks["pandas"] = max(peaks.get("pandas", 0.0), peak)
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    for key, label in (("read", "DuckDB reads the files into tables"),
                       ("read_t", "  … counting GBK→UTF-8 transcoding"),
                       ("floor", "  … and the SHA-256 of every input"),
                       ("check", "xuncha check (whole command)"),
                       ("pandas", "pandas baseline (exact IDs only)")):  # fmt: skip
        if key in med:
            runs = " ".join(f"{s:.2f}" for s in samples[key])
            peak = f"   peak {peaks[key]:,.0f} MB" if key in peaks else ""
            print(f"{label + ':':44}{med[key]:8.2f} s   (runs: {runs}){peak}")

    def rounds(a: str, b: str) -> str:
        """The ratio within each round (measured minutes apart, so less exposed to drift)."""
        return " ".join(f"{x / y:.2f}" for x, y in zip(samples[a], samples[b], strict=True))

    print(
        f"ratio check / DuckDB read:                  {med['check'] / med['read']:8.2f}"
        f"   (target ≤ 2; each round: {rounds('check', 'read')})"
    )
    print(
        f"ratio check / DuckDB read with transcoding: {med['check'] / med['read_t']:8.2f}"
        f"   (each round: {rounds('check', 'read_t')})"
    )
    print(
        f"ratio floor / DuckDB read:                  {med['floor'] / med['read']:8.2f}"
        f"   (leaves {2 * med['read'] - med['floor']:.2f} s within 2× for all the checking)"
    )
    median_run = steps[samples["check"].index(med["check"])] if args.rounds % 2 else steps[-1]
    print(
        "xuncha check by step (median run, s):       "
        + "  ".join(f"{k} {v:.2f}" for k, v in median_run.items())
    )
    if "pandas" in med:
        print(
            f"ratio pandas / check:                       {med['pandas'] / med['check']:8.2f}"
            f"   (target ≥ 5; each round: {rounds('pandas', 'check')})"
        )
    hits = pacsv.read_csv(out_dir / "check" / "hits.csv")
    print("accuracy against the generator's truth:")
    print(format_scores(evaluate(hits, data_dir / "truth.csv")))


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
