"""What every reproducible random draw shares (reverse checks of closed items, the
sample of a report review): how many to take, by count or by share, and how a form
says a size is wrong. The draws themselves stay with their apps, each a pure function
of what it stores."""

from __future__ import annotations

import math
from decimal import Decimal


def quota(candidates: int, *, share: Decimal | None, count: int | None) -> int:
    """How many of ``candidates`` to draw: ``count``, or ceil(candidates × share / 100)."""
    if count is not None:
        return count
    assert share is not None
    return math.ceil(Decimal(candidates) * share / 100)


def size_error(mode: str, size: Decimal, *, count_label: str = "抽取数量") -> str | None:
    """Why a draw form's ``size`` does not fit its ``mode`` ("share": a percentage above
    0 and at most 100; "count": a whole number of at least 1), or None when it fits."""
    if mode == "share" and not Decimal(0) < size <= 100:
        return f"抽取比例须大于 0% 且不超过 100%，收到 {size}%。"
    if mode == "count" and (size < 1 or size != size.to_integral_value()):
        return f"{count_label}须为不小于 1 的整数，收到 {size}。"
    return None
