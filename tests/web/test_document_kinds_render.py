"""Every kind rendered to DOCX with the shipped template passes the GB/T 9704 checker,
and the rendered text carries the data's figures."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from web.test_document_kinds import TODAY, DocWorld, documents_world
from xuncha.documents.kinds import KINDS
from xuncha.documents.official.verify import verify
from xuncha.documents.services import render_documents


@pytest.fixture
def dw(db: Any) -> DocWorld:
    return documents_world()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_every_kind_renders_and_passes_verify(dw: DocWorld) -> None:
    for kind in KINDS:
        rendered = render_documents(kind=kind, round=dw.round, unit=dw.unit, today=TODAY)
        assert rendered.files, kind
        for name, data in rendered.files:
            if kind == "ledger":
                assert name.endswith(".xlsx") and data.startswith(b"PK")
                continue
            assert name.endswith(".docx")
            result = verify(data)
            assert result.ok, f"{kind} {name}:\n{result.report()}"


def test_rendered_report_text_has_the_figures(dw: DocWorld) -> None:
    rendered = render_documents(kind="report", round=dw.round, unit=dw.unit, today=TODAY)
    ((_, data),) = rendered.files
    text = docx_text(data)
    assert "关于巡察东江街道的情况报告" in text
    assert "巡察发现问题4个，涉及金额217,346.17元" in text
    assert "一、基本情况" in text and "（一）群众身边不正之风和腐败问题" in text
    assert "公务接待超标准" not in text
    assert rendered.warnings and "未写入报告" in rendered.warnings[0]


def test_rendered_immediate_table_and_feedback_number(dw: DocWorld) -> None:
    ((_, data),) = render_documents(kind="immediate", round=dw.round, unit=dw.unit).files
    assert "清退多领补助" in docx_text(data) and "2024年5月1日" in docx_text(data)
    ((_, data),) = render_documents(kind="feedback", round=dw.round, unit=dw.unit).files
    assert "巡一〔2024〕1号" in docx_text(data)
