"""Findings pages: recording a finding, a finding with its history and evidence.

(The list is in ``list_views``. Feeding a finding back to its unit is the ledger's
business: ``rectifications.views.finding_feed_back``, so this app never imports the
ledger.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xuncha.accounts.access import allowed, can, user_of
from xuncha.common.errors import ServiceError

from . import forms, selectors, services
from .files import evidence_response


def _initial(request: HttpRequest) -> dict[str, object]:
    """``?assignment=<pk>`` from a unit's work page preselects that unit, round and team
    (ignored unless the user may record for it: the form's choices decide)."""
    pk = request.GET.get("assignment", "")
    return {"assignment": int(pk)} if pk.isdigit() else {}


@login_required
def finding_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not allowed(user, "work.record"):
        raise Http404  # only the inspecting side records findings
    assignments = selectors.assignments_for(user)
    form = forms.FindingForm(request.POST or None, request.FILES or None, assignments=assignments,
                             initial=_initial(request))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            finding = services.finding_create(
                assignment=d["assignment"], by=user, category=d["category"],
                subcategory=d["subcategory"], description=d["description"], source=d["source"],
                amount=d["amount"], files=form.uploads(), basis=d["basis"],
                responsible=d["responsible"],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(forms.error_field(err, form.uploads()), str(err))
        else:
            messages.success(request, "问题已记录。")
            return redirect("findings:detail", pk=finding.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "refill_files": request.method == "POST" and bool(request.FILES)}
    return render(request, "findings/new.html", context, status=status)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    finding = selectors.finding_detail(user=user, pk=pk)
    item = getattr(finding, "rectification", None)
    context = {
        "finding": finding, "item": item,
        "evidence": selectors.finding_evidence_list(finding),
        "may_open_evidence": selectors.may_open_finding_evidence(user, finding),
        "can_feed_back": item is None and can(user, "rectification.feed_back", finding),
        "work_id": selectors.work_page_id(user=user, round_id=finding.round_id, unit_id=finding.unit_id),
        "can_edit": can(user, "change", finding),
        # The paper's state, for those who may open it (the office and the team).
        "paper": selectors.finding_paper(finding) if selectors.may_open_paper(user, finding) else None,
        "may_open_paper": selectors.may_open_paper(user, finding),
    }  # fmt: skip
    return render(request, "findings/detail.html", context)


@login_required
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a finding; a change of its substance after its paper was signed clears the
    sign-offs, and the page says so."""
    user = user_of(request)
    finding = selectors.finding_detail(user=user, pk=pk)
    if not can(user, "change", finding):
        raise Http404
    held = selectors.finding_evidence_list(finding)
    initial = {f: getattr(finding, f) for f in services.SUBSTANCE}
    form = forms.FindingEditForm(request.POST or None, request.FILES or None, held=held,
                                 initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _, voided = services.finding_update(
                finding=finding, by=user, category=d["category"], subcategory=d["subcategory"],
                description=d["description"], amount=d["amount"], basis=d["basis"],
                responsible=d["responsible"], files=form.uploads(), remove=d["remove"],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(forms.error_field(err, form.uploads()), str(err))
        else:
            messages.success(request, "问题已修改。")
            if voided:
                messages.warning(request, services.VOIDED)
            return redirect("findings:detail", pk=finding.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "finding": finding,
               "refill_files": request.method == "POST" and bool(request.FILES)}  # fmt: skip
    return render(request, "findings/edit.html", context, status=status)


@login_required
def finding_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    finding, evidence = selectors.finding_evidence(
        user=user_of(request), finding_pk=pk, evidence_pk=evidence_pk
    )
    return evidence_response(request, evidence, subject=f"finding:{finding.pk}")
