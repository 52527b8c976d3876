"""The two-factor pages: enter a code, enrol a phone, turn two-factor off."""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuncha.common.middleware import no_store

from .access import user_of
from .twofactor import next_url, pending_step

WRONG = "验证码不正确或已过期，请输入手机验证器上当前显示的 6 位数字。"
DEVICE_NAME = "手机验证器"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码", max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "autofocus": True}),
    )  # fmt: skip

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("验证码只含数字。")
        return code


def _throttled(device: TOTPDevice) -> str:
    allowed, _ = device.verify_is_allowed()
    return "" if allowed else "验证码错误次数过多，请稍候再试（每错一次，等待时间加倍）。"


def _check(device: TOTPDevice, code: str) -> str:
    """The error to show, or "" when the code is right (then the session is verified)."""
    return _throttled(device) or ("" if device.verify_token(code) else WRONG)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for a user with a device."""
    user = user_of(request)
    if pending_step(user) != "verify":
        return redirect(next_url(request))
    device = next(iter(devices_for_user(user)))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        error = _check(device, form.cleaned_data["code"])
        if not error:
            otp_login(request, device)
            return redirect(next_url(request))
    context = {"form": form, "error": error, "next": next_url(request)}
    return render(request, "accounts/verify.html", context, status=400 if error else 200)


def _unconfirmed(user: object) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@no_store  # the page shows the device's secret key
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, confirm one code: the device is then confirmed and this
    session counts as verified. A user who already has a device must pass it first."""
    user = user_of(request)
    if user_has_device(user):
        return redirect("accounts:verify" if pending_step(user) else "accounts:security")
    device = _unconfirmed(user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        error = _check(device, form.cleaned_data["code"])
        if not error:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "两步验证已启用：以后登录时，输入密码后还需输入验证码。")
            return redirect(next_url(request))
    qr = segno.make_qr(device.config_url, error="m")
    context = {
        "form": form, "error": error, "next": next_url(request),
        "qr": mark_safe(qr.svg_inline(scale=5, light="#fff", title="两步验证二维码")),  # segno's own markup
        "key": b32encode(device.bin_key).decode(),
        "required": user.role in settings.TWO_FACTOR_REQUIRED_ROLES,
    }  # fmt: skip
    return render(request, "accounts/enrol.html", context, status=400 if error else 200)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    context = {
        "enabled": user_has_device(user),
        "required": user.role in settings.TWO_FACTOR_REQUIRED_ROLES,
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (only from a verified session, and never for a role that
    requires it)."""
    user = user_of(request)
    if user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
        messages.error(request, "您的角色必须使用两步验证，不能关闭。")
    else:
        TOTPDevice.objects.filter(user=user).delete()
        messages.success(request, "两步验证已关闭。")
    return redirect("accounts:security")
