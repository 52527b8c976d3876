"""Tests: fast hashing, files in a temporary folder; the database from the environment
(SQLite by default, PostgreSQL when ``XUNCHA_DATABASE_URL`` is set — CI runs both)."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DATA_DIR = Path(tempfile.mkdtemp(prefix="xuncha-test-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
