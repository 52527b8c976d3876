"""The demo city reproduces seed 004's report review: 745 reports all checked, 18 drawn
with a recorded seed (the draw reproduces), every automatic check finding its planted
defects, a few reviews submitted, the demo team reading its own results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse

from web.demo_world import DemoStack
from xuncha.accounts.models import User
from xuncha.demo.reviews import SEED, DemoReviews, summary
from xuncha.reviews import sampling
from xuncha.reviews.models import CheckedReport, Flag, FlagKind, ReviewRound, SampleStatus
from xuncha.reviews.selectors import round_figures, team_results

pytestmark = pytest.mark.demo_city("reviews")
SEEDED: dict[str, DemoReviews] = {}


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[None]:
    """The session's demo city with the report review (web.demo_world, which prints how
    long each layer took to seed)."""
    with demo_city.module("reviews") as seeded:
        SEEDED["reviews"] = seeded["reviews"]
        yield


@pytest.fixture
def seeded(city, db) -> DemoReviews:
    return SEEDED["reviews"]


def test_745_reports_checked_and_18_drawn_reproducibly(seeded) -> None:
    rr = ReviewRound.objects.get(pk=seeded.round_id)
    assert (seeded.reports, seeded.sampled) == (745, 18)
    assert CheckedReport.objects.filter(review_round=rr).count() == 745
    assert rr.seed == SEED and len(rr.candidate_ids) == 745
    assert sorted(sampling.redraw(rr)) == sorted(rr.samples.values_list("report_id", flat=True))
    assert rr.starts_on == dt.date(2024, 1, 1) and rr.ends_on == dt.date(2024, 12, 31)
    figures = round_figures(rr)
    assert (
        figures["reports"][0] == 745 and figures["sampled"][0] == 18 and figures["scored"][0] == 6
    )
    assert sum(n for _, n, _ in figures["bins"]) == 6
    print(summary(seeded))


def test_every_check_finds_its_planted_defects(seeded) -> None:
    flags = Flag.objects.filter(checked__review_round_id=seeded.round_id)
    for kind in FlagKind.values:
        assert flags.filter(kind=kind).exists(), kind
    trivial = flags.filter(kind=FlagKind.TRIVIAL)
    assert trivial.count() == 3
    assert all(
        "72 个问题中 68 个属于次要问题类别（组织生活不规范 68 个）" in f.explanation
        for f in trivial
    )
    # Every planted lead without a receiver is found (other leads all have one).
    assert flags.filter(kind=FlagKind.LEAD_NO_ROUTE).count() == 9
    assert flags.filter(kind=FlagKind.UNMATCHED).count() == 7
    assert flags.filter(kind=FlagKind.UNSOURCED).count() == 12
    # Most reports are clean.
    assert CheckedReport.objects.filter(review_round_id=seeded.round_id, flag_count=0).count() > 600


def test_the_demo_team_reads_its_reviewed_reports(seeded, client) -> None:
    team = User.objects.get(username="team")
    mine = list(team_results(user=team))
    assert 1 <= len(mine) <= 3 and all(s.status == SampleStatus.SUBMITTED for s in mine)
    client.force_login(team)
    page = client.get(reverse("reviews:results"))
    assert all(s.report.title in page.text for s in mine)
    assert client.get(reverse("reviews:sample", args=[mine[0].pk])).status_code == 200
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get(reverse("reviews:round", args=[seeded.round_id]))
    assert page.status_code == 200 and "745" in page.text and "结果与本次抽样一致" in page.text
