"""The public side of 码上巡察: a phone page, no account, nothing about the visitor kept.

No view here reads the visitor's address or browser except :func:`client_key`, which
turns the address into a salted hash that only lives in the cache for the rate-limit
window. Responses are never cached and send no referrer. The receipt "log-in" is a
random token in a cookie; the server keeps only its hash, bound to the petition, until it
expires or the petitioner leaves (:mod:`.receipt_login`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from xuncha.common import ratelimit
from xuncha.common.errors import ServiceError

from . import forms, pow, receipt_login, selectors, services
from .models import IntakeCode, Petition

COOKIE = "xc_receipt"
WRONG_RECEIPT = "回执码不正确，请核对后重新输入。"
TOO_MANY = "操作过于频繁，请 10 分钟后再试。"


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = (
            "same-origin"  # no referrer to other sites; "no-referrer" makes browsers send "Origin: null", which CSRF refuses
        )
        response["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        return response

    return wrapped


def _pow(form: Any, bits: int | None = None) -> None:
    """Every page, a re-shown one too, carries a fresh challenge (a used one is spent)."""
    form.initial.update(pow_challenge=pow.challenge(bits))


@public
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, token: str) -> HttpResponse:
    code = get_object_or_404(IntakeCode, token=token)  # team and unit are read only to render
    form = forms.PublicPetitionForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if not ratelimit.hit(
            "submit", ratelimit.client_key(request), settings.PETITION_RATE_SUBMIT
        ):
            error, status = TOO_MANY, 429
        elif form.is_valid():
            try:
                pow.verify(form.cleaned_data["pow_challenge"], form.cleaned_data["pow_nonce"])
                petition, receipt = services.petition_submit(
                    intake=code,
                    content=form.content(),
                    identity=form.identity(),
                    files=form.uploads(),
                )
            except (pow.WorkRefused, ServiceError) as err:
                error = str(err)
            else:
                grouped = services.receipt_shown(receipt)
                return render(request, "petitions/public/receipt.html",
                              {"code": code, "receipt": grouped, "petition": petition})  # fmt: skip
        else:
            error = "提交的内容有误，请按提示修改。"
    if not form.is_bound:
        return HttpResponse(_blank_page(request, code))
    _pow(form)
    context = {"code": code, "form": form, "error": error, "open": code.is_open()}
    return render(request, "petitions/public/intake.html", context, status=status)


_CHALLENGE, _CSRF = "\x00challenge\x00", "\x00csrf\x00"
_pages: dict[tuple[int, object, object], str] = {}


def _blank_page(request: HttpRequest, code: IntakeCode) -> str:
    """The empty form, rendered once per code, day and change of the code; each request
    only fills in its own challenge and CSRF token (this page takes the public's load)."""
    key = (code.pk, code.updated_at, timezone.localdate())
    page = _pages.get(key)
    if page is None:
        form = forms.PublicPetitionForm(initial={"pow_challenge": _CHALLENGE})
        context = {
            "code": code,
            "form": form,
            "error": "",
            "open": code.is_open(),
            "csrf_token": _CSRF,
        }
        page = render_to_string("petitions/public/intake.html", context)
        if len(_pages) > 500:
            _pages.clear()
        _pages[key] = page
    return page.replace(_CHALLENGE, pow.challenge()).replace(_CSRF, get_token(request))


def _petition_of(request: HttpRequest) -> Petition | None:
    """The petition of the request's live receipt log-in (its use keeps it alive)."""
    session = receipt_login.receipt_session(token=request.COOKIES.get(COOKIE, ""))
    if session is None:
        return None
    receipt_login.receipt_session_touch(session=session)
    return session.petition


def _logged_in(request: HttpRequest, petition: Petition) -> HttpResponse:
    """A new session for a found code; the browser's previous one, if any, ends."""
    receipt_login.receipt_session_close(token=request.COOKIES.get(COOKIE, ""))
    response = redirect("petitions_public:status")
    response.set_cookie(COOKIE, receipt_login.receipt_session_open(petition=petition),
                        max_age=settings.PETITION_SESSION_MAX, httponly=True, samesite="Strict",
                        secure=request.is_secure())  # fmt: skip
    return response


@public
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """Log in with a receipt code (rate-limited; one message for wrong and unknown)."""
    form = forms.ReceiptForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        client = ratelimit.client_key(request)
        if not ratelimit.peek("receipt", client, settings.PETITION_RATE_RECEIPT):
            error, status = TOO_MANY, 429
        elif form.is_valid():
            try:
                pow.verify(form.cleaned_data["pow_challenge"], form.cleaned_data["pow_nonce"],
                           bits=pow.receipt_bits())  # fmt: skip
            except pow.WorkRefused as err:
                error = str(err)
            else:
                petition = receipt_login.receipt_find(form.cleaned_data["code"])
                if petition is not None:
                    return _logged_in(request, petition)
                ratelimit.hit("receipt", client, settings.PETITION_RATE_RECEIPT)
                pow.receipt_failed()
                error = WRONG_RECEIPT
        else:
            error = WRONG_RECEIPT
    _pow(form, pow.receipt_bits())
    return render(
        request, "petitions/public/login.html", {"form": form, "error": error}, status=status
    )


@public
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    petition = _petition_of(request)
    if petition is None:
        return redirect("petitions_public:receipt")
    form = forms.PublicMessageForm(request.POST or None, request.FILES or None)
    error, code = "", 200
    if request.method == "POST":
        code = 400
        if not ratelimit.hit(
            "message", ratelimit.client_key(request), settings.PETITION_RATE_SUBMIT
        ):
            error, code = TOO_MANY, 429
        elif form.is_valid():
            try:
                services.message_from_public(petition=petition, body=form.cleaned_data["body"],
                                             files=form.uploads())  # fmt: skip
            except ServiceError as err:
                error = str(err)
            else:
                return redirect("petitions_public:status")
        else:
            error = "请填写留言内容。"
    thread = selectors.thread(petition, staff=False)
    context = {"petition": petition, "thread": thread, "form": form, "error": error,
               "content": selectors.content(petition)}  # fmt: skip
    return render(request, "petitions/public/status.html", context, status=code)


@public
@require_http_methods(["POST"])
def leave(request: HttpRequest) -> HttpResponse:
    receipt_login.receipt_session_close(token=request.COOKIES.get(COOKIE, ""))
    response = redirect("petitions_public:receipt")
    response.delete_cookie(COOKIE, samesite="Strict")
    return response
