"""The petitioner's receipt-code log-in: the code finds the petition, then a random token
in the browser's cookie keeps the petitioner in, while the database keeps only the
token's SHA-256 in a :class:`~.models.ReceiptSession` bound to that petition.

The token is 256 random bits: it cannot be guessed, so its hash needs no key (and there
is none to steal and forge one with). A session ends after ``PETITION_SESSION_IDLE``
seconds unused, ``PETITION_SESSION_MAX`` seconds after log-in, or on leaving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from . import vault
from .models import Petition, ReceiptSession


def receipt_find(code: str) -> Petition | None:
    """The petition of a receipt code, or None (wrong and unknown codes look the same)."""
    code = "".join(ch for ch in code if not ch.isspace() and ch != "-")
    if len(code) != 16 or not code.isascii() or not code.isdigit():
        return None
    return Petition.objects.filter(receipt_hash=vault.receipt_digest(code)).first()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def receipt_session(*, token: str) -> ReceiptSession | None:
    """The live receipt log-in of a cookie's token, with its petition, or None (unknown,
    ended, or a petition without a receipt code)."""
    if not token or len(token) > 100:
        return None
    live = ReceiptSession.objects.filter(
        token_hash=_token_hash(token),
        idle_until__gt=timezone.now(),
        petition__receipt_hash__isnull=False,
    )
    return live.select_related("petition").first()


def receipt_session_open(*, petition: Petition) -> str:
    """Log in with a found receipt code: returns the token for the browser's cookie."""
    receipt_sessions_sweep()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    ends_at = now + dt.timedelta(seconds=settings.PETITION_SESSION_MAX)
    idle = min(now + dt.timedelta(seconds=settings.PETITION_SESSION_IDLE), ends_at)
    ReceiptSession.objects.create(petition=petition, token_hash=_token_hash(token),
                                  idle_until=idle, ends_at=ends_at)  # fmt: skip
    return token


def receipt_session_touch(*, session: ReceiptSession) -> None:
    """A page seen through the session: the idle expiry starts again (never past the
    absolute end), and sessions that have ended are deleted."""
    idle = timezone.now() + dt.timedelta(seconds=settings.PETITION_SESSION_IDLE)
    ReceiptSession.objects.filter(pk=session.pk).update(idle_until=min(idle, session.ends_at))
    receipt_sessions_sweep()


def receipt_session_close(*, token: str) -> None:
    """Leaving: the session is deleted, so the cookie opens nothing any more."""
    if token:
        ReceiptSession.objects.filter(token_hash=_token_hash(token)).delete()


def receipt_sessions_sweep() -> int:
    """Delete every session that has ended (so no expiry time outlives its session)."""
    deleted, _ = ReceiptSession.objects.filter(idle_until__lte=timezone.now()).delete()
    return deleted
