"""The installation's secret key: given by ``XUNCHA_SECRET_KEY`` or made on first start.

There is no built-in fallback. A key in the source code is public: anyone could sign
cookies and proof-of-work challenges for every installation that forgot to set one.
So each installation makes its own key the first time it starts, in
``<data dir>/keys/secret_key`` (folder 0700, file 0600), and reads it back afterwards.
The web server, the job worker and ``xuncha manage`` see the same data folder and so
share one key.

No Django here: the settings module calls this before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path

ENV = "XUNCHA_SECRET_KEY"
FILE_NAME = "secret_key"
# Django's own deployment check (security.W009) asks for 50 characters and 5 distinct ones.
MIN_LENGTH = 50
MIN_DISTINCT = 5


class SecretKeyError(Exception):
    """A secret key that cannot be made, read or trusted (message in Chinese)."""


def new_key() -> str:
    """86 URL-safe characters from 64 random bytes."""
    return secrets.token_urlsafe(64)


def weakness(key: str) -> str:
    """Why a key is too weak to sign with, or "" when it is fine."""
    if len(key) < MIN_LENGTH:
        return f"长度只有 {len(key)} 个字符，至少需要 {MIN_LENGTH} 个"
    if len(set(key)) < MIN_DISTINCT:
        return f"不同字符少于 {MIN_DISTINCT} 个"
    return ""


def key_file(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / FILE_NAME


def secret_key(data_dir: Path, environ: Mapping[str, str] = os.environ) -> str:
    """The key from ``XUNCHA_SECRET_KEY`` if set (refused when weak), else the data
    folder's key file, created on first use."""
    given = environ.get(ENV, "").strip()
    if given:
        problem = weakness(given)
        if problem:
            raise SecretKeyError(
                f"环境变量 {ENV} 设置的密钥太弱（{problem}）。请删除该变量让系统自动生成，"
                f'或设置为随机生成的长字符串，例如：python -c "import secrets; print(secrets.token_urlsafe(64))"。'
            )
        return given
    return read_or_create(key_file(data_dir))


def read_or_create(path: Path) -> str:
    """Read the key file, or create it if there is none.

    Creation is atomic: the key is written whole to a private temporary file, which is
    then hard-linked to its final name. The link fails if the name already exists, so
    when two processes start at once exactly one key wins, both read it, and no reader
    ever sees a half-written file.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".secret_key-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(new_key() + "\n")
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except OSError as err:
        raise SecretKeyError(
            f"无法在 {path} 生成密钥文件（{err.strerror or err}）。请检查数据目录的写权限，"
            f"或设置环境变量 {ENV}。"
        ) from err
    return _read(path)


def _read(path: Path) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise  # the caller creates it
    except (OSError, UnicodeDecodeError) as err:
        raise SecretKeyError(f"密钥文件 {path} 无法读取：{err}") from err
    problem = weakness(key)
    if problem:
        raise SecretKeyError(
            f"密钥文件 {path} 内容无效（{problem}）。若文件已损坏，删除它后重新启动会生成新密钥"
            "（已登录的用户需要重新登录）。"
        )
    return key
