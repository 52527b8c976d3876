"""The demo city's working papers and recommendations (demo/papers.py): every finding
with its 定性依据, 责任指向 and paper; older rounds signed, the latest in every state;
signers from the finding's own team in their roles; recommendations per unit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.models import Count, F, Max, Q

from web.demo_world import TODAY, DemoStack
from xuncha.demo.papers import DemoPapers
from xuncha.findings.models import Finding, Recommendation, WorkingPaper
from xuncha.findings.selectors import paper_signed_q
from xuncha.planning.models import Assignment, MemberRole, Round, TeamMember

pytestmark = pytest.mark.demo_city("papers")
SEEDED: dict[str, DemoPapers] = {}


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[None]:
    """The session's demo city with its working papers (web.demo_world, which prints how
    long each layer took to seed)."""
    with demo_city.module("papers") as seeded:
        SEEDED["papers"] = seeded["papers"]
        yield


@pytest.fixture
def seeded(city, db) -> DemoPapers:
    return SEEDED["papers"]


def test_every_finding_has_basis_responsibility_and_paper(seeded) -> None:
    total = Finding.objects.count()
    assert total > 100 and seeded.papers == total == WorkingPaper.objects.count()
    assert not Finding.objects.filter(Q(basis="") | Q(responsible="")).exists()
    assert Finding.objects.filter(basis__contains="《中国共产党纪律处分条例》").exists()
    assert Finding.objects.filter(subcategory="corruption.assets", basis__contains="三资").exists()
    assert Finding.objects.filter(responsible__contains="村党").exists()
    # Most papers cite one or two of the team's talks with the unit in that round.
    cited = WorkingPaper.objects.annotate(n=Count("talks")).filter(n__gte=1)
    assert cited.count() > total * 0.9
    through = WorkingPaper.talks.through.objects
    assert not through.exclude(talk__unit_id=F("workingpaper__finding__unit_id")).exists()
    assert not through.exclude(talk__team_id=F("workingpaper__finding__team_id")).exists()


def test_older_rounds_signed_latest_round_in_every_state(seeded) -> None:
    latest = Round.objects.filter(start_date__lte=TODAY).aggregate(m=Max("start_date"))["m"]
    older = Finding.objects.exclude(round__start_date=latest)
    assert older.exists() and older.filter(paper_signed_q()).count() == older.count()
    newest = WorkingPaper.objects.filter(finding__round__start_date=latest)
    unsigned = newest.filter(handler_signed_by__isnull=True).count()
    handler_only = newest.filter(
        handler_signed_by__isnull=False, deputy_signed_by__isnull=True
    ).count()
    signed = newest.filter(leader_signed_by__isnull=False).count()
    assert (
        unsigned
        and handler_only
        and signed
        and unsigned + handler_only + signed < newest.count() + 1
    )
    assert (seeded.signed, seeded.unsigned) == (
        WorkingPaper.objects.filter(leader_signed_by__isnull=False).count(), unsigned)  # fmt: skip


def test_signers_are_the_teams_cadres_in_their_roles(seeded) -> None:
    roles = {(m.team_id, m.cadre_id): m.role for m in TeamMember.objects.all()}
    papers = WorkingPaper.objects.filter(handler_signed_by__isnull=False).select_related("finding")
    for p in papers:
        team = p.finding.team_id
        assert roles[(team, p.handler_signed_by_id)] == MemberRole.MEMBER
        if p.deputy_signed_by_id:
            assert roles[(team, p.deputy_signed_by_id)] == MemberRole.DEPUTY
            assert p.deputy_signed_at >= p.handler_signed_at
        if p.leader_signed_by_id:
            assert roles[(team, p.leader_signed_by_id)] == MemberRole.LEADER
            assert p.leader_signed_at >= p.deputy_signed_at
    # Every team has a deputy now, and some signers have no account.
    assert TeamMember.objects.filter(role=MemberRole.DEPUTY).values("team").distinct().count() == (
        TeamMember.objects.values("team").distinct().count())  # fmt: skip
    assert papers.filter(handler_signed_by__user__isnull=True).exists()


def test_recommendations_per_unit_answer_its_findings(seeded) -> None:
    inspected = Finding.objects.values("round_id", "unit_id").distinct().count()
    units = Recommendation.objects.values("round_id", "unit_id").distinct().count()
    assert units == inspected and seeded.recommendations == Recommendation.objects.count()
    links = Recommendation.findings.through.objects.select_related("recommendation", "finding")
    assert links.count() == Finding.objects.count()  # each finding answered once
    assert all((lk.recommendation.unit_id, lk.recommendation.round_id) == (lk.finding.unit_id, lk.finding.round_id)
               and lk.recommendation.text for lk in links)  # fmt: skip
    assert Assignment.objects.exists()
