"""Look at a rendered PDF the way a reader does: pages → PNG (pdftoppm) → lines of ink.

Reusable by any test holding a PDF (H2a's demo report test uses the same three calls):

    pages = page_images(pdf, tmp_path)          # one PNG per page, 100 dpi
    lines = text_lines(pages[1])                # Band(top, bottom, left, right) in mm
    body = body_lines(pages[1])                 # the same, inside the text block only
    number_side(pages[0]) == "right"            # where the page number sits

A "line" is a horizontal band of dark pixels at least ``MIN_LINE_MM`` tall; thinner bands
(the red line, the 版记's rules, table borders) are left out. Positions are in millimetres
from the page's top-left corner, so they compare directly with GB/T 9704's figures.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

DPI = 100
MM_PER_PX = 25.4 / DPI
DARK = 160  # grey level below which a pixel is ink
MIN_LINE_MM = 2.0  # thinner bands are rules, not text


@dataclass(frozen=True)
class Band:
    top: float
    bottom: float
    left: float
    right: float

    @property
    def width(self) -> float:
        return self.right - self.left


def page_images(pdf: Path, out_dir: Path | None = None, *, dpi: int = DPI) -> list[Path]:
    """Every page of ``pdf`` as a PNG (``pdftoppm -r dpi -png``), in page order."""
    out_dir = out_dir or pdf.parent
    prefix = out_dir / f"{pdf.stem}-page"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(
        out_dir.glob(f"{prefix.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
    )
    return pages


def page_size_mm(png: Path, *, dpi: int = DPI) -> tuple[float, float]:
    with Image.open(png) as image:
        width, height = image.size
    return width * 25.4 / dpi, height * 25.4 / dpi


def _ink(png: Path) -> np.ndarray:
    with Image.open(png) as image:
        grey = np.asarray(image.convert("L"))
    return grey < DARK


def bands(png: Path, *, dpi: int = DPI) -> list[Band]:
    """Every horizontal band of ink (text lines and rules), top to bottom."""
    ink = _ink(png)
    rows = ink.any(axis=1)
    found: list[Band] = []
    start = None
    for y, dark in enumerate([*rows.tolist(), False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            cols = np.flatnonzero(ink[start:y].any(axis=0))
            mm = 25.4 / dpi
            found.append(Band(start * mm, y * mm, cols[0] * mm, (cols[-1] + 1) * mm))
            start = None
    return found


def text_lines(png: Path, *, dpi: int = DPI) -> list[Band]:
    """The lines of text on a page (page number included), top to bottom."""
    return [b for b in bands(png, dpi=dpi) if b.bottom - b.top >= MIN_LINE_MM]


def body_lines(png: Path, *, dpi: int = DPI) -> list[Band]:
    """The text lines inside the text block (37–262 mm from the top): no page number."""
    top, bottom = 37.0, 37.0 + 225.0
    return [b for b in text_lines(png, dpi=dpi) if b.top >= top - 3 and b.bottom <= bottom + 1]


def number_side(png: Path, *, below_mm: float = 262.0, dpi: int = DPI) -> str | None:
    """ "left", "right" or "center": where the ink below the text block (the page number) sits;
    None when there is none."""
    width, _ = page_size_mm(png, dpi=dpi)
    below = [b for b in text_lines(png, dpi=dpi) if b.top >= below_mm]
    if not below:
        return None
    middle = (below[0].left + below[0].right) / 2
    if middle < width * 0.4:
        return "left"
    if middle > width * 0.6:
        return "right"
    return "center"
