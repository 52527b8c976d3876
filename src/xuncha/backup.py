"""``xuncha backup`` and ``xuncha restore``: the database, the media and the keys in one
archive, with a manifest of SHA-256 checksums.

The archive is a plain tar (attachments are encrypted, so compression would gain
little and cost a core): ``database/`` holds an SQLite snapshot made with SQLite's
online backup API (consistent while the server runs) or a ``pg_dump`` custom-format
dump; ``media/`` the uploaded files; ``keys/`` the data folder's key files (the
petition key and the secret key: without them the petitions cannot be read, so the
archive is written 0600 and must be kept like the keys); ``manifest.json`` lists every
member with its size and checksum. It is written to a temporary file beside ``--out``
and renamed into place, so a failed or killed run never leaves a half archive under
that name.

A restore checks every checksum before it writes anything, refuses an installation
that already holds data unless forced, stages every file beside its destination, then
swaps the folders in and loads the database last (PostgreSQL in one transaction). If
anything fails, the folders are swapped back: the installation is as it was.
Checksums find a damaged or altered archive; they do not prove who made it (whoever can
edit the archive can edit the manifest), so backups belong where only administrators reach.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are not swept there
    fcntl = None  # type: ignore[assignment]

from django.conf import settings
from django.db import connection

FORMAT, VERSION = "xuncha-backup", 1
MANIFEST = "manifest.json"
AREAS = ("database", "media", "keys", "petition-key")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on (message in Chinese, naming the file)."""


@dataclass(frozen=True)
class Summary:
    engine: str
    files: dict[str, int]  # area -> number of files
    size: int
    notes: tuple[str, ...] = ()  # things the operator should look at

    @property
    def key_files(self) -> int:
        """The key files, wherever XUNCHA_PETITION_KEY_FILE put the petition key."""
        return self.files["keys"] + self.files["petition-key"]


def engine() -> str:
    name = str(connection.settings_dict["ENGINE"])
    if name.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in name:
        return "postgresql"
    raise BackupError(f"不支持备份这种数据库：{name}（只支持 SQLite 和 PostgreSQL）。")


def keys_dir() -> Path:
    return Path(settings.DATA_DIR) / "keys"


def petition_key_outside() -> Path | None:
    """The petition key file when XUNCHA_PETITION_KEY_FILE puts it outside keys/."""
    key = Path(settings.PETITION_KEY_FILE).resolve()
    return None if key.is_relative_to(keys_dir().resolve()) else key


def _sources() -> Iterator[tuple[str, Path]]:
    """(member name, file) for every file outside the database."""
    for area, root in (("media", Path(settings.MEDIA_ROOT)), ("keys", keys_dir())):
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                yield f"{area}/{path.relative_to(root).as_posix()}", path
    outside = petition_key_outside()
    if outside is not None and outside.is_file():
        yield f"petition-key/{outside.name}", outside


# ------------------------------------------------------------------ database out


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD")):  # fmt: skip
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def pg_tool(name: str, arguments: list[str]) -> None:
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 数据库的备份与恢复需要 PostgreSQL 客户端工具"
            "（Debian/Ubuntu：apt-get install postgresql-client；Windows：安装 PostgreSQL，"
            "并把其 bin 目录加入 PATH），版本不低于数据库服务器。"
        )
    name_arg = f"--dbname={connection.settings_dict['NAME']}"
    done = subprocess.run([program, *arguments, name_arg], env=_pg_env(), capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"{name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> tuple[str, Path]:
    """The database as one file in ``folder``: (member name, file)."""
    if engine() == "sqlite":
        target = folder / "xuncha.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # consistent even while others write
        copy.close()
        return f"database/{target.name}", target
    target = folder / "xuncha.pgdump"
    pg_tool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
    return f"database/{target.name}", target


# ------------------------------------------------------------------ archive out


class _Hashing:
    """A file read through for tarfile, hashing what passes."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.sha = f, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path, mtime: int | None = None) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    stat = path.stat()
    info.size, info.mode = stat.st_size, 0o600
    info.mtime = int(stat.st_mtime) if mtime is None else mtime
    try:
        with path.open("rb") as f:
            reader = _Hashing(f)
            tar.addfile(info, reader)
    except OSError as err:
        raise BackupError(
            f"读取 {path} 失败（{err}）：文件可能在备份过程中被改动或删除，请重试。"
        ) from None
    return {"path": name, "size": info.size, "sha256": reader.sha.hexdigest()}


TEMP_PREFIX = ".xuncha-backup-"


def lock_file(path: Path) -> int | None:
    """An exclusive lock on ``path`` while the returned descriptor stays open; None when
    another process holds it (or where there is no flock, on Windows: never swept)."""
    if fcntl is None:
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep(folder: Path) -> list[Path]:
    """Remove what killed backups left in ``folder`` (a temporary archive holds the keys):
    a temporary file no running backup holds locked, and a scratch folder without its file."""
    removed = []
    for tmp in folder.glob(f"{TEMP_PREFIX}*.tmp"):
        fd = lock_file(tmp)
        if fd is not None:
            shutil.rmtree(tmp.with_suffix(".d"), ignore_errors=True)
            tmp.unlink(missing_ok=True)
            os.close(fd)
            removed.append(tmp)
    for scratch in folder.glob(f"{TEMP_PREFIX}*.d"):
        if not scratch.with_suffix(".tmp").exists():
            shutil.rmtree(scratch, ignore_errors=True)
            removed.append(scratch)
    return removed


def create(out: Path) -> Summary:
    """Write the archive to ``out`` (replacing a previous one only when complete). The
    temporary file beside it is locked while this run lives, so the next run can tell a
    killed run's leftovers from a running one's and remove them."""
    out = Path(out)
    sweep(out.parent)
    # mkstemp makes the file 0600 (it will hold the keys); the rename keeps that mode.
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    tmp = Path(tmp_name)
    lock = lock_file(tmp)
    scratch = tmp.with_suffix(".d")
    try:
        scratch.mkdir(mode=0o700)
        with os.fdopen(fd, "wb") as raw:
            manifest = _write(raw, scratch)
            raw.flush()
            os.fsync(raw.fileno())
        shutil.rmtree(scratch)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    return summary_of(manifest, out.stat().st_size)


def _write(raw: IO[bytes], scratch: Path) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    day = int(dt.datetime.combine(now.date(), dt.time(), dt.UTC).timestamp())
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        db_name, db_file = _dump_database(scratch)
        files = [_add(tar, db_name, db_file, mtime=day)]
        db_file.unlink()
        files += [_add(tar, name, path) for name, path in _sources()]
        manifest = {"format": FORMAT, "version": VERSION, "created": now.isoformat(),
                    "database": {"engine": engine(), "file": db_name}, "files": files}  # fmt: skip
        _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1), day)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, text: str, mtime: int) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, mtime
    tar.addfile(info, io.BytesIO(data))


def summary_of(manifest: dict[str, Any], size: int) -> Summary:
    counts = {area: 0 for area in AREAS}
    for entry in manifest["files"]:
        counts[entry["path"].split("/", 1)[0]] += 1
    return Summary(manifest["database"]["engine"], counts, size)
