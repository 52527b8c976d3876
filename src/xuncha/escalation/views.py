"""联动巡察与重大问题呈报 (being built: issue 21)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xuncha.accounts.access import allowed, user_of


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not allowed(user_of(request), "escalation.read"):
        raise Http404
    return render(request, "escalation/index.html", {})
