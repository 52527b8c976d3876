"""风险研判 pages: the current classification, department imports (upload → mapping →
unit by unit → import), the classification list and its export, a unit's profile with
the office's override, and the risk model with its versions.

The office manages (risk.manage); supervisors and leaders read (risk.read); anyone else
gets a 404, as for the other office pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, workbook, xlsx_response
from xuncha.common.pagination import paginate
from xuncha.units.models import RiskLevel, Unit

from .. import selectors, services
from ..forms import (
    ClassifyForm,
    LevelFilterForm,
    OverrideForm,
    WithdrawForm,
)
from ..models import (
    Classification,
    ImportBatch,
    Indicator,
    IndicatorValue,
    UnitLevel,
)
from .base import LEVEL_NAMES, PAGE_SIZE, check_manage, check_read, indicator_names

# -- index ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    manage = check_read(request)
    current = selectors.current_classification()
    counts = [
        (level, label, (current.counts or {}).get(level, 0) if current else 0)
        for level, label in RiskLevel.choices
    ]
    latest = IndicatorValue.objects.aggregate(y=Max("year"))["y"]
    return render(request, "risk/index.html", {
        "manage": manage, "current": current, "counts": counts,
        "active": selectors.active_model(),
        "classify_form": ClassifyForm(initial={"year": latest}) if latest else ClassifyForm(),
        "batches": ImportBatch.objects.select_related("uploaded_by", "imported_by")[:30],
        "history": Classification.objects.select_related("model", "by")[:10],
        "indicators": Indicator.objects.count(),
        "years": list(IndicatorValue.objects.values_list("year", flat=True).distinct()
                      .order_by("-year")[:10]),
    })  # fmt: skip


@login_required
@require_POST
def install(request: HttpRequest) -> HttpResponse:
    check_manage(request)
    model = services.install_shipped(by=user_of(request))
    messages.success(request, f"已安装随系统提供的指标目录和「{model}」。")
    return redirect("risk:index")


@login_required
@require_POST
def classify(request: HttpRequest) -> HttpResponse:
    check_manage(request)
    form = ClassifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写数据年度（四位年份，如 2024）。")
        return redirect("risk:index")
    try:
        c = services.classify(by=user_of(request), year=form.cleaned_data["year"])
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("risk:index")
    counts = "、".join(f"{LEVEL_NAMES[k]} {c.counts.get(k, 0)} 个" for k in LEVEL_NAMES)
    messages.success(request, f"已按「{c.model}」研判 {c.year} 年度 {c.units} 个单位：{counts}。")
    return redirect("risk:index")


# -- classification list ----------------------------------------------------------------------


def _rows(request: HttpRequest, c: Classification) -> tuple[LevelFilterForm, QuerySet[UnitLevel]]:
    form = LevelFilterForm(request.GET or None)
    form.is_valid()
    d = form.cleaned_data if form.is_bound else {}
    rows = selectors.classification_rows(
        c, level=d.get("level") or None, county=d.get("county"), q=d.get("q") or None
    )
    if d.get("township"):
        rows = rows.filter(unit__parent__name__contains=d["township"].strip())
    if d.get("overridden"):
        rows = rows.filter(unit__risk_override__isnull=False)
    if d.get("elevated"):
        rows = rows.filter(unit_id__in=list(selectors.elevated_unit_ids()))
    sort = d.get("sort") or "-score"
    order = {"-score": ("-score", "unit__code"), "score": ("score", "unit__code"),
             "code": ("unit__code",)}[sort]  # fmt: skip
    return form, rows.order_by(*order)


def _current_or_404() -> Classification:
    c = selectors.current_classification()
    if c is None:
        raise Http404
    return c


@login_required
def levels(request: HttpRequest) -> HttpResponse:
    check_read(request)
    c = selectors.current_classification()
    if c is None:
        messages.info(request, "还没有研判结果：请先导入部门数据，再「重新研判」。")
        return redirect("risk:index")
    form, rows = _rows(request, c)
    context = paginate(request, rows, PAGE_SIZE)
    elevated = selectors.elevated_unit_ids()
    names = indicator_names()
    for r in context["page"].object_list:
        o = getattr(r.unit, "risk_override", None)
        r.effective = o.level if o else r.level
        r.override = o
        r.is_elevated = r.unit_id in elevated
        r.top = sorted(r.contributions.items(), key=lambda kv: -kv[1])[:2]
        r.top_names = [f"{names.get(k, k)} {v:.1f}" for k, v in r.top if v > 0]
    context |= {"c": c, "form": form, "total": rows.count(), "levels": LEVEL_NAMES}
    return render(request, "risk/levels.html", context)


@login_required
def levels_export(request: HttpRequest) -> HttpResponse:
    check_read(request)
    c = _current_or_404()
    _, rows = _rows(request, c)
    elevated = selectors.elevated_unit_ids()
    names = indicator_names()

    def line(r: UnitLevel) -> list[Any]:
        u = r.unit
        o = getattr(u, "risk_override", None)
        return [
            u.code, u.name, u.parent.name if u.parent else "", u.county.name if u.county else "",
            round(r.score, 2), LEVEL_NAMES.get(r.level, r.level),
            LEVEL_NAMES.get(o.level, o.level) if o else LEVEL_NAMES.get(r.level, r.level),
            o.reason if o else "", "是" if r.unit_id in elevated else "",
            "；".join(r.reasons), "、".join(names.get(m, m) for m in r.missing),
        ]  # fmt: skip

    headers = [("单位编码", 16), ("单位名称", 20), ("所属乡镇（街道）", 18), ("县市区", 12),
               ("得分", 8), ("模型等级", 12), ("研判等级", 12), ("人工调整理由", 30),
               ("建议提级巡察", 10), ("规则触发", 30), ("缺失指标", 24)]  # fmt: skip
    data = workbook("风险研判", headers, (line(r) for r in rows.iterator(chunk_size=2000)))
    return xlsx_response(data, file_name("风险研判", timezone.localdate(), f"{c.year}年度"))


# -- unit profile -----------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    manage = check_read(request)
    unit = get_object_or_404(Unit.objects.select_related("parent", "county"), pk=pk)
    p = selectors.unit_profile(unit)
    names = indicator_names()
    contributions = []
    if p.current is not None:
        total = p.current.score or 0
        for code, v in sorted(p.current.contributions.items(), key=lambda kv: -kv[1]):
            contributions.append({"code": code, "name": names.get(code, code), "value": v,
                                  "share": (v / total * 100) if total else 0})  # fmt: skip
    by_indicator: dict[str, list[Any]] = {}
    for v in p.values:
        by_indicator.setdefault(v.name, []).append(v)
    return render(request, "risk/profile.html", {
        "unit": unit, "p": p, "manage": manage, "contributions": contributions,
        "by_indicator": by_indicator, "levels": LEVEL_NAMES,
        "missing": [names.get(m, m) for m in (p.current.missing if p.current else [])],
        "elevated": unit.pk in selectors.elevated_unit_ids(),
        "override_form": OverrideForm(initial={"level": p.effective}) if manage else None,
        "withdraw_form": WithdrawForm(prefix="withdraw") if manage and p.override else None,
    })  # fmt: skip


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    unit = get_object_or_404(Unit, pk=pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "未调整：" + "；".join(str(e) for es in form.errors.values() for e in es)
        )
        return redirect("risk:profile", unit.pk)
    try:
        services.override(by=user_of(request), unit=unit, level=form.cleaned_data["level"],
                          reason=form.cleaned_data["reason"])  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, f"已将「{unit.name}」调整为{LEVEL_NAMES[form.cleaned_data['level']]}。"
        )
    return redirect("risk:profile", unit.pk)


@login_required
@require_POST
def override_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    check_manage(request)
    unit = get_object_or_404(Unit, pk=pk)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        messages.error(request, "未撤销：请填写撤销理由。")
        return redirect("risk:profile", unit.pk)
    try:
        services.override_withdraw(by=user_of(request), unit=unit,
                                   reason=form.cleaned_data["reason"])  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已撤销「{unit.name}」的人工调整，恢复为模型研判的等级。")
    return redirect("risk:profile", unit.pk)
