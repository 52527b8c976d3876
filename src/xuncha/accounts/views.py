"""Staff sign-in pages beyond Django's password form: the lockout page and the
two-factor steps (:mod:`xuncha.accounts.twofactor`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response (``AXES_LOCKOUT_CALLABLE``), in Chinese. It says
    how long to wait, never which limit was reached or how many tries remain."""
    context = {"minutes": settings.LOGIN_COOLOFF_MINUTES}
    return render(request, "accounts/locked_out.html", context, status=429)
