"""Tests: fast hashing, files in a temporary folder; the database from the environment
(SQLite by default, PostgreSQL when ``XUNCHA_DATABASE_URL`` is set — CI runs both).

The secret key is made fresh for each test run, like an installation's first start: no
key is written in the code, so no test can pass only because it knows one."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from xuncha.config import keys

# base.py reads the key from the environment or a key file in the data folder; give it
# this run's key so importing it leaves no key file in the current folder.
_given = os.environ.get(keys.ENV)
os.environ[keys.ENV] = _given or keys.new_key()
try:
    from .base import *  # noqa: F403
finally:
    if _given is None:
        del os.environ[keys.ENV]

DATA_DIR = Path(tempfile.mkdtemp(prefix="xuncha-test-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()
PETITION_KEY_FILE = DATA_DIR / "keys" / "petitions.json"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
