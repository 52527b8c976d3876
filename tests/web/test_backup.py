"""`xuncha backup` and `xuncha restore`: an installation is backed up, restored into an
empty one (a fresh data folder and a fresh database, SQLite or PostgreSQL as the test
run uses), and everything is found there again; a damaged archive changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from web.factories import FindingFactory, pdf
from xuncha import backup
from xuncha.findings.models import Finding
from xuncha.petitions import selectors, services
from xuncha.petitions.models import Attachment, Petition
from xuncha.petitions.services import Content
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import rectification_create
from xuncha.restore import verify

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only
SECRET = "村会计虚报移民补助款三万元（备份测试）"

READ_BACK = """
import hashlib, json
from xuncha.findings.models import Finding
from xuncha.findings.models import Finding
from xuncha.petitions import selectors, services
from xuncha.petitions.models import Attachment, Petition
from xuncha.rectifications.models import RectificationItem
print(json.dumps({
    "findings": sorted(Finding.objects.values_list("description", flat=True)),
    "items": sorted(RectificationItem.objects.values_list("finding_id", flat=True)),
    "petitions": sorted(selectors.content(p)["what"] for p in Petition.objects.all()),
    "files": sorted(hashlib.sha256(services.attachment_original(a)).hexdigest()
                    for a in Attachment.objects.all()),
}, ensure_ascii=False))
"""


@pytest.fixture
def installation(world) -> dict[str, list[Any]]:
    """A finding fed back as a ledger item, and a petition with an attachment submitted
    through the services (so content and file are encrypted with the petition key)."""
    today = timezone.localdate()
    finding = cast(
        Finding, FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    )
    rectification_create(finding=finding, by=world.users["team"], fed_back_on=today)
    intake = services.intake_create(team=world.team, by=world.users["office"],
                                    opens_on=today - dt.timedelta(days=1),
                                    closes_on=today + dt.timedelta(days=30), scope="受理群众反映。",
                                    phone="0735-1234567", unit_id=world.unit.pk)  # fmt: skip
    services.petition_submit(intake=intake, content=Content(what=SECRET), identity=None,
                             files=[(pdf(), "证据.pdf")])  # fmt: skip
    return {
        "findings": [finding.description],
        "items": [finding.pk],
        "petitions": [selectors.content(p)["what"] for p in Petition.objects.all()],
        "files": sorted(
            hashlib.sha256(services.attachment_original(a)).hexdigest()
            for a in Attachment.objects.all()
        ),
    }


def _database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


@pytest.fixture
def fresh(tmp_path):
    """The environment of an empty installation: a new data folder and, on PostgreSQL,
    a second, empty database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XUNCHA_", "DJANGO_"))}
    env["XUNCHA_DATA_DIR"] = str(tmp_path / "restored")
    env["PYTHONSAFEPATH"] = "1"
    if backup.engine() == "sqlite":
        yield env
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    env["XUNCHA_DATABASE_URL"] = _database_url(name)
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def xuncha(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xuncha", *args], env=env,
                          cwd=Path(env["XUNCHA_DATA_DIR"]).parent, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


def files_under(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_restore_into_an_empty_installation_finds_everything(installation, fresh, tmp_path) -> None:
    archive = tmp_path / "backup.tar"
    summary = backup.create(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the keys
    assert summary.files["media"] >= 1 and summary.files["keys"] >= 1
    assert not list(tmp_path.glob(".xuncha-backup-*"))  # no temporary file left

    restored = Path(fresh["XUNCHA_DATA_DIR"])
    (restored / ".xuncha-restore-dead-media").mkdir(parents=True)  # a killed restore's staging
    (restored / ".xuncha-old-dead-media").mkdir()  # and the data it had set aside
    done = xuncha(fresh, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "已从" in done.stdout
    assert "上次中断的恢复留下了原有数据" in done.stdout and ".xuncha-old-dead-media" in done.stdout
    (restored / ".xuncha-old-dead-media").rmdir()
    assert files_under(restored / "media") == files_under(Path(settings.MEDIA_ROOT))
    source_keys = files_under(Path(settings.DATA_DIR) / "keys")
    assert source_keys.items() <= files_under(restored / "keys").items()
    assert not list(restored.glob(".xuncha-restore-*")) and not list(restored.glob(".xuncha-old-*"))

    read = xuncha(fresh, "manage", "shell", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr
    found = json.loads(read.stdout.strip().splitlines()[-1])
    assert found == installation
    assert SECRET in found["petitions"]


def test_a_tampered_archive_is_refused_and_nothing_is_written(
    installation, fresh, tmp_path
) -> None:
    archive = tmp_path / "backup.tar"
    backup.create(archive)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("media/"))
    data = bytearray(archive.read_bytes())
    data[member.offset_data] ^= 0xFF  # one byte of one attachment
    archive.write_bytes(bytes(data))

    done = xuncha(fresh, "restore", str(archive))
    assert done.returncode == 1
    assert "校验和不符" in done.stderr and member.name in done.stderr
    restored = Path(fresh["XUNCHA_DATA_DIR"])
    assert files_under(restored / "media") == {}
    assert not (restored / "keys" / "petitions.json").exists()


def test_an_extra_member_is_refused(installation, tmp_path) -> None:
    archive = tmp_path / "backup.tar"
    backup.create(archive)
    extra = tmp_path / "evil"
    extra.write_text("x")
    with tarfile.open(archive, "a") as tar:
        tar.add(extra, arcname="media/../../evil")
    with pytest.raises(backup.BackupError, match="与其清单不符"):
        verify(archive)


def test_an_installation_with_data_is_kept_without_force(installation, tmp_path) -> None:
    archive = tmp_path / "backup.tar"
    backup.create(archive)
    from xuncha.restore import restore

    with pytest.raises(backup.BackupError, match="--force"):
        restore(archive)
    assert Petition.objects.count() == 1 and RectificationItem.objects.count() == 1


def test_the_cli_checks_an_archive_and_names_a_bad_one(tmp_path, fresh) -> None:
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_text("这不是备份")
    done = xuncha(fresh, "restore", "--check", str(not_a_backup))
    assert done.returncode == 1
    assert "notes.tar" in done.stderr and "恢复失败" in done.stderr


def test_a_missing_pg_dump_is_named_in_chinese(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(backup.BackupError, match=r"找不到 pg_dump.*postgresql-client"):
        backup.pg_tool("pg_dump", ["--version"])


def test_a_failed_database_load_puts_the_files_back(installation, fresh, tmp_path) -> None:
    """pg_restore fails inside its transaction (a view in the target depends on a table
    the dump replaces): the media and keys already swapped in are swapped back."""
    if backup.engine() != "postgresql":
        pytest.skip("the database load is the step after the files only on PostgreSQL")
    archive = tmp_path / "backup.tar"
    backup.create(archive)
    import psycopg

    with psycopg.connect(fresh["XUNCHA_DATABASE_URL"], autocommit=True) as db:
        db.execute("CREATE TABLE accounts_user (id integer)")
        db.execute("CREATE VIEW blocks_drop AS SELECT id FROM accounts_user")
    restored = Path(fresh["XUNCHA_DATA_DIR"])
    (restored / "media").mkdir(parents=True)
    (restored / "media" / "mine.txt").write_text("这台服务器原有的文件")

    done = xuncha(fresh, "restore", "--force", str(archive))
    assert done.returncode == 1 and "pg_restore" in done.stderr
    assert files_under(restored / "media") == {
        "mine.txt": hashlib.sha256("这台服务器原有的文件".encode()).hexdigest()
    }
    assert not (restored / "keys" / "petitions.json").exists()
    assert not list(restored.glob(".xuncha-restore-*")) and not list(restored.glob(".xuncha-old-*"))


def test_a_killed_backup_leaves_nothing_after_the_next_run(installation, tmp_path) -> None:
    """kill -9 while the archive is written (a large attachment keeps it busy): the
    locked temporary file (it holds the keys) is left, and the next backup removes it,
    but never the temporary file of a backup that is still running."""
    big = Path(settings.MEDIA_ROOT) / "test-big.bin"
    big.write_bytes(os.urandom(1024 * 1024) * 300)  # 300 MB
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XUNCHA_", "DJANGO_"))}
    env |= {"XUNCHA_DATA_DIR": str(settings.DATA_DIR), "XUNCHA_SECRET_KEY": "k" * 40 + "abcdefghij",
            "XUNCHA_DATABASE_URL": f"sqlite:///{tmp_path / 'any.sqlite3'}"}  # fmt: skip
    try:
        running = subprocess.Popen([sys.executable, "-m", "xuncha", "backup", "--out", str(out / "b.tar")],
                                   env=env)  # fmt: skip
        while not list(out.glob(".xuncha-backup-*.tmp")) and running.poll() is None:
            time.sleep(0.005)
        os.kill(running.pid, signal.SIGKILL)
        running.wait()
    finally:
        big.unlink()
    left = list(out.glob(".xuncha-backup-*"))
    assert left and not (out / "b.tar").exists()  # killed mid-write, nothing under the name

    held = out / ".xuncha-backup-running.tmp"  # a backup still running holds its lock
    held.write_bytes(b"")
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time; "
                               "fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
                               "print('locked', flush=True); time.sleep(60)", str(held)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        backup.create(out / "b.tar")
        assert sorted(p.name for p in out.iterdir()) == sorted(["b.tar", held.name])
    finally:
        holder.kill()
        holder.wait()
