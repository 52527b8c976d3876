"""An anonymous proof of work asked of a public browser before it submits a petition
or logs in with a receipt code (hashcash style; no CAPTCHA service, nothing about the
person).

The server hands out a signed challenge; the browser finds a nonce so that
SHA-256("<challenge>:<nonce>") starts with ``bits`` zero bits. A challenge is good for
one use (a replayed form is refused) and for ``PETITION_POW_MAX_AGE`` seconds.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "xuncha.petitions.pow"


class WorkRefused(Exception):
    """A missing, expired, wrong or replayed proof of work (message in Chinese)."""


def challenge() -> str:
    return signing.TimestampSigner(salt=SALT).sign(
        f"{settings.PETITION_POW_BITS}.{secrets.token_hex(12)}"
    )


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


def verify(token: str, nonce: str) -> None:
    """Accept a solved challenge once; raise :class:`WorkRefused` otherwise."""
    if not token or not nonce:
        raise WorkRefused("页面校验信息缺失，请开启浏览器的 JavaScript 后刷新页面重试。")
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.PETITION_POW_MAX_AGE
        )
    except signing.SignatureExpired:
        raise WorkRefused(
            "页面已过期，请刷新页面后重新提交（已填写的内容请先复制保存）。"
        ) from None
    except signing.BadSignature:
        raise WorkRefused("页面校验信息无效，请刷新页面后重试。") from None
    bits = int(value.split(".", 1)[0])
    if bits < settings.PETITION_POW_BITS or len(nonce) > 20 or not nonce.isdigit():
        raise WorkRefused("页面校验信息无效，请刷新页面后重试。")
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < bits:
        raise WorkRefused("页面校验未完成，请稍候片刻再提交。")
    key = "pow:" + hashlib.sha256(token.encode()).hexdigest()
    if not cache.add(key, 1, settings.PETITION_POW_MAX_AGE + 60):
        raise WorkRefused("该表单已经提交过，请勿重复提交。如需补充材料，请使用回执码查询后留言。")
