"""This installation's Ed25519 signing key for escalation bundles.

Kept like the installation's other keys: ``<data dir>/keys/escalation_ed25519.pem``
(PKCS#8 PEM, folder 0700, file 0600), made on first use, never shipped (there is no
default key: each installation, and each test, makes its own). ``xuncha backup`` copies
the whole ``keys/`` folder, so a restored installation signs with the same key and the
upper office's registration stays valid. Losing the file means a new key: the upper
office must register the new fingerprint.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from .bundle import fingerprint, public_raw

FILE_NAME = "escalation_ed25519.pem"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / FILE_NAME


def signing_key() -> Ed25519PrivateKey:
    """The installation's key, created on first use (atomically: two processes starting
    at once end up with the same key, as in :mod:`xuncha.config.keys`)."""
    path = key_path()
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} 不是 Ed25519 私钥。")
    return key


def own_fingerprint() -> str:
    return fingerprint(public_raw(signing_key()))


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, tmp = tempfile.mkstemp(prefix=".escalation-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: keep its key
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
