"""Red and yellow cards' daily derivation on PostgreSQL (issue 18: under 60 s for
100,000 items on 2 cores).

Creates a fresh database (``test_`` + the name in ``XUNCHA_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xuncha_bench_cards``), fills it with ``--items``
ledger items (deadlines from 90 days ago to 120 days ahead, plans accepted up to 90 days
ago, about one progress report per item at a random day), then times the derivation as
the daily job runs it (:func:`xuncha.supervision.cards.cards_derive`) on three days:
the first run (every card opened), the next day (few changes) and 40 days later (many
cleared and opened, second yellows). Baselines in the same invocation: a plain
``COUNT(*)`` over the items, and the same three days on 1,000 items.

    python bench/bench_cards.py [--items 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

os.environ.setdefault(
    "XUNCHA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xuncha_bench_cards"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_SECONDS = 60


def fill(n: int, today: dt.date) -> None:
    import random

    from django.utils import timezone

    from xuncha.accounts.models import Role, User
    from xuncha.findings.models import Finding
    from xuncha.planning.models import Round, Team, Term
    from xuncha.rectifications.models import ProgressReport, RectificationItem, Status
    from xuncha.units.models import Unit, UnitKind

    rng = random.Random(18)
    units = Unit.objects.bulk_create(
        [Unit(name=f"第{i}村", code=f"B{i:06d}", kind=UnitKind.VILLAGE) for i in range(2000)]
    )
    term = Term.objects.create(name="第十二届", start_year=2022, end_year=2026)
    rnd = Round.objects.create(term=term, number=1, name="第一轮",
                               start_date=today - dt.timedelta(days=200), end_date=today)  # fmt: skip
    team = Team.objects.create(round=rnd, name="第一组")
    office = User.objects.create_user("office", password="x", role=Role.OFFICE)
    liaison = User.objects.create_user("unit", password="x", role=Role.UNIT, unit=units[0])
    findings = Finding.objects.bulk_create(
        [Finding(round=rnd, team=team, unit=units[i % len(units)], recorded_by=office,
                 category="corruption", subcategory="corruption.style", source="talk",
                 description=f"问题{i}") for i in range(n)],
        batch_size=5000,
    )  # fmt: skip

    def moment(days_ago: int) -> dt.datetime:
        day = today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))

    weights = [(Status.IN_PROGRESS, 70), (Status.CLOSE_REQUESTED, 5), (Status.CLOSED, 15),
               (Status.AWAITING_PLAN, 5), (Status.PLAN_SUBMITTED, 5)]  # fmt: skip
    statuses, w = zip(*weights, strict=True)
    items = []
    for f in findings:
        status = rng.choices(statuses, w)[0]
        accepted = status in (Status.IN_PROGRESS, Status.CLOSE_REQUESTED, Status.CLOSED)
        items.append(RectificationItem(
            finding=f, round=rnd, team=team, unit_id=f.unit_id, status=status,
            deadline=today + dt.timedelta(days=rng.randint(-90, 120)),
            plan_accepted_at=moment(rng.randint(0, 90)) if accepted else None,
            plan_accepted_by=office if accepted else None,
            closed_by=office if status == Status.CLOSED else None,
            closed_at=moment(0) if status == Status.CLOSED else None,
        ))  # fmt: skip
    created = RectificationItem.objects.bulk_create(items, batch_size=5000)
    reports = [ProgressReport(item=i, text="进展", reported_by=liaison)
               for i in created if i.plan_accepted_at and rng.random() < 0.9]  # fmt: skip
    made = ProgressReport.objects.bulk_create(reports, batch_size=5000)
    # Report days spread over the last 90 days (created_at is set on insert).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rectifications_progressreport SET created_at = created_at"
            " - (((id * 7919) % 90) || ' days')::interval"
        )
        cursor.execute("ANALYZE")
    print(f"  {len(created):,} items, {len(made):,} progress reports")


def measure(n: int, today: dt.date) -> dict[str, float]:
    from xuncha.rectifications.models import RectificationItem
    from xuncha.supervision.cards import cards_derive
    from xuncha.supervision.models import Card

    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        t0 = time.perf_counter()
        fill(n, today)
        print(f"  filled in {time.perf_counter() - t0:.1f} s")
        out = {}
        t0 = time.perf_counter()
        count = RectificationItem.objects.count()
        out["COUNT(*) over the items"] = time.perf_counter() - t0
        assert count == n
        for label, day in (("first run", today), ("next day", today + dt.timedelta(days=1)),
                           ("40 days later", today + dt.timedelta(days=40))):  # fmt: skip
            t0 = time.perf_counter()
            done = cards_derive(day)
            out[label] = time.perf_counter() - t0
            print(f"  {label}: opened {done.opened:,}, cleared {done.cleared:,}")
        print(f"  cards recorded: {Card.objects.count():,}")
        return out
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    args = ap.parse_args()
    setup_test_environment()
    assert connection.vendor == "postgresql", "this benchmark runs on PostgreSQL"
    today = dt.date(2025, 6, 1)
    print("1,000 items (baseline):")
    small = measure(1000, today)
    print(f"{args.items:,} items:")
    big = measure(args.items, today)
    print(f"{'':<26}{'1,000 s':>10}{f'{args.items:,} s':>14}{'÷ COUNT':>10}")
    for label, seconds in big.items():
        ratio = seconds / big["COUNT(*) over the items"]
        print(f"{label:<26}{small[label]:>10.3f}{seconds:>14.3f}{ratio:>9.0f}×")
    worst = max(v for k, v in big.items() if not k.startswith("COUNT"))
    print(f"slowest daily run: {worst:.1f} s (target < {TARGET_SECONDS} s): "
          f"{'OK' if worst < TARGET_SECONDS else 'TOO SLOW'}")  # fmt: skip


if __name__ == "__main__":
    main()
