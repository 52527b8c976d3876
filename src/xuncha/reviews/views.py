"""Pages of report review: rubrics (office), review rounds with their figures, checks
and sample (office and supervisors), scoring (the round's reviewers), and the results a
team reads for its own reports."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, workbook, xlsx_response
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.pagination import paginate
from xuncha.common.views import version_import
from xuncha.documents.models import Report, ReportSource

from . import autocheck, forms, rubric, sampling, selectors, services
from .models import ReviewSample, RubricVersion, SampleStatus

PAGE_SIZE = 50


def _require(request: HttpRequest, action: str) -> None:
    if not allowed(user_of(request), action):
        raise Http404


@login_required
def rubric_list(request: HttpRequest) -> HttpResponse:
    _require(request, "review.manage")
    return render(request, "reviews/rubric_list.html", {"rubrics": selectors.rubric_list()})


@login_required
def rubric_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=pk)
    out = io.BytesIO()
    rubric.write_workbook(selectors.version_spec(version), out)
    name = file_name("评查标准", timezone.localdate(), version.rubric.name, f"第{version.number}版")
    return xlsx_response(out.getvalue(), name)


@login_required
@require_POST
def rubric_import(request: HttpRequest) -> HttpResponse:
    _require(request, "review.manage")
    version_import(
        request, field="rubric", noun="评查标准", short="标准",
        read=lambda data, name: rubric.read_workbook(data, name=name),
        create=lambda spec, name: services.rubric_version_import(
            spec=spec, rubric_name=name, by=user_of(request)),
        owner=lambda version: version.rubric,
    )  # fmt: skip
    return redirect("reviews:rubrics")


@login_required
@require_POST
def rubric_install(request: HttpRequest) -> HttpResponse:
    _require(request, "review.manage")
    installed = services.rubrics_install_shipped(by=user_of(request))
    messages.success(
        request,
        f"已安装示例评查标准 {len(installed)} 个。" if installed else "示例评查标准均已安装。",
    )
    return redirect("reviews:rubrics")


def _reviewer_choices() -> Any:
    return User.objects.filter(role__in=services.REVIEWER_ROLES, is_active=True).order_by(
        "full_name"
    )


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _require(request, "review.read")
    user = user_of(request)
    manage = allowed(user, "review.manage")
    form = forms.ReviewRoundForm(request.POST or None, versions=RubricVersion.objects.filter(
        pk__in=[v.pk for v in selectors.current_versions()]).select_related("rubric"),
        reviewers=_reviewer_choices())  # fmt: skip
    status = 200
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                created = services.review_round_create(
                    name=d["name"], starts_on=d["starts_on"], ends_on=d["ends_on"], version=d["version"],
                    reviewers=d["reviewers"], by=user,
                )  # fmt: skip
            except ServiceError as err:
                form.add_error(None, str(err))
            else:
                messages.success(
                    request,
                    f"已创建评查批次，期间内 {created.checked.count()} 份报告已完成自动检查。",
                )
                return redirect("reviews:round", created.pk)
        status = 400
    context = {"rounds": selectors.review_round_list(user=user), "form": form if manage else None}
    return render(request, "reviews/round_list.html", context, status=status)


def _round_page(request: HttpRequest, pk: int, draw: Any = None, status: int = 200) -> HttpResponse:
    user = user_of(request)
    rr = selectors.review_round_detail(user=user, pk=pk)
    samples = list(selectors.round_samples(rr))
    flags = selectors.checked_flags(rr, [s.report_id for s in samples])
    redrawn = sampling.redraw(rr)
    drawn = sorted(s.report_id for s in samples if s.drawn)
    context = {
        "round": rr, "figures": selectors.round_figures(rr), "samples": [(s, flags.get(s.report_id, [])) for s in samples],
        "manage": allowed(user, "review.manage"), "started": services.scoring_started(rr),
        "draw_form": draw or forms.DrawForm(), "reviewers": rr.reviewers.all(),
        "reproduced": bool(redrawn) and sorted(redrawn) == drawn,
        "reviewer": rr.reviewers.filter(pk=user.pk).exists(),
    }  # fmt: skip
    return render(request, "reviews/round_detail.html", context, status=status)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.read")
    return _round_page(request, pk)


@login_required
@require_POST
def round_draw(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    user = user_of(request)
    rr = selectors.review_round_detail(user=user, pk=pk)
    form = forms.DrawForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        size: Decimal = d["size"]
        try:
            drawn = services.review_draw(
                review_round=rr, by=user, seed=d["seed"], count=int(size) if d["mode"] == "count" else None,
                share=size if d["mode"] == "share" else None,
            )  # fmt: skip
        except ServiceError as err:
            form.add_error("size", str(err))
        else:
            rr.refresh_from_db()
            messages.success(
                request,
                f"已从 {len(rr.candidate_ids)} 份报告中随机抽取 {len(drawn)} 份（随机种子 {rr.seed}）。",
            )
            return redirect("reviews:round", rr.pk)
    return _round_page(request, pk, draw=form, status=400)


@login_required
@require_POST
def round_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    user = user_of(request)
    rr = selectors.review_round_detail(user=user, pk=pk)
    text = request.POST.get("report", "").strip().lstrip("#")
    report = (
        Report.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 10 else None
    )
    if report is None:
        messages.error(
            request, f"找不到编号为「{text}」的巡察报告。" if text else "请填写要加入的报告编号。"
        )
    else:
        try:
            services.review_sample_add(review_round=rr, report=report, by=user)
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, f"已将「{report.title}」加入评查。")
    return redirect("reviews:round", rr.pk)


@login_required
@require_POST
def sample_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    sample = selectors.sample_detail(user=user_of(request), pk=pk)
    try:
        services.review_sample_remove(sample=sample, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已将「{sample.report.title}」移出评查。")
    return redirect("reviews:round", sample.review_round_id)


@login_required
@require_POST
def round_check(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    rr = selectors.review_round_detail(user=user_of(request), pk=pk)
    n = services.review_checks_run(review_round=rr, by=user_of(request))
    messages.success(request, f"已重新检查期间内 {n} 份报告。")
    return redirect("reviews:round", rr.pk)


@login_required
def round_reports(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.read")
    rr = selectors.review_round_detail(user=user_of(request), pk=pk)
    form = forms.ReportFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        found = Report.objects.none()
    else:
        d = form.cleaned_data if form.is_bound else {}
        found = selectors.round_reports(rr, flag=d.get("flag", ""), sampled=bool(d.get("sampled")),
                                        scored=bool(d.get("scored")), score_bin=d.get("bin", ""))  # fmt: skip
    page = paginate(request, found, PAGE_SIZE)
    flags = selectors.checked_flags(rr, [r.pk for r in page["page"].object_list])
    rows = [(r, flags.get(r.pk, [])) for r in page["page"].object_list]
    context = {"round": rr, "form": form, "rows": rows, "total": found.count(), **page,
               "filter_error": FILTER_ERROR if form.errors else ""}  # fmt: skip
    return render(request, "reviews/report_list.html", context, status=400 if form.errors else 200)


def _entries(request: HttpRequest, sample: ReviewSample) -> list[services.ScoreEntry]:
    entries, bad = [], []
    for c in sample.review_round.rubric_version.criteria.all():
        raw = request.POST.get(f"p{c.pk}", "").strip()
        try:
            points = Decimal(raw) if raw else None
        except InvalidOperation:
            bad.append(f"「{c.name}」得分「{raw}」不是数字")
            continue
        if points is not None and not points.is_finite():
            bad.append(f"「{c.name}」得分「{raw}」不是数字")
            continue
        entries.append(services.ScoreEntry(c.pk, points, request.POST.get(f"c{c.pk}", ""),
                                           request.POST.get(f"s{c.pk}", "").strip()))  # fmt: skip
    if bad:
        raise ServiceError("未保存：" + "；".join(bad) + "。")
    return entries


def _version(request: HttpRequest) -> int:
    """The version the page showed (0, refused as stale, when missing or garbled)."""
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else 0


@login_required
def sample_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A sampled report: its content, the automatic checks, the scores (a form for the
    round's reviewers while not submitted)."""
    user = user_of(request)
    sample = selectors.sample_detail(user=user, pk=pk)
    rr = sample.review_round
    reviewer = allowed(user, "review.score") and rr.reviewers.filter(pk=user.pk).exists()
    if request.method == "POST":
        if not reviewer:
            raise Http404
        try:
            services.review_scores_save(sample=sample, by=user, entries=_entries(request, sample),
                                        version=_version(request),
                                        summary=request.POST.get("summary", ""),
                                        submit="submit" in request.POST)  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(
                request, "评查已提交。" if "submit" in request.POST else "评分已保存。"
            )
        return redirect("reviews:sample", sample.pk)
    content = sample.report.content if isinstance(sample.report.content, dict) else {}
    flags = (
        selectors.checked_flags(rr, [sample.report_id]).get(sample.report_id, [])
        if allowed(user, "review.read")
        else []
    )
    context = {
        "sample": sample, "round": rr, "report": sample.report, "content": content, "flags": flags,
        "scores": selectors.sample_scores(sample),
        "sections": autocheck.headings(content.get("sections")),
        "outline": autocheck.outline(content.get("sections")),
        "problems": [p for p in content.get("problems") or [] if isinstance(p, dict)],
        "leads": [x for x in content.get("leads") or [] if isinstance(x, dict)],
        "recommendations": [x for x in content.get("recommendations") or [] if isinstance(x, dict)],
        "figures": [x for x in (content.get("figures") or {}).values() if isinstance(x, dict)]
        if isinstance(content.get("figures"), dict) else [],
        "notes": autocheck.notes(content, submitted=sample.report.source == ReportSource.SUBMITTED),
        "editable": reviewer and sample.status != SampleStatus.SUBMITTED,
        "manage": allowed(user, "review.manage"), "inside": allowed(user, "review.read"),
        "return_form": forms.ReturnForm(initial={"version": sample.version}),
    }  # fmt: skip
    return render(request, "reviews/sample.html", context)


