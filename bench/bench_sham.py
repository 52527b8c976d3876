"""Sham-rectification signals (issue 18): the planted city's recall and precision per
kind, and the daily run of cards and signals together on PostgreSQL for 100,000 items
and 50,000 evidence files (target: under 60 s per daily run on 2 cores).

Creates a fresh database (``test_`` + the name in ``XUNCHA_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xuncha_bench_sham``) twice:

1. the planted city (:func:`xuncha.sham.planted.plant_city`): one derivation, then each
   kind's planted cases, signals found, recall and precision;
2. ``--items`` ledger items over 2,000 units and two rounds, about one progress report
   per item with a text of its own, ``--files`` evidence files (small JPEG photos, some
   with an EXIF capture date, and one PDF in ten) on those reports; then the daily run
   (:func:`xuncha.supervision.cards.cards_derive` then
   :func:`xuncha.sham.derive.signals_derive`) on the first day (every file and text
   fingerprinted) and on the next day after a day's new reports and files.

    python bench/bench_sham.py [--items 100000] [--files 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import time

os.environ.setdefault("XUNCHA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xuncha_bench_sham")
os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_SECONDS = 60
TODAY = dt.date(2025, 6, 1)
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def words(rng: random.Random, n: int) -> str:
    """``n`` two-character words from a vocabulary of about 300,000: texts of their own."""
    return "".join(rng.choice(CHARS) + rng.choice(CHARS) for _ in range(n))


def photo_bytes(rng: random.Random, taken: dt.date | None) -> bytes:
    """A small photo of its own, as the planted city draws them, captured on ``taken``."""
    from xuncha.sham.planted import exif_day, jpeg, photo

    return jpeg(photo(rng, 64), quality=80, exif={0x9003: exif_day(taken)} if taken else None)


def pdf_template() -> bytes:
    from xuncha.sham.planted import pdf

    return pdf(dt.date(2024, 9, 9), "M000000")


def fill(n: int, files: int, today: dt.date) -> None:
    from django.conf import settings
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
    starts = (today - dt.timedelta(days=500), today - dt.timedelta(days=200))
    rounds = [
        Round.objects.create(term=term, number=k + 1, name=f"第{k + 1}轮", start_date=start,
                             end_date=start + dt.timedelta(days=60))
        for k, start in enumerate(starts)
    ]  # fmt: skip
    teams = [Team.objects.create(round=r, name=f"{r.name}第一组") for r in rounds]
    office = User.objects.create_user("office", password="x", role=Role.OFFICE)
    liaison = User.objects.create_user("unit", password="x", role=Role.UNIT, unit=units[0])
    subs = ["corruption.funds", "corruption.assets", "corruption.projects", "corruption.style"]
    findings = []
    for i in range(n):
        k = 0 if rng.random() < 0.3 else 1
        findings.append(Finding(
            round=rounds[k], team=teams[k], unit=units[i % len(units)], recorded_by=office,
            category="corruption", subcategory=rng.choice(subs), source="talk",
            description=words(rng, 12), amount=rng.choice([0, 0, 1000, 5000, 20000]),
            fed_back_on=rounds[k].end_date + dt.timedelta(days=10),
        ))  # fmt: skip
    findings = Finding.objects.bulk_create(findings, batch_size=5000)

    def moment(days_ago: int) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10))
        )

    weights = [(Status.IN_PROGRESS, 60), (Status.CLOSE_REQUESTED, 5), (Status.CLOSED, 25),
               (Status.AWAITING_PLAN, 5), (Status.PLAN_SUBMITTED, 5)]  # fmt: skip
    statuses, w = zip(*weights, strict=True)
    items = []
    for f in findings:
        status = rng.choices(statuses, w)[0]
        accepted = status in (Status.IN_PROGRESS, Status.CLOSE_REQUESTED, Status.CLOSED)
        closed = status == Status.CLOSED
        items.append(RectificationItem(
            finding=f, round_id=f.round_id, team_id=f.team_id, unit_id=f.unit_id, status=status,
            deadline=today + dt.timedelta(days=rng.randint(-90, 120)),
            plan_accepted_at=moment(rng.randint(30, 150)) if accepted else None,
            plan_accepted_by=office if accepted else None,
            done_reported_by=liaison if status in (Status.CLOSE_REQUESTED, Status.CLOSED) else None,
            closed_by=office if closed else None, closed_at=moment(1) if closed else None,
            money_recovered=f.amount if closed else 0,
        ))  # fmt: skip
    created = RectificationItem.objects.bulk_create(items, batch_size=5000)
    reports = []
    for item in created:
        if not item.plan_accepted_at:
            continue
        if rng.random() < 0.9:
            reports.append(ProgressReport(item=item, text=words(rng, 25), reported_by=liaison))
        if item.status in (Status.CLOSE_REQUESTED, Status.CLOSED):
            said = f"已追回资金{item.money_recovered:.0f}元。" if item.money_recovered else ""
            reports.append(ProgressReport(item=item, text=words(rng, 20) + said, done=True,
                                          reported_by=liaison))  # fmt: skip
    made = ProgressReport.objects.bulk_create(reports, batch_size=5000)
    evidence_for(made, files, rng, office)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rectifications_progressreport SET created_at = created_at"
            " - (((id * 7919) % 90) || ' days')::interval"
        )
        cursor.execute("ANALYZE")
    print(f"  {len(created):,} items, {len(made):,} progress reports, {files:,} files"
          f" ({settings.MEDIA_ROOT})")  # fmt: skip


def evidence_for(reports: list, files: int, rng: random.Random, by: object) -> None:
    """``files`` evidence files written to storage, each on a random report."""
    from django.conf import settings

    from xuncha.common.models import Evidence
    from xuncha.rectifications.models import ProgressReport

    root = settings.MEDIA_ROOT / "evidence"
    template = pdf_template()
    rows, links = [], []
    for i in range(files):
        if i % 10 == 9:
            data = template.replace(b"M000000", f"M{i:06d}".encode())
            ctype, name = "application/pdf", f"材料{i}.pdf"
        else:
            taken = TODAY - dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.5 else None
            data, ctype, name = photo_bytes(rng, taken), "image/jpeg", f"照片{i}.jpg"
        sha = hashlib.sha256(data).hexdigest()
        path = root / sha[:2] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(Evidence(file=f"evidence/{sha[:2]}/{sha}", original_name=name, content_type=ctype,
                             size=len(data), sha256=sha, uploaded_by=by))  # fmt: skip
    made = Evidence.objects.bulk_create(rows, batch_size=5000)
    through = ProgressReport.evidence.through
    links = [through(progressreport_id=rng.choice(reports).pk, evidence_id=e.pk) for e in made]
    through.objects.bulk_create(links, batch_size=5000)


def next_day(today: dt.date, rng: random.Random) -> None:
    """A day's new work: 500 progress reports, 300 files on them."""
    from xuncha.accounts.models import User
    from xuncha.rectifications.models import ProgressReport, RectificationItem, Status

    liaison, office = User.objects.get(username="unit"), User.objects.get(username="office")
    ids = list(
        RectificationItem.objects.filter(status=Status.IN_PROGRESS).values_list("pk", flat=True)[
            :500
        ]
    )
    made = ProgressReport.objects.bulk_create(
        [ProgressReport(item_id=pk, text=words(rng, 25), reported_by=liaison) for pk in ids]
    )
    evidence_for(made, 300, rng, office)


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and its finished children (the
    sandboxed fingerprint readers): what the run costs whatever else the machine does."""
    import resource

    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def planted() -> None:
    from xuncha.sham.derive import signals_derive
    from xuncha.sham.planted import plant_city, score

    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        t0 = time.perf_counter()
        key = plant_city(seed=18, background=6)
        print(f"  planted city built in {time.perf_counter() - t0:.1f} s")
        signals_derive(TODAY)
        print(f"  {'kind':<16}{'planted':>8}{'found':>7}{'hits':>6}{'recall':>8}{'precision':>10}")
        for kind, s in score(key).items():
            print(
                f"  {kind:<16}{s.planted:>8}{s.found:>7}{s.hits:>6}{s.recall:>8.2f}{s.precision:>10.2f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def daily(items: int, files: int) -> None:
    from xuncha.sham.derive import signals_derive
    from xuncha.sham.models import Signal
    from xuncha.supervision.cards import cards_derive

    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        t0 = time.perf_counter()
        fill(items, files, TODAY)
        print(f"  filled in {time.perf_counter() - t0:.1f} s")
        times = {}
        for label, day in (("first run", TODAY), ("next day", TODAY + dt.timedelta(days=1))):
            if label == "next day":
                next_day(day, random.Random(19))
            load = os.getloadavg()[0]  # other work on the machine shares the cores
            cpu0 = cpu_seconds()
            t0 = time.perf_counter()
            cards = cards_derive(day)
            t1 = time.perf_counter()
            signals = signals_derive(day)
            t2 = time.perf_counter()
            times[label] = t2 - t0
            print(f"  {label}: cards {t1 - t0:.1f} s (opened {cards.opened:,}, cleared {cards.cleared:,});"
                  f" signals {t2 - t1:.1f} s (files read {signals.fingerprinted:,}, found {signals.found:,},"
                  f" new {signals.opened:,}, changed {signals.changed:,}, gone {signals.gone:,});"
                  f" together {t2 - t0:.1f} s; load average before {load:.2f},"
                  f" after {os.getloadavg()[0]:.2f}; CPU of this process and its children"
                  f" {cpu_seconds() - cpu0:.1f} s (PostgreSQL's own not counted)")  # fmt: skip
            print("    steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in signals.seconds.items()))
        print(f"  signals recorded: {Signal.objects.count():,}")
        for label, seconds in times.items():
            verdict = "OK" if seconds < TARGET_SECONDS else "TOO SLOW"
            print(f"{label}: {seconds:.1f} s (target < {TARGET_SECONDS} s): {verdict}")
        print("load average at the end (1, 5, 15 min): "
              + ", ".join(f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--skip-planted", action="store_true")
    args = ap.parse_args()
    setup_test_environment()
    assert connection.vendor == "postgresql", "this benchmark runs on PostgreSQL"
    print(f"cores: {os.cpu_count()}, load average (1, 5, 15 min): "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip
    if not args.skip_planted:
        print("planted city:")
        planted()
    print(f"{args.items:,} items, {args.files:,} evidence files:")
    daily(args.items, args.files)


if __name__ == "__main__":
    main()
