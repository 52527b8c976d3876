"""The term plan pages (届内全覆盖规划): propose, adjust by hand with live checks,
re-solve keeping pinned units, commit a slot as a round, download the plan document.

The office (``termplan.manage``) changes the plan; leaders (``termplan.read``) read it;
anyone else gets 404 (no hint that it exists).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.history import entries as history_entries
from xuncha.units.models import RiskLevel

from . import forms, planner, selectors, termplan
from .models import PlanEntry, TermPlan, TermPlanStatus
from .views import _errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _may(request: HttpRequest, action: str) -> None:
    if not allowed(user_of(request), action):
        raise Http404


@login_required
def term_plans(request: HttpRequest, pk: int) -> HttpResponse:
    """A term's proposals and the form to propose a new one (the office)."""
    _may(request, "termplan.read")
    user = user_of(request)
    term = selectors.term_detail(pk=pk)
    manage = allowed(user, "termplan.manage")
    to_cover = termplan.units_to_cover(term)
    form = forms.TermPlanForm(
        request.POST or None, term=term, today=timezone.localdate(), to_cover=to_cover.count(),
        elevated=to_cover.filter(pk__in=termplan.elevated_ids()).count(),
    )  # fmt: skip
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            params = termplan.Params(
                years=tuple(data["years"]), rounds_per_year=data["rounds_per_year"],
                teams_per_round=data["teams_per_round"], capacity=data["capacity"],
                elevated_per_year=data["elevated_per_year"], time_limit=data["time_limit"],
            )  # fmt: skip
            try:
                plan = termplan.plan_propose(by=user, term=term, params=params,
                                             rosters=form.rosters())  # fmt: skip
            except ServiceError as err:
                form.add_error(None, str(err))
            else:
                if plan.status == TermPlanStatus.REFUSED:
                    messages.error(request, "没有满足全部约束的方案，原因见下。")
                else:
                    messages.success(request, f"已生成全覆盖规划第{plan.number}稿。")
                return redirect("planning:termplan", pk=plan.pk)
    context = {"term": term, "plans": selectors.term_plans(term), "form": form,
               "manage": manage, "to_cover": termplan.units_to_cover(term).count(),
               "may_terms": allowed(user, "terms.manage"),
               "teams": range(1, forms.MAX_PLAN_TEAMS + 1)}  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "planning/termplan_term.html", context, status=status)


