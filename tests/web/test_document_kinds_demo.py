"""The demo's documents: every kind for one unit of the demo city passes the GB/T 9704
checker; its report, through LibreOffice and pdftoppm, is A4 with 22 ± 1 body lines on a
full page and page numbers alternating right and left."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from documents.visual import number_side, page_images, page_size_mm, text_lines
from web.demo_world import TODAY, DemoStack
from xuncha.demo.documents import DemoDocuments, summary, write_demo_documents
from xuncha.documents.kinds import KINDS
from xuncha.documents.official import layout as L
from xuncha.documents.official.pdf import to_pdf

pytestmark = pytest.mark.demo_city("petitions", "papers")
BLOCK_TOP, BLOCK_BOTTOM = L.TOP_MM, L.TOP_MM + L.BLOCK_HEIGHT_MM


@pytest.fixture(scope="module")
def demo(demo_city: DemoStack, django_db_blocker: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoDocuments, Path]]:  # fmt: skip
    """The session's demo city with its petitions and papers (web.demo_world), its
    documents written once; what writing them saved is rolled back when the module ends."""
    out = tmp_path_factory.mktemp("demo") / "公文"
    with demo_city.module("petitions", "papers"):
        with django_db_blocker.unblock():
            written = write_demo_documents(out, today=TODAY)
        yield written, out


def test_every_kind_written_and_verified(demo: tuple[DemoDocuments, Path], db: Any) -> None:
    result, out = demo
    assert result.assignment is not None and not result.skipped and not result.failed
    names = {p.name for p in out.iterdir()}
    for kind in KINDS.values():
        label = kind.label
        assert any(f"_{label}" in n for n in names), label
    docx = [p for p in result.files if p.suffix == ".docx"]
    assert len(docx) >= len(KINDS) - 1  # papers and letters may add more
    assert f"{len(docx)} 份，均符合 GB/T 9704 版式检查" in summary(result, out)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="needs LibreOffice and poppler-utils")  # fmt: skip
def test_demo_report_looks_right_on_paper(
    demo: tuple[DemoDocuments, Path], db: Any, tmp_path: Path
) -> None:
    _result, out = demo
    report = next(out.glob("*_巡察报告.docx"))
    pages = page_images(to_pdf(report, tmp_path), tmp_path)
    assert len(pages) >= 3  # the first page and at least one full page before the last
    for png in pages:
        width, height = page_size_mm(png)
        assert abs(width - 210) <= 1 and abs(height - 297) <= 1
    body = [
        b for b in text_lines(pages[1]) if b.top >= BLOCK_TOP - 3 and b.bottom <= BLOCK_BOTTOM + 1
    ]
    assert abs(len(body) - 22) <= 1, [round(b.top) for b in body]
    sides = [number_side(p) for p in pages]
    assert sides == [("right", "left")[n % 2] for n in range(len(pages))]  # odd right, even left
