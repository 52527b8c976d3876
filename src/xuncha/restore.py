"""``xuncha restore``: put an archive made by ``xuncha backup`` back (see
:mod:`xuncha.backup` for the format and the promises: every checksum checked before
anything is written, nothing half-written on failure)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections

from .backup import (
    AREAS,
    CHUNK,
    FORMAT,
    MANIFEST,
    VERSION,
    BackupError,
    Summary,
    engine,
    fcntl,
    keys_dir,
    lock_file,
    petition_key_outside,
    pg_tool,
    summary_of,
)  # fmt: skip

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# ------------------------------------------------------------------ checking


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:")
    except (tarfile.TarError, OSError) as err:
        raise BackupError(
            f"无法读取备份文件 {archive}：它不是 xuncha backup 生成的备份（{err}）。"
        ) from None


def _safe(name: str, member: tarfile.TarInfo, archive: Path) -> PurePosixPath:
    """A member name that stays inside its area (no absolute path, no "..")."""
    path = PurePosixPath(name)
    if (not member.isreg() or path.is_absolute() or ".." in path.parts or len(path.parts) < 2
            or path.parts[0] not in AREAS):  # fmt: skip
        raise BackupError(f"备份文件 {archive} 中有不允许的条目「{name}」，已拒绝恢复。")
    return path


def _manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], archive: Path) -> Any:
    member = members.get(MANIFEST)
    source = tar.extractfile(member) if member is not None and member.isreg() else None
    if source is None:
        raise BackupError(f"备份文件 {archive} 中没有清单 {MANIFEST}，不是完整的备份。")
    try:
        manifest = json.loads(source.read())
        ok = (manifest["format"], manifest["version"]) == (FORMAT, VERSION)
        ok = (
            ok and manifest["database"]["engine"] in ENGINES and isinstance(manifest["files"], list)
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise BackupError(f"备份文件 {archive} 的清单 {MANIFEST} 无法识别（格式或版本不符）。")
    return manifest


def _matches(
    tar: tarfile.TarFile, member: tarfile.TarInfo, entry: Any, out: IO[bytes] | None = None
) -> bool:
    """Whether the member's size and SHA-256 are the manifest entry's; read once, and
    copied to ``out`` on the way when given."""
    sha, size, source = hashlib.sha256(), 0, tar.extractfile(member)
    assert source is not None
    for chunk in iter(lambda: source.read(CHUNK), b""):
        sha.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return (size, sha.hexdigest()) == (entry["size"], entry["sha256"])


def verify(archive: Path) -> Any:
    """The manifest, once every member is listed in it and matches its checksum."""
    try:
        with _open(archive) as tar:
            members: dict[str, tarfile.TarInfo] = {}
            for member in tar:
                if member.name in members:
                    raise BackupError(
                        f"备份文件 {archive} 中「{member.name}」出现了两次，已拒绝恢复。"
                    )
                members[member.name] = member
            manifest = _manifest(tar, members, archive)
            expected = {str(e["path"]): e for e in manifest["files"]}
            odd = sorted((set(members) ^ set(expected)) - {MANIFEST})
            if odd or manifest["database"]["file"] not in expected:
                raise BackupError(
                    f"备份文件 {archive} 与其清单不符（{'、'.join(odd[:5]) or '缺少数据库'}）。"
                )
            for name, entry in expected.items():
                _safe(name, members[name], archive)
                if not _matches(tar, members[name], entry):
                    raise BackupError(
                        f"备份文件 {archive} 已损坏或被改动：「{name}」与清单中的校验和不符。"
                    )
    except (tarfile.TarError, EOFError, OSError) as err:
        raise BackupError(f"备份文件 {archive} 不完整或已损坏：{err}") from None
    return manifest


def holds_data() -> list[str]:
    """What this installation already holds that a restore would overwrite."""
    from xuncha.accounts.models import User

    found = []
    if User._meta.db_table in connection.introspection.table_names() and User.objects.exists():
        found.append("数据库中已有用户")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        found.append(f"附件目录 {media} 中已有文件")
    if Path(settings.PETITION_KEY_FILE).exists():
        found.append(f"已有信访举报密钥 {settings.PETITION_KEY_FILE}")
    return found


# ------------------------------------------------------------------ swapping in


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@dataclass
class _Swap:
    """A staged file or folder put in place of ``target``; the old one (and, for an
    SQLite database, its -wal and -shm files) kept aside until the restore succeeds."""

    target: Path
    staged: Path
    token: str
    companions: tuple[str, ...] = ()
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    placed: bool = False

    def _aside(self, path: Path) -> Path:
        return path.with_name(f".xuncha-old-{self.token}-{path.name}")

    def put_in(self) -> None:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for path in (self.target, *(Path(f"{self.target}{s}") for s in self.companions)):
            if path.exists() or path.is_symlink():
                path.rename(self._aside(path))
                self.moved.append((path, self._aside(path)))
        self.staged.rename(self.target)
        self.placed = True

    def take_back(self) -> None:
        if self.placed:
            _remove(self.target)
        for path, aside in reversed(self.moved):
            aside.rename(path)

    def finish(self) -> None:
        for _, aside in self.moved:
            _remove(aside)

    def discard(self) -> None:
        if not self.placed:
            _remove(self.staged)


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: Any, dest: Path) -> None:
    """Copy one member out, checking its checksum again (the archive could change between
    the check and the copy)."""
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        same = _matches(tar, member, entry, out)
        out.flush()
        os.fsync(out.fileno())
    if not same:
        raise BackupError(f"恢复中止：「{member.name}」在读取时与清单不符，备份文件可能正被改动。")
    os.utime(dest, (member.mtime, member.mtime))


@dataclass
class _Plan:
    swaps: dict[str, _Swap]
    dump: Path | None = None  # a PostgreSQL dump, loaded last


def _plan(token: str, scratch: Path) -> _Plan:
    def staged(target: Path) -> Path:
        return target.parent / f".xuncha-restore-{token}-{target.name}"

    targets = {"media": Path(settings.MEDIA_ROOT), "keys": keys_dir()}
    outside = petition_key_outside()
    if outside is not None:
        targets["petition-key"] = outside
    swaps = {area: _Swap(t, staged(t), token) for area, t in targets.items()}
    for area in ("media", "keys"):
        swaps[area].staged.mkdir(mode=0o700 if area == "keys" else 0o755, parents=True)
    if engine() == "postgresql":
        return _Plan(swaps, dump=scratch / "xuncha.pgdump")
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:":
        raise BackupError("当前数据库在内存中（测试配置），无法恢复到这里。")
    db = Path(name)
    swaps["database"] = _Swap(db, staged(db), token, companions=("-wal", "-shm"))
    return _Plan(swaps)


def _destination(plan: _Plan, name: str) -> Path:
    path = PurePosixPath(name)
    area, rest = path.parts[0], PurePosixPath(*path.parts[1:])
    if area == "database":
        return plan.dump or plan.swaps["database"].staged
    if area == "petition-key" and "petition-key" not in plan.swaps:
        key = Path(settings.PETITION_KEY_FILE).resolve()
        return plan.swaps["keys"].staged / key.relative_to(keys_dir().resolve())
    swap = plan.swaps[area]
    return swap.staged / rest if area != "petition-key" else swap.staged


def _stage(archive: Path, manifest: Any, plan: _Plan) -> None:
    with _open(archive) as tar:
        for entry in manifest["files"]:
            _extract(tar, tar.getmember(entry["path"]), entry, _destination(plan, entry["path"]))
    if "database" in plan.swaps:
        with contextlib.closing(sqlite3.connect(plan.swaps["database"].staged)) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"备份文件 {archive} 中的 SQLite 数据库未通过完整性检查。")


def _put_in(plan: _Plan) -> None:
    """Swap every staged path in, then load a PostgreSQL dump (one transaction); on any
    failure swap the old ones back."""
    done: list[_Swap] = []
    connections.close_all()
    try:
        for swap in plan.swaps.values():
            swap.put_in()
            done.append(swap)
        if plan.dump is not None:
            pg_tool("pg_restore", ["--single-transaction", "--exit-on-error", "--no-owner",
                                    "--no-privileges", "--clean", "--if-exists", str(plan.dump)])  # fmt: skip
    except BaseException:
        for swap in reversed(done):
            swap.take_back()
        raise
    for swap in done:
        swap.finish()


LOCK_NAME = ".xuncha-restore.lock"


@contextlib.contextmanager
def _only_restore() -> Iterator[list[str]]:
    """One restore at a time (a lock file in the data folder). Staging left by a killed
    restore is removed; folders it had set aside (the installation's previous data) are
    kept and named, for the operator to look at."""
    data = Path(settings.DATA_DIR)
    data.mkdir(parents=True, exist_ok=True)
    lock_path = data / LOCK_NAME
    lock_path.touch(mode=0o600, exist_ok=True)
    fd = lock_file(lock_path)
    if fd is None and fcntl is not None:
        raise BackupError(f"另一个恢复正在进行（{lock_path} 被占用），请等它结束。")
    try:
        folders = {data, Path(settings.MEDIA_ROOT).parent, keys_dir().parent}
        if engine() == "sqlite" and connection.settings_dict["NAME"] != ":memory:":
            folders.add(Path(str(connection.settings_dict["NAME"])).parent)
        for folder in folders:
            for stale in folder.glob(".xuncha-restore-*"):
                _remove(stale)
        aside = sorted(str(p) for f in folders for p in f.glob(".xuncha-old-*"))
        yield [f"上次中断的恢复留下了原有数据：{path}（确认不再需要后可删除）" for path in aside]
    finally:
        if fd is not None:
            os.close(fd)


def restore(archive: Path, *, force: bool = False) -> Summary:
    """Restore ``archive`` into this installation (see the module docstring)."""
    manifest = verify(archive)
    kind = manifest["database"]["engine"]
    if kind != engine():
        raise BackupError(f"备份来自 {ENGINES[kind]} 数据库，而当前安装使用 {ENGINES[engine()]}，"
                          "请在同类数据库上恢复。")  # fmt: skip
    held = holds_data()
    if held and not force:
        raise BackupError(f"当前安装中已有数据（{'；'.join(held)}），恢复会覆盖它们。"
                          "确认要覆盖时，请加 --force 重新运行。")  # fmt: skip
    with (
        _only_restore() as notes,
        tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".xuncha-restore-") as scratch,
    ):
        plan = _plan(secrets.token_hex(4), Path(scratch))
        try:
            _stage(archive, manifest, plan)
            _put_in(plan)
        finally:
            for swap in plan.swaps.values():
                swap.discard()
    summary = summary_of(manifest, Path(archive).stat().st_size)
    return dataclasses.replace(summary, notes=tuple(notes))


def describe(archive: Path) -> Iterator[str]:
    """Lines for ``xuncha restore --check``: what the archive holds."""
    manifest = verify(archive)
    summary = summary_of(manifest, Path(archive).stat().st_size)
    yield f"备份时间：{manifest['created']}（UTC）；数据库：{ENGINES[summary.engine]}"
    yield f"附件 {summary.files['media']} 个，密钥文件 {summary.key_files} 个"
