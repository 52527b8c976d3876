"""Encryption at rest for petitions, with keys kept outside the database.

The key file (``settings.PETITION_KEY_FILE``, by default ``<data dir>/keys/petitions.json``,
mode 0600) holds the AES-GCM keys (``aesgcm``: the first encrypts, all decrypt, so a new
key can be put first and old rows re-encrypted), the pepper for receipt codes, and the
Fernet keys of earlier versions (``fernet``), kept only to read rows written before.
A copy of the database alone reveals no content, identity, attachment or receipt code.
Losing the key file loses the petitions: a database dump alone does not hold it;
``xuncha backup`` puts it in the same archive as the database (see :mod:`xuncha.backup`).

Why AES-GCM and not Fernet (decision 0006): a Fernet token carries its creation time to
the second in clear, so a stolen database would date every submission and message; we
promise the day only. A token here is ``01 | key id | 96-bit random nonce | ciphertext
and tag``, the first two bytes authenticated as associated data. Fernet tokens are
base64 text and start with ``g``, never with byte 01, so both kinds are told apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_create_lock = threading.Lock()
VERSION = b"\x01"
NONCE_BYTES = 12


class VaultError(Exception):
    """The key file is missing, unreadable or does not match the data."""


@dataclass(frozen=True)
class Keys:
    aesgcm: tuple[bytes, ...]  # the first encrypts
    fernet: MultiFernet | None  # old rows only
    pepper: bytes

    def by_id(self, key_id: int) -> list[bytes]:
        return [k for k in self.aesgcm if key_id_of(k) == key_id]


def key_id_of(key: bytes) -> int:
    """One byte naming a key in a token (keys in one file have distinct ids)."""
    return hashlib.sha256(key).digest()[0]


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def _derived(fernet_key: str) -> bytes:
    """The AES-GCM key of a key file written before AES-GCM (it has Fernet keys only).

    Derived from its first Fernet key, so every process that reads the old file gets
    the same key without writing to the file (two servers upgrading it at once could
    otherwise each invent a key and lose the other's rows)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"xuncha vault aes-gcm v1")
    return hkdf.derive(base64.urlsafe_b64decode(fernet_key))


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = {"aesgcm": [_b64(AESGCM.generate_key(bit_length=256))], "pepper": os.urandom(32).hex()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)


def _parse(body: dict[str, Any]) -> Keys:
    fernet_keys = list(body.get("fernet", []))
    if "aesgcm" in body:
        aesgcm = tuple(base64.urlsafe_b64decode(k) for k in body["aesgcm"])
    else:
        aesgcm = (_derived(fernet_keys[0]),) if fernet_keys else ()
    fernet = MultiFernet([Fernet(k.encode()) for k in fernet_keys]) if fernet_keys else None
    if not aesgcm or any(len(k) != 32 for k in aesgcm):
        raise ValueError("缺少 AES-GCM 密钥或密钥长度不对")
    return Keys(aesgcm=aesgcm, fernet=fernet, pepper=bytes.fromhex(body["pepper"]))


@lru_cache(maxsize=4)
def _load(path: Path) -> Keys:
    with _create_lock:
        if not path.exists():
            if not settings.PETITION_KEY_CREATE:
                raise VaultError(
                    f"找不到信访加密密钥文件 {path}。请从备份恢复该文件；全新安装请设置"
                    " XUNCHA_PETITION_KEY_CREATE=1 以自动生成。"
                )
            _create(path)
    try:
        found = _parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
        raise VaultError(f"信访加密密钥文件 {path} 无法读取或格式不对：{err}") from err
    if len(found.pepper) < 16:
        raise VaultError(f"信访加密密钥文件 {path} 缺少回执码密钥（pepper）。")
    return found


def keys() -> Keys:
    return _load(Path(settings.PETITION_KEY_FILE))


def seal(data: bytes) -> bytes:
    key = keys().aesgcm[0]
    header = VERSION + bytes([key_id_of(key)])
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, data, header)


def unseal(token: bytes | memoryview) -> bytes:
    token = bytes(token)
    found = keys()
    if token[:1] == VERSION and len(token) > 2 + NONCE_BYTES:
        header, nonce, body = token[:2], token[2 : 2 + NONCE_BYTES], token[2 + NONCE_BYTES :]
        for key in found.by_id(token[1]):
            try:
                return AESGCM(key).decrypt(nonce, body, header)
            except InvalidTag:
                continue
    elif found.fernet is not None:
        try:
            return found.fernet.decrypt(token)
        except InvalidToken:
            pass
    raise VaultError("信访数据无法解密：密钥文件与数据库不匹配。")


def is_legacy(token: bytes | memoryview) -> bool:
    """A Fernet token of an earlier version (it dates itself; :func:`reencrypt` it)."""
    return bytes(token[:1]) != VERSION


def seal_json(value: Any) -> bytes:
    return seal(json.dumps(value, ensure_ascii=False).encode())


def unseal_json(token: bytes | memoryview | None) -> Any:
    return None if token is None else json.loads(unseal(token))


def receipt_digest(code: str) -> str:
    """A receipt code's lookup hash: HMAC with the pepper, so a leaked database cannot
    be searched by trying all 10^16 codes."""
    return hmac.new(keys().pepper, code.encode(), hashlib.sha256).hexdigest()


def rotate(path: Path) -> None:
    """Put a new AES-GCM key first (old keys still decrypt; re-encrypt with
    :func:`reencrypt`). A key file of an earlier version gets its derived key written
    out first, so what it encrypted stays readable."""
    body = json.loads(path.read_text(encoding="utf-8"))
    current = list(body.get("aesgcm") or [_b64(k) for k in _parse(body).aesgcm])
    ids = {key_id_of(base64.urlsafe_b64decode(k)) for k in current}
    new = AESGCM.generate_key(bit_length=256)
    while key_id_of(new) in ids:
        new = AESGCM.generate_key(bit_length=256)
    body["aesgcm"] = [_b64(new), *current]
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)
    os.replace(tmp, path)
    _load.cache_clear()


def reencrypt(token: bytes | memoryview) -> bytes:
    """The same data under the current key, as AES-GCM (Fernet tokens move over)."""
    return seal(unseal(token))
