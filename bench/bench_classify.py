"""Risk classification of many units (issue 21: 100,000 units under 10 s, the database
write included).

Creates a fresh database (SQLite in a file under a temporary folder by default; the
PostgreSQL test database ``test_`` + the name in ``XUNCHA_DATABASE_URL`` when that is a
postgres:// URL), ``--units`` villages (default 100,000), the shipped catalogue and model,
and a value of each of the model's six indicators per unit for a year (about 3% missing).
Then times, in the same invocation:

- ``services.classify``: read every value, classify, write every unit's UnitLevel, set
  each unit's stored level (the figure to reach);
- the engine alone (``engine.classify_arrays`` on the arrays);
- the baseline: the same model unit by unit in plain Python (``engine.classify_loop``),
  and the ratio of the two.

    python bench/bench_classify.py [--units 100000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

YEAR = 2025


def _setup_django(folder: Path) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(folder / "bench_classify.sqlite3")
    return connection.creation.create_test_db(verbosity=0, keepdb=False)


def _fill(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    from xuncha.risk import services
    from xuncha.risk.models import Indicator, IndicatorValue
    from xuncha.units.models import Unit, UnitKind

    services.install_shipped()
    Unit.objects.bulk_create(
        (Unit(name=f"测试{i}村", code=f"B{i:07d}", kind=UnitKind.VILLAGE) for i in range(n)),
        batch_size=5000,
    )
    ids = np.array(Unit.objects.order_by("pk").values_list("pk", flat=True))
    scale = {"party_org_grade": None, "assets_anomalies": 12, "collective_funds": 600,
             "land_taking_projects": 6, "land_compensation": 2400, "petition_count": 24}  # fmt: skip
    values = {}
    for code, hi in scale.items():
        v = rng.integers(1, 5, n).astype(float) if hi is None else np.round(rng.random(n) * hi)
        v[rng.random(n) < 0.03] = np.nan
        values[code] = v
    pks = dict(Indicator.objects.values_list("code", "pk"))
    rows = (
        IndicatorValue(
            unit_id=int(u), indicator_id=pks[code], year=YEAR, value=float(x), source="bench"
        )
        for code, v in values.items()
        for u, x in zip(ids, v, strict=True)
        if x == x
    )
    IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(21)
    with tempfile.TemporaryDirectory(prefix="bench_classify_") as tmp:
        old_name = _setup_django(Path(tmp))
        from django.db import connection

        try:
            start = time.perf_counter()
            values = _fill(args.units, rng)
            print(f"setup ({connection.vendor}): {args.units:,} units, "
                  f"{sum(int((~np.isnan(v)).sum()) for v in values.values()):,} values in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
            _measure(args.units, values)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _measure(n: int, values: dict[str, np.ndarray]) -> None:
    from xuncha.risk import services
    from xuncha.risk.engine import classify_arrays, classify_loop
    from xuncha.risk.models import UnitLevel
    from xuncha.risk.spec import parse_spec, shipped_model_text

    start = time.perf_counter()
    c = services.classify(by=None, year=YEAR)
    whole = time.perf_counter() - start
    assert UnitLevel.objects.filter(classification=c).count() == n
    print(f"services.classify (read + classify + write {n:,} UnitLevel + unit levels): "
          f"{whole:.2f} s  counts {c.counts}")  # fmt: skip

    spec = parse_spec(shipped_model_text())
    start = time.perf_counter()
    res = classify_arrays(spec, values)
    engine = time.perf_counter() - start
    rows = [{k: float(v[i]) for k, v in values.items()} for i in range(n)]
    start = time.perf_counter()
    loop = classify_loop(spec, rows)
    baseline = time.perf_counter() - start
    # The loop fills a missing value with 0 (no median), so compare the complete rows only.
    complete = ~np.any([np.isnan(v) for v in values.values()], axis=0)
    same = all(loop[i][1] == res.level_names[i] for i in np.flatnonzero(complete))
    print(
        f"engine (numpy) {engine:.3f} s; per-unit Python loop (baseline) {baseline:.3f} s; "
        f"loop / engine = {baseline / engine:.1f}x; same levels on complete rows: {same}"
    )
    print(
        f"classify of {n:,} units incl. the database write: {whole:.2f} s "
        f"({'under' if whole < 10 else 'OVER'} the 10 s target)"
    )


if __name__ == "__main__":
    main()
