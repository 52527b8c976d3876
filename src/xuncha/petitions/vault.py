"""Encryption at rest for petitions, with keys kept outside the database.

The key file (``settings.PETITION_KEY_FILE``, by default ``<data dir>/keys/petitions.json``,
mode 0600) holds the Fernet keys (the first encrypts, all decrypt, so a new key can be
put first and old rows re-encrypted) and the pepper for receipt codes. A copy of the
database alone reveals no content, identity, attachment or receipt code. Losing the key
file loses the petitions: it is backed up separately from the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_create_lock = threading.Lock()


class VaultError(Exception):
    """The key file is missing, unreadable or does not match the data."""


@dataclass(frozen=True)
class Keys:
    fernet: MultiFernet
    pepper: bytes


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = {"fernet": [Fernet.generate_key().decode()], "pepper": os.urandom(32).hex()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)


@lru_cache(maxsize=4)
def _load(path: Path) -> Keys:
    with _create_lock:
        if not path.exists():
            if not settings.PETITION_KEY_CREATE:
                raise VaultError(
                    f"找不到信访加密密钥文件 {path}，请先运行 xuncha manage petition_keys。"
                )
            _create(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        fernets = [Fernet(k.encode()) for k in body["fernet"]]
        pepper = bytes.fromhex(body["pepper"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise VaultError(f"信访加密密钥文件 {path} 无法读取或格式不对：{err}") from err
    if not fernets or len(pepper) < 16:
        raise VaultError(f"信访加密密钥文件 {path} 缺少密钥。")
    return Keys(MultiFernet(fernets), pepper)


def keys() -> Keys:
    return _load(Path(settings.PETITION_KEY_FILE))


def seal(data: bytes) -> bytes:
    return keys().fernet.encrypt(data)


def unseal(token: bytes | memoryview) -> bytes:
    try:
        return keys().fernet.decrypt(bytes(token))
    except InvalidToken as err:
        raise VaultError("信访数据无法解密：密钥文件与数据库不匹配。") from err


def seal_json(value: Any) -> bytes:
    return seal(json.dumps(value, ensure_ascii=False).encode())


def unseal_json(token: bytes | memoryview | None) -> Any:
    return None if token is None else json.loads(unseal(token))


def receipt_digest(code: str) -> str:
    """A receipt code's lookup hash: HMAC with the pepper, so a leaked database cannot
    be searched by trying all 10^16 codes."""
    return hmac.new(keys().pepper, code.encode(), hashlib.sha256).hexdigest()


def rotate(path: Path) -> None:
    """Put a new key first (old keys still decrypt; re-encrypt with :func:`reencrypt`)."""
    body = json.loads(path.read_text(encoding="utf-8"))
    body["fernet"].insert(0, Fernet.generate_key().decode())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)
    os.replace(tmp, path)
    _load.cache_clear()


def reencrypt(token: bytes | memoryview) -> bytes:
    return keys().fernet.rotate(bytes(token))
