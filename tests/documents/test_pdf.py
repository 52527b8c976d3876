"""to_pdf(): a real LibreOffice conversion, and each way it can fail (with a Chinese reason)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from xuncha.documents.official.pdf import PdfFailed, to_pdf

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (make docs-deps)",
)


@pytest.fixture
def docx(tmp_path: Path, rendered: bytes) -> Path:
    path = tmp_path / "报告.docx"
    path.write_bytes(rendered)
    return path


def _fake(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return script


@needs_soffice
def test_real_conversion_writes_a_pdf_and_keeps_the_docx(docx: Path, tmp_path: Path) -> None:
    pdf = to_pdf(docx, tmp_path / "out")
    assert pdf == tmp_path / "out" / "报告.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert docx.is_file()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["报告.pdf"]  # no scratch left


@needs_soffice
def test_parallel_conversions_do_not_clash(tmp_path: Path, rendered: bytes) -> None:
    results: dict[int, Path | Exception] = {}

    def convert(i: int) -> None:
        source = tmp_path / f"文档{i}.docx"
        source.write_bytes(rendered)
        try:
            results[i] = to_pdf(source, tmp_path / "out")
        except Exception as err:
            results[i] = err

    threads = [threading.Thread(target=convert, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(str(r) for r in results.values()) == [
        str(tmp_path / "out" / "文档0.pdf"),
        str(tmp_path / "out" / "文档1.pdf"),
    ]


def test_missing_libreoffice_names_the_debian_package(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNCHA_SOFFICE", "/nonexistent")
    with pytest.raises(PdfFailed) as err:
        to_pdf(docx, tmp_path)
    assert "/nonexistent 不存在或不可执行" in str(err.value)
    assert "libreoffice-writer-nogui" in str(err.value)
    assert docx.is_file()


def test_no_libreoffice_on_path(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XUNCHA_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfFailed, match=r"本机未安装 LibreOffice.*libreoffice-writer-nogui"):
        to_pdf(docx, tmp_path)


def test_crash_reports_exit_code_and_last_stderr_line(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake(
        tmp_path, "echo 'loading' >&2\necho 'Error: source file could not be loaded' >&2\nexit 1"
    )
    monkeypatch.setenv("XUNCHA_SOFFICE", str(fake))
    with pytest.raises(PdfFailed) as err:
        to_pdf(docx, tmp_path / "out")
    assert (
        str(err.value) == "LibreOffice 转换失败（退出码 1）：Error: source file could not be loaded"
    )
    assert docx.is_file()
    assert not list((tmp_path / "out").iterdir())


def test_killed_by_a_signal_is_a_crash(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNCHA_SOFFICE", str(_fake(tmp_path, "kill -SEGV $$")))
    with pytest.raises(PdfFailed, match=r"^LibreOffice 崩溃（信号 SIGSEGV）"):
        to_pdf(docx, tmp_path / "out")


def test_success_without_a_file_is_a_failure(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNCHA_SOFFICE", str(_fake(tmp_path, "echo 'convert: nothing to do'")))
    with pytest.raises(PdfFailed) as err:
        to_pdf(docx, tmp_path / "out")
    assert str(err.value) == "LibreOffice 未生成 PDF 文件：convert: nothing to do"


def test_timeout_kills_the_whole_process_group(
    docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child_pid = tmp_path / "child.pid"
    fake = _fake(tmp_path, f"sleep 60 &\necho $! > {child_pid}\nwait")
    monkeypatch.setenv("XUNCHA_SOFFICE", str(fake))
    with pytest.raises(PdfFailed) as err:
        to_pdf(docx, tmp_path / "out", timeout=1)
    assert str(err.value) == "PDF 转换超时（超过 1 秒），已终止 LibreOffice"
    pid = int(child_pid.read_text())
    for _ in range(50):  # the kill is asynchronous; the child is reaped by init
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid)
    assert docx.is_file()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_missing_docx(tmp_path: Path) -> None:
    with pytest.raises(PdfFailed, match="找不到要转换的 DOCX 文件"):
        to_pdf(tmp_path / "none.docx", tmp_path)
