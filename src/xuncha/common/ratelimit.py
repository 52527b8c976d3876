"""Fixed-window rate limits in the cache, keyed without keeping anyone's address.

A client is known only as a salted hash of its address; the salt is random, lives in
the cache for an hour and is then gone, so no counter can be traced back to an address
afterwards, and nothing reaches the database or a log.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.core.cache import cache
from django.http import HttpRequest


def parse(rate: str) -> tuple[int, int]:
    """ "10/600" → (10, 600): at most 10 in 600 seconds."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def client_key(request: HttpRequest) -> str:
    hour = int(time.time()) // 3600
    salt_key = f"rl-salt:{hour}"
    cache.add(salt_key, secrets.token_hex(16), 3700)
    salt = cache.get(salt_key) or ""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{salt}|{address}".encode()).hexdigest()[:32]


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one event; False when the limit for this window is already reached."""
    limit, window = parse(rate)
    bucket = f"rl:{scope}:{key}:{int(time.time()) // window}"
    cache.add(bucket, 0, window + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, window + 5)
        count = 1
    return count <= limit


def peek(scope: str, key: str, rate: str) -> bool:
    """Whether another event would still be allowed (without counting one)."""
    limit, window = parse(rate)
    return int(cache.get(f"rl:{scope}:{key}:{int(time.time()) // window}", 0)) < limit
