"""Writes for a staff member's second factor (django-otp devices)."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

BACKUP_CODES = 10
BACKUP_DEVICE_NAME = "备用验证码"
TOTP_DEVICE_NAME = "手机验证器"


def totp_pending(*, user: User) -> TOTPDevice:
    """The user's phone authenticator being enrolled (kept until confirmed, so reloading
    the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """Ten new one-time backup codes, replacing any earlier ones; shown once (only the
    codes themselves are stored, as django-otp keeps them, to compare)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
