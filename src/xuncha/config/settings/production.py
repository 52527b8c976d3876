"""Production: no debug pages; cookies, redirects and HSTS for HTTPS behind the proxy.
PostgreSQL is set through ``XUNCHA_DATABASE_URL`` (base.py); nothing here requires it."""

import os

from .base import *  # noqa: F403

# The secret key is checked in base.py (xuncha.config.keys): a weak XUNCHA_SECRET_KEY or
# key file is refused there, in every settings module.
DEBUG = False
# XUNCHA_HTTPS=1 (default): the workbench is reached over HTTPS, through the TLS proxy of
# docs/deploy.md. Cookies are sent only over HTTPS, a plain-HTTP visit is redirected to
# https://, and browsers are told (HSTS) to use nothing else for XUNCHA_HSTS_SECONDS.
# An intranet served over plain HTTP sets XUNCHA_HTTPS=0: with 1, browsers would keep no
# login cookie over http:// and every form would be refused.
HTTPS = os.environ.get("XUNCHA_HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Only the proxy's header tells an HTTPS request from a plain one. Without a proxy set
# (XUNCHA_TRUSTED_PROXY or XUNCHA_PROXY_SSL_HEADER) every request looks plain: redirecting
# would send browsers to an https:// address nobody serves, so the page is answered and
# the first form explains, in Chinese, why it was refused (common.views.csrf_failure).
SECURE_SSL_REDIRECT = HTTPS and bool(TRUSTED_PROXY or SECURE_PROXY_SSL_HEADER)  # noqa: F405
SECURE_HSTS_SECONDS = int(os.environ.get("XUNCHA_HSTS_SECONDS", 31_536_000 if HTTPS else 0))
# No other site lives under the workbench's own host name, and preloading only
# takes effect if someone submits the name to the browsers' list, which an intranet
# name never is: both are safe to announce, and `check --deploy` asks for them.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
