"""Fixed-window rate limits in the cache, keyed without keeping anyone's address.

A client is known only as a salted hash of its address; the salt is random, lives in
the cache for an hour and is then gone, so no counter can be traced back to an address
afterwards, and nothing reaches the database or a log.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def parse(rate: str) -> tuple[int, int]:
    """ "10/600" → (10, 600): at most 10 in 600 seconds."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


_salt_now: tuple[int, str] = (-1, "")


def _salt(hour: int) -> str:
    """This hour's salt, shared by every process through the cache, kept in memory
    (the previous hour's is forgotten when the hour turns)."""
    global _salt_now
    known_hour, salt = _salt_now
    if known_hour != hour:
        key = f"rl-salt:{hour}"
        cache.add(key, secrets.token_hex(16), 3700)
        salt = cache.get(key) or secrets.token_hex(16)
        _salt_now = (hour, salt)
    return salt


def client_address(request: HttpRequest) -> str:
    """The one place the client's address is read (rate limits here, the staff login
    lockout through ``AXES_CLIENT_IP_CALLABLE``), so both follow the same proxy rules.

    ``xuncha serve`` behind XUNCHA_TRUSTED_PROXY already puts the client's address in
    REMOTE_ADDR (waitress reads X-Forwarded-For from that proxy only). With
    XUNCHA_PROXY_SSL_HEADER=1 (another WSGI server, reachable only through the proxy) the
    address is the last X-Forwarded-For entry, the one the proxy itself added; earlier
    entries come from the client and are never believed. Otherwise the header is ignored,
    so a client cannot pick a new address for each guess."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return str(forwarded.split(",")[-1].strip())
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(request: HttpRequest) -> str:
    address = client_address(request)
    return hashlib.sha256(f"{_salt(int(time.time()) // 3600)}|{address}".encode()).hexdigest()[:32]


def count_refused(request: HttpRequest) -> None:
    """A request refused for its size or form counts as an upload attempt of its client
    (the public submission and message limits), so refusals cannot be sent without end."""
    key = client_key(request)
    for scope in ("submit", "message"):
        hit(scope, key, settings.PETITION_RATE_SUBMIT)


def count(bucket: str, timeout: int) -> int:
    """Add one to a counter in the cache (made, to expire after ``timeout`` seconds, by
    the first event); returns the new count."""
    try:
        return int(cache.incr(bucket))
    except ValueError:  # the first event (or two processes racing to start it)
        return 1 if cache.add(bucket, 1, timeout) else int(cache.incr(bucket))


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one event; False when the limit for this window is already reached."""
    limit, window = parse(rate)
    return count(f"rl:{scope}:{key}:{int(time.time()) // window}", window + 5) <= limit


def peek(scope: str, key: str, rate: str) -> bool:
    """Whether another event would still be allowed (without counting one)."""
    limit, window = parse(rate)
    return int(cache.get(f"rl:{scope}:{key}:{int(time.time()) // window}", 0)) < limit
