"""Which of the fonts a document names this machine lacks, and what replaces them.

The document always names the fonts of the standard (仿宋_GB2312, 楷体_GB2312, 黑体, 宋体,
方正小标宋简体); Word on an office's machine finds them. Where they are missing (a Linux
server rendering PDF), fontconfig substitutes; the CLI and the web UI say which font stands
in, e.g. 「本机缺少仿宋_GB2312，PDF 用 AR PL UMing CN 代替」.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from xuncha.documents.official.layout import FONT_FALLBACKS, LATIN_FONT

NAMED_FONTS: tuple[str, ...] = (*FONT_FALLBACKS, LATIN_FONT)
# The machine's fontconfig plus the standard's fonts mapped to free fonts of the same style.
FONTCONFIG = Path(__file__).with_name("fonts.conf")


def fontconfig_env() -> dict[str, str]:
    """The environment for a program that lays out the documents (LibreOffice, fc-match):
    this process's, with ``FONTCONFIG_FILE`` naming :data:`FONTCONFIG`, so a missing
    仿宋_GB2312 is drawn in a Song-style font and 楷体_GB2312 in a Kai one, not all in the
    default sans. An installer's own ``FONTCONFIG_FILE`` is kept."""
    env = dict(os.environ)
    env.setdefault("FONTCONFIG_FILE", str(FONTCONFIG))
    return env


def _installed_families() -> set[str]:
    done = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    families: set[str] = set()
    for line in done.stdout.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


def _substitute(name: str) -> str:
    lang = "en" if name == LATIN_FONT else "zh-cn"
    done = subprocess.run(
        ["fc-match", "-f", "%{family[0]}", f"{name}:lang={lang}"],
        env=fontconfig_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.strip() or "（无）"


def missing_fonts() -> list[tuple[str, str]]:
    """(font named by the documents, what fontconfig substitutes here) for each one missing.

    Without fontconfig (no ``fc-list``) every font is reported with 「未知」 as substitute.
    """
    if shutil.which("fc-list") is None or shutil.which("fc-match") is None:
        return [(name, "未知") for name in NAMED_FONTS]
    installed = _installed_families()
    return [(name, _substitute(name)) for name in NAMED_FONTS if name not in installed]


def missing_fonts_message() -> str:
    """One Chinese sentence per missing font, joined by 「；」 ("" when none is missing)."""
    return "；".join(
        f"本机缺少{name}，PDF 用 {substitute} 代替" for name, substitute in missing_fonts()
    )
