"""The nginx configuration of the documented deployment (docs/deploy.md), rendered from
the template shipped in this package with the installation's own limits: the request
size of every view (``REQUEST_MAX_BYTES``, or what ``upload_limit`` grants it) is read
from the URL configuration, so nginx and `xuncha serve` refuse the same bodies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import get_resolver

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# `--standalone`: a whole nginx.conf whose every path lies under one folder, so nginx
# runs as any user (trying the setup, the tests, the benchmark).
STANDALONE = """\
{user}pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_processes 1;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/xuncha.conf;
}}
"""


@dataclass(frozen=True)
class Site:
    server_name: str
    cert: Path
    key: Path
    upstream: str = "127.0.0.1:8000"
    https_port: int = 443
    http_port: int = 80


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        regex = prefix + p.pattern.regex.pattern.lstrip("^")
        if hasattr(p, "url_patterns"):
            yield from _patterns(p.url_patterns, regex)
        else:
            yield regex, p.callback


def upload_locations() -> list[tuple[str, int]]:
    """(nginx regex, body limit) for each view marked with ``upload_limit``."""
    found = []
    for regex, view in _patterns(get_resolver().url_patterns):
        if setting := getattr(view, "upload_limit_setting", None):
            found.append(("^/" + regex, int(getattr(settings, setting))))
    return found


def _upload_block(regex: str, limit: int) -> str:
    return (
        f"    location ~ {regex} {{\n"
        f"        client_max_body_size {limit};\n"
        "        client_body_timeout 120s;\n"
        "        proxy_pass http://xuncha;\n"
        "    }\n"
    )


def render(site: Site) -> str:
    """The server blocks for ``site``; refuses names that would break out of nginx syntax."""
    for text in (site.server_name, str(site.cert), str(site.key), site.upstream):
        if not text or re.search(r"[\s;{}'\"$#]", text):
            raise ValueError(
                f"不能用于 nginx 配置的值：「{text}」（不能含空格、引号或 ; {{ }} $ #）"
            )
    values = {
        "SERVER_NAME": site.server_name,
        "CERT": str(site.cert),
        "KEY": str(site.key),
        "UPSTREAM": site.upstream,
        "UPSTREAM_PORT": site.upstream.rsplit(":", 1)[-1],
        "HTTPS_PORT": str(site.https_port),
        "HTTP_PORT": str(site.http_port),
        "HTTPS_SUFFIX": "" if site.https_port == 443 else f":{site.https_port}",
        "REQUEST_MAX_BYTES": str(int(settings.REQUEST_MAX_BYTES)),
        "UPLOAD_LOCATIONS": "".join(_upload_block(r, n) for r, n in upload_locations()),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def standalone(prefix: Path, *, as_root: bool) -> str:
    """A main nginx.conf for ``nginx -p PREFIX -c PREFIX/nginx.conf`` that includes
    PREFIX/xuncha.conf; as root, workers keep root's identity so they can read PREFIX."""
    return STANDALONE.format(prefix=prefix, user="user root;\n" if as_root else "")
