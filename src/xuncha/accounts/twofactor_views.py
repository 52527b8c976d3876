"""The two-factor pages: enter a code, enrol a phone, turn two-factor off."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuncha.common.middleware import no_store

from . import services
from .access import user_of
from .twofactor import next_url, pending_step, required

WRONG = "验证码不正确或已过期，请输入手机验证器上当前显示的 6 位数字（或一个未用过的备用验证码）。"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码", max_length=12, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )  # fmt: skip

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if ch not in " -").lower()
        if not (len(code) == 6 and code.isdigit()) and not (len(code) == 8 and code.isalnum()):
            raise forms.ValidationError("验证码是 6 位数字；备用验证码是 8 位字母和数字。")
        return code


def _check(device: Device, code: str) -> str:
    """The error to show, or "" when the code is right. Wrong codes are throttled by
    django-otp: each failure doubles the wait before the device accepts another try."""
    if not device.verify_is_allowed()[0]:
        return "验证码错误次数过多，请稍候再试（每错一次，等待时间加倍）。"
    return "" if device.verify_token(code) else WRONG


@transaction.atomic
def _verified_by(user: object, code: str) -> tuple[Device | None, str]:
    """The device (phone or backup codes) that accepts ``code``; rows locked so a
    backup code cannot be used twice at once."""
    kind: Any = TOTPDevice if code.isdigit() else StaticDevice
    device = kind.objects.devices_for_user(user).select_for_update().first()
    if device is None:
        return None, WRONG
    error = _check(device, code)
    return (None if error else device), error


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for a user with a device."""
    user = user_of(request)
    if pending_step(user) != "verify":
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device, error = _verified_by(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = services.backup_codes_left(user=user)
                messages.warning(
                    request, f"已用一个备用验证码登录，还剩 {left} 个。手机丢失请尽快联系管理员。"
                )
            return redirect(next_url(request))
    context = {"form": form, "error": error, "next": next_url(request)}
    return render(request, "accounts/verify.html", context, status=400 if error else 200)


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    context = {"codes": codes, "next": next_url(request)}
    return render(request, "accounts/backup_codes.html", context)


@no_store  # the page shows the device's secret key
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, confirm one code: the device is then confirmed and this
    session counts as verified. A user who already has a device must pass it first."""
    user = user_of(request)
    if user_has_device(user):
        return redirect("accounts:verify" if pending_step(user) else "accounts:security")
    device = services.totp_pending(user=user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        error = _check(device, form.cleaned_data["code"])
        if not error:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "两步验证已启用：以后登录时，输入密码后还需输入验证码。")
            return _codes_page(request, services.backup_codes_renew(user=user))
    qr = segno.make_qr(device.config_url, error="m")
    context = {
        "form": form, "error": error, "next": next_url(request),
        "qr": mark_safe(qr.svg_inline(scale=5, light="#fff", title="两步验证二维码")),  # segno's own markup
        "key": b32encode(device.bin_key).decode(),
        "required": required(user),
    }  # fmt: skip
    return render(request, "accounts/enrol.html", context, status=400 if error else 200)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    context = {
        "enabled": user_has_device(user),
        "required": required(user),
        "codes_left": services.backup_codes_left(user=user),
    }
    return render(request, "accounts/security.html", context)


@no_store  # the page shows the codes
@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), for a user with two-factor on."""
    user = user_of(request)
    if not TOTPDevice.objects.devices_for_user(user).exists():
        return redirect("accounts:security")
    return _codes_page(request, services.backup_codes_renew(user=user))


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (only from a verified session, and never for a role that
    requires it)."""
    user = user_of(request)
    if required(user):
        messages.error(request, "您的角色必须使用两步验证，不能关闭。")
    else:
        services.two_factor_disable(user=user)
        messages.success(request, "两步验证已关闭。")
    return redirect("accounts:security")
