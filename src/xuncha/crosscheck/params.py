"""The rule parameters a person types (发放标准, 死亡后宽限天数), checked once for every
way in: the CLI, the Python API and the web job.

The rules receive them as bound SQL parameters (see :meth:`.rules.Rule.bind`), never as
text in the query, so a value can only ever be a value; this module keeps the values
themselves sensible (finite, in range), with a Chinese message naming the parameter.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import InputError

STANDARD_MAX = Decimal("10000000000")  # below 100 亿元/人/年, as the web form's 12 digits
GRACE_DAYS_MAX = 3650  # ten years; as the web form


class ParamError(InputError, ValueError):
    """A parameter out of range: an :class:`InputError` for the CLI and the web job, a
    ``ValueError`` for a caller of the Python API."""


def valid_standard(value: object) -> Decimal:
    """发放标准 in 元/人/年: a finite amount above 0 with at most two decimals (分)."""
    if isinstance(value, bool):
        raise ParamError(f"发放标准应是金额（元/人/年），而不是「{value}」。")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ParamError(f"发放标准不是有效的金额：「{value}」。") from None
    if not amount.is_finite():
        raise ParamError(f"发放标准应是一个有限的金额，而不是「{value}」。")
    if amount <= 0:
        raise ParamError(f"发放标准应大于 0：「{value}」。")
    if amount >= STANDARD_MAX:
        raise ParamError(f"发放标准过大：「{value}」（应小于 {STANDARD_MAX:,} 元/人/年）。")
    if amount != amount.quantize(Decimal("0.01")):
        raise ParamError(f"发放标准最多两位小数（到分）：「{value}」。")
    return amount


def valid_grace_days(value: object) -> int:
    """死亡后宽限天数: a whole number of days from 0 to :data:`GRACE_DAYS_MAX`."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ParamError(f"死亡后宽限天数应是整数：「{value}」。")
    try:
        days = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
    except (ValueError, OverflowError):
        raise ParamError(f"死亡后宽限天数应是整数：「{value}」。") from None
    if days < 0:
        raise ParamError(f"死亡后宽限天数不能为负数：「{value}」。")
    if days > GRACE_DAYS_MAX:
        raise ParamError(f"死亡后宽限天数过大：「{value}」（最多 {GRACE_DAYS_MAX} 天）。")
    return days
