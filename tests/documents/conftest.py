"""Fixtures for the official documents' format layer (pure: no database)."""

from __future__ import annotations

import pytest

from xuncha.documents.official.templates import render, sample_context, shipped_template


@pytest.fixture(scope="session")
def template() -> bytes:
    return shipped_template()


@pytest.fixture(scope="session")
def rendered(template: bytes) -> bytes:
    """The shipped template rendered with the sample context (masthead, table, 版记)."""
    return render(template, sample_context())
