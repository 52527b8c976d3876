"""月度任务清单."""

from __future__ import annotations
