"""Work folders of a run, and what a killed run left behind.

A run keeps its scratch files (DuckDB's spill, transcoded CSVs, the report being
written) in hidden folders named ``.xuncha-<kind>-<pid>-…`` inside a folder the caller
chose: the CLI's ``--out`` folder, the web app's data folder. These files hold full ID
numbers, so they are never put anywhere else (the system temp folder is used only by a
Python caller who gives no folder at all).

A live run holds an exclusive lock (``flock``) on its folder's ``.lock`` file; the lock
goes with the process, however it ends, even by ``kill -9``. Every run first sweeps its
folder: a work folder whose lock nobody holds belongs to a run that is over, and is
removed. So a killed run's leftovers go at the next run into the same place (and, in
the web app, when the worker starts).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import InputError

PREFIX = ".xuncha-"
LOCK = ".lock"
# Folders of earlier versions (tempfile's 8 random characters, no lock) and a folder
# this moment being made (no lock yet) are told apart by age.
_UNLOCKED = re.compile(r"\.?xuncha-(?:[a-z0-9_]{8}|(?:work|report)-\d+-[a-z0-9_]+)")
_GRACE_SECONDS = 600


@contextlib.contextmanager
def work_folder(parent: Path | None, kind: str) -> Iterator[Path]:
    """A fresh locked folder in ``parent`` (the system temp folder if None) for the
    block, removed with everything in it afterwards; stale ones are swept first."""
    base = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    sweep(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-", dir=base))
    lock = _hold(folder / LOCK)
    try:
        yield folder
    finally:
        lock.close()
        shutil.rmtree(folder, ignore_errors=True)


def sweep(parent: Path) -> list[Path]:
    """Remove the work folders in ``parent`` that no live run holds; return them."""
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if _UNLOCKED.fullmatch(p.name) and p.is_dir()]
    except OSError:
        return removed
    for folder in candidates:
        if not _in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _hold(path: Path) -> IO[bytes]:
    """The lock file opened and locked for as long as it stays open."""
    handle = path.open("wb")
    try:
        import fcntl
    except ImportError:  # Windows: an open file cannot be deleted, which is the lock
        return handle
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def _in_use(folder: Path) -> bool:
    lock = folder / LOCK
    if not lock.exists():
        try:
            return time.time() - folder.stat().st_mtime < _GRACE_SECONDS
        except OSError:
            return False
    try:
        import fcntl
    except ImportError:
        try:
            lock.unlink()
        except PermissionError:
            return True
        except OSError:
            pass
        return False
    try:
        with lock.open("ab") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
    except OSError:  # not ours to open (another user's run): leave it
        return True
    return False


def writable_folder(folder: Path) -> list[Path]:
    """Make ``folder`` if needed and prove a file can be written there, before any work;
    return the folders made (for :func:`remove_made` should the run fail)."""
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f"{PREFIX}probe-", dir=folder)
        try:
            os.write(handle, b"xuncha")
        finally:
            os.close(handle)
            os.unlink(probe)
    except OSError as err:
        remove_made(made)
        why = "没有写入权限" if isinstance(err, PermissionError) else (err.strerror or str(err))
        raise InputError(f"输出目录「{folder}」无法写入（{why}），未开始比对。") from None
    return made


def remove_made(made: list[Path]) -> None:
    """Remove the folders :func:`writable_folder` made, where still empty."""
    for path in made:  # deepest first
        with contextlib.suppress(OSError):
            path.rmdir()
