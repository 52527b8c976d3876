"""Pages of sham-rectification signals (office and supervisors): the list with filters,
one signal with what it names, and the decision on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.pagination import paginate

from . import forms, selectors, services

PAGE_SIZE = 50


@login_required
def signal_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = forms.SignalFilters(request.GET, user=user)
    context = paginate(request, form.results(selectors.signal_list, user=user), PAGE_SIZE)
    context.update(form=form, filter_error=FILTER_ERROR if form.filters() is None else "")
    return render(request, "sham/signal_list.html", context)


@login_required
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    signal = selectors.signal_detail(user=user, pk=pk)
    form = forms.DecideForm(
        request.POST or None, initial={"status": signal.status, "was": signal.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_decide(signal=signal, by=user, status=form.cleaned_data["status"],
                                   note=form.cleaned_data["note"],
                                   was=form.cleaned_data["was"] or None)  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "已记录核实结论。")
            return redirect("sham:detail", signal.pk)
    context = {"signal": signal, "form": form, **selectors.signal_parts(signal)}
    return render(request, "sham/signal_detail.html", context)
