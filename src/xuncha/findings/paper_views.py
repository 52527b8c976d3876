"""A finding's working paper (问题底稿): its facts, its supporting material, the talks
chosen for it and its three sign-offs. The office and the finding's team open it; only
team members sign, in order (``services.paper_sign`` decides)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xuncha.accounts.access import can, user_of
from xuncha.common.errors import ServiceError

from . import forms, selectors, services


def _page(request: HttpRequest, pk: int, talks_form: forms.PaperTalksForm | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    user = user_of(request)
    finding = selectors.paper_finding(user=user, pk=pk)
    services.paper_ensure(finding=finding)
    paper = selectors.finding_paper(finding)
    assert paper is not None
    choices = selectors.paper_talk_choices(finding)
    if talks_form is None:
        talks_form = forms.PaperTalksForm(talks=choices, initial={"talks": list(paper.talks.all())})
    steps = [
        {"key": s, "name": services.STEP_NAMES[s], "by": getattr(paper, f"{s}_signed_by"),
         "at": getattr(paper, f"{s}_signed_at")}
        for s in services.STEPS
    ]  # fmt: skip
    context = {
        "finding": finding, "paper": paper, "steps": steps,
        "materials": selectors.materials(finding),
        "next_step": selectors.paper_next_step(paper),
        "may_sign": selectors.paper_may_sign(user, finding, paper),
        "can_edit": can(user, "change", finding),
        "talks_form": talks_form, "has_talks": choices.exists(),
        "work_id": selectors.work_page_id(user=user, round_id=finding.round_id, unit_id=finding.unit_id),
    }  # fmt: skip
    return render(request, "findings/paper.html", context, status=status)


@login_required
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper of finding ``pk`` (made on first opening for a finding recorded before
    papers existed)."""
    return _page(request, pk)


@login_required
@require_POST
def paper_talks(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    finding = selectors.paper_finding(user=user, pk=pk)
    if not can(user, "change", finding):
        raise Http404
    form = forms.PaperTalksForm(request.POST, talks=selectors.paper_talk_choices(finding))
    if form.is_valid():
        paper = services.paper_ensure(finding=finding)
        try:
            voided = services.paper_talks_set(
                paper=paper, by=user, talks=list(form.cleaned_data["talks"])
            )
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "底稿的谈话记录已更新。")
            if voided:
                messages.warning(request, services.VOIDED.replace("问题内容", "底稿材料"))
            return redirect("findings:paper", pk=finding.pk)
    why = "；".join(" ".join(map(str, errors)) for errors in form.errors.values())
    messages.error(request, f"谈话记录未保存：{why}")
    return _page(request, pk, talks_form=form, status=400)


@login_required
@require_POST
def paper_sign(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user = user_of(request)
    finding = selectors.paper_finding(user=user, pk=pk)
    if step not in services.STEPS:
        raise Http404
    paper = services.paper_ensure(finding=finding)
    try:
        services.paper_sign(paper=paper, by=user, step=step)
    except ServiceError as err:
        messages.error(request, f"未能签署：{err}")
        return _page(request, pk, status=400)
    messages.success(request, f"已完成{services.STEP_NAMES[step]}。")
    return redirect("findings:paper", pk=finding.pk)
