"""The rule parameters a person types (发放标准, 死亡后宽限天数 …), checked once for every
way in: the CLI, the Python API and the web job.

A rule declares its parameters (:class:`Param`: name, type, default, unit, legal
basis); the type decides how a typed value is read and kept sensible (finite, in
range), with a Chinese message naming the parameter by its label. The rules receive
the values as bound SQL parameters (see :meth:`.rules.Rule.bind`), never as text in
the query, so a value can only ever be a value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InputError

AMOUNT_MAX = Decimal("10000000000")  # below 100 亿, as the web form's 12 digits
DAYS_MAX = 3650  # ten years; as the web form


class ParamError(InputError, ValueError):
    """A parameter out of range: an :class:`InputError` for the CLI and the web job, a
    ``ValueError`` for a caller of the Python API."""


def valid_amount(
    value: object, label: str = "金额", unit: str = "元", *, zero: bool = False
) -> Decimal:
    """An amount (元, 亩 …): finite, above 0 (or 0 too, with ``zero``), at most two decimals."""
    noun = "金额" if unit.startswith("元") else "数值"
    if isinstance(value, bool):
        raise ParamError(f"{label}应是{noun}（{unit}），而不是「{value}」。")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ParamError(f"{label}不是有效的{noun}：「{value}」。") from None
    if not amount.is_finite():
        raise ParamError(f"{label}应是一个有限的{noun}，而不是「{value}」。")
    if amount < 0 or (amount == 0 and not zero):
        raise ParamError(f"{label}{'不能为负数' if zero else '应大于 0'}：「{value}」。")
    if amount >= AMOUNT_MAX:
        raise ParamError(f"{label}过大：「{value}」（应小于 {AMOUNT_MAX:,} {unit}）。")
    if amount != amount.quantize(Decimal("0.01")):
        raise ParamError(
            f"{label}最多两位小数{'（到分）' if noun == '金额' else ''}：「{value}」。"
        )
    return amount


def valid_days(value: object, label: str = "天数", unit: str = "天") -> int:
    """A whole number of days from 0 to :data:`DAYS_MAX`."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ParamError(f"{label}应是整数：「{value}」。")
    try:
        days = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
    except (ValueError, OverflowError):
        raise ParamError(f"{label}应是整数：「{value}」。") from None
    if days < 0:
        raise ParamError(f"{label}不能为负数：「{value}」。")
    if days > DAYS_MAX:
        raise ParamError(f"{label}过大：「{value}」（最多 {DAYS_MAX} {unit}）。")
    return days


def valid_years(value: object, label: str = "年数", unit: str = "岁") -> int:
    """A whole number of years (an age) from 0 to 150."""
    years = valid_days(value, label, unit)
    if years > 150:
        raise ParamError(f"{label}过大：「{value}」（最多 150 {unit}）。")
    return years


def valid_margin(value: object, label: str = "容差", unit: str = "元") -> Decimal:
    """A margin (亩, 元) that may be 0: finite, not negative, at most two decimals."""
    return valid_amount(value, label, unit, zero=True)


TYPES: dict[str, tuple[Callable[[object, str, str], Any], str]] = {
    "amount": (valid_amount, "数额"),
    "days": (valid_days, "天数"),
    "years": (valid_years, "年数"),
    "margin": (valid_margin, "容差"),
}
"""A parameter type: how its value is read and checked, and what it is called."""


@dataclass(frozen=True)
class Param:
    """A parameter a rule declares: its ``name`` (as the SQL marker, the CLI's
    ``--param name=value`` and the web form field), ``label`` (Chinese), ``type`` (a
    key of :data:`TYPES`), ``default``, ``unit`` and the legal ``basis`` of the value."""

    name: str
    label: str
    type: str
    default: Any
    unit: str = ""
    basis: str = ""

    def check(self, value: object) -> Any:
        """``value`` read as this parameter's type; :class:`ParamError` naming the
        parameter when it is not."""
        return TYPES[self.type][0](value, self.label, self.unit)

    def describe(self) -> dict[str, Any]:
        default = str(self.default) if isinstance(self.default, Decimal) else self.default
        return {"label": self.label, "type": self.type, "default": default,
                "unit": self.unit, "basis": self.basis}  # fmt: skip
