"""A link as a QR code (segno): the petition channel's intake codes and the satisfaction
surveys' codes are made the same way."""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_code(url: str) -> segno.QRCode:
    """A regular QR code (never Micro QR, which phone cameras do not read), level M or
    higher (segno raises the level when it costs no extra size)."""
    return segno.make_qr(url, error="m")


def qr_png(url: str, *, scale: int = 10) -> bytes:
    """The code as PNG, ``scale`` pixels per module, quiet zone included."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(url: str, *, title: str) -> bytes:
    """The code as a standalone SVG document: viewBox in modules (quiet zone included),
    1 mm per module, white background, no scripts or external references."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=1, border=QUIET_ZONE, unit="mm", light="#fff",
                  title=title, svgclass=None, lineclass=None, xmldecl=True, nl=True)  # fmt: skip
    return out.getvalue()
