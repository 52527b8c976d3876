"""Every write of report review: rubrics, review rounds, the sample, the automatic
checks, the reviewers' scores.

Rules: a rubric version no round uses may be replaced in place; a round freezes its
version. The sample (drawn or chosen by hand) may change until scoring starts (a score
saved or a review submitted). Only the round's reviewers score; a review is submitted
once every criterion has points and a comment; the office may return a submitted review
with a reason, and the reviewer corrects and submits it again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import Role, User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.sampling import quota
from xuncha.common.services import check_version, locked, save_versioned
from xuncha.documents.models import Report, ReportSource
from xuncha.units.models import Unit

from . import autocheck, sampling
from .models import (
    CheckedReport,
    Criterion,
    Flag,
    ReviewRound,
    ReviewSample,
    ReviewScore,
    Rubric,
    RubricVersion,
    SampleStatus,
)
from .rubric import RubricSpec, shipped
from .selectors import period_reports

REVIEWER_ROLES = (Role.OFFICE, Role.SUPERVISOR)


def _manage(by: User | None, what: str) -> None:
    if by is not None and not allowed(by, "review.manage"):
        raise PermissionDenied(f"只有巡察办可以{what}。")


def rubric_version_import(
    *, spec: RubricSpec, rubric_name: str, note: str = "", by: User | None
) -> RubricVersion:
    """Store ``spec`` as the rubric's current version (creating the rubric if new): the
    latest version is replaced if no review round uses it, else ``spec`` becomes the
    next version. ``by=None`` only for the shipped rubrics installed by the demo."""
    _manage(by, "管理评查标准")
    with transaction.atomic():
        rubric, created = Rubric.objects.get_or_create(
            name=rubric_name.strip(), defaults={"note": note}
        )
        if note and not created and rubric.note != note:
            rubric.note = note
            rubric.save(update_fields=["note", "updated_at"])
        latest = (
            RubricVersion.objects.select_for_update()
            .filter(rubric=rubric)
            .order_by("-number")
            .first()
        )
        if latest is not None and not latest.frozen:
            latest.criteria.all().delete()
            version = latest
        else:
            version = RubricVersion(rubric=rubric, number=(latest.number + 1) if latest else 1)
        version.low_weight = list(spec.low_weight)
        if by is not None:
            version._history_user = by  # type: ignore[attr-defined]
        version.save()
        Criterion.objects.bulk_create([
            Criterion(version=version, name=c.name, points=c.points, guidance=c.guidance, order=n)
            for n, c in enumerate(spec.criteria, 1)
        ])  # fmt: skip
    return version


def rubrics_install_shipped(*, by: User | None) -> list[RubricVersion]:
    """Install the shipped model rubrics not yet present (by name)."""
    present = set(Rubric.objects.values_list("name", flat=True))
    return [
        rubric_version_import(spec=spec, rubric_name=name, note=note, by=by)
        for name, (note, spec) in shipped().items()
        if name not in present
    ]


def _reviewers(users: Iterable[User]) -> list[User]:
    chosen = list(users)
    if not chosen:
        raise ServiceError("请至少选择一名评查人（巡察办或整改督查人员）。")
    wrong = [u.display_name for u in chosen if u.role not in REVIEWER_ROLES or not u.is_active]
    if wrong:
        raise ServiceError(f"评查人须为在用的巡察办或整改督查人员账户：{'、'.join(wrong)} 不是。")
    return chosen


def review_round_create(
    *, name: str, starts_on: dt.date, ends_on: dt.date, version: RubricVersion,
    reviewers: Iterable[User], by: User | None,
) -> ReviewRound:  # fmt: skip
    """Open a review of the reports dated ``starts_on``–``ends_on`` under ``version``
    (frozen from now on), and check every report of the period at once."""
    _manage(by, "开展报告评查")
    if ends_on < starts_on:
        raise ServiceError(f"报告日期止（{ends_on}）不能早于报告日期起（{starts_on}）。")
    chosen = _reviewers(reviewers)
    creator = by or chosen[0]
    with transaction.atomic():
        version = RubricVersion.objects.select_for_update().get(pk=version.pk)
        if not version.frozen:
            version.frozen = True
            version.save(update_fields=["frozen", "updated_at"])
        review_round = ReviewRound(name=name.strip() or "报告评查", starts_on=starts_on,
                                   ends_on=ends_on, rubric_version=version, created_by=creator)  # fmt: skip
        review_round._history_user = creator  # type: ignore[attr-defined]
        review_round.save()
        review_round.reviewers.set(chosen)
        review_checks_run(review_round=review_round, by=by)
    return review_round


def _signed(ids: set[int]) -> set[int]:
    """The findings among ``ids`` whose working paper is signed now."""
    from xuncha.findings.models import Finding
    from xuncha.findings.selectors import paper_signed_q

    if not ids:
        return set()
    return set(
        Finding.objects.filter(pk__in=ids).filter(paper_signed_q()).values_list("pk", flat=True)
    )


def review_checks_run(*, review_round: ReviewRound, by: User | None) -> int:
    """Run the automatic checks on every report of the round's period again (replacing
    what was stored); the number of reports checked."""
    _manage(by, "重新运行自动检查")
    low = list(review_round.rubric_version.low_weight)
    reports = list(period_reports(review_round).only("pk", "content", "source"))
    signed = _signed(set().union(*(autocheck.finding_ids(r.content) for r in reports)))
    with transaction.atomic():
        CheckedReport.objects.filter(review_round=review_round).delete()
        found = {
            r.pk: autocheck.check_content(r.content, low_weight=low, signed=signed,
                                          submitted=r.source == ReportSource.SUBMITTED)
            for r in reports
        }  # fmt: skip
        checked = CheckedReport.objects.bulk_create([
            CheckedReport(review_round=review_round, report_id=pk, flag_count=len(flags))
            for pk, flags in found.items()
        ])  # fmt: skip
        Flag.objects.bulk_create([
            Flag(checked=c, kind=f.kind, explanation=f.explanation, items=f.items)
            for c in checked for f in found[c.report_id]
        ], batch_size=500)  # fmt: skip
        review_round.checked_at = timezone.now()
        review_round.save(update_fields=["checked_at", "updated_at"])
    return len(reports)


def scoring_started(review_round: ReviewRound) -> bool:
    return (
        ReviewScore.objects.filter(sample__review_round=review_round, points__isnull=False).exists()
        or review_round.samples.exclude(status=SampleStatus.PENDING).exists()
    )


def _unchanged_sample(review_round: ReviewRound) -> None:
    if scoring_started(review_round):
        raise ServiceError("评查已开始（已有评分），抽样结果不能再更改。")


def review_draw(
    *, review_round: ReviewRound, by: User, count: int | None = None,
    share: Decimal | None = None, seed: int | None = None,
) -> list[ReviewSample]:  # fmt: skip
    """Draw ``count`` reports (or ``share`` percent, rounded up) of the period at random,
    replacing the sample; the seed (made at random unless given), the count and the
    candidates are stored so the draw reproduces."""
    _manage(by, "抽取评查报告")
    if (count is None) == (share is None):
        raise ServiceError("请选择按数量或按比例抽取（二选一）。")
    if share is not None and not Decimal(0) < share <= 100:
        raise ServiceError(f"抽取比例须大于 0% 且不超过 100%，收到 {share}%。")
    seed = secrets.randbits(48) if seed is None else seed
    with transaction.atomic():
        review_round = locked(review_round)
        _unchanged_sample(review_round)
        candidates = sorted(period_reports(review_round).values_list("pk", flat=True))
        if not candidates:
            raise ServiceError(
                f"{review_round.starts_on} 至 {review_round.ends_on} 没有巡察报告，无法抽取。"
            )
        n = quota(len(candidates), count=count, share=share)
        if n < 1 or n > len(candidates):
            raise ServiceError(
                f"抽取数量须在 1 至 {len(candidates)}（该期间报告总数）之间，收到 {n}。"
            )
        drawn = sampling.draw(candidates=candidates, seed=seed, count=n)
        review_round.samples.all().delete()
        review_round.seed, review_round.draw_count, review_round.candidate_ids = seed, n, candidates
        review_round.drawn_by = by
        review_round._history_user = by  # type: ignore[attr-defined]
        review_round.save(
            update_fields=["seed", "draw_count", "candidate_ids", "drawn_by", "updated_at"]
        )
        return ReviewSample.objects.bulk_create(
            [ReviewSample(review_round=review_round, report_id=pk, drawn=True) for pk in drawn]
        )


def review_sample_add(*, review_round: ReviewRound, report: Report, by: User) -> ReviewSample:
    """Add a report of the period to the sample by hand."""
    _manage(by, "选择评查报告")
    if not review_round.starts_on <= report.submitted_on <= review_round.ends_on:
        raise ServiceError(f"「{report.title}」的报告日期 {report.submitted_on} 不在本批次的期间"
                           f"（{review_round.starts_on} 至 {review_round.ends_on}）内。")  # fmt: skip
    with transaction.atomic():
        review_round = locked(review_round)
        _unchanged_sample(review_round)
        if review_round.samples.filter(report=report).exists():
            raise ServiceError(f"「{report.title}」已在抽样中。")
        return ReviewSample.objects.create(review_round=review_round, report=report, drawn=False)


def review_sample_remove(*, sample: ReviewSample, by: User) -> None:
    """Take a report out of the sample (before scoring starts)."""
    _manage(by, "调整评查报告")
    with transaction.atomic():
        _unchanged_sample(locked(sample.review_round))
        sample.delete()


def _content(sample: ReviewSample) -> dict[str, Any]:
    content = sample.report.content
    return content if isinstance(content, dict) else {}


@dataclass(frozen=True)
class ScoreEntry:
    criterion_id: int
    points: Decimal | None
    comment: str
    section: str


def _check_entries(
    sample: ReviewSample, entries: Sequence[ScoreEntry], submit: bool
) -> dict[int, Criterion]:
    criteria = {c.pk: c for c in sample.review_round.rubric_version.criteria.all()}
    sections = set(autocheck.headings(_content(sample).get("sections")))
    bad = []
    for e in entries:
        c = criteria.get(e.criterion_id)
        if c is None:
            raise ServiceError("评查项目不属于本批次的评查标准，请刷新页面后重试。")
        if e.points is not None and not Decimal(0) <= e.points <= c.points:
            bad.append(f"「{c.name}」得分 {e.points} 超出范围（0 至 {c.points} 分）")
        if e.section and e.section not in sections:
            bad.append(f"「{c.name}」所针对的章节「{e.section}」不在报告中")
        if submit and (e.points is None or not e.comment.strip()):
            bad.append(f"「{c.name}」{'未评分' if e.points is None else '未写评查意见'}")
    missing = set(criteria) - {e.criterion_id for e in entries}
    if submit and missing:
        bad += [f"「{criteria[m].name}」未评分" for m in sorted(missing)]
    if bad:
        raise ServiceError(("未提交" if submit else "未保存") + "：" + "；".join(bad) + "。")
    return criteria


def review_scores_save(
    *, sample: ReviewSample, by: User, entries: Sequence[ScoreEntry], version: int | None,
    summary: str = "", submit: bool = False,
) -> ReviewSample:  # fmt: skip
    """Save a reviewer's scores of a sampled report (points within each criterion's
    points, a comment, the section it is about); ``submit`` also hands the review in,
    which needs every criterion scored with a comment. A submitted review is not changed
    unless the office returns it."""
    if (
        not allowed(by, "review.score")
        or not sample.review_round.reviewers.filter(pk=by.pk).exists()
    ):
        raise PermissionDenied("只有本批次的评查人可以评分。")
    with transaction.atomic():
        current = locked(sample)
        if current.status == SampleStatus.SUBMITTED:
            raise ServiceError("该报告的评查已提交，不能再修改；如需修改请巡察办退回。")
        check_version(current, version, "评查", redo="评分")
        criteria = _check_entries(current, entries, submit)
        for e in entries:
            ReviewScore.objects.update_or_create(sample=current, criterion_id=e.criterion_id, defaults={
                "points": e.points, "comment": e.comment.strip(), "section": e.section, "scored_by": by})  # fmt: skip
        fields = ["summary"]
        current.summary = summary.strip()
        if submit:
            current.total = sum(
                (e.points or Decimal(0) for e in entries if e.criterion_id in criteria), Decimal(0)
            )
            current.status, current.submitted_by, current.submitted_at = (
                SampleStatus.SUBMITTED,
                by,
                timezone.now(),
            )
            fields += ["total", "status", "submitted_by", "submitted_at"]
        return save_versioned(current, by, fields)


def review_return(
    *, sample: ReviewSample, by: User, reason: str, version: int | None
) -> ReviewSample:
    """The office sends a submitted review back to the reviewers, with its reason."""
    _manage(by, "退回评查结果")
    if not reason.strip():
        raise ServiceError("退回评查须写明理由。")
    with transaction.atomic():
        current = locked(sample)
        if current.status != SampleStatus.SUBMITTED:
            raise ServiceError("只有已提交的评查可以退回。")
        check_version(current, version, "评查", redo="退回")
        current.status, current.returned_reason, current.total = (
            SampleStatus.RETURNED,
            reason.strip(),
            None,
        )
        return save_versioned(current, by, ["status", "returned_reason", "total"])


# --- reports submitted by lower-level offices (下级报送的巡察报告) ---------------------------

MAX_SUBMITTED_FILES = 10


@dataclass
class ParsedReport:
    """A submitted report as read from its DOCX (see :mod:`xuncha.reviews.submitted`)."""

    name: str  # the file's name
    title: str
    number: str
    content: dict[str, Any]
    notes: list[str]


def submitted_report_parse(*, data: bytes, name: str) -> ParsedReport:
    """Read a submitted report's DOCX in a child process under the sandbox's limits;
    ServiceError (Chinese, naming the file) when it is refused."""
    from xuncha import sandbox

    from . import submitted

    if not data:
        raise ServiceError(f"文件「{name}」是空的（0 字节），不是 DOCX 文件。")
    if len(data) > submitted.MAX_BYTES:
        raise ServiceError(f"文件「{name}」有 {len(data) / 2**20:.1f} MB，"
                           f"超过上限 {submitted.MAX_BYTES // 2**20} MB，未导入。")  # fmt: skip
    limits = sandbox.limits("parse")
    try:
        read = sandbox.run(submitted.read_report, data, file=name, limits=limits)
    except submitted.ReportRefused as err:
        raise ServiceError(f"文件「{name}」未导入：{err}。") from err
    except sandbox.FileCrashed as err:
        raise ServiceError(
            f"文件「{name}」未导入：读取时{sandbox.describe(err.limits, err.reason)}，已停止读取。"
            "文件可能已损坏，或是恶意构造的文件（如压缩炸弹）；请在 Word 中另存后再提交。"
        ) from err
    parsed = submitted.match(read)
    title = parsed["title"] or name.rsplit(".", 1)[0][:200]
    if not parsed["title"]:
        parsed["notes"].append(f"以文件名「{title}」作为标题。")
    return ParsedReport(name, title, parsed["number"][:50], parsed["content"], parsed["notes"])


def submitted_reports_create(
    *, files: Sequence[tuple[str, bytes]], issuer: str, unit: Unit, submitted_on: dt.date,
    by: User,
) -> list[tuple[Report, ParsedReport]]:  # fmt: skip
    """Read every file and keep each as a submitted Report of ``issuer`` on ``unit``,
    dated ``submitted_on``. All or nothing: any file refused (not a DOCX, empty, too
    large, a zip bomb, no body) or already submitted, and none is kept; the message
    names every file refused and why."""
    _manage(by, "导入下级报送的巡察报告")
    issuer = " ".join(issuer.split())
    if not issuer:
        raise ServiceError("请填写报告单位（如：中共某县委第二巡察组）。")
    if not files:
        raise ServiceError("请选择要导入的巡察报告（DOCX 文件）。")
    if len(files) > MAX_SUBMITTED_FILES:
        raise ServiceError(f"一次最多导入 {MAX_SUBMITTED_FILES} 份报告，收到 {len(files)} 份。")
    parsed, bad = [], []
    for name, data in files:
        try:
            parsed.append(submitted_report_parse(data=data, name=name))
        except ServiceError as err:
            bad.append(str(err))
    titles: dict[str, str] = {}
    for p in parsed:
        if p.title in titles:
            bad.append(
                f"文件「{p.name}」与「{titles[p.title]}」是同一标题的报告「{p.title}」，请只提交一份。"
            )
        titles.setdefault(p.title, p.name)
        if Report.objects.filter(source=ReportSource.SUBMITTED, issuer=issuer[:100], unit=unit,
                                 title=p.title, submitted_on=submitted_on).exists():  # fmt: skip
            bad.append(
                f"文件「{p.name}」：{issuer}已于 {submitted_on} 报送过「{p.title}」（{unit.name}），未重复导入。"
            )
    if bad:
        raise ServiceError("没有导入任何报告。" + " ".join(bad))
    with transaction.atomic():
        made = [
            Report.objects.create(source=ReportSource.SUBMITTED, unit=unit, issuer=issuer[:100],
                                  number=p.number, title=p.title[:200], submitted_on=submitted_on,
                                  content=p.content, created_by=by)
            for p in parsed
        ]  # fmt: skip
    return list(zip(made, parsed, strict=True))


def submitted_report_delete(*, report: Report, by: User) -> None:
    """Delete a submitted report no review round has sampled (its automatic-check
    results go with it)."""
    _manage(by, "删除下级报送的巡察报告")
    if report.source != ReportSource.SUBMITTED:
        raise ServiceError("只能删除下级报送的报告；本系统生成的报告不能在此删除。")
    with transaction.atomic():
        rounds = list(
            ReviewRound.objects.filter(samples__report=report)
            .distinct()
            .values_list("name", flat=True)
        )
        if rounds:
            raise ServiceError(
                f"「{report.title}」已被评查批次「{'」「'.join(rounds)}」抽取，不能删除。"
            )
        report.delete()
