"""DOCX → PDF with LibreOffice headless, for offices without Word.

Each conversion has its own throwaway profile (``-env:UserInstallation``), so parallel
conversions (several job workers) do not fight over one profile's lock; LibreOffice runs in
its own process group, killed whole on timeout (soffice starts soffice.bin under it). The
PDF is written to a scratch folder and moved into place, so a failure never leaves a half
file; the DOCX is never touched. Every failure is a ``PdfFailed`` with a Chinese reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from xuncha.documents.official.fonts import fontconfig_env

ENV_VAR = "XUNCHA_SOFFICE"
DEBIAN_PACKAGE = "libreoffice-writer-nogui"
CALC_PACKAGE = "libreoffice-calc-nogui"  # for a workbook (the 整改台账)
SHEETS = (".xlsx", ".xls", ".ods", ".csv")


class PdfFailed(Exception):
    """The conversion failed; the message (Chinese) says why. The DOCX is left in place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def soffice() -> str:
    """The LibreOffice binary: ``XUNCHA_SOFFICE``, else soffice or libreoffice on PATH."""
    named = os.environ.get(ENV_VAR)
    if named:
        if Path(named).is_file() and os.access(named, os.X_OK):
            return named
        raise PdfFailed(
            f"{ENV_VAR} 指向的 {named} 不存在或不可执行；"
            f"请安装 LibreOffice（Debian：apt-get install {DEBIAN_PACKAGE}）或改正该路径"
        )
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise PdfFailed(
            f"本机未安装 LibreOffice（找不到 soffice），无法生成 PDF；"
            f"请安装 Debian 软件包 {DEBIAN_PACKAGE}，或用 {ENV_VAR} 指定其路径"
        )
    return found


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "（无输出）"


def to_pdf(docx: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """Convert ``docx`` to ``out_dir/<stem>.pdf`` and return that path."""
    if not docx.is_file():
        raise PdfFailed(f"找不到要转换的 DOCX 文件：{docx}")
    binary = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="xuncha-soffice-") as profile,
        tempfile.TemporaryDirectory(prefix=".pdf-", dir=out_dir) as scratch,
    ):
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            scratch,
            str(docx.resolve()),
        ]
        stdout, stderr = _run(command, timeout)
        made = Path(scratch) / f"{docx.stem}.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            reason = _last_line(stderr) if stderr.strip() else _last_line(stdout)
            if docx.suffix.lower() in SHEETS:
                reason += f"（转换表格需要 LibreOffice Calc：Debian 软件包 {CALC_PACKAGE}）"
            raise PdfFailed(f"LibreOffice 未生成 PDF 文件：{reason}")
        target = out_dir / made.name
        os.replace(made, target)
    return target


def _run(command: list[str], timeout: float) -> tuple[str, str]:
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=fontconfig_env(),
            start_new_session=True,
        )
    except OSError as err:
        raise PdfFailed(f"无法启动 LibreOffice（{command[0]}）：{err.strerror or err}") from err
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise PdfFailed(f"PDF 转换超时（超过 {timeout:g} 秒），已终止 LibreOffice") from None
    except BaseException:
        _kill_group(process)
        raise
    if process.returncode != 0:
        why = _last_line(stderr)
        if process.returncode < 0:
            try:
                name = signal.Signals(-process.returncode).name
            except ValueError:
                name = str(-process.returncode)
            raise PdfFailed(f"LibreOffice 崩溃（信号 {name}）：{why}")
        raise PdfFailed(f"LibreOffice 转换失败（退出码 {process.returncode}）：{why}")
    return stdout, stderr


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)
