"""Nothing is lost on re-run (issue 16): narrow and full runs in turn keep every
verdict, finding link and figure, and a workbook from any earlier run imports into the
latest with no false conflicts."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from xuncha.checks import services, workbook
from xuncha.checks.models import CheckRun, Dataset, Suspect, Verdict
from xuncha.checks.selectors import verified_totals
from xuncha.common.errors import ServiceError
from xuncha.crosscheck import RULES, check
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.dashboards.selectors import Period, figures
from xuncha.findings.models import Finding

pytestmark = pytest.mark.django_db(transaction=True)

NARROW_1 = ["deceased_payee"]
NARROW_2 = ["over_standard", "duplicate_payment"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory):
    return generate(tmp_path_factory.mktemp("rerundata"), DatagenConfig(payments=1500, seed=7))


def _run(world, datasets, rules=None):
    params = services.RunParams(rules=rules or [r.id for r in RULES])
    run = services.run_start(team=world.team, by=world.users["team"], datasets=datasets,
                             params=params)  # fmt: skip
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def _verify_all(world, run):
    """Every pending suspect of the run verified, as a unit's returned workbook would."""
    rows = []
    for i, s in enumerate(Suspect.objects.filter(run=run, verdict=Verdict.PENDING)):
        confirmed = i % 3 != 2
        rows.append({
            "line": i + 4, "number": s.number, "check": s.key, "version": s.version,
            "verdict": Verdict.CONFIRMED if confirmed else Verdict.REJECTED,
            "improper": Decimal(100 + i) if confirmed else None,
            "recovered": Decimal(i % 50) if confirmed else None, "note": f"核查 {i}",
        })  # fmt: skip
    report = services.verification_import(run=run, by=world.users["team"], rows=rows)
    assert (report.applied, report.conflicts) == (len(rows), [])


def _state(world, run):
    """What must not change: each key's verdict in the run, the findings, the figures."""
    verdicts = {
        s.key: (s.verdict, s.improper_amount, s.recovered_amount, s.note, s.finding_id)
        for s in Suspect.objects.filter(run=run)
    }
    runs = CheckRun.objects.filter(team=world.team)
    fig = figures(user=world.users["office"], period=Period.year(world.team.round.start_date.year))
    shown = (fig.suspects, fig.suspects_confirmed, fig.suspects_pending, fig.improper_amount,
             fig.improper_recovered)  # fmt: skip
    return verdicts, Finding.objects.count(), verified_totals(runs, per_key=True), shown


def _export(run, path: Path) -> Path:
    path.write_bytes(workbook.export(run, Suspect.objects.filter(run=run), unmask=False))
    return path


def test_narrow_full_narrow_full_keeps_verdicts_findings_and_figures(world, data, tmp_path, client):
    datasets = services.dataset_upload_files(team=world.team, by=world.users["team"],
                                             files=data.files())  # fmt: skip
    deaths = [d for d in datasets if d.kind == "deaths"]
    cli = check(
        {"payments": data.payments, "deaths": data.deaths}, rules=NARROW_1, params={"standard": 600}
    )
    dead_file = cli.hits.column("file")[0].as_py()
    payments = [d for d in datasets if d.kind == "payments"]
    two_files = [next(d for d in payments if d.name == dead_file), *deaths]

    # Run 1, narrow (one rule, two files): verified.
    first = _run(world, two_files, NARROW_1)
    assert 0 < first.summary["total"] < 20
    _verify_all(world, first)
    # Run 2, full: run 1's verdicts carried; the rest verified, confirmed ones rolled up.
    second = _run(world, datasets)
    carried = Suspect.objects.filter(run=second).exclude(verified_at=None)
    assert carried.count() == first.summary["total"]
    _verify_all(world, second)
    assignment = world.team.assignments.get()
    finding = services.suspects_to_finding(run=second, by=world.users["team"],
                                           assignment=assignment)  # fmt: skip
    old_book = _export(second, tmp_path / "第2次核查表.xlsx")
    first_book = _export(first, tmp_path / "第1次核查表.xlsx")
    before = _state(world, second)
    assert before[3][0] == second.summary["total"] and before[3][2] == 0  # all verified

    # Run 3, narrow again (other rules, two payment files); run 4, full.
    third = _run(world, payments[:2], NARROW_2)
    assert _state(world, second)[1:] == before[1:]  # figures and findings unchanged
    fourth = _run(world, datasets)
    after = _state(world, fourth)
    assert after == before
    assert not Suspect.objects.filter(run=fourth, verified_at=None).exists()
    assert not Suspect.objects.filter(run__in=[third, fourth], finding=None,
                                      verdict=Verdict.CONFIRMED).exists()  # fmt: skip
    # No second finding from the same suspects, from any run.
    for run in (first, second, third, fourth):
        with pytest.raises(ServiceError, match="没有尚未汇入问题"):
            services.suspects_to_finding(run=run, by=world.users["team"], assignment=assignment)
    assert Finding.objects.get() == finding

    # Workbooks exported from earlier runs import into the latest: 0 conflicts.
    for book in (old_book, first_book):
        rows = workbook.read(book, book.name)
        report = services.verification_import(run=fourth, by=world.users["team"], rows=rows)
        assert (report.applied, report.conflicts, report.unchanged) == (0, [], len(rows))
    assert _state(world, fourth) == before
    # The verification history stays, shown wherever the suspect now is.
    s1 = Suspect.objects.filter(run=first).first()
    client.force_login(world.users["team"])
    page = client.get(
        reverse("checks:suspect", args=[Suspect.objects.get(run=fourth, key=s1.key).pk])
    )
    history = page.content.decode().split('id="verify-history"')[1]
    assert "第 1 次" in history and s1.note in history


