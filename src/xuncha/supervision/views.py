"""Pages of indicator systems (office) and assessments (office and supervisors)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, xlsx_response
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.pagination import paginate
from xuncha.common.periods import PeriodFilter
from xuncha.common.views import version_import
from xuncha.planning.selectors import round_list
from xuncha.rectifications.models import RectificationItem

from . import assessment as scoring
from . import forms, indicators, selectors, services
from .followup import follow_up_grades
from .models import Grade, IndicatorVersion, Score


def _require(request: HttpRequest, action: str) -> None:
    if not allowed(user_of(request), action):
        raise Http404


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    _require(request, "indicators.manage")
    current = {v.system_id: v for v in selectors.current_versions()}
    systems = [(s, current.get(s.pk)) for s in selectors.indicator_systems()]
    return render(request, "supervision/indicator_list.html", {"systems": systems})


@login_required
def indicator_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "indicators.manage")
    version = get_object_or_404(IndicatorVersion.objects.select_related("system"), pk=pk)
    out = io.BytesIO()
    indicators.write_workbook(selectors.version_spec(version), out)
    name = file_name(
        "评估指标体系", timezone.localdate(), version.system.name, f"第{version.number}版"
    )
    return xlsx_response(out.getvalue(), name)


@login_required
@require_POST
def indicator_import(request: HttpRequest) -> HttpResponse:
    _require(request, "indicators.manage")
    version_import(
        request, field="system", noun="指标体系", short="体系",
        read=lambda data, name: indicators.read_workbook(data, name=name),
        create=lambda spec, name: services.indicator_version_import(
            spec=spec, system_name=name, by=user_of(request)),
        owner=lambda version: version.system,
    )  # fmt: skip
    return redirect("supervision:indicators")


@login_required
@require_POST
def indicator_install(request: HttpRequest) -> HttpResponse:
    _require(request, "indicators.manage")
    installed = services.indicator_systems_install_shipped(by=user_of(request))
    messages.success(
        request,
        f"已安装示例指标体系 {len(installed)} 个。" if installed else "示例指标体系均已安装。",
    )
    return redirect("supervision:indicators")


PAGE_SIZE = 50  # assessments per page of the list


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    _require(request, "assessment.score")
    form = forms.AssessmentForm(request.POST or None, versions=selectors.current_versions(),
                                rounds=round_list(user=user_of(request)))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            created = scoring.assessment_create(
                name=form.cleaned_data["name"], version=form.cleaned_data["version"],
                round=form.cleaned_data["round"], by=user_of(request), today=timezone.localdate(),
            )  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            return redirect("supervision:assessment", created.pk)
    # ?year= / ?term=: the figures page's drill-down; a bad value lists none, with the reason.
    period = PeriodFilter(request.GET or None)
    found = selectors.assessment_list(**period.period())
    return render(request, "supervision/assessment_list.html", {
        "form": form, **paginate(request, found.none() if period.errors else found, PAGE_SIZE),
        "period_form": period, "period": period.period_label(),
        "filter_error": FILTER_ERROR if period.errors else "",
    })  # fmt: skip


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "assessment.score")
    found = selectors.assessment_detail(user=user_of(request), pk=pk)
    version = found.indicator_version
    entries = selectors.follow_ups_of(found)
    results = [
        (r, selectors.grade_of(r.total, version), entries.get(r.unit_id))
        for r in selectors.assessment_results(found)
    ]
    # ?grade=: units whose grade is fixed (every indicator scored), "graded" any grade, or
    # one grade (the figures page's drill-down); a bad value lists none, with the reason.
    chosen = request.GET.get("grade", "")
    bad = chosen not in ("", "graded", *Grade.values)
    if chosen:
        results = [(r, g, f) for r, g, f in results
                   if not bad and r.complete and chosen in ("graded", g.value)]  # fmt: skip
    low = "、".join(Grade(g).label for g in Grade.values if g in follow_up_grades())
    context = {"assessment": found, "results": results, "follow_up_grades": low,
               "grade_chosen": "已确定等次" if chosen == "graded" else
               (Grade(chosen).label if chosen and not bad else ""),
               "filter_error": "筛选条件有误：等次应为好、较好、一般或差。" if bad else ""}  # fmt: skip
    return render(request, "supervision/assessment_detail.html", context)


@login_required
def assessment_unit(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    _require(request, "assessment.score")
    found = selectors.assessment_detail(user=user_of(request), pk=pk)
    scores = list(
        found.scores.filter(unit_id=unit)
        .select_related("indicator__dimension", "unit")
        .prefetch_related("items")
    )
    if not scores:
        raise Http404
    rows = [(s, forms.ScoreForm(initial={
        "points": s.points, "contradicted": s.contradicted, "note": s.note,
        "override_reason": s.override_reason, "version": s.version,
        "items": ", ".join(str(i.pk) for i in s.items.all()),
        "indicator_version": found.indicator_version_id}, prefix=f"s{s.pk}")) for s in scores]  # fmt: skip
    total, vetoed = selectors.unit_total(scores)
    context = {"assessment": found, "unit": scores[0].unit, "rows": rows, "total": total,
               "vetoed": vetoed, "grade": selectors.grade_of(total, found.indicator_version),
               "complete": all(s.scored for s in scores),
               "follow_up": selectors.follow_up_of(found, unit)}  # fmt: skip
    return render(request, "supervision/assessment_unit.html", context)


@login_required
@require_POST
def score_save(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "assessment.score")
    score = get_object_or_404(Score.objects.select_related("assessment"), pk=pk)
    selectors.assessment_detail(user=user_of(request), pk=score.assessment_id)
    form = forms.ScoreForm(request.POST, prefix=f"s{score.pk}")
    if not form.is_valid():
        messages.error(request, "评分未保存：" + "；".join(
            f"{form.fields[f].label or f}：{' '.join(str(e) for e in errs)}" for f, errs in form.errors.items()))  # fmt: skip
    else:
        data = form.cleaned_data
        items = list(RectificationItem.objects.filter(pk__in=data["items"], unit_id=score.unit_id))
        missing = sorted(set(data["items"]) - {i.pk for i in items})
        try:
            if missing:
                raise ServiceError(f"整改事项 #{'、#'.join(map(str, missing))} 不是本单位的事项。")
            scoring.score_save(
                score=score, by=user_of(request), version=data["version"],
                indicator_version_id=data["indicator_version"], points=data["points"],
                contradicted=data["contradicted"], note=data["note"],
                override_reason=data["override_reason"],
                items=items, evidence=score.evidence.all(),
            )  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "评分已保存。")
    return redirect("supervision:assessment_unit", score.assessment_id, score.unit_id)
