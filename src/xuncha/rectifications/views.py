"""Ledger pages. Views only parse input and call selectors and services; what a user
may see comes from :func:`xuncha.accounts.access.restrict` via the selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, user_of
from xuncha.common.errors import ConcurrentEdit, ServiceError
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.widgets import AcceptForm, ReturnForm, VersionedForm
from xuncha.findings.files import evidence_response
from xuncha.findings.selectors import work_page_id
from xuncha.sham.selectors import item_signals

from . import forms, selectors, services
from .list_views import item_url, ledger_nav
from .models import RectificationItem, Status


def _allowed(user: Any, item: RectificationItem) -> dict[str, bool]:
    """Which actions the page offers (the services check again on submit)."""
    s = item.status
    when = {
        "plan": s in (Status.AWAITING_PLAN, Status.PLAN_SUBMITTED, Status.IN_PROGRESS),
        "accept": s == Status.PLAN_SUBMITTED,
        "return": s in (Status.PLAN_SUBMITTED, Status.CLOSE_REQUESTED),
        "progress": s == Status.IN_PROGRESS,
        "close": s == Status.CLOSE_REQUESTED,
        "reopen": s == Status.CLOSED,
    }
    return {name: ok and can(user, f"rectification.{name}", item) for name, ok in when.items()}


_FORMS: dict[str, type[VersionedForm]] = {
    "plan": forms.PlanForm, "accept": AcceptForm, "return": ReturnForm,
    "progress": forms.ProgressForm,
    "close": forms.CloseForm, "reopen": forms.ReopenForm,
}  # fmt: skip


def _detail(request: HttpRequest, item: RectificationItem, bound: dict[str, Any] | None = None,
            status: int = 200, rule_form: forms.RuleForm | None = None) -> HttpResponse:  # fmt: skip
    allowed = _allowed(user_of(request), item)
    editable = services.rules_editable(user_of(request), item)
    initial = {"version": item.version, "goal": item.goal, "measures": item.measures,
               "owner": item.owner, "department": item.department, "deadline": item.deadline}  # fmt: skip
    action_forms = {
        name: (bound or {}).get(name) or cls(initial=initial)
        for name, cls in _FORMS.items() if allowed[name]
    }  # fmt: skip
    context = {
        "item": item, "due": item.due_state(timezone.localdate()), "forms": action_forms,
        "reports": selectors.item_reports(item),
        "refill_files": any(f.is_bound and f.files for f in (bound or {}).values()),
        "work_id": work_page_id(user=user_of(request), round_id=item.round_id, unit_id=item.unit_id),
        "nav": ledger_nav(request, item),  # previous/next within the list's filter
        "rules": selectors.item_rules(item), "rules_editable": editable,
        "rule_form": (rule_form or forms.RuleForm()) if editable else None,
        "sham_signals": item_signals(user=user_of(request), item=item),  # None: not a reviewer
    }  # fmt: skip
    return render(request, "rectifications/detail.html", context, status=status)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.item_detail(user=user_of(request), pk=pk))


def _run(action: str, item: RectificationItem, user: Any, data: dict[str, Any]) -> str:
    """Call the service for ``action``; returns the success message."""
    common = {"item": item, "by": user, "version": data["version"]}
    calls: dict[str, Callable[[], object]] = {
        "plan": lambda: services.rectification_propose_plan(
            **common, goal=data["goal"], measures=data["measures"], owner=data["owner"],
            department=data["department"], deadline=data["deadline"]),
        "accept": lambda: services.rectification_accept_plan(**common),
        "return": lambda: services.rectification_return(**common, reason=data["reason"]),
        "progress": lambda: services.rectification_report_progress(
            **common, text=data["text"], done=data["done"], files=data["uploads"]),
        "close": lambda: services.rectification_close(
            **common, note=data["note"], money_recovered=data["money_recovered"]),
        "reopen": lambda: services.rectification_reopen(**common, reason=data["reason"]),
    }  # fmt: skip
    calls[action]()
    return {"plan": "整改方案已提交，待巡察办认可。", "accept": "已认可整改方案。",
            "return": "已退回整改单位，退回原因已告知。",
            "progress": "整改进展已报告。", "close": "已对账销号。", "reopen": "事项已重新打开。"}[action]  # fmt: skip


def _why(form: django_forms.Form) -> str:
    """The fields' errors, named, for the message above the page."""
    return "".join(
        f"{form.fields[k].label if k in form.fields else ''}：{'；'.join(map(str, v))}"
        for k, v in form.errors.items() if k != "version"
    )  # fmt: skip


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _FORMS:
        raise Http404
    item = selectors.item_detail(user=user_of(request), pk=pk)
    form: django_forms.Form = _FORMS[action](request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请按提示修改。" + _why(form))
        return _detail(request, item, bound={action: form}, status=400)
    data = {**form.cleaned_data, "uploads": getattr(form, "uploads", list)()}
    try:
        messages.success(request, _run(action, item, user_of(request), data))
    except ConcurrentEdit as err:
        # Someone changed the item meanwhile: show it as it is now, with what this user
        # typed still in the form (and the current version, so a deliberate resubmit works).
        messages.error(request, str(err))
        item = selectors.item_detail(user=user_of(request), pk=pk)
        refreshed = _FORMS[action]({**request.POST.dict(), "version": item.version}, request.FILES)
        refreshed.is_valid()
        return _detail(request, item, bound={action: refreshed}, status=409)
    except ServiceError as err:
        messages.error(request, str(err))
        item = selectors.item_detail(user=user_of(request), pk=pk)
        return _detail(request, item, bound={action: form}, status=400)
    return redirect(item_url(request, item.pk))  # keeps the list's filter for previous/next


@login_required
def item_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    item, evidence = selectors.item_evidence(user=user_of(request), item_pk=pk,
                                             evidence_pk=evidence_pk)  # fmt: skip
    return evidence_response(request, evidence, subject=f"rectification:{item.pk}")


@login_required
@require_POST
def finding_feed_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Feed a finding back to its unit (the button on the finding's page): the ledger's
    write, so it lives here and the findings app does not import the ledger."""
    finding = selectors.finding_to_feed_back(user=user_of(request), pk=pk)
    try:
        item = services.rectification_create(
            finding=finding, by=user_of(request), fed_back_on=timezone.localdate()
        )
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("findings:detail", pk=pk)
    messages.success(request, "已反馈，问题进入被巡察单位的整改台账。")
    return redirect("rectifications:detail", pk=item.pk)


# ------------------------------------------------------------------ 建章立制


def _rule_fields(form: forms.RuleForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {"title": d["title"], "kind": d["kind"], "issued_on": d["issued_on"],
            "doc_number": d["doc_number"], "file": form.upload()}  # fmt: skip


@login_required
@require_POST
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_detail(user=user_of(request), pk=pk)
    form = forms.RuleForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rule_record(item=item, by=user_of(request), **_rule_fields(form))
        except services.RuleInvalid as err:
            form.add_error(err.field, str(err))
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "建章立制已登记。")
            return redirect(reverse("rectifications:detail", args=[item.pk]) + "#rules")
    return _detail(request, item, rule_form=form, status=400)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_detail(user=user_of(request), pk=pk)
    if not services.rules_editable(user_of(request), rule.item):
        raise Http404
    initial = {"title": rule.title, "kind": rule.kind, "issued_on": rule.issued_on,
               "doc_number": rule.doc_number}  # fmt: skip
    form = forms.RuleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(rule=rule, by=user_of(request), **_rule_fields(form))
        except services.RuleInvalid as err:
            form.add_error(err.field, str(err))
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "建章立制已修改。")
            return redirect(reverse("rectifications:detail", args=[rule.item_id]) + "#rules")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "rectifications/rule_edit.html", {"rule": rule, "form": form}, status=status
    )


@login_required
def rule_file(request: HttpRequest, pk: int) -> FileResponse:
    rule = selectors.rule_detail(user=user_of(request), pk=pk)
    if rule.evidence is None:
        raise Http404
    return evidence_response(request, rule.evidence, subject=f"rectification:{rule.item_id}")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """A unit's rules (a unit account: its own; others choose the unit by ?unit_id=);
    ``?year=`` / ``?term=``: rules of rounds begun then (the figures page's drill-down),
    ``?kind=``: made or revised; a bad value lists none, with the reason beside the field."""
    user = user_of(request)
    try:
        unit_id = int(request.GET["unit_id"]) if request.GET.get("unit_id") else None
        round_id = int(request.GET["round_id"]) if request.GET.get("round_id") else None
    except ValueError as err:
        raise Http404 from err
    form = forms.RuleFilterForm(request.GET or None)
    rules = selectors.rule_list(user=user, unit_id=unit_id, round_id=round_id, **form.chosen())
    rules = rules.none() if form.errors else rules
    context = {
        "rules": rules,
        "counts": selectors.rule_list_counts(rules),
        "unit": rules[0].unit if unit_id and rules else None,
        "form": form, "period": form.period_label(),
        "filter_error": FILTER_ERROR if form.errors else "",
        "kept": [(k, v) for k, v in (("unit_id", unit_id), ("round_id", round_id)) if v],
    }  # fmt: skip
    return render(request, "rectifications/rule_list.html", context)
