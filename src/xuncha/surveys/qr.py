"""The survey's link as a QR code, made as the petition channel's codes are
(:mod:`xuncha.common.qr`)."""

from __future__ import annotations

from xuncha.common import qr
from xuncha.common.qr import qr_png

__all__ = ["qr_png", "qr_svg"]


def qr_svg(url: str) -> bytes:
    return qr.qr_svg(url, title="满意度测评")
