"""A risk model's definition (风险模型), written as TOML by the office and kept as JSON.

A model scores each unit from 0 to 100: every indicator's value is normalised to 0–1
(1 = the most risk, whatever the indicator's direction), multiplied by its weight (the
weights sum to 1) and by 100; the sum is the score. Two thresholds cut the score into the
three levels. Must-rules raise a unit to at least a level whatever its score (a weak party
organisation is watched even when everything else is quiet), and an elevation rule marks
the units whose inspection should be done by the level above (提级巡察).

:func:`parse_spec` refuses a definition with a Chinese message naming the key (and the
line where TOML itself fails): unknown indicators, weights not summing to 1, thresholds out
of order, unknown levels or operators.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LEVELS = ("general", "watch", "high")
LEVEL_NAMES = {"general": "一般关注类", "watch": "风险关注类", "high": "重点隐患类"}
NORMALISE = ("minmax", "fixed", "rank")
MISSING = ("zero", "median", "worst")
OPS = (">=", ">", "<=", "<", "==", "!=")
KINDS = ("village", "community", "township", "county", "department", "enterprise", "park")
SHIPPED = Path(__file__).parent / "shipped"


class SpecError(ValueError):
    """The definition cannot be used; the message says where and why, in Chinese."""


@dataclass(frozen=True)
class SpecIndicator:
    code: str
    weight: float
    normalise: str = "fixed"
    lo: float | None = None
    hi: float | None = None
    missing: str = "zero"
    direction: str = "higher"  # "higher": a higher value is more risk; "lower": the reverse


@dataclass(frozen=True)
class Rule:
    """``indicator op value``; for a must-rule ``at_least`` is the level it guarantees,
    for the elevation rule ``level`` is the least level the unit must have."""

    indicator: str
    op: str
    value: float
    reason: str
    at_least: str = ""
    level: str = ""

    def words(self, names: Mapping[str, str] | None = None) -> str:
        name = (names or {}).get(self.indicator, self.indicator)
        return f"{name} {self.op} {_num(self.value)}"


@dataclass(frozen=True)
class Spec:
    name: str
    kinds: tuple[str, ...]
    indicators: tuple[SpecIndicator, ...]
    watch: float
    high: float
    must: tuple[Rule, ...] = ()
    elevate: tuple[Rule, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kinds": list(self.kinds),
            "indicators": [asdict(i) for i in self.indicators],
            "thresholds": {"watch": self.watch, "high": self.high},
            "must": [asdict(r) for r in self.must],
            "elevate": [asdict(r) for r in self.elevate],
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Spec:
        return cls(
            name=d["name"],
            kinds=tuple(d["kinds"]),
            indicators=tuple(SpecIndicator(**i) for i in d["indicators"]),
            watch=float(d["thresholds"]["watch"]),
            high=float(d["thresholds"]["high"]),
            must=tuple(Rule(**r) for r in d.get("must", [])),
            elevate=tuple(Rule(**r) for r in d.get("elevate", [])),
        )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def shipped_catalogue() -> list[dict[str, Any]]:
    """The shipped indicator catalogue (shipped/indicators.toml): code, name, unit,
    direction, source, department, description."""
    with (SHIPPED / "indicators.toml").open("rb") as f:
        return list(tomllib.load(f)["indicators"])


def shipped_model_text() -> str:
    return (SHIPPED / "village_model.toml").read_text(encoding="utf-8")


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise SpecError(f"{where} 应为数字，实际是「{v}」。")
    return float(v)


def _text(table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    v = table.get(key, "")
    if not isinstance(v, str):
        raise SpecError(f"{where}.{key} 应为文字，实际是「{v}」。")
    if required and not v.strip():
        raise SpecError(f"缺少 {where}.{key}。")
    return v.strip()


def _choice(v: Any, allowed: tuple[str, ...], where: str, what: str) -> str:
    if v not in allowed:
        raise SpecError(f"{where} 的{what}「{v}」未知，可选：{'、'.join(allowed)}。")
    return str(v)


def _indicator(i: int, t: Any, directions: Mapping[str, str]) -> SpecIndicator:
    where = f"第 {i} 个 [[indicators]]"
    if not isinstance(t, dict):
        raise SpecError(f"{where} 应为表。")
    code = _text(t, "code", where)
    if code not in directions:
        raise SpecError(f"{where}：指标「{code}」不在指标目录中。")
    where = f"{where}（{code}）"
    unknown = set(t) - {"code", "weight", "normalise", "lo", "hi", "missing", "direction"}
    if unknown:
        raise SpecError(f"{where} 有未知的键：{'、'.join(sorted(unknown))}。")
    weight = _number(t.get("weight"), f"{where}.weight")
    if weight <= 0:
        raise SpecError(f"{where}.weight 应大于 0。")
    norm = _choice(t.get("normalise", "fixed"), NORMALISE, f"{where}.normalise", "标准化方法")
    lo = hi = None
    if norm == "fixed":
        if "lo" not in t or "hi" not in t:
            raise SpecError(f'{where}：normalise = "fixed" 需要 lo 和 hi。')
        lo, hi = _number(t["lo"], f"{where}.lo"), _number(t["hi"], f"{where}.hi")
        if not lo < hi:
            raise SpecError(f"{where}：lo（{_num(lo)}）应小于 hi（{_num(hi)}）。")
    missing = _choice(t.get("missing", "zero"), MISSING, f"{where}.missing", "缺失值处理")
    direction = _choice(
        t.get("direction", directions[code]), ("higher", "lower"), f"{where}.direction", "方向"
    )
    return SpecIndicator(code, weight, norm, lo, hi, missing, direction)


def _rule(t: Any, where: str, codes: set[str], level_key: str) -> Rule:
    if not isinstance(t, dict):
        raise SpecError(f"{where} 应为表。")
    unknown = set(t) - {"indicator", "op", "value", "reason", level_key}
    if unknown:
        raise SpecError(f"{where} 有未知的键：{'、'.join(sorted(unknown))}。")
    ind = _text(t, "indicator", where)
    if ind not in codes:
        raise SpecError(f"{where}：指标「{ind}」不是本模型的指标（先在 [[indicators]] 中列出）。")
    op = _choice(t.get("op"), OPS, f"{where}.op", "比较符")
    value = _number(t.get("value"), f"{where}.value")
    level = _choice(t.get(level_key), LEVELS, f"{where}.{level_key}", "等级")
    reason = _text(t, "reason", where)
    if level_key == "at_least":
        return Rule(ind, op, value, reason, at_least=level)
    return Rule(ind, op, value, reason, level=level)


def parse_spec(text: str, known: Mapping[str, str] | None = None) -> Spec:
    """Read and check a model written in TOML. ``known`` maps the catalogue's indicator
    codes to their direction ("higher"/"lower"); by default the shipped catalogue."""
    if known is None:
        known = {i["code"]: i.get("direction", "higher") for i in shipped_catalogue()}
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"模型定义不是有效的 TOML：{err}") from err
    unknown = set(d) - {"name", "kinds", "indicators", "thresholds", "must", "elevate"}
    if unknown:
        raise SpecError(f"模型定义有未知的键：{'、'.join(sorted(unknown))}。")
    name = _text(d, "name", "模型")
    kinds = d.get("kinds", ["village", "community"])
    if not isinstance(kinds, list) or not kinds:
        raise SpecError('kinds 应为非空的列表，如 ["village", "community"]。')
    for k in kinds:
        _choice(k, KINDS, "kinds", "单位类型")
    raw = d.get("indicators")
    if not isinstance(raw, list) or not raw:
        raise SpecError("模型至少要有一个 [[indicators]]。")
    indicators = [_indicator(n, t, known) for n, t in enumerate(raw, 1)]
    seen: set[str] = set()
    for ind in indicators:
        if ind.code in seen:
            raise SpecError(f"指标「{ind.code}」在 [[indicators]] 中出现了两次。")
        seen.add(ind.code)
    total = sum(i.weight for i in indicators)
    if abs(total - 1) > 1e-6:
        raise SpecError(f"各指标权重（weight）之和应为 1，实际为 {total:g}。")
    th = d.get("thresholds")
    if not isinstance(th, dict) or "watch" not in th or "high" not in th:
        raise SpecError("缺少 [thresholds] 的 watch 和 high（0–100 分的等级分界）。")
    watch = _number(th["watch"], "thresholds.watch")
    high = _number(th["high"], "thresholds.high")
    if not 0 < watch < high <= 100:
        raise SpecError(
            f"等级分界应满足 0 < watch < high ≤ 100，实际 watch = {_num(watch)}、high = {_num(high)}。"
        )
    must = [_rule(t, f"第 {n} 个 [[must]]", seen, "at_least")
            for n, t in enumerate(_tables(d, "must"), 1)]  # fmt: skip
    elevate = [_rule(t, f"第 {n} 个 [[elevate]]", seen, "level")
               for n, t in enumerate(_tables(d, "elevate"), 1)]  # fmt: skip
    return Spec(name, tuple(kinds), tuple(indicators), watch, high, tuple(must), tuple(elevate))


def _tables(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key, [])
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        raise SpecError(f"{key} 应写成 [[{key}]] 表。")
    return v


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)


def spec_to_toml(spec: Spec) -> str:
    """The definition as TOML, as the office edits it (what :func:`parse_spec` reads back
    to the same spec): the starting text for a new version."""
    out = [f"name = {_toml_value(spec.name)}", f"kinds = {_toml_value(spec.kinds)}", "",
           "[thresholds]", f"watch = {_num(spec.watch)}", f"high = {_num(spec.high)}"]  # fmt: skip
    for i in spec.indicators:
        out += ["", "[[indicators]]", f"code = {_toml_value(i.code)}", f"weight = {_num(i.weight)}",
                f"normalise = {_toml_value(i.normalise)}"]  # fmt: skip
        if i.normalise == "fixed":
            out += [f"lo = {_num(i.lo or 0.0)}", f"hi = {_num(i.hi or 0.0)}"]
        out += [f"missing = {_toml_value(i.missing)}", f"direction = {_toml_value(i.direction)}"]
    for key, rules, level_key in (
        ("must", spec.must, "at_least"),
        ("elevate", spec.elevate, "level"),
    ):
        for r in rules:
            out += ["", f"[[{key}]]", f"indicator = {_toml_value(r.indicator)}",
                    f"op = {_toml_value(r.op)}", f"value = {_num(r.value)}",
                    f"{level_key} = {_toml_value(getattr(r, level_key))}",
                    f"reason = {_toml_value(r.reason)}"]  # fmt: skip
    return "\n".join(out) + "\n"
