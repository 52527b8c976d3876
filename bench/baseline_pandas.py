"""Baseline: a straightforward pandas script doing the exact-ID version of the rules.

This is what a capable analyst would write by hand: read every CSV (UTF-8 or GBK)
with pandas, clean the ID column, join on the exact ID, group by person and year.
No fuzzy linking, no row classification beyond dropping rows without an ID, no
workbook. It exists to be timed against ``xuncha check`` (bench/bench_check.py).

    python bench/baseline_pandas.py --payments a.csv b.csv --deaths d.csv --payroll p.csv --out out.csv
"""

from __future__ import annotations

import argparse
import codecs
import re
from pathlib import Path

import pandas as pd

from xuncha.crosscheck.idnumber import is_valid18

ROLE_HEADERS = {
    "name": ["姓名", "户主姓名", "移民姓名"],
    "id": ["身份证号", "身份证号码", "公民身份号码"],
    "amount": ["发放金额", "金额（元）", "金额(元)", "补助金额", "金额"],
    "date": ["发放日期", "发放时间", "拨付日期"],
    "death": ["死亡日期"],
    "start": ["入职时间"],
    "end": ["离职时间"],
}


def read(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()[:4096]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw)  # a cut character is fine
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    with path.open(encoding=encoding) as f:
        skip = next(i for i, line in enumerate(f) if "身份" in line)
    df = pd.read_csv(path, encoding=encoding, dtype=str, skiprows=skip, keep_default_na=False)
    rename = {}
    for role, names in ROLE_HEADERS.items():
        for col in df.columns:
            if col.strip() in names and role not in rename.values():
                rename[col] = role
    df = df.rename(columns=rename)
    df["file"] = path.name
    df["row"] = df.index + skip + 2
    return df


def clean_id(s: pd.Series) -> pd.Series:
    return s.str.replace(r"[\s'\u3000]", "", regex=True).str.upper()


def load(paths: list[Path]) -> pd.DataFrame:
    df = pd.concat([read(p) for p in paths], ignore_index=True)
    df["id"] = clean_id(df["id"].fillna(""))
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", nargs="+", type=Path, required=True)
    ap.add_argument("--deaths", nargs="+", type=Path, required=True)
    ap.add_argument("--payroll", nargs="+", type=Path, required=True)
    ap.add_argument("--standard", type=float, default=600)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    pay = load(args.payments)
    pay = pay[pay["name"].fillna("").str.strip() != ""]
    pay = pay[~pay["name"].str.contains("合计|制表人", na=False)]
    pay["amount"] = pd.to_numeric(
        pay["amount"].str.replace(r"[￥¥元,\s]", "", regex=True), errors="coerce"
    )
    pay["date"] = pd.to_datetime(pay["date"], errors="coerce", format="mixed")
    pay["year"] = pay["date"].dt.year
    deaths = load(args.deaths)
    deaths["death"] = pd.to_datetime(deaths["death"], errors="coerce", format="mixed")
    payroll = load(args.payroll)
    payroll["start"] = pd.to_datetime(payroll["start"], errors="coerce", format="mixed")
    payroll["end"] = pd.to_datetime(payroll["end"], errors="coerce", format="mixed")

    hits = []
    m = pay.merge(deaths[["id", "death"]], on="id")
    hits.append(m[m["date"] > m["death"]].assign(rule="deceased_payee"))
    m = pay.merge(payroll[["id", "start", "end"]], on="id")
    employed = (m["start"] <= m["date"]) & (m["end"].isna() | (m["date"] <= m["end"]))
    hits.append(m[employed].drop_duplicates(["file", "row"]).assign(rule="payroll_payee"))
    valid = pay[pay["id"] != ""]
    counts = valid.groupby(["id", "year"])["row"].transform("count")
    hits.append(valid[counts > 1].assign(rule="duplicate_payment"))
    totals = valid.groupby(["id", "year"])["amount"].transform("sum")
    hits.append(valid[totals > args.standard].assign(rule="over_standard"))
    ok = pay["id"].map(lambda x: bool(re.fullmatch(r"\d{15}", x)) or is_valid18(x))
    hits.append(pay[~ok].assign(rule="invalid_id"))

    out = pd.concat(hits, ignore_index=True)[
        ["rule", "file", "row", "name", "id", "amount", "date"]
    ]
    out.to_csv(args.out, index=False, encoding="utf-8-sig")
    print(f"pandas baseline: {len(out)} hits")


if __name__ == "__main__":
    main()
