"""联动巡察与重大问题呈报."""

from __future__ import annotations
