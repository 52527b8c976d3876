"""Bombs refused before parsing: declared zip sizes and ratios, far cell references
with or without a <dimension>, too many members; and the same files through the
preview child and the CLI (a subprocess: no abort, a Chinese message naming the file)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bombs import bomb_xlsx, far_cell_within_guard_xlsx, far_cell_xlsx
from helpers import load, write_xlsx
from xuncha.crosscheck import InputError
from xuncha.crosscheck.ingest import guard
from xuncha.crosscheck.preview import preview_isolated, sheet_rows

SHEET = {"发放": ("xl/worksheets/sheet1.xml", False)}


@pytest.mark.parametrize("dimension", [True, False])
def test_a_cell_at_xfd1048576_is_found_with_or_without_dimension(
    tmp_path: Path, dimension: bool
) -> None:
    path = far_cell_xlsx(tmp_path / "单格.xlsx", dimension=dimension)
    assert path.stat().st_size < 5000
    assert guard.oversized_sheets(str(path), path.name, SHEET) == {"发放": "A1:XFD1048576"}
    with pytest.raises(InputError, match="使用范围异常大（A1:XFD1048576）"):
        guard.oversized_sheets(str(path), path.name, {})  # sheets unknown: the whole file


def test_the_engine_refuses_the_sheet_and_lives(tmp_path: Path) -> None:
    report, rows = load(far_cell_xlsx(tmp_path / "单格.xlsx", dimension=False))
    assert rows == []
    assert report.error is not None and "A1:XFD1048576" in report.error
    assert report.error.startswith("文件「单格.xlsx」")


def test_a_normal_list_passes(tmp_path: Path) -> None:
    def build(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额"])
        for r in range(1, 2000):
            ws.write_row(r, 0, ["张三", "43010219900101123X", 600])
        ws.write(1999, 200, "远一点但不过分")

    path = write_xlsx(tmp_path / "正常.xlsx", {"发放": build})
    guard.check_archive(str(path), path.name)
    assert guard.oversized_sheets(str(path), path.name, SHEET) == {}


def test_a_zip_bomb_is_refused_from_its_declared_ratio(tmp_path: Path) -> None:
    path = bomb_xlsx(tmp_path / "炸弹.xlsx", megabytes=64)
    assert path.stat().st_size < 200_000
    with pytest.raises(InputError) as caught:
        guard.check_archive(str(path), path.name)
    assert str(caught.value).startswith("文件「炸弹.xlsx」：")
    assert "压缩了" in str(caught.value) and "疑似压缩炸弹" in str(caught.value)
    report, rows = load(path)
    assert rows == [] and report.error == str(caught.value)


def test_too_many_members_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = far_cell_xlsx(tmp_path / "多.xlsx")
    with zipfile.ZipFile(path, "a") as z:
        for i in range(30):
            z.writestr(f"xl/media/{i}.bin", b"x")
    monkeypatch.setattr(guard, "MAX_MEMBERS", 20)
    with pytest.raises(InputError, match="个部件（上限 20）"):
        guard.check_archive(path.read_bytes(), path.name)


def test_a_member_that_inflates_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    path = far_cell_xlsx(tmp_path / "谎报.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # Halve the size the central directory declares for the sheet.
    at = data.rfind(b"xl/worksheets/sheet1.xml") - 46
    assert data[at : at + 4] == b"PK\x01\x02"
    data[at + 24 : at + 28] = (info.file_size // 2).to_bytes(4, "little")
    with pytest.raises(InputError, match="与声明的大小或校验和不符"):
        guard.oversized_sheets(bytes(data), path.name, SHEET)


def test_the_preview_child_reports_the_far_sheet(tmp_path: Path) -> None:
    preview = preview_isolated(
        far_cell_xlsx(tmp_path / "单格.xlsx", dimension=False), name="单格.xlsx"
    )
    assert preview.error is None and preview.unreadable
    assert "A1:XFD1048576" in (preview.sheets[0].error or "")


def test_imported_workbooks_are_guarded_too(tmp_path: Path) -> None:
    data = far_cell_xlsx(tmp_path / "单位.xlsx", dimension=False).read_bytes()
    with pytest.raises(InputError, match="使用范围异常大"):
        sheet_rows(data, name="单位.xlsx")


@pytest.mark.parametrize(
    "make",
    [
        lambda p: far_cell_xlsx(p, dimension=True),
        lambda p: far_cell_xlsx(p, dimension=False),
        lambda p: bomb_xlsx(p, megabytes=64),
    ],
    ids=["xfd-dimension", "xfd-no-dimension", "bomb"],
)
def test_the_cli_refuses_hostile_files_without_aborting(tmp_path: Path, make) -> None:
    path = make(tmp_path / "恶意.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "xuncha", "check", "--payments", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # nothing to check; not 134 (abort)
    assert "文件「恶意.xlsx」" in done.stderr
    assert "Traceback" not in done.stderr and "memory allocation" not in done.stderr


def test_a_reader_crash_past_the_guard_ends_the_child_not_the_cli(tmp_path: Path) -> None:
    path = far_cell_within_guard_xlsx(tmp_path / "远格.xlsx")
    assert guard.oversized_sheets(str(path), path.name, SHEET) == {}  # the guard lets it by
    env = {**os.environ, "XUNCHA_SANDBOX_CHECK_MEMORY_MB": "1500"}
    done = subprocess.run(
        [sys.executable, "-m", "xuncha", "check", "--payments", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "文件「远格.xlsx」读取失败：所需内存超过上限（1.46 GB）" in done.stderr
    assert "Traceback" not in done.stderr
    assert not [p for p in (tmp_path / "out").glob(".xuncha-*")]  # the child's scratch swept
