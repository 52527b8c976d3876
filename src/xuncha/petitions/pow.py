"""An anonymous proof of work asked of a public browser before it submits a petition
or logs in with a receipt code (hashcash style; no CAPTCHA service, nothing about the
person).

The server hands out a challenge ``<bits>.<issued>.<random>.<mac>``; the browser finds a
nonce so that SHA-256("<challenge>:<nonce>") starts with ``bits`` zero bits. The MAC is
an HMAC-SHA256 with a key of its own, derived from the installation's secret key (each
installation makes its own, :mod:`xuncha.config.keys`), so nobody can mint challenges
offline; a challenge dated ahead of the server's clock is refused, so none can be made
to last. A challenge is good for one use (a replayed form is refused) and for
``PETITION_POW_MAX_AGE`` seconds.

Receipt-code guessing makes the receipt log-in dearer instead of shutting it: past
``PETITION_POW_ALARM`` wrong codes from everyone together, each doubling of the failure
rate adds a bit (doubles the work), up to ``PETITION_POW_MAX_EXTRA`` bits. The bits are
in the challenge, so the browser (pow.js) solves the harder one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache

from xuncha.common import ratelimit

KEY_SALT = b"xuncha.petitions.pow.v2"
CLOCK_SKEW = 30  # seconds a challenge may seem to come from the future (several servers)
INVALID = "页面校验信息无效，请刷新页面后重试。"
HARDER = "当前查询的人较多，安全校验的难度已提高：请稍候，待页面重新完成校验后再点一次「查询」。"


class WorkRefused(Exception):
    """A missing, expired, wrong or replayed proof of work (message in Chinese)."""


class Replayed(WorkRefused):
    """A challenge already spent: the same form sent again (other channels word it their way)."""


def _mac(body: str) -> str:
    key = hmac.new(settings.SECRET_KEY.encode(), KEY_SALT, hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def challenge(bits: int | None = None) -> str:
    """A fresh challenge (``bits`` defaults to the submission difficulty)."""
    body = f"{bits or settings.PETITION_POW_BITS}.{int(time.time())}.{secrets.token_hex(12)}"
    return f"{body}.{_mac(body)}"


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def solve(token: str) -> str:
    """Find a nonce (used by tests and the load benchmark; browsers run pow.js)."""
    bits = int(token.split(".", 1)[0])
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def _opened(token: str) -> tuple[int, int]:
    """The bits and issue time of a challenge this server made; raises otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit()):
        raise WorkRefused(INVALID)
    if not hmac.compare_digest(parts[3], _mac(".".join(parts[:3]))):
        raise WorkRefused(INVALID)
    bits, issued = int(parts[0]), int(parts[1])
    now = time.time()
    if issued > now + CLOCK_SKEW:
        raise WorkRefused(INVALID)  # dated ahead: never made by this server
    if now - issued > settings.PETITION_POW_MAX_AGE:
        raise WorkRefused("页面已过期，请刷新页面后重新提交（已填写的内容请先复制保存）。")
    return bits, issued


def verify(token: str, nonce: str, bits: int | None = None) -> None:
    """Accept a solved challenge of at least ``bits`` (default: the submission
    difficulty) once; raise :class:`WorkRefused` otherwise."""
    if not token or not nonce:
        raise WorkRefused("页面校验信息缺失，请开启浏览器的 JavaScript 后刷新页面重试。")
    if len(token) > 200 or len(nonce) > 20 or not nonce.isdigit():
        raise WorkRefused(INVALID)
    token_bits, _issued = _opened(token)
    if token_bits < (bits or settings.PETITION_POW_BITS):
        raise WorkRefused(HARDER)
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < token_bits:
        raise WorkRefused("页面校验未完成，请稍候片刻再提交。")
    key = "pow:" + hashlib.sha256(token.encode()).hexdigest()
    if not cache.add(key, 1, settings.PETITION_POW_MAX_AGE + CLOCK_SKEW + 60):
        raise Replayed("该表单已经提交过，请勿重复提交。如需补充材料，请使用回执码查询后留言。")


# ------------------------------------------------------------------ guessing pressure


def _buckets(window: int) -> tuple[str, str, float]:
    now = time.time()
    n = int(now // window)
    return f"pow-fail:{window}:{n}", f"pow-fail:{window}:{n - 1}", (now % window) / window


def receipt_failed() -> None:
    """Count one wrong receipt code (from anyone; nothing about who is kept)."""
    _limit, window = ratelimit.parse(settings.PETITION_POW_ALARM)
    current, _previous, _part = _buckets(window)
    ratelimit.count(current, 2 * window + 5)  # kept through the next window (recent_failures)


def recent_failures() -> float:
    """Wrong codes in the last window (this window plus the unexpired share of the
    previous one, so the difficulty does not fall off a cliff when a window turns)."""
    _limit, window = ratelimit.parse(settings.PETITION_POW_ALARM)
    current, previous, part = _buckets(window)
    counts = cache.get_many([current, previous])
    return float(counts.get(current, 0)) + float(counts.get(previous, 0)) * (1 - part)


def receipt_bits() -> int:
    """The receipt log-in's difficulty now: one more bit for each doubling of the
    failures past the alarm threshold, capped."""
    base = settings.PETITION_POW_BITS
    limit, _window = ratelimit.parse(settings.PETITION_POW_ALARM)
    failures = recent_failures()
    if failures < limit:
        return base
    extra = 1 + int(math.log2(failures / limit))
    return base + min(extra, settings.PETITION_POW_MAX_EXTRA)