@login_required
@require_POST
def sample_return(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.manage")
    sample = selectors.sample_detail(user=user_of(request), pk=pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            services.review_return(sample=sample, by=user_of(request), reason=form.cleaned_data["reason"],
                                   version=form.cleaned_data["version"])  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "已退回评查人修改。")
    return redirect("reviews:sample", sample.pk)


@login_required
def results(request: HttpRequest) -> HttpResponse:
    """The submitted reviews of the user's teams' reports."""
    _require(request, "review.results")
    found = selectors.team_results(user=user_of(request))
    return render(request, "reviews/results.html", {"samples": found})


def _number(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


@login_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.read")
    rr = selectors.review_round_detail(user=user_of(request), pk=pk)
    samples = list(selectors.round_samples(rr).prefetch_related("scores"))
    criteria = list(rr.rubric_version.criteria.all())
    flags = selectors.checked_flags(rr, [s.report_id for s in samples])
    headers = [("报告编号", 10), ("标题", 40), ("报告单位", 24), ("被巡察单位", 20), ("报告日期", 12),
               ("抽取方式", 10), ("状态", 10), *((f"{c.name}（{c.points}分）", 12) for c in criteria),
               ("总分", 8), ("评查人", 12), ("评查意见", 60), ("自动检查发现", 60)]  # fmt: skip
    rows = []
    for s in samples:
        by_c = {x.criterion_id: x for x in s.scores.all()}
        comments = "\n".join(
            f"{c.name}：{by_c[c.pk].comment}"
            for c in criteria
            if c.pk in by_c and by_c[c.pk].comment
        )
        rows.append([
            str(s.report_id), s.report.title, s.report.issuer, s.report.unit.name, s.report.submitted_on.isoformat(),
            "随机抽取" if s.drawn else "人工选取", s.get_status_display(),
            *(_number(by_c[c.pk].points if c.pk in by_c else None) for c in criteria),
            _number(s.total), s.submitted_by.display_name if s.submitted_by else "",
            comments, "\n".join(f.explanation for f in flags.get(s.report_id, [])),
        ])  # fmt: skip
    if not rows:
        messages.error(request, "本批次还没有抽取报告，未生成导出文件。")
        return redirect("reviews:round", rr.pk)
    return xlsx_response(
        workbook("评查结果", headers, rows),
        file_name("报告评查结果", timezone.localdate(), rr.name),
    )


# --- reports submitted by lower-level offices ----------------------------------------------


def _parsed_summary(content: dict[str, Any]) -> str:
    """「问题 4 个（群众身边不正之风和腐败问题 2 个、…）、线索 1 条、意见建议 2 条」"""
    from collections import Counter

    from xuncha.findings.choices import Category

    problems = [p for p in content.get("problems") or [] if isinstance(p, dict)]
    labels = dict(Category.choices)
    by = Counter(labels.get(str(p.get("category") or ""), "类别未识别") for p in problems)
    kinds = "、".join(f"{label} {n} 个" for label, n in by.items())
    return (f"问题 {len(problems)} 个" + (f"（{kinds}）" if kinds else "")
            + f"、线索 {len(content.get('leads') or [])} 条、意见建议 {len(content.get('recommendations') or [])} 条")  # fmt: skip


def _submitted_page(
    request: HttpRequest, form: forms.SubmittedUploadForm, status: int = 200
) -> HttpResponse:
    filters = forms.SubmittedFilter(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        found = Report.objects.none()
    else:
        d = filters.cleaned_data if filters.is_bound else {}
        found = selectors.submitted_reports(starts_on=d.get("starts_on"), ends_on=d.get("ends_on"),
                                            issuer=d.get("issuer") or "")  # fmt: skip
    page = paginate(request, found, PAGE_SIZE)
    context = {"form": form, "filters": filters, "total": found.count(), **page,
               "issuers": selectors.submitted_issuers(),
               "filter_error": FILTER_ERROR if filters.errors else "",
               "max_files": services.MAX_SUBMITTED_FILES}  # fmt: skip
    return render(request, "reviews/submitted.html", context, status=status)


@login_required
def submitted_list(request: HttpRequest) -> HttpResponse:
    """报送报告: the submitted reports (filtered by date and issuer) and the upload."""
    _require(request, "review.manage")
    if request.method != "POST":
        return _submitted_page(request, forms.SubmittedUploadForm())
    form = forms.SubmittedUploadForm(request.POST, request.FILES)
    if form.is_valid():
        from .submitted import MAX_BYTES

        d = form.cleaned_data
        # One byte past the limit is enough for the service to refuse it by size.
        files = [(name or "报告.docx", f.read(MAX_BYTES + 1)) for f, name in form.uploads()]
        try:
            made = services.submitted_reports_create(
                files=files, issuer=d["issuer"], unit=d["unit"], submitted_on=d["submitted_on"],
                by=user_of(request),
            )  # fmt: skip
        except ServiceError as err:
            form.add_error("reports", str(err))
        else:
            for report, parsed in made:
                messages.success(
                    request, f"已导入「{report.title}」：{_parsed_summary(report.content)}。"
                )
                for note in parsed.notes:
                    messages.warning(request, f"「{report.title}」：{note}")
            if len(made) == 1:
                return redirect("reviews:submitted_report", made[0][0].pk)
            return redirect("reviews:submitted")
    return _submitted_page(request, form, status=400)


def _submitted_report(request: HttpRequest, pk: int) -> Report:
    _require(request, "review.manage")
    return get_object_or_404(
        Report.objects.select_related("unit"), pk=pk, source=ReportSource.SUBMITTED
    )


@login_required
def submitted_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A submitted report as it was read: its sections, problems, leads, recommendations
    and the review rounds whose period holds it."""
    from xuncha.findings.choices import Category, Receiver, Subcategory

    report = _submitted_report(request, pk)
    content = report.content if isinstance(report.content, dict) else {}
    problems = [p for p in content.get("problems") or [] if isinstance(p, dict)]
    categories, subs = dict(Category.choices), dict(Subcategory.choices)
    receivers = dict(Receiver.choices)
    rounds = selectors.report_rounds(report)
    context = {
        "report": report, "summary": _parsed_summary(content),
        "outline": autocheck.outline(content.get("sections")),
        "problems": [(p, categories.get(str(p.get("category") or ""), ""), subs.get(str(p.get("subcategory") or ""), ""))
                     for p in problems],
        "leads": [(x, receivers.get(str(x.get("handed_to") or ""), "")) for x in content.get("leads") or []
                  if isinstance(x, dict)],
        "recommendations": [(x, [n + 1 for n in x.get("problems") or [] if isinstance(n, int)])
                            for x in content.get("recommendations") or [] if isinstance(x, dict)],
        "notes": autocheck.notes(content, submitted=True),
        "rounds": rounds, "sampled": any(s for _, s in rounds),
    }  # fmt: skip
    return render(request, "reviews/submitted_report.html", context)


@login_required
@require_POST
def submitted_delete(request: HttpRequest, pk: int) -> HttpResponse:
    report = _submitted_report(request, pk)
    try:
        services.submitted_report_delete(report=report, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("reviews:submitted_report", report.pk)
    messages.success(request, f"已删除「{report.title}」。")
    return redirect("reviews:submitted")
