"""Production: a real secret key and PostgreSQL are required; cookies stay secure."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if SECRET_KEY.startswith("insecure"):  # noqa: F405
    raise ImproperlyConfigured("生产环境必须设置 XUNCHA_SECRET_KEY。")
DEBUG = False
SESSION_COOKIE_SECURE = os.environ.get("XUNCHA_HTTPS", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
