"""Waitress as `xuncha serve` runs it: limits on slow, idle and oversize requests, the
reverse proxy's headers trusted only from the proxy, and each request's body limit
applied as soon as its headers arrive.

Waitress reads a whole request body (to a temporary file past 512 KB) before the
application sees the request, so Django's own 413 (RequestGuardMiddleware) comes only
after the bytes are in. The parser here looks the URL up when the headers are complete
and refuses a body over that view's limit before reading it: REQUEST_MAX_BYTES for every
view, a larger one (DATASET_MAX_BYTES) only where a view is marked with ``upload_limit``.
"""

from __future__ import annotations

import logging
import select
import sys
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import RequestEntityTooLarge

logger = logging.getLogger(__name__)

# Idle connections (sent nothing for this long) are closed; a slow upload that keeps
# sending is not idle. Checked every CLEANUP_SECONDS.
CHANNEL_TIMEOUT_SECONDS = 30
CLEANUP_SECONDS = 10
# Open connections before waitress stops accepting more. poll() is used where it exists,
# so this is not bound by select()'s 1,024 descriptors (the process's descriptor limit is
# raised to fit); Windows has only select(), which takes at most 512.
CONNECTION_LIMIT = 1000 if hasattr(select, "poll") else 400
# The proxy headers waitress takes from XUNCHA_TRUSTED_PROXY (and strips from anyone else).
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}


@lru_cache(maxsize=512)
def _limit_setting(path: str) -> str:
    try:
        view = resolve(path).func
    except Resolver404:
        return "REQUEST_MAX_BYTES"
    return str(getattr(view, "upload_limit_setting", "REQUEST_MAX_BYTES"))


def body_limit(path: str) -> int:
    """The largest body a request to ``path`` may carry (see ``upload_limit``)."""
    return int(getattr(settings, _limit_setting(path)))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


class BodyLimitParser(HTTPRequestParser):
    """Refuses a body over its URL's limit as soon as the headers are in (by the declared
    Content-Length) or, for a chunked body, as soon as it grows past the limit."""

    limit: int | None = None
    peer = ""  # the connecting address, set by GuardedChannel
    error: Any = None  # as in waitress (untyped there)

    def received(self, data: bytes) -> int:
        consumed: int = super().received(data)
        if not self.headers_finished or self.error is not None or self.empty:
            return consumed
        if self.limit is None:
            self.limit = body_limit(self.path or "/")
        size = max(self.content_length, self.body_bytes_received)
        if size > self.limit:
            self.error = RequestEntityTooLarge(
                f"提交的内容共 {_mb(size)}，超过 {_mb(self.limit)} 的上限，请减少或压缩附件后重试。"
            )
            self.completed = True
            count_refusal(self.peer, self.headers)
        return consumed


def count_refusal(peer: str, headers: dict[str, str]) -> None:
    """A body refused here never reaches RequestGuardMiddleware, which counts a refusal
    toward its client's rate limits; count it the same way, for the address the app would
    have seen (the proxy's X-Forwarded-For only when the peer is XUNCHA_TRUSTED_PROXY)."""
    from xuncha.common import ratelimit

    address, forwarded = peer, headers.get("X_FORWARDED_FOR", "")
    if forwarded and settings.TRUSTED_PROXY and peer == settings.TRUSTED_PROXY:
        address = forwarded.split(",")[-1].strip()
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": address}
    try:
        ratelimit.count_refused(request)
    except Exception:  # the cache unreachable: the refusal itself still stands
        logger.exception("未能记录被拒绝的超大请求")


class GuardedChannel(HTTPChannel):
    def parser_class(self, adj: Any) -> BodyLimitParser:
        parser = BodyLimitParser(adj)
        parser.peer = str(self.addr[0]) if self.addr else ""
        return parser


def options(*, threads: int) -> dict[str, Any]:
    """Waitress adjustments for `xuncha serve` (one process or each of several)."""
    opts: dict[str, Any] = {
        "threads": threads,
        "ident": "xuncha",
        "max_request_body_size": max(settings.REQUEST_MAX_BYTES, settings.DATASET_MAX_BYTES),
        "channel_timeout": CHANNEL_TIMEOUT_SECONDS,
        "cleanup_interval": CLEANUP_SECONDS,
        "connection_limit": CONNECTION_LIMIT,
        "asyncore_use_poll": True,
    }
    if settings.TRUSTED_PROXY:
        opts.update(
            trusted_proxy=settings.TRUSTED_PROXY,
            trusted_proxy_count=1,
            trusted_proxy_headers=PROXY_HEADERS,
            clear_untrusted_proxy_headers=True,
        )
    return opts


def raise_file_limit(connections: int) -> None:
    """Each connection is a descriptor; lift the soft limit (often 1,024) towards the hard
    one so the connection limit, not the descriptor limit, is what a flood meets."""
    if sys.platform == "win32":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + 256
    if soft != resource.RLIM_INFINITY and soft < want:
        top = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))


def run(application: Any, **kw: Any) -> None:
    """``waitress.serve`` with the guarded parser on every listening socket."""
    servers: dict[int, Any] = {}
    server = create_server(application, map=servers, **kw)
    for each in list(servers.values()):
        if isinstance(each, BaseWSGIServer):
            each.channel_class = GuardedChannel
    server.run()


def startup_note() -> str | None:
    """What an administrator must know before opening the address `serve` prints: with
    XUNCHA_HTTPS=1 cookies travel only over HTTPS, so without the TLS proxy no one can
    log in at that plain-HTTP address."""
    if (
        not settings.SESSION_COOKIE_SECURE
        or settings.TRUSTED_PROXY
        or settings.SECURE_PROXY_SSL_HEADER
    ):
        return None
    return (
        "注意：XUNCHA_HTTPS=1（默认），网页只能经 HTTPS 反向代理访问，直接用 http:// 打开将无法登录；"
        "请按 docs/deploy.md 配置 nginx 并设置 XUNCHA_TRUSTED_PROXY，内网只用 HTTP 时设置 XUNCHA_HTTPS=0。"
    )
