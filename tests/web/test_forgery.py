"""Forgery (issue 15): with every key the code base contains, or ever contained, a forged
receipt cookie opens no petition and a forged proof-of-work challenge is refused.

The keys are gathered from the source tree itself (every literal given to a secret-,
key-, salt- or pepper-like name, and every ``XUNCHA_SECRET_KEY=`` in docs and scripts),
plus the fallback key that shipped before issue 15, the empty key and Django's default.
Each forgery is tried against a real petition whose receipt code is known, so the only
thing missing is the installation's own secret; a control with the real page shows the
same requests do succeed when the secret is right.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core import signing
from django.urls import reverse

from web import test_petitions
from web.test_petitions import SECRET, form_data, receipt_of, submit
from xuncha.petitions import pow
from xuncha.petitions.models import Petition, ReceiptSession

ROOT = Path(__file__).resolve().parents[2]
# Keys the code base shipped or that every Django project knows.
KNOWN = [
    "insecure-development-key-change-me",  # base.py's fallback before issue 15
    "",
    global_settings.SECRET_KEY,
    "django-insecure-",
    "change-me",
    "secret",
]
LITERAL = re.compile(
    r"""(?ix)(?:secret|key|salt|pepper)\w*["']?\s*[:=]\s*b?["']([^"'\n]{0,200})["']"""
)
ENV_KEY = re.compile(r"XUNCHA_SECRET_KEY=([^\s`'\"]+)")
# Generated data, caches and installed packages: not the code base (and large).
SKIP = {".git", ".venv", ".venv-tools", "node_modules", "__pycache__", ".mypy_cache",
        ".ruff_cache", ".pytest_cache", "xuncha-data", "demo-output", "data", "out"}  # fmt: skip
MAX_BYTES = 2 * 1024 * 1024


def _source_files() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP]
        for path in (Path(folder) / f for f in files):
            if path.stat().st_size <= MAX_BYTES and _is_source(path):
                yield path


SUFFIXES = {".py", ".md", ".toml", ".sh", ".cfg", ".ini", ".txt", ".env", ".js", ".html"}


def _is_source(path: Path) -> bool:
    return path.suffix in SUFFIXES or path.name in {"Makefile", "run"}


def code_base_keys() -> list[str]:
    found = set(KNOWN)
    for path in _source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(LITERAL.findall(text))
        found.update(ENV_KEY.findall(text))
    return sorted(found)


KEYS = code_base_keys()


# The fixtures of test_petitions: a fresh cache and cheap work for every test, a QR code.
_fresh_cache, intake = test_petitions._fresh_cache, test_petitions.intake


@pytest.fixture
def petition_and_code(client, intake):
    code = receipt_of(submit(client, intake))
    return Petition.objects.get(), code, intake


def test_the_scan_finds_the_keys_it_must(settings):
    assert len(KEYS) > len(KNOWN)
    assert "insecure-development-key-change-me" in KEYS and "" in KEYS
    assert "xuncha.petitions.pow.v2" in KEYS  # the proof-of-work key's salt (pow.py)
    assert settings.SECRET_KEY not in KEYS  # this run's key is in no file


# ------------------------------------------------------------------ forgeries


def _old_signed(value: str, key: str, salt: str) -> str:
    """Django's TimestampSigner format (what the code used before issue 15), computed
    with an explicit key (Django's own signer would fall back to the real key for "")."""
    value = f"{value}:{signing.b62_encode(int(time.time()))}"
    return f"{value}:{signing.base64_hmac(salt + 'signer', value, key, algorithm='sha256')}"


def forged_cookies(pk: int, key: str) -> list[str]:
    cookie_key = "django.http.cookies" + key  # set_signed_cookie's key
    mac = hmac.new(key.encode(), str(pk).encode(), hashlib.sha256)
    return [
        _old_signed(str(pk), cookie_key, "xc_receipt" + "xuncha.petitions.receipt"),
        _old_signed(str(pk), key, "xuncha.petitions.receipt"),
        str(pk),
        mac.hexdigest(),
        signing.b64_encode(mac.digest()).decode(),
        hashlib.sha256(f"{key}{pk}".encode()).hexdigest(),
    ]


def forged_challenges(key: str, bits: int) -> list[str]:
    now, rand = int(time.time()), secrets.token_hex(12)
    derived = hmac.new(key.encode(), pow.KEY_SALT, hashlib.sha256).digest()
    made = []
    for issued in (now, now + 86_400):  # current, and dated a day ahead to last longer
        body = f"{bits}.{issued}.{rand}"
        made.append(f"{body}.{hmac.new(derived, body.encode(), hashlib.sha256).hexdigest()}")
        made.append(f"{body}.{hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()}")
    made.append(_old_signed(f"{bits}.{rand}", key, "xuncha.petitions.pow"))
    return made


@pytest.mark.parametrize("key", KEYS)
def test_a_forged_receipt_cookie_opens_nothing(client, petition_and_code, key):
    petition, _code, _intake = petition_and_code
    for value in forged_cookies(petition.pk, key):
        client.cookies["xc_receipt"] = value
        response = client.get(reverse("petitions_public:status"))
        assert response.status_code == 302, value
        assert response.url == reverse("petitions_public:receipt")
        sent = client.post(reverse("petitions_public:status"), {"body": "伪造的留言"})
        assert sent.status_code == 302 and not petition.messages.exists()


@pytest.mark.parametrize("key", KEYS)
def test_a_forged_challenge_is_refused(client, petition_and_code, key):
    _petition, code, intake = petition_and_code
    for token in forged_challenges(key, pow.receipt_bits()):
        nonce = pow.solve(token)
        login = client.post(reverse("petitions_public:receipt"),
                            {"code": code, "pow_challenge": token, "pow_nonce": nonce})  # fmt: skip
        assert login.status_code == 400 and "xc_receipt" not in login.cookies, token
        path = reverse("petitions_public:intake", args=[intake.token])
        sent = client.post(path, {"pow_challenge": token, "pow_nonce": nonce, "anonymous": "1",
                                  "what": "伪造挑战的提交内容"})  # fmt: skip
        assert sent.status_code == 400 and "校验" in sent.content.decode()
    assert Petition.objects.count() == 1 and not ReceiptSession.objects.exists()


def test_the_same_requests_succeed_with_the_installation_secret(client, petition_and_code):
    """The control: the real page's challenge logs in and the real cookie opens the
    petition, so the refusals above are the keys', not the requests' fault."""
    _petition, code, _intake = petition_and_code
    path = reverse("petitions_public:receipt")
    assert client.post(path, form_data(client, path, code=code)).status_code == 302
    assert SECRET in client.get(reverse("petitions_public:status")).content.decode()
