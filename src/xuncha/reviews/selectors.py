"""Reads of report review: rubrics, review rounds, the period's reports filtered as the
figures count them, samples and the teams' results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from xuncha.accounts.access import allowed, restrict
from xuncha.accounts.models import User
from xuncha.documents.models import Report, ReportSource

from .models import (
    CheckedReport,
    Flag,
    FlagKind,
    ReviewRound,
    ReviewSample,
    Rubric,
    RubricVersion,
    SampleStatus,
)
from .rubric import CriterionSpec, RubricSpec


@dataclass(frozen=True)
class Bin:
    key: str
    label: str
    low: Decimal | None
    high: Decimal | None  # exclusive


# The score distribution of submitted reviews.
BINS = (
    Bin("90", "90 分及以上", Decimal(90), None),
    Bin("80", "80–89 分", Decimal(80), Decimal(90)),
    Bin("70", "70–79 分", Decimal(70), Decimal(80)),
    Bin("60", "60–69 分", Decimal(60), Decimal(70)),
    Bin("low", "60 分以下", None, Decimal(60)),
)
ANY_FLAG = "any"


def current_versions() -> list[RubricVersion]:
    """Each rubric's latest version."""
    latest: dict[int, RubricVersion] = {}
    for v in RubricVersion.objects.select_related("rubric").order_by("rubric__name", "-number"):
        latest.setdefault(v.rubric_id, v)
    return list(latest.values())


def rubric_list() -> list[tuple[Rubric, RubricVersion | None]]:
    current = {v.rubric_id: v for v in current_versions()}
    return [(r, current.get(r.pk)) for r in Rubric.objects.all()]


def version_spec(version: RubricVersion) -> RubricSpec:
    criteria = [CriterionSpec(c.name, c.points, c.guidance) for c in version.criteria.all()]
    return RubricSpec(criteria, list(version.low_weight))


def period_reports(review_round: ReviewRound) -> QuerySet[Report]:
    """The reports dated within the round's period."""
    return Report.objects.filter(
        submitted_on__gte=review_round.starts_on, submitted_on__lte=review_round.ends_on
    )


def review_round_list(*, user: User) -> QuerySet[ReviewRound]:
    if not allowed(user, "review.read"):
        return ReviewRound.objects.none()
    return ReviewRound.objects.select_related("rubric_version__rubric").annotate(
        sampled=Count("samples", distinct=True),
        scored=Count("samples", filter=Q(samples__status=SampleStatus.SUBMITTED), distinct=True),
    )


def review_round_detail(*, user: User, pk: int) -> ReviewRound:
    found = review_round_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _in(ids: QuerySet[Any]) -> Q:
    return Q(pk__in=ids)


def round_reports(
    review_round: ReviewRound, *, flag: str = "", sampled: bool = False, scored: bool = False,
    score_bin: str = "",
) -> QuerySet[Report]:  # fmt: skip
    """The period's reports, narrowed as the figures count them: those a check flagged
    (``flag``: a :class:`FlagKind` or ``"any"``), the sampled ones, those whose review is
    submitted, those whose submitted total falls in a bin of :data:`BINS`."""
    found = period_reports(review_round)
    if flag:
        flags = Flag.objects.filter(checked__review_round=review_round)
        if flag != ANY_FLAG:
            flags = flags.filter(kind=flag)
        found = found.filter(_in(flags.values("checked__report_id")))
    samples = review_round.samples.all()
    if sampled:
        found = found.filter(_in(samples.values("report_id")))
    if scored or score_bin:
        samples = samples.filter(status=SampleStatus.SUBMITTED)
        b = next((b for b in BINS if b.key == score_bin), None)
        if b is not None and b.low is not None:
            samples = samples.filter(total__gte=b.low)
        if b is not None and b.high is not None:
            samples = samples.filter(total__lt=b.high)
        found = found.filter(_in(samples.values("report_id")))
    return found.select_related("unit").order_by("-submitted_on", "-id")


