"""The risk model page: the model in words, its versions, a new version from TOML."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError

from .. import selectors, services
from ..forms import (
    ModelVersionForm,
)
from ..models import (
    RiskModel,
)
from ..spec import Spec
from .base import LEVEL_NAMES, check_manage, check_read, indicator_names

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
    names = indicator_names()
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
    manage = check_read(request)
    shown = selectors.active_model()
    if request.GET.get("version"):
        shown = get_object_or_404(RiskModel, pk=request.GET["version"])
    versions = RiskModel.objects.select_related("created_by").order_by("name", "-version")
    return render(request, "risk/model.html", {
        "manage": manage, "m": shown, "words": _model_words(shown) if shown else None,
        "toml": spec_toml(shown.spec) if shown else "",
        "versions": versions, "levels": LEVEL_NAMES,
    })  # fmt: skip


@login_required
def model_new(request: HttpRequest) -> HttpResponse:
    check_manage(request)
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
    check_manage(request)
    m = get_object_or_404(RiskModel, pk=pk)
    try:
        services.model_activate(by=user_of(request), model=m)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已启用「{m}」。重新研判后各单位等级按此版本计算。")
    return redirect("risk:model")
