"""Optional TOTP second factor for staff (django-otp), required for some roles.

The password step stays Django's login view (and django-axes' lockout). A user who has
a confirmed device, or whose role is in ``TWO_FACTOR_REQUIRED_ROLES``, is signed in by
the password but held by :class:`TwoFactorMiddleware` on the code (or enrolment) page
until this session has passed the device: no other page, the admin's included, answers
before that. Wrong codes slow down through django-otp's throttling (each failure doubles
the wait), so six digits cannot be guessed at speed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device

from .models import User

# Pages a signed-in user reaches before the second factor.
OPEN_BEFORE_SECOND_FACTOR = {"logout", "accounts:verify", "accounts:enrol"}


def required(user: Any) -> bool:
    """Whether the user's role must use two-factor (``TWO_FACTOR_REQUIRED_ROLES``)."""
    return isinstance(user, User) and user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def pending_step(user: Any) -> str | None:
    """ "verify" when this session has yet to pass the user's device, "enrol" when the
    user's role requires a device and there is none; None when nothing is owed."""
    if not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user):
        return "verify"
    if required(user):
        return "enrol"
    return None


def next_url(request: HttpRequest) -> str:
    """Where to go after the step: ``next`` when it stays on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class TwoFactorMiddleware(MiddlewareMixin):
    """Sends a signed-in user who owes a second factor to its page (after django-otp's
    OTPMiddleware, which tells whether this session is verified)."""

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        step = pending_step(request.user)
        match = request.resolver_match
        if step is None or (match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR):
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(f"accounts:{step}") + (f"?{query}" if query else ""))