def _link(review_round: ReviewRound, **query: str) -> str:
    url = reverse("reviews:reports", args=[review_round.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def round_figures(review_round: ReviewRound) -> dict[str, Any]:
    """The round page's figures, each ``(count, link to the list it counts)``."""
    rr = review_round
    by_kind = dict(
        Flag.objects.filter(checked__review_round=rr)
        .values_list("kind")
        .annotate(n=Count("checked__report_id", distinct=True))
    )
    return {
        "reports": (period_reports(rr).count(), _link(rr)),
        "checked": CheckedReport.objects.filter(review_round=rr).count(),
        "flagged": (round_reports(rr, flag=ANY_FLAG).count(), _link(rr, flag=ANY_FLAG)),
        "by_kind": [
            (label, by_kind.get(kind, 0), _link(rr, flag=kind)) for kind, label in FlagKind.choices
        ],
        "sampled": (round_reports(rr, sampled=True).count(), _link(rr, sampled="1")),
        "scored": (round_reports(rr, scored=True).count(), _link(rr, scored="1")),
        "bins": [
            (b.label, round_reports(rr, score_bin=b.key).count(), _link(rr, bin=b.key))
            for b in BINS
        ],
    }


def round_samples(review_round: ReviewRound) -> QuerySet[ReviewSample]:
    return review_round.samples.select_related("report__unit", "submitted_by")


def checked_flags(review_round: ReviewRound, report_ids: list[int]) -> dict[int, list[Flag]]:
    """The flags of these reports in the round, by report id."""
    found: dict[int, list[Flag]] = {}
    for f in Flag.objects.filter(
        checked__review_round=review_round, checked__report_id__in=report_ids
    ).select_related("checked"):
        found.setdefault(f.checked.report_id, []).append(f)
    return found


def sample_detail(*, user: User, pk: int) -> ReviewSample:
    """A sample the user may read: the office and supervisors any; a team member one of
    its own team's reports once the review is submitted."""
    rows = ReviewSample.objects.select_related(
        "report__unit", "review_round__rubric_version", "submitted_by"
    )
    if not allowed(user, "review.read"):
        rows = restrict(rows, user).filter(status=SampleStatus.SUBMITTED)
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def team_results(*, user: User) -> QuerySet[ReviewSample]:
    """Submitted reviews of the reports of the user's teams (nothing for other roles)."""
    rows = ReviewSample.objects.filter(status=SampleStatus.SUBMITTED, report__team__isnull=False)
    return (
        restrict(rows, user)
        .select_related("report__unit", "review_round")
        .order_by("-submitted_at")
    )


def sample_scores(sample: ReviewSample) -> list[tuple[Any, Any]]:
    """(criterion, score or None) for every criterion of the sample's rubric version."""
    scores = {s.criterion_id: s for s in sample.scores.all()}
    return [(c, scores.get(c.pk)) for c in sample.review_round.rubric_version.criteria.all()]


def period_rounds(
    *, user: User, start: Any, end: Any, limit: int = 5
) -> list[tuple[ReviewRound, dict[str, Any]]]:
    """The review rounds whose report period overlaps ``start``–``end`` (latest first),
    each with its figures, for the figures page; none for users who do not read reviews."""
    rounds = review_round_list(user=user).filter(starts_on__lte=end, ends_on__gte=start)[:limit]
    return [(r, round_figures(r)) for r in rounds]


def submitted_reports(
    *, starts_on: Any = None, ends_on: Any = None, issuer: str = ""
) -> QuerySet[Report]:
    """Reports submitted by lower-level offices, latest first, dated within
    ``starts_on``–``ends_on`` and from an issuer whose name contains ``issuer``."""
    found = Report.objects.filter(source=ReportSource.SUBMITTED)
    if starts_on:
        found = found.filter(submitted_on__gte=starts_on)
    if ends_on:
        found = found.filter(submitted_on__lte=ends_on)
    if issuer.strip():
        found = found.filter(issuer__icontains=issuer.strip())
    return found.select_related("unit").order_by("-submitted_on", "-id")


def submitted_issuers() -> list[str]:
    """The issuers of submitted reports (for the filter's suggestions)."""
    rows = Report.objects.filter(source=ReportSource.SUBMITTED).values_list("issuer", flat=True)
    return sorted(set(rows))


def report_rounds(report: Report) -> list[tuple[ReviewRound, bool]]:
    """The review rounds whose period holds the report, each with whether it sampled it."""
    sampled = set(
        ReviewSample.objects.filter(report=report).values_list("review_round_id", flat=True)
    )
    rounds = ReviewRound.objects.filter(
        starts_on__lte=report.submitted_on, ends_on__gte=report.submitted_on
    ).order_by("-created_at", "-id")
    return [(r, r.pk in sampled) for r in rounds]
