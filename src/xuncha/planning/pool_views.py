"""Terms (届) with their coverage, and the cadre pool (干部库): managed by the office
in the workbench (list, new, edit, each change in the history)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xuncha.accounts.access import allowed, user_of
from xuncha.common.history import object_history
from xuncha.common.pagination import paginate

from . import forms, selectors, services
from .views import form_page, initial_of, submit

CADRES_PER_PAGE = 100


def _allowed(request: HttpRequest, action: str) -> None:
    if not allowed(user_of(request), action):
        raise Http404


@login_required
def term_list(request: HttpRequest) -> HttpResponse:
    _allowed(request, "terms.manage")
    return render(request, "planning/terms.html", {"terms": selectors.term_list()})


@login_required
def term_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New term (no ``pk``) or a change to one; the reason of a change is kept."""
    _allowed(request, "terms.manage")
    user = user_of(request)
    term = selectors.term_detail(pk=pk) if pk is not None else None
    form = forms.TermForm(request.POST or None, initial=initial_of(term, forms.TermForm))
    if term is None:
        del form.fields["reason"]
    saved = submit(request, form, lambda data: (
        services.term_create(by=user, **data) if term is None
        else services.term_update(by=user, term=term, **data)
    ))  # fmt: skip
    if saved is not None:
        messages.success(request, f"已{'新建' if term is None else '修改'}届期「{saved.name}」。")
        return redirect("planning:terms")
    history = object_history(term, newest_first=True) if term else []
    return form_page(request, "planning/term_edit.html",
                     {"form": form, "term": term, "history": history})  # fmt: skip


@login_required
def term_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request, "coverage.read")
    term = selectors.term_detail(pk=pk)
    plan = selectors.current_plan(term)
    progress = selectors.plan_progress(plan, today=timezone.localdate()) if plan else []
    context = {"term": term, "by_kind": selectors.coverage(term=term, by="kind"),
               "by_county": selectors.coverage(term=term, by="county"), "plan": plan,
               "progress": progress, "late": [u for row in progress for u in row.late],
               "termplan": allowed(user_of(request), "termplan.read")}  # fmt: skip
    return render(request, "planning/coverage.html", context)


@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    _allowed(request, "cadres.manage")
    q = request.GET.get("q", "")
    cadres = selectors.cadre_list(q=q)
    return render(
        request, "planning/cadres.html", {"q": q, **paginate(request, cadres, CADRES_PER_PAGE)}
    )


@login_required
def cadre_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New cadre (no ``pk``) or a change to one (a new home unit is checked for 回避
    against the units their teams inspect)."""
    _allowed(request, "cadres.manage")
    user = user_of(request)
    cadre = selectors.cadre_detail(pk=pk) if pk is not None else None
    form = forms.CadreForm(request.POST or None, initial=initial_of(cadre, forms.CadreForm))
    if cadre is None:
        del form.fields["reason"]
    saved = submit(request, form, lambda data: (
        services.cadre_create(by=user, **data) if cadre is None
        else services.cadre_update(by=user, cadre=cadre, **data)
    ))  # fmt: skip
    if saved is not None:
        messages.success(
            request, f"已将{saved}加入干部库。" if cadre is None else f"已修改{saved}。"
        )
        return redirect("planning:cadres")
    context = {"form": form, "cadre": cadre,
               "places": selectors.cadre_teams(cadre) if cadre else [],
               "history": object_history(cadre, newest_first=True) if cadre else []}  # fmt: skip
    return form_page(request, "planning/cadre_edit.html", context)
