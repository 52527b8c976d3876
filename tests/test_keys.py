"""The installation's secret key (xuncha.config.keys): no built-in key, one key file made
on first start and shared by every process of the installation, weak keys refused."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from xuncha.config import keys

OLD_PUBLIC_KEY = "insecure-development-key-change-me"


def test_the_first_start_makes_a_private_key_file_and_later_starts_read_it(tmp_path):
    key = keys.secret_key(tmp_path, environ={})
    path = tmp_path / "keys" / "secret_key"
    assert path.read_text().strip() == key and not keys.weakness(key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert keys.secret_key(tmp_path, environ={}) == key
    assert keys.secret_key(tmp_path / "other", environ={}) != key  # each installation its own
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def _make(folder: str) -> str:
    return keys.read_or_create(Path(folder) / "keys" / "secret_key")


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    for attempt in range(5):
        folder = tmp_path / str(attempt)
        with multiprocessing.get_context("spawn").Pool(6) as pool:
            made = pool.map(_make, [str(folder)] * 12)
        assert len(set(made)) == 1
        assert (folder / "keys" / "secret_key").read_text().strip() == made[0]


def test_a_key_from_the_environment_is_used_and_a_weak_one_refused(tmp_path):
    strong = keys.new_key()
    assert keys.secret_key(tmp_path, environ={keys.ENV: strong}) == strong
    assert not (tmp_path / "keys").exists()  # nothing written when the key is given
    for weak in (OLD_PUBLIC_KEY, "x" * 60, "short"):
        with pytest.raises(keys.SecretKeyError, match="XUNCHA_SECRET_KEY 设置的密钥太弱"):
            keys.secret_key(tmp_path, environ={keys.ENV: weak})
    assert keys.secret_key(tmp_path, environ={keys.ENV: "  "}) != ""  # blank: the key file


def test_a_damaged_key_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "keys" / "secret_key"
    path.parent.mkdir()
    path.write_text("abc\n")
    with pytest.raises(keys.SecretKeyError, match=f"密钥文件 {path} 内容无效"):
        keys.secret_key(tmp_path, environ={})


def test_an_unwritable_data_folder_gets_a_clear_message(tmp_path):
    if os.geteuid() == 0:
        blocker = tmp_path / "keys"
        blocker.write_text("a file where the folder should be")
    else:
        tmp_path.chmod(0o500)
    with pytest.raises(keys.SecretKeyError) as refused:
        keys.secret_key(tmp_path, environ={})
    message = str(refused.value)
    assert str(tmp_path / "keys") in message and ("无法读取" in message or "无法在" in message)


def _settings_key(settings: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA_")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": f"xuncha.config.settings.{settings}",
             "XUNCHA_DATA_DIR": str(data_dir), **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_settings_have_no_built_in_key(tmp_path):
    """Base and production settings read the data folder's key (the web server, the
    worker and manage share it); the test settings make one per run and write none."""
    first = _settings_key("base", tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key == (tmp_path / "keys" / "secret_key").read_text().strip()
    again = _settings_key("production", tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == key
    runs = [_settings_key("test", tmp_path / "t") for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert runs[0].stdout != runs[1].stdout and not (tmp_path / "t").exists()


def test_production_refuses_a_weak_key_from_the_environment(tmp_path):
    run = _settings_key("production", tmp_path, XUNCHA_SECRET_KEY=OLD_PUBLIC_KEY)
    assert run.returncode != 0 and "XUNCHA_SECRET_KEY 设置的密钥太弱" in run.stderr
