"""风险研判."""

from __future__ import annotations
