"""Work folders: held by a live run's lock, swept once the run is gone, however it ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from xuncha.crosscheck.workdir import sweep, work_folder

HOLD = """
import sys, time
from pathlib import Path
from xuncha.crosscheck.workdir import work_folder
with work_folder(Path(sys.argv[1]), "work") as folder:
    (folder / "rows.csv").write_text("430000000000000000")
    print(folder, flush=True)
    time.sleep(600)
"""


def test_a_live_runs_folder_is_kept_and_a_killed_runs_swept(tmp_path: Path) -> None:
    run = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE,
                           text=True)  # fmt: skip
    try:
        assert run.stdout is not None
        folder = Path(run.stdout.readline().strip())
        assert folder.name.startswith(f".xuncha-work-{run.pid}-")
        assert sweep(tmp_path) == [] and (folder / "rows.csv").exists()  # its lock is held
        with work_folder(tmp_path, "work") as mine:  # another run beside it sweeps too
            assert mine.exists() and folder.exists()
        assert not mine.exists()
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        assert folder.exists()  # what kill -9 leaves
        assert sweep(tmp_path) == [folder] and not folder.exists()
    finally:
        if run.poll() is None:
            run.kill()


def test_unlocked_folders_go_when_old_and_others_are_never_touched(tmp_path: Path) -> None:
    legacy = tmp_path / ".xuncha-a1b2c3d4"  # an earlier version's staging, no lock
    young = tmp_path / ".xuncha-work-123-abcdefgh"  # being made this instant: no lock yet
    mine = tmp_path / ".xuncha-notes"  # not a work folder's name
    for folder in (legacy, young, mine):
        folder.mkdir()
    hour_ago = time.time() - 3600
    os.utime(legacy, (hour_ago, hour_ago))
    assert sweep(tmp_path) == [legacy]
    assert young.exists() and mine.exists()
