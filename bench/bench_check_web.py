"""The 2,000,000-row cross-check through the web job path, against the CLI.

Uses the data of bench/bench_check.py (generated once under bench/data/), then in this
one invocation, alternating, ``--rounds`` times each:

1. the CLI: ``xuncha check`` in a fresh process (ingest, rules, hits.csv, workbook,
   manifest);
2. the web job path: the datasets already uploaded to a fresh site (upload time is
   printed apart), a POST to the run page through Django's full request stack, the
   queue (embedded SQLite file, or Redis with XUNCHA_QUEUE_URL), a real ``xuncha
   worker`` process doing the run and storing the suspects in the database (SQLite, or
   PostgreSQL with XUNCHA_DATABASE_URL), until the run is marked done.

It prints each time, the medians and the ratio the issue sets (web ≤ 1.3 × CLI).

    python bench/bench_check_web.py [--payments 2000000] [--rounds 2] [--postgres postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_check import generate_paths, run_process  # noqa: E402
from xuncha.crosscheck.datagen import DatagenConfig, generate  # noqa: E402


def site(folder: Path) -> None:
    """Django configured for a fresh site in ``folder`` (database, queue, files)."""
    os.environ["XUNCHA_DATA_DIR"] = str(folder)
    os.environ["XUNCHA_ALLOWED_HOSTS"] = "testserver"
    os.environ["XUNCHA_QUEUE_NAME"] = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.base"
    folder.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def fresh_postgres(server: str) -> str:
    """A new, empty database on ``server`` (postgres://user@host:port) for this run."""
    import psycopg

    name = f"xuncha_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return name


def drop_postgres(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--payments", type=int, default=2_000_000)
    p.add_argument("--deaths", type=int, default=500_000)
    p.add_argument("--payroll", type=int, default=300_000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--postgres", metavar="postgres://user@host:port",
                   help="use a fresh database on this PostgreSQL server (default: SQLite)")  # fmt: skip
    args = p.parse_args()
    database = None
    if args.postgres:
        database = fresh_postgres(args.postgres)
        os.environ["XUNCHA_DATABASE_URL"] = f"{args.postgres}/{database}"
    else:
        os.environ.pop("XUNCHA_DATABASE_URL", None)
    try:
        bench(args)
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            drop_postgres(args.postgres, database)


def bench(args: argparse.Namespace) -> None:
    data_dir = HERE / "data" / f"check-{args.payments}-{args.deaths}-{args.payroll}"
    if not (data_dir / "truth.csv").exists():
        t0 = time.perf_counter()
        generate(data_dir, DatagenConfig(payments=args.payments, seed=20231001, xlsx=False,
                                         deaths=args.deaths, payroll=args.payroll))  # fmt: skip
        print(f"generated data in {time.perf_counter() - t0:.1f} s")
    data = generate_paths(data_dir)
    tmp = Path(tempfile.mkdtemp(prefix="xuncha-bench-web-"))
    site(tmp / "site")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from xuncha.accounts.models import Role, User
    from xuncha.checks import services
    from xuncha.checks.models import CheckRun
    from xuncha.planning.models import Round, Team, Term

    print(
        f"database: {connection.vendor}; queue: {os.environ.get('XUNCHA_QUEUE_URL') or 'embedded (SQLite)'}"
    )
    user = User.objects.create(username="bench", role=Role.OFFICE)
    term = Term.objects.create(name="届", start_year=2021, end_year=2025)
    rnd = Round.objects.create(term=term, number=1, name="第一轮", start_date="2024-03-01",
                               end_date="2024-05-01")  # fmt: skip
    team = Team.objects.create(round=rnd, name="第一巡察组")
    t0 = time.perf_counter()
    datasets = services.dataset_upload_files(team=team, by=user, files=data)
    print(
        f"upload (store, hash, preview) of {len(datasets)} files: {time.perf_counter() - t0:.1f} s"
    )

    xuncha = str(Path(sys.executable).with_name("xuncha"))
    cli_cmd = [xuncha, "check", "--payments", *map(str, data["payments"]),
               "--deaths", *map(str, data["deaths"]), "--payroll", *map(str, data["payroll"]),
               "--standard", "600", "--out", str(tmp / "cli")]  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "xuncha", "worker"], env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    client = Client()
    client.force_login(user)
    cli_times, web_times = [], []
    try:
        time.sleep(2)  # the worker is up
        for i in range(args.rounds):
            seconds, peak = run_process(cli_cmd)
            cli_times.append(seconds)
            print(f"round {i + 1}: CLI {seconds:.1f} s (peak {peak:.0f} MB)", flush=True)
            t0 = time.perf_counter()
            response = client.post(reverse("checks:run_start", args=[team.pk]), {
                "datasets": [d.pk for d in datasets], "program": "水库移民直补资金",
                "standard": "600", "grace_days": "0",
                "rules": ["deceased_payee", "payroll_payee", "duplicate_payment", "over_standard", "invalid_id"],
            })  # fmt: skip
            assert response.status_code == 302, response.content[:500]
            run = CheckRun.objects.order_by("-pk").first()
            assert run is not None
            page_times, next_page = [], time.perf_counter()
            while run.status not in ("done", "failed"):
                time.sleep(0.1)
                if time.perf_counter() >= next_page:  # once a second, as the progress bar does
                    next_page += 1
                    p0 = time.perf_counter()  # the pages stay usable while the run works
                    client.get(reverse("checks:run_status", args=[run.pk]))
                    assert client.get(reverse("checks:team", args=[team.pk])).status_code == 200
                    page_times.append(time.perf_counter() - p0)
                run.refresh_from_db()
            seconds = time.perf_counter() - t0
            if run.status != "done":
                sys.exit(f"web run failed: {run.error}")
            web_times.append(seconds)
            print(f"round {i + 1}: web job path {seconds:.1f} s ({run.summary['total']:,} suspects stored;"
                  f" job itself {run.seconds:.1f} s: {run.summary['timings']})", flush=True)  # fmt: skip
            page_times.sort()
            print(f"  meanwhile {len(page_times)} page loads (status + team page): median "
                  f"{page_times[len(page_times) // 2] * 1000:.0f} ms, slowest {page_times[-1] * 1000:.0f} ms")  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    cli, web = statistics.median(cli_times), statistics.median(web_times)
    print(
        f"\nmedian CLI {cli:.1f} s, web job path {web:.1f} s: ratio {web / cli:.2f} (target ≤ 1.30)"
    )


if __name__ == "__main__":
    main()
