"""风险研判 pages: the current classification, department imports (upload → mapping →
unit by unit → import), the classification list and its export, a unit's profile with
the office's override, and the risk model with its versions.

The office manages (risk.manage); supervisors and leaders read (risk.read); anyone else
gets a 404, as for the other office pages."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, workbook, xlsx_response
from xuncha.common.pagination import paginate
from xuncha.units.models import RiskLevel, Unit

from . import importing, selectors, services
from .forms import (
    ClassifyForm,
    ImportForm,
    LevelFilterForm,
    MappingForm,
    ModelVersionForm,
    OverrideForm,
    WithdrawForm,
    role_choices,
)
from .models import (
    BatchStatus,
    Classification,
    ImportBatch,
    Indicator,
    IndicatorValue,
    RiskModel,
    UnitLevel,
)
from .spec import Spec

PAGE_SIZE = 50
LEVEL_NAMES = dict(RiskLevel.choices)


def _read(request: HttpRequest) -> bool:
    """404 unless the user may read; whether the user may also manage."""
    user = user_of(request)
    if not allowed(user, "risk.read"):
        raise Http404
    return allowed(user, "risk.manage")


def _manage(request: HttpRequest) -> None:
    if not allowed(user_of(request), "risk.manage"):
        raise Http404


def _indicator_names() -> dict[str, str]:
    return dict(Indicator.objects.values_list("code", "name"))


# -- index ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    manage = _read(request)
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
        "indicators": Indicator.objects.count(),
        "years": list(IndicatorValue.objects.values_list("year", flat=True).distinct()
                      .order_by("-year")[:10]),
    })  # fmt: skip


@login_required
@require_POST
def install(request: HttpRequest) -> HttpResponse:
    _manage(request)
    model = services.install_shipped(by=user_of(request))
    messages.success(request, f"已安装随系统提供的指标目录和「{model}」。")
    return redirect("risk:index")


@login_required
@require_POST
def classify(request: HttpRequest) -> HttpResponse:
    _manage(request)
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


# -- imports ----------------------------------------------------------------------------------


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is not None and upload.size > importing.MAX_BYTES:
            form.add_error("file", f"文件过大（上限 {importing.MAX_BYTES // 2**20} MB）。")
        else:
            try:
                batch = importing.stage(
                    by=user_of(request), department=form.cleaned_data["department"],
                    year=form.cleaned_data["year"], data=upload.read(),
                    name=upload.name or "部门数据",
                )  # fmt: skip
            except ServiceError as err:
                form.add_error("file", str(err))
            else:
                messages.success(request, f"已读取「{batch.file_name}」：{batch.rows_total} 行数据。"
                                 "请确认各列的对应关系。")  # fmt: skip
                return redirect("risk:batch", batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "risk/import_new.html", {"form": form, "refill_files": status == 400},
                  status=status)  # fmt: skip


def _batch(pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.select_related("uploaded_by", "imported_by"), pk=pk
    )


def _mapping_form(batch: ImportBatch, data: Any = None) -> MappingForm:
    headers = importing.columns(batch)
    roles = role_choices(list(Indicator.objects.order_by("code").values_list("code", "name")))
    initial = {f"col_{n}": batch.mapping.get(h, "") for n, h in enumerate(headers)}
    return MappingForm(data, headers=headers, roles=roles, initial=initial)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    context: dict[str, Any] = {"batch": b, "staged": b.status == BatchStatus.STAGED}
    if b.status == BatchStatus.STAGED:
        p = importing.preview(b)
        context |= {
            "preview": p, "form": _mapping_form(b),
            "unit_mapped": bool({"unit_code", "unit_name"} & set(p.mapping.values())),
            "role_of": [importing.role_label(p.mapping[h]) if p.mapping[h] else ""
                        for h in p.headers],
        }  # fmt: skip
    elif b.status == BatchStatus.IMPORTED:
        context["values"] = b.values.count()
    return render(request, "risk/batch.html", context)


@login_required
@require_POST
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    form = _mapping_form(b, request.POST)
    if form.is_valid():
        try:
            importing.set_mapping(by=user_of(request), batch=b, mapping=form.mapping())
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "已保存列对应，下面按新的对应重新匹配了各行。")
    else:
        messages.error(request, "列对应有误：请为每一列选择列表中的一项。")
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_header(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    try:
        importing.set_header(by=user_of(request), batch=b, row=int(request.POST.get("row", "")))
    except ValueError:
        messages.error(request, "请填写表头所在的行号。")
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已改为以第 {b.header_row + 1} 行为表头，请重新核对各列的对应。")
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    try:
        row = int(request.POST.get("row", ""))
    except ValueError:
        messages.error(request, "请求有误：没有指明是哪一行。")
        return redirect("risk:batch", b.pk)
    action = request.POST.get("action", "choose")
    try:
        if action == "undo":
            importing.unresolve(by=user_of(request), batch=b, row=row)
        elif action == "skip":
            importing.resolve(by=user_of(request), batch=b, row=row,
                              skip_reason=request.POST.get("reason", ""))  # fmt: skip
        else:
            unit = _chosen_unit(request, row)
            importing.resolve(by=user_of(request), batch=b, row=row, unit=unit)
    except ServiceError as err:
        messages.error(request, str(err))
    return redirect(f"{request.path.rsplit('resolve/', 1)[0]}#row-{row}")


def _chosen_unit(request: HttpRequest, row: int) -> Unit:
    code = request.POST.get("code", "").strip()
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise ServiceError(f"第 {row} 行：没有编码为「{code}」的单位。")
        return unit
    try:
        return Unit.objects.get(pk=int(request.POST.get("unit", "")))
    except (ValueError, Unit.DoesNotExist):
        raise ServiceError(f"第 {row} 行：请从候选中选择一个单位，或填写单位编码。") from None


@login_required
@require_POST
def batch_commit(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    try:
        b = importing.commit(by=user_of(request), batch=b)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, f"已导入 {b.rows_imported} 行，跳过 {len(b.skipped)} 行（理由见下）。"
        )
    return redirect("risk:batch", b.pk)


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    b = _batch(pk)
    try:
        importing.cancel(by=user_of(request), batch=b)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已取消「{b.file_name}」，未导入任何数据。")
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
    _read(request)
    c = selectors.current_classification()
    if c is None:
        messages.info(request, "还没有研判结果：请先导入部门数据，再「重新研判」。")
        return redirect("risk:index")
    form, rows = _rows(request, c)
    context = paginate(request, rows, PAGE_SIZE)
    elevated = selectors.elevated_unit_ids()
    names = _indicator_names()
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
    _read(request)
    c = _current_or_404()
    _, rows = _rows(request, c)
    elevated = selectors.elevated_unit_ids()
    names = _indicator_names()

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
    manage = _read(request)
    unit = get_object_or_404(Unit.objects.select_related("parent", "county"), pk=pk)
    p = selectors.unit_profile(unit)
    names = _indicator_names()
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
    _manage(request)
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
    _manage(request)
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


# -- the model --------------------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


# A table's keys in the order the office reads them (PostgreSQL's jsonb keeps its own).
_KEY_ORDER = ["code", "indicator", "weight", "op", "value", "normalise", "lo", "hi", "missing",
              "direction", "at_least", "level", "reason"]  # fmt: skip


def spec_toml(spec: dict[str, Any]) -> str:
    """A stored model as the TOML the office edits (the inverse of ``parse_spec``)."""
    lines = [f"name = {_toml_value(spec['name'])}", f"kinds = {_toml_value(spec['kinds'])}", "",
             "[thresholds]"]  # fmt: skip
    lines += [f"{k} = {_toml_value(spec['thresholds'][k])}" for k in ("watch", "high")]
    for key, rows in (("indicators", spec["indicators"]), ("must", spec.get("must", [])),
                      ("elevate", spec.get("elevate", []))):  # fmt: skip
        for row in rows:
            lines += ["", f"[[{key}]]"]
            keys = sorted(row, key=lambda k: _KEY_ORDER.index(k) if k in _KEY_ORDER else 99)
            lines += [f"{k} = {_toml_value(row[k])}" for k in keys
                      if row[k] is not None and row[k] != ""]  # fmt: skip
    return "\n".join(lines) + "\n"


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


_NTH_TABLE = re.compile(r"第 (\d+) 个 \[\[(\w+)\]\]")


def spec_error(text: str, spec_text: str) -> str:
    """A spec error with the line it is about: tomllib's 「(at line 3, column 5)」 as
    「（第 3 行第 5 列）」, and 「第 2 个 [[indicators]]」 given the line that table starts on."""
    text = _TOML_AT.sub(lambda m: f"（第 {m[1]} 行第 {m[2]} 列）", text)
    m = _NTH_TABLE.search(text)
    if m:
        starts = [n for n, line in enumerate(spec_text.splitlines(), 1)
                  if line.strip() == f"[[{m[2]}]]"]  # fmt: skip
        if int(m[1]) <= len(starts):
            line = starts[int(m[1]) - 1]
            text = text.replace(m[0], f"{m[0]}（第 {line} 行起）", 1)
    return text


def _ops(words: str) -> str:
    for op, sign in ((">=", "≥"), ("<=", "≤"), ("!=", "≠"), ("==", "=")):
        words = words.replace(f" {op} ", f" {sign} ")
    return words


def _model_words(m: RiskModel) -> dict[str, Any]:
    spec = Spec.from_json(m.spec)
    names = _indicator_names()
    normalise = {"minmax": "按全体单位最小—最大值", "rank": "按全体单位排名",
                 "fixed": "按固定区间"}  # fmt: skip
    missing = {"zero": "按 0 计", "median": "按全体单位中位数计", "worst": "按最差值计"}
    indicators = [{
        "code": i.code, "name": names.get(i.code, i.code), "weight": i.weight * 100,
        "normalise": normalise[i.normalise] + (f"（{i.lo:g}—{i.hi:g}）" if i.normalise == "fixed"
                                               else ""),
        "direction": "越高风险越大" if i.direction == "higher" else "越低风险越大",
        "missing": missing[i.missing],
    } for i in spec.indicators]  # fmt: skip
    must = [
        f"{_ops(r.words(names))} ⇒ 至少{LEVEL_NAMES[r.at_least]}（{r.reason}）" for r in spec.must
    ]
    elevate = [f"{LEVEL_NAMES[r.level]}且{_ops(r.words(names))} ⇒ 建议提级巡察（{r.reason}）"
               for r in spec.elevate]  # fmt: skip
    kinds = {"village": "村", "community": "社区", "township": "乡镇（街道）", "county": "县市区",
             "department": "部门单位", "enterprise": "国有企业", "park": "园区"}  # fmt: skip
    return {"spec": spec, "indicators": indicators, "must": must, "elevate": elevate,
            "kinds": "、".join(kinds.get(k, k) for k in spec.kinds)}  # fmt: skip


@login_required
def model(request: HttpRequest) -> HttpResponse:
    manage = _read(request)
    shown = selectors.active_model()
    if request.GET.get("version"):
        shown = get_object_or_404(RiskModel, pk=request.GET["version"])
    versions = RiskModel.objects.select_related("created_by").order_by("name", "-version")
    return render(request, "risk/model.html", {
        "manage": manage, "m": shown, "words": _model_words(shown) if shown else None,
        "versions": versions, "levels": LEVEL_NAMES,
    })  # fmt: skip


@login_required
def model_new(request: HttpRequest) -> HttpResponse:
    _manage(request)
    base = selectors.active_model()
    if request.GET.get("from"):
        base = get_object_or_404(RiskModel, pk=request.GET["from"])
    if base is None:
        messages.error(request, "还没有风险模型：请先安装随系统提供的模型。")
        return redirect("risk:model")
    form = ModelVersionForm(request.POST or None,
                            initial={"spec_text": spec_toml(base.spec)})  # fmt: skip
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            new = services.model_new_version(
                by=user_of(request), model=base, spec_text=form.cleaned_data["spec_text"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except ServiceError as err:
            error = spec_error(str(err), form.cleaned_data["spec_text"])
        else:
            messages.success(request, f"已保存为「{new}」（尚未启用）。")
            return redirect(f"{reverse('risk:model')}?version={new.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "risk/model_new.html", {"form": form, "base": base, "error": error},
                  status=status)  # fmt: skip


@login_required
@require_POST
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    m = get_object_or_404(RiskModel, pk=pk)
    try:
        services.model_activate(by=user_of(request), model=m)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已启用「{m}」。重新研判后各单位等级按此版本计算。")
    return redirect("risk:model")
