"""What reading untrusted files in a child process costs, and what the bomb checks cost.

Prints: a small workbook's preview in process and in a limited child (the ratio is the
price of the isolation, paid once per upload and mapping); the extent scan of a large
sheet against inflating it alone (the ratio is the guard's own cost); and how fast the
XFD1048576 workbook and a 1.5 GB zip bomb are refused, with this process's peak memory.

    python bench/bench_sandbox.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bombs import bomb_xlsx, far_cell_xlsx
from xuncha.crosscheck.ingest import guard
from xuncha.crosscheck.preview import preview_file, preview_isolated

ROW = ["张三", "430102199001011234", 600, "2021-03-05", "某村", "a", "b", "c", "d", "e", "f", "g"]


def _timed(fn, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat


def _workbook(path: Path, rows: int) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("发放")
    ws.write_row(0, 0, ["姓名", "身份证号码", "金额", "发放日期", "村", *"abcdefg"])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, ROW)
    wb.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = _workbook(folder / "small.xlsx", 10)
        preview_file(small, name="s")
        here = _timed(lambda: preview_file(small, name="s"), 5)
        child = _timed(lambda: preview_isolated(small, name="s"), 5)
        print(f"preview of a small workbook: in process {here * 1000:.1f} ms, in a child "
              f"{child * 1000:.0f} ms (ratio {child / here:.0f})")  # fmt: skip
        big = _workbook(folder / "big.xlsx", args.rows)
        sheets = {"发放": ("xl/worksheets/sheet1.xml", False)}
        with zipfile.ZipFile(big) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")

            def inflate() -> None:
                with z.open(info) as f:
                    while f.read(1 << 22):
                        pass

            alone = _timed(inflate)
        scan = _timed(lambda: guard.oversized_sheets(str(big), "b", sheets))
        mb = info.file_size / 1e6
        print(f"extent scan of {args.rows:,} rows ({mb:.0f} MB of XML): {scan:.2f} s "
              f"({mb / scan:.0f} MB/s); inflating alone {alone:.2f} s (ratio {scan / alone:.2f})")  # fmt: skip
        for path in (far_cell_xlsx(folder / "XFD.xlsx", dimension=False),
                     bomb_xlsx(folder / "bomb.xlsx", megabytes=1536)):  # fmt: skip
            seconds = _timed(lambda p=path: preview_isolated(p, name=p.name))
            print(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB) refused in {seconds:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