def test_a_real_conflict_is_still_reported_across_runs(world, data, tmp_path):
    datasets = services.dataset_upload_files(team=world.team, by=world.users["team"],
                                             files=data.files())  # fmt: skip
    first = _run(world, datasets)
    book = _export(first, tmp_path / "核查表.xlsx")
    second = _run(world, datasets)
    # Changed in the latest run after the export: the old workbook may not overwrite it.
    s = Suspect.objects.filter(run=second).order_by("number").first()
    services.suspect_verify(suspect=s, by=world.users["team"], verdict=Verdict.REJECTED)
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb[workbook.SHEET]
    head = [c.value for c in ws[workbook.HEADER_ROW + 1]]
    col = head.index("核查结论") + 1
    for row in ws.iter_rows(min_row=workbook.HEADER_ROW + 2):
        ws.cell(row=row[0].row, column=col, value="属实")
        ws.cell(row=row[0].row, column=col + 1, value=1)
    wb.save(book)
    rows = workbook.read(book, book.name)
    report = services.verification_import(run=second, by=world.users["team"], rows=rows)
    assert len(report.conflicts) == 1 and f"疑点 {s.number}（第 2 次比对" in report.conflicts[0]
    assert report.applied == len(rows) - 1
    # Applied to the latest run's rows; the earlier run's rows say so and refuse edits.
    assert not Suspect.objects.filter(run=second, verdict=Verdict.PENDING).exists()
    old = Suspect.objects.get(run=first, key=s.key)
    with pytest.raises(ServiceError, match="第 2 次比对中再次出现"):
        services.suspect_verify(suspect=old, by=world.users["team"], verdict=Verdict.REJECTED)


def test_run_form_starts_from_defaults_and_shows_the_last_run(world, data, client):
    datasets = services.dataset_upload_files(team=world.team, by=world.users["team"],
                                             files=data.files())  # fmt: skip
    _run(world, datasets, NARROW_1)
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:team", args=[world.team.pk])).content.decode()
    boxes = re.findall(r'<input[^>]*name="rules"[^>]*>', page)
    assert len(boxes) == len(RULES) and all("checked" in b for b in boxes)
    assert "第 1 次比对使用：死亡后仍领取" in page


def test_forged_or_foreign_run_ids_get_404(world, data, client):
    datasets = services.dataset_upload_files(team=world.team, by=world.users["team"],
                                             files=data.files())  # fmt: skip
    run = _run(world, datasets[:1] + [d for d in datasets if d.kind == "deaths"])
    for key in ("other_team", "unit", "leader"):
        client.force_login(world.users[key])
        for name in ("checks:import", "checks:finding"):
            assert client.post(reverse(name, args=[run.pk])).status_code == 404, (key, name)
    client.force_login(world.users["team"])
    for pk in (run.pk + 1000, 0):
        assert client.get(reverse("checks:run", args=[pk])).status_code == 404
        assert client.post(reverse("checks:import", args=[pk])).status_code == 404
    assert Dataset.objects.filter(team=world.team).count() == len(datasets)


def test_a_page_view_changes_nothing_the_worker_reaps(world, data, client):
    """A run whose worker died stays as it is on GET; the worker's reaper fails it."""
    import datetime as dt
    import socket

    from django.utils import timezone

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run = CheckRun.objects.create(
        team=world.team, number=1, params={}, created_by=world.users["team"],
        status="running", worker=f"{socket.gethostname()}:{dead.pid}",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    client.force_login(world.users["team"])
    for name in ("checks:run", "checks:run_status"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 200
    run.refresh_from_db()
    assert run.status == "running"
    assert services.runs_reap() == 1
    run.refresh_from_db()
    assert run.status == "failed" and "比对中断" in run.error