LEVEL_ORDER = [RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.GENERAL]
# Above this many units the plan page opens at one round (see plan_detail).
MANY_ENTRIES = 300


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan: slots as columns of counts, each slot's teams with their units (level
    colour, township), the objective against the greedy baseline, the violations as
    they stand; filter by county or level."""
    _may(request, "termplan.read")
    user = user_of(request)
    plan = selectors.plan_detail(pk=pk)
    entries = list(selectors.plan_entries(plan))
    slots = list(plan.slots.select_related("round").order_by("index"))
    county, level = request.GET.get("county", ""), request.GET.get("level", "")
    slot_shown, q = request.GET.get("slot", ""), request.GET.get("q", "").strip()
    # A city's plan has well over a thousand units, each with its move form: shown all at
    # once the page takes seconds to draw. Unfiltered, it opens at the first round not
    # yet committed ("all" shows every round).
    narrowed = False
    if not (county or level or slot_shown or q) and len(entries) > MANY_ENTRIES:
        first = next((s for s in slots if s.round_id is None), slots[0] if slots else None)
        if first is not None:
            slot_shown, narrowed = str(first.index), True
    index_of = {s.pk: str(s.index) for s in slots}
    counties = sorted({(e.unit.county_id, e.unit.county.name) for e in entries if e.unit.county})
    shown = [e for e in entries
             if (not county or str(e.unit.county_id) == county)
             and (not level or e.unit.risk_level == level)
             and (slot_shown in ("", "all") or index_of.get(e.slot_id) == slot_shown)
             and (not q or q in e.unit.name or q in (e.unit.code or ""))]  # fmt: skip
    params = termplan.Params.of(plan.params)
    columns = []
    for slot in slots:
        in_slot = [e for e in entries if e.slot_id == slot.pk]
        by_level = Counter(e.unit.risk_level for e in in_slot)
        teams = [(k, [e for e in shown if e.slot_id == slot.pk and e.team_key == k])
                 for k in range(1, params.teams_per_round + 1)]  # fmt: skip
        columns.append({"slot": slot, "count": len(in_slot), "teams": teams,
                        "levels": [(lv.label, by_level[lv.value]) for lv in LEVEL_ORDER],
                        "listed": slot_shown in ("", "all") or str(slot.index) == slot_shown})  # fmt: skip
    found = termplan.violations(plan)
    broken = {u for v in found for u in v.units}
    manage = allowed(user, "termplan.manage") and plan.status in (
        TermPlanStatus.DRAFT, TermPlanStatus.PARTLY)  # fmt: skip
    context = {
        "plan": plan, "term": plan.term, "columns": columns, "violations": found,
        "broken": broken, "manage": manage, "params": params, "county": county,
        "level": level, "counties": counties, "levels": RiskLevel.choices,
        "slot_shown": slot_shown, "q": q, "narrowed": narrowed,
        "team_keys": range(1, params.teams_per_round + 1), "total": len(entries),
        "shown": len(shown), "rosters": termplan.rosters_of(plan.rosters),
        "history": _history(plan), "may_terms": allowed(user, "terms.manage"),
    }  # fmt: skip
    return render(request, "planning/termplan.html", context)


def _history(plan: TermPlan) -> list[Any]:
    rows = [*plan.history.select_related("history_user"),
            *PlanEntry.history.filter(plan_id=plan.pk, history_type="~")
            .select_related("history_user")]  # fmt: skip
    return history_entries(rows, hide=("plan", "explanation"), subjects={PlanEntry: "规划安排"},
                           newest_first=True)[:50]  # fmt: skip


def _plan_to_manage(request: HttpRequest, pk: int) -> TermPlan:
    _may(request, "termplan.manage")
    return selectors.plan_detail(pk=pk)


@login_required
@require_POST
def plan_move(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """Move a unit to another slot / team (and pin it); the constraints are checked
    again on the plan page, a broken one shown as a violation."""
    plan = _plan_to_manage(request, pk)
    row = get_object_or_404(PlanEntry.objects.select_related("slot", "unit", "plan"),
                            plan=plan, pk=entry)  # fmt: skip
    params = termplan.Params.of(plan.params)
    form = forms.PlanMoveForm(request.POST, slots=list(plan.slots.order_by("index")),
                              teams=params.teams_per_round)  # fmt: skip
    if not form.is_valid():
        messages.error(request, f"提交的内容有误：{_errors(form)}")
        return redirect("planning:termplan", pk=pk)
    data = form.cleaned_data
    try:
        termplan.entry_move(by=user_of(request), entry=row, slot_index=data["slot"],
                            team_key=data["team"], pinned=data["pinned"],
                            reason=data["reason"])  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("planning:termplan", pk=pk)
    found = [v for v in termplan.violations(plan) if row.unit_id in v.units or not v.units]
    if found:
        messages.error(request, f"已调整「{row.unit}」，但不符合约束："
                       + "；".join(v.message for v in found))  # fmt: skip
    else:
        messages.success(request, f"已调整「{row.unit}」，全部约束均满足。")
    return redirect(f"{_url(pk)}?slot={data['slot']}#entry-{row.pk}")  # where the unit now is


def _url(pk: int) -> str:
    from django.urls import reverse

    return reverse("planning:termplan", args=[pk])


@login_required
def plan_check(request: HttpRequest, pk: int) -> JsonResponse:
    """The violations of the plan as it stands, or as it would be after moving
    ``entry`` to ``slot`` / ``team`` (the page's live check; nothing is saved)."""
    _may(request, "termplan.manage")
    plan = selectors.plan_detail(pk=pk)
    entries = list(plan.entries.select_related("unit__parent", "unit__county", "slot"))
    problem = termplan.problem_of(plan, entries)
    placements = termplan.placements_of(entries)
    try:
        entry = int(request.GET.get("entry", "0"))
        slot, team = int(request.GET.get("slot", "-1")), int(request.GET.get("team", "0"))
    except ValueError:
        return JsonResponse({"error": "参数应为整数。"}, status=400)
    if entry:
        unit = next((e.unit_id for e in entries if e.pk == entry), None)
        if unit is None:
            return JsonResponse({"error": "本规划中没有该单位。"}, status=404)
        placements = [p for p in placements if p.unit != unit]
        placements.append(planner.Placement(unit=unit, slot=slot, team=team))
    found = planner.check(problem, placements)
    return JsonResponse({"violations": [{"constraint": v.constraint, "message": v.message,
                                         "units": list(v.units)} for v in found]})  # fmt: skip


@login_required
@require_POST
def plan_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_to_manage(request, pk)
    try:
        termplan.plan_resolve(by=user_of(request), plan=plan)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "已重新求解（固定的单位和已下达轮次保持不动）。")
    return redirect("planning:termplan", pk=pk)


@login_required
@require_POST
def plan_commit(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """Commit a slot as a real round (teams, members, assignments)."""
    plan = _plan_to_manage(request, pk)
    slot = get_object_or_404(plan.slots.all(), index=index)
    try:
        rnd = termplan.slot_commit(by=user_of(request), slot=slot)
    except ServiceError as err:
        messages.error(request, f"未能下达：{err}")
        return redirect("planning:termplan", pk=pk)
    messages.success(request, f"已将{slot}下达为「{rnd.name}」。")
    return redirect("planning:round", pk=rnd.pk)


@login_required
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as the 届内巡察全覆盖规划 document (GB/T 9704 DOCX)."""
    from xuncha.documents.kinds.termplan import render_plan
    from xuncha.documents.official.templates import TemplateRefused

    _may(request, "termplan.read")
    plan = selectors.plan_detail(pk=pk)
    try:
        name, data = render_plan(plan, office=settings.OFFICE_NAME, today=timezone.localdate())
    except (ServiceError, TemplateRefused) as err:
        messages.error(request, f"未能生成规划文件：{err}")
        return redirect("planning:termplan", pk=pk)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response
