"""The demo reproduces seed 000's Chenzhou chain from its own data: 590 suspect records
→ 410 confirmed improper payments worth 246,500 yuan → 191,800 yuan recovered, carried
into a finding, its rectification item and the figures page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.urls import reverse

from web.demo_world import DemoStack
from xuncha.accounts.models import User
from xuncha.checks.models import Suspect, Verdict
from xuncha.checks.selectors import verified_totals
from xuncha.dashboards.selectors import Period, figures
from xuncha.demo.city import DemoCity, seed_city
from xuncha.demo.crosscheck import seed_crosscheck
from xuncha.findings.models import Finding
from xuncha.rectifications.models import RectificationItem

TODAY = dt.date(2025, 11, 20)


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[DemoCity]:
    """The session's demo city, nothing over it (web.demo_world); the chain is seeded in
    the test, and rolled back with it."""
    with demo_city.module():
        yield demo_city.city


@pytest.mark.django_db
@pytest.mark.demo_city()
def test_the_chenzhou_chain(city, tmp_path, client):
    team_user = User.objects.get(username="team")
    chain = seed_crosscheck(folder=tmp_path / "data", team_user=team_user, today=TODAY)
    run = chain.run
    # The suspects are the engine's, from messy xlsx and CSV files.
    assert run.summary["total"] == 590 == Suspect.objects.filter(run=run).count()
    assert {i["file"].rsplit(".", 1)[1] for i in run.manifest["inputs"]} == {"xlsx", "csv"}
    totals = verified_totals([run])
    assert (totals["confirmed"], totals["improper"], totals["recovered"]) == (
        410, Decimal("246500.00"), Decimal("191800.00"))  # fmt: skip
    assert totals["confirmed"] + totals["rejected"] == 590
    finding = Finding.objects.get(pk=chain.finding_id)
    assert finding.source == "crosscheck" and finding.amount == Decimal("246500.00")
    assert Suspect.objects.filter(finding=finding).count() == 410
    item = RectificationItem.objects.get(finding=finding)
    assert item.money_recovered == Decimal("191800.00")
    assert not Suspect.objects.filter(run=run, verdict=Verdict.PENDING).exists()
    # The figures page counts them (office: everything in the term).
    office = User.objects.get(username="office")
    f = figures(user=office, period=Period("全部", dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    assert (f.suspects, f.suspects_confirmed, f.improper_amount, f.improper_recovered) == (
        590, 410, Decimal("246500.00"), Decimal("191800.00"))  # fmt: skip
    client.force_login(office)
    year = run.team.round.start_date.year
    page = client.get(reverse("dashboards:figures"), {"year": year}).content.decode()
    improper = page.split('id="improper"')[1].split("</td>")[0].replace(",", "")
    assert "410 条" in improper and "246500.00" in improper and "191800.00" in improper


@pytest.mark.django_db(transaction=True)
def test_the_demo_rerun_narrow_then_full_loses_nothing(tmp_path, client):
    """Issue 16's report: after a narrow run (one rule, two files) and a full one, 570 of
    590 verdicts were back to 待核实 and the figures fell from 410 / 246,500 to 20 /
    12,000. Now every verdict, the finding link and the figures stay."""
    from xuncha.checks import services, workbook
    from xuncha.common.errors import ServiceError
    from xuncha.planning.models import Assignment

    seed_city(today=TODAY)
    team_user = User.objects.get(username="team")
    chain = seed_crosscheck(folder=tmp_path / "data", team_user=team_user, today=TODAY)
    book = tmp_path / "第1次核查表.xlsx"
    book.write_bytes(
        workbook.export(chain.run, Suspect.objects.filter(run=chain.run), unmask=False)
    )
    datasets = list(chain.run.datasets.all())
    narrow = [d for d in datasets if d.kind == "deaths"] + [
        d for d in datasets if d.kind == "payments"
    ][:1]
    for datasets_, rules in ((narrow, ["deceased_payee"]), (datasets, None)):
        params = services.RunParams(rules=rules) if rules else services.RunParams()
        run = services.run_start(
            team=chain.run.team, by=team_user, datasets=datasets_, params=params
        )
        services.run_execute(run.pk)
        run.refresh_from_db()
        assert run.status == "done", run.error
    assert run.summary["total"] == 590
    assert not Suspect.objects.filter(run=run, verdict=Verdict.PENDING).exists()
    assert verified_totals([run])["in_findings"] == 410
    office = User.objects.get(username="office")
    f = figures(user=office, period=Period("全部", dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    assert (f.suspects, f.suspects_confirmed, f.improper_amount, f.improper_recovered) == (
        590, 410, Decimal("246500.00"), Decimal("191800.00"))  # fmt: skip
    assignment = Assignment.objects.filter(team=chain.run.team).first()
    with pytest.raises(ServiceError, match="没有尚未汇入问题"):
        services.suspects_to_finding(run=run, by=team_user, assignment=assignment)
    rows = workbook.read(book, book.name)
    report = services.verification_import(run=run, by=team_user, rows=rows)
    assert (report.applied, report.unchanged, report.conflicts) == (0, 590, [])
    item = RectificationItem.objects.get(finding_id=chain.finding_id)
    assert item.money_recovered == Decimal("191800.00")
