"""The visual check: LibreOffice renders a long document, pdftoppm rasterises it, and the ink
is measured against GB/T 9704 (A4, 22 lines of 28 characters, page numbers alternating)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

from documents.visual import body_lines, number_side, page_images, page_size_mm, text_lines
from xuncha.documents.official import layout as L
from xuncha.documents.official.pdf import to_pdf
from xuncha.documents.official.templates import render, sample_context, shipped_template

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
    reason="needs LibreOffice and poppler-utils (make docs-deps)",
)

BLOCK_TOP = L.TOP_MM
BLOCK_BOTTOM = L.TOP_MM + L.BLOCK_HEIGHT_MM  # 262 mm
LEFT = L.LEFT_MM  # 28 mm
RIGHT = L.LEFT_MM + L.BLOCK_WIDTH_MM  # 184 mm
CHAR_MM = L.BLOCK_WIDTH_MM / L.CHARS_PER_LINE  # one character: 5.57 mm
PITCH_MM = L.LINE_PITCH_TWIPS / L.TWIPS_PER_MM  # 10.21 mm
SENTENCES = (
    "巡察组坚持问题导向，紧盯权力运行和责任落实，深入查找政治偏差，",
    "对群众反映强烈的突出问题逐一梳理核实，做到件件有着落、事事有回音，",
    "同时注重运用数据比对手段，对惠民惠农补贴发放情况开展全面核查，",
    "发现部分单位存在审核把关不严、台账管理混乱、资金拨付滞后等问题。",
)


def _long_context() -> dict[str, Any]:
    context = sample_context(table=False)
    paragraphs = ["".join(SENTENCES[(i + j) % 4] for j in range(8)) for i in range(16)]
    context["sections"] = [
        {"heading": "一、巡察工作基本情况", "paragraphs": paragraphs, "subsections": []}
    ]
    return context


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("visual")
    docx = folder / "long.docx"
    docx.write_bytes(render(shipped_template(), _long_context()))
    return page_images(to_pdf(docx, folder), folder)


def test_pages_are_a4_and_numerous(pages: list[Path]) -> None:
    assert len(pages) >= 3
    for png in pages:
        width, height = page_size_mm(png)
        assert abs(width - 210) <= 1 and abs(height - 297) <= 1


def test_a_full_page_holds_22_lines_of_28_characters(pages: list[Path]) -> None:
    lines = body_lines(pages[1])
    assert abs(len(lines) - 22) <= 1, [round(b.top) for b in lines]
    full = [b for b in lines if abs(b.left - LEFT) <= CHAR_MM and abs(b.right - RIGHT) <= CHAR_MM]
    assert len(full) >= len(lines) * 0.6, [(round(b.left), round(b.right)) for b in lines]
    # a full line is 28 characters: the block's width within one character
    for band in full:
        assert abs(band.width - L.BLOCK_WIDTH_MM) <= CHAR_MM
    # and the lines sit on the grid: 225 mm / 22 apart
    tops = [b.top for b in lines]
    gaps = [b - a for a, b in itertools.pairwise(tops)]
    assert all(abs(gap - PITCH_MM) <= 0.6 for gap in gaps), gaps


def test_first_page_respects_the_grid(pages: list[Path]) -> None:
    """The masthead, title and body of page 1 take whole grid rows: the body lines below them
    fall where page 2's lines do, and no more than 22 rows are used."""
    first = body_lines(pages[0])
    second = body_lines(pages[1])
    body = [b for b in first if b.bottom - b.top < 7 and b.top > 130]  # 3号 lines below the title
    assert len(body) >= 5
    reference = second[1].bottom
    for band in body:
        rows = (band.bottom - reference) / PITCH_MM
        assert abs(rows - round(rows)) * PITCH_MM <= 0.8, (band, rows)
    used = round((body[-1].bottom - BLOCK_TOP) / PITCH_MM)
    assert used <= 22


def test_page_numbers_alternate_sides(pages: list[Path]) -> None:
    sides = [number_side(png) for png in pages]
    assert sides == ["right" if i % 2 == 0 else "left" for i in range(len(pages))]
    # one character in from the text block's edge, below the text block
    odd = next(b for b in text_lines(pages[0]) if b.top > BLOCK_BOTTOM)
    even = next(b for b in text_lines(pages[1]) if b.top > BLOCK_BOTTOM)
    assert abs((RIGHT - odd.right) - 14 * 25.4 / 72) <= 1.5
    assert abs((even.left - LEFT) - 14 * 25.4 / 72) <= 1.5
    assert BLOCK_BOTTOM + 4 <= odd.top <= BLOCK_BOTTOM + 10
