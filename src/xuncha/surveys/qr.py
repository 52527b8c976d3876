"""The survey's link as a QR code (segno), as the petition channel's codes are made."""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4


def _qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error="m")  # never Micro QR: phone cameras do not read it


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    """A standalone SVG, 1 mm per module, white background, no scripts."""
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=1, border=QUIET_ZONE, unit="mm", light="#fff",
                  title="满意度测评", svgclass=None, lineclass=None)  # fmt: skip
    return out.getvalue()
