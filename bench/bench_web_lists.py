"""List pages with 100,000 findings on PostgreSQL: median page time and query count.

Creates a fresh database (``xuncha_bench`` by default on the PostgreSQL at
``XUNCHA_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/xuncha``), fills it
with 100,000 findings fed back as ledger items, then requests the findings and ledger
lists and the home page in-process through Django's test client (the whole stack but the
socket): first page, each filter (unit name through its parents, round, team, category,
status, due state, amount range, all combined), a search, a deep page, a ledger item
with previous/next within a filter, the home page's to-do numbers; as the office, a team
member, a unit, the supervisor and the leader (each role's own home page).
Prints, per page, the median and p90 time over the runs and the number of SQL queries,
the ratio to the same user's plain unfiltered list in the same database, and the same
for a 1,000-finding database in the same invocation (the baseline): a page whose query
count or time grows with the data would show it.

    python bench/bench_web_lists.py [--findings 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("XUNCHA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xuncha")
os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    """Label and URL of every page measured; ``ids`` are the round, team and an item."""
    both = {"round": f"round_id={ids['round']}", "team": f"team_id={ids['team']}"}
    return [
        ("问题列表 首页", "/findings/"),
        ("问题列表 单位含下属", "/findings/?unit=第3镇"),
        ("问题列表 轮次", f"/findings/?{both['round']}"),
        ("问题列表 巡察组", f"/findings/?{both['team']}"),
        ("问题列表 按类别", "/findings/?category=corruption"),
        ("问题列表 金额区间", "/findings/?amount_min=1000&amount_max=5000"),
        (
            "问题列表 组合",
            f"/findings/?unit=第3镇&{both['round']}&category=corruption&amount_min=1000",
        ),
        ("问题列表 搜索", "/findings/?q=村"),
        ("问题列表 第 500 页", "/findings/?page=500"),
        ("整改台账 首页", "/ledger/"),
        ("整改台账 单位含下属", "/ledger/?unit=第3镇"),
        ("整改台账 轮次", f"/ledger/?{both['round']}"),
        ("整改台账 巡察组", f"/ledger/?{both['team']}"),
        ("整改台账 状态", "/ledger/?status=in_progress"),
        ("整改台账 已逾期", "/ledger/?due=overdue"),
        ("整改台账 金额区间", "/ledger/?amount_min=1000&amount_max=5000"),
        (
            "整改台账 组合",
            f"/ledger/?unit=第3镇&{both['team']}&status=in_progress&due=overdue&amount_min=100",
        ),
        ("整改台账 第 500 页", "/ledger/?page=500"),
        ("整改台账 被退回", "/ledger/?returned=on"),
        ("整改事项 上一条/下一条", f"/ledger/{ids['item']}/?status=in_progress&amount_min=100"),
        ("工作台首页", "/"),
    ]


BASELINES = {
    "问题列表": "问题列表 首页",
    "整改台账": "整改台账 首页",
    "整改事项": "整改台账 首页",
    "工作台首页": "整改台账 首页",
}
"""Each page's ratio is to the same user's plain unfiltered list (the item page's and
the home page's to the ledger's)."""


def fill(findings: int) -> dict[str, object]:
    """Units, one round with teams, ``findings`` findings and their ledger items."""
    import datetime as dt
    import random

    from django.utils import timezone

    from xuncha.accounts.models import Role, User
    from xuncha.findings.choices import Category, Source, Subcategory
    from xuncha.findings.models import Finding
    from xuncha.planning.models import Assignment, Cadre, Round, Team, TeamMember, Term
    from xuncha.rectifications.models import RectificationItem, Status
    from xuncha.units.models import Unit, UnitKind

    rng = random.Random(7)
    # A county over 20 towns over 2,000 villages: a unit search by a town's name finds
    # its villages' items.
    county = Unit.objects.create(name="巡察县", code="K0", kind=UnitKind.COUNTY)
    towns = Unit.objects.bulk_create([Unit(name=f"第{t}镇", code=f"T{t:03d}", kind=UnitKind.TOWNSHIP,
                                           parent=county) for t in range(20)])  # fmt: skip
    units = Unit.objects.bulk_create(
        [Unit(name=f"第{i}村", code=f"B{i:06d}", kind=UnitKind.VILLAGE, parent=towns[i % 20])
         for i in range(2000)]
    )  # fmt: skip
    term = Term.objects.create(name="第十二届", start_year=2022, end_year=2026)
    rnd = Round.objects.create(
        term=term,
        number=1,
        name="第一轮",
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 6, 1),
    )
    office = User.objects.create_user("office", password="x", role=Role.OFFICE)
    member = User.objects.create_user("team", password="x", role=Role.TEAM)
    teams = Team.objects.bulk_create([Team(round=rnd, name=f"第{i}组") for i in range(20)])
    cadre = Cadre.objects.create(
        name="组员",
        home_unit=Unit.objects.create(name="市直", code="C0", kind=UnitKind.DEPARTMENT),
        user=member,
    )
    TeamMember.objects.create(team=teams[0], cadre=cadre)
    Assignment.objects.bulk_create(
        [Assignment(round=rnd, team=teams[i % 20], unit=u) for i, u in enumerate(units)]
    )
    subs = [s for s, _ in Subcategory.choices]
    rows = []
    # 50 findings per unit at every size (20 units at 1,000, 2,000 at 100,000): a unit
    # sees as much at both sizes, so its pages are compared like for like.
    spread = max(1, min(len(units), findings // 50))
    for i in range(findings):
        unit = units[i % spread]
        sub = rng.choice(subs)
        rows.append(Finding(round=rnd, team=teams[(i % spread) % 20], unit=unit, recorded_by=office,
                            category=sub.split(".")[0], subcategory=sub, source=rng.choice(Source.values),
                            description=f"{unit.name}问题{i}：{Category(sub.split('.')[0]).label}", amount=rng.randint(0, 99999)))  # fmt: skip
    created = Finding.objects.bulk_create(rows, batch_size=5000)
    today = timezone.localdate()
    statuses = [s for s, _ in Status.choices if s != Status.CLOSED]
    items = [RectificationItem(finding=f, round=rnd, team_id=f.team_id, unit_id=f.unit_id, status=rng.choice(statuses),
                               deadline=today + dt.timedelta(days=rng.randint(-60, 120))) for f in created]  # fmt: skip
    RectificationItem.objects.bulk_create(items, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    roles = {"supervisor": Role.SUPERVISOR, "leader": Role.LEADER}
    others = {
        name: User.objects.create_user(name, password="x", role=role)
        for name, role in roles.items()
    }
    liaison = User.objects.create_user("unit", password="x", role=Role.UNIT, unit=units[0])
    middle = RectificationItem.objects.filter(
        status=Status.IN_PROGRESS, finding__amount__gte=100, team=teams[0]
    )  # the team member sees it too
    ids = {
        "round": rnd.pk,
        "team": teams[0].pk,
        "item": middle.order_by("deadline", "id")[middle.count() // 2].pk,
    }
    return {"office": office, "team": member, "unit": liaison, **others}, ids


def measure(
    users: dict[str, object], ids: dict[str, int], runs: int
) -> dict[tuple[str, str], tuple[float, float, int]]:
    out = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for label, url in pages(ids):
            if who == "unit" and label.startswith("整改事项"):
                continue  # the item is another unit's (404 for a unit)
            times = []
            for _ in range(runs):
                # The log keeps only the last 9,000 queries: once full, a capture
                # would count 0. Start each request with an empty log.
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times.sort()
            out[(who, label)] = (
                statistics.median(times),
                times[int(len(times) * 0.9) - 1],
                len(ctx.captured_queries),
            )
    return out


def run(findings: int, runs: int) -> dict[tuple[str, str], tuple[float, float, int]]:
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        t0 = time.perf_counter()
        users, ids = fill(findings)
        print(f"filled {findings:,} findings in {time.perf_counter() - t0:.1f} s")
        return measure(users, ids, runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    setup_test_environment()
    assert connection.vendor == "postgresql", "this benchmark runs on PostgreSQL"
    small = run(1000, args.runs)
    big = run(args.findings, args.runs)
    print(
        f"{'page':<26}{'user':<11}{'median ms':>10}{'p90 ms':>9}{'queries':>9}"
        f"{'vs list':>9}   vs 1,000: median ratio, queries"
    )
    for key, (median, p90, queries) in big.items():
        base = small.get(key, (median, p90, queries))
        plain = big[(key[0], BASELINES[key[1].split(" ")[0]])][0]
        print(
            f"{key[1]:<26}{key[0]:<11}{median:>10.1f}{p90:>9.1f}{queries:>9}{median / plain:>8.2f}×"
            f"   {median / base[0]:>5.2f}×, {base[2]}"
        )
    worst = max(big.items(), key=lambda kv: kv[1][0])
    print(
        f"slowest median: {worst[1][0]:.1f} ms ({worst[0][1]}, {worst[0][0]}; target < 150 ms); "
        f"query counts equal at both sizes: {all(big[k][2] == small[k][2] for k in big)}"
    )


if __name__ == "__main__":
    main()
