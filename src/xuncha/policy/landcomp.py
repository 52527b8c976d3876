"""The land-compensation standard (征地补偿标准) as data, and the calculator over it.

Pure Python, no Django: the CLI, the web app and the land-compensation payment check
(which reads :meth:`StandardSet.tables` into its SQL engine) share it.

Seed 000 (湖南省人民政府关于调整湖南省征地补偿标准的通知, in force 2024-01-01):
compensation = the zone's integrated land price (区片综合地价) per mu, 40% land
compensation fee and 60% resettlement subsidy; paddy fields at the standard, dry land,
gardens and forest at their land-class coefficients (the seed gives none: they come
from a coefficients file the office loads), other farmland as dry land, unused land
× 0.5, permanent basic farmland × 1.68, restored-attribute land × 0.8, the higher
where several apply. A parcel announced (征收土地公告) before a version came into force
keeps the version in force on the announcement date; one approved but not yet
announced takes the version in force on the reference date (today by default).
Cities may raise, never lower, the provincial prices and coefficients.

A value the standard lacks (a county or zone not in the table, a land class without a
coefficient, no version in force on the date) makes the parcel :class:`Unchecked` with
the reason, never a silent pass.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

LAND_CLASSES = ("水田", "旱地", "园地", "林地", "其他农用地", "未利用地")
SPECIAL_KINDS = ("永久基本农田", "恢复属性")
AS_DRY_LAND = "其他农用地"  # 征收其他农用地的，按旱地标准执行
DRY_LAND = "旱地"
SHIPPED_DIR = Path(__file__).parent / "standards"
CENT = Decimal("0.01")
_CLASS_SYNONYMS = {"其它农用地": "其他农用地"}


class StandardError(ValueError):
    """A table that cannot become part of the standard (a city price below the
    provincial one, a coefficient below the provincial one); the message names the
    rows, in Chinese. Nothing of the table is used."""


@dataclass(frozen=True)
class ZonePrice:
    county: str
    zone: str
    price: Decimal  # 元/亩
    effective: date
    where: str = ""  # "文件 第N行" of the row it came from


@dataclass(frozen=True)
class Coefficient:
    """A land-class (or special: 永久基本农田, 恢复属性) coefficient from a loaded table."""

    land_class: str
    coefficient: Decimal
    effective: date
    where: str = ""


@dataclass(frozen=True)
class Standard:
    name: str
    effective: date
    land_share: Decimal
    resettlement_share: Decimal
    zone_prices: tuple[ZonePrice, ...]
    class_coefficients: Mapping[str, Decimal]
    special: Mapping[str, Decimal]
    basis: str
    sources: tuple[str, ...] = ()  # the loaded files merged into this version

    @cached_property
    def _index(self) -> dict[tuple[str, str], ZonePrice]:
        return {(county_key(z.county), zone_key(z.zone)): z for z in self.zone_prices}

    @property
    def title(self) -> str:
        return f"{self.name}（{self.effective.isoformat()} 施行）"

    def price(self, county: str, zone: str) -> ZonePrice | None:
        return self._index.get((county_key(county), zone_key(zone)))

    def counties(self) -> list[str]:
        seen: dict[str, str] = {}
        for z in self.zone_prices:
            seen.setdefault(county_key(z.county), z.county)
        return list(seen.values())

    def zones_of(self, county: str) -> list[str]:
        key = county_key(county)
        return [z.zone for z in self.zone_prices if county_key(z.county) == key]

    def class_coefficient(self, land_class: str) -> Decimal | None:
        """其他农用地 takes 旱地's coefficient."""
        found = self.class_coefficients.get(DRY_LAND if land_class == AS_DRY_LAND else land_class)
        return found

    def coefficient(
        self, land_class: str, *, basic_farmland: bool, restored: bool
    ) -> tuple[Decimal, str] | str:
        """The coefficient that applies and why (the higher of those that apply), or
        the reason there is none."""
        base = self.class_coefficient(land_class)
        if base is None:
            return f"地类「{land_class}」没有系数（{self.title}未含该地类系数，请导入地类系数表）"
        shown = f"地类「{land_class}」" + (f"按旱地 ×{fmt(base)}" if land_class == AS_DRY_LAND
                                          else f"×{fmt(base)}")  # fmt: skip
        options = [(base, shown)]
        for kind, applies in (("永久基本农田", basic_farmland), ("恢复属性", restored)):
            if not applies:
                continue
            value = self.special.get(kind)
            if value is None:
                return f"{self.title}没有「{kind}」系数"
            options.append((value, f"{kind} ×{fmt(value)}"))
        best = max(range(len(options)), key=lambda i: (options[i][0], -i))
        value, text = options[best]
        others = [t for i, (_, t) in enumerate(options) if i != best]
        if not others:
            return value, text
        higher = all(v < value for i, (v, _) in enumerate(options) if i != best)
        return value, f"{text}（{'高于' if higher else '不低于'}{'、'.join(others)}）"


@dataclass
class Parcel:
    county: str
    zone: str
    land_class: str
    basic_farmland: bool
    restored: bool
    area: Decimal  # 亩
    announced: date | None  # 征收土地公告日期
    approved: date | None  # 批准日期


@dataclass(frozen=True)
class Due:
    amount: Decimal
    land_fee: Decimal  # 土地补偿费
    resettlement: Decimal  # 安置补助费
    standard_name: str
    standard_effective: date
    zone_price: Decimal  # 元/亩
    coefficient: Decimal
    coefficient_reason: str
    standard_reason: str = ""  # why this version applies (announcement, reference date)
    zone_where: str = ""  # the row the zone price came from
    land_share: Decimal = Decimal("0.40")


@dataclass(frozen=True)
class Unchecked:
    reason: str


class StandardSet:
    """The versions of the standard, sorted by effective date."""

    def __init__(self, versions: Iterable[Standard]) -> None:
        self.versions: tuple[Standard, ...] = tuple(sorted(versions, key=lambda s: s.effective))

    def in_force(self, on: date) -> Standard | None:
        found = None
        for s in self.versions:
            if s.effective <= on:
                found = s
        return found

    def applicable(
        self, announced: date | None, approved: date | None, reference: date | None = None
    ) -> Standard | str:
        """The version that applies: the one in force on the announcement date when the
        land-acquisition announcement was published; without one (approved or not),
        the one in force on ``reference`` (default today). A str is the reason none
        applies."""
        if announced is not None:
            found = self.in_force(announced)
            if found is None:
                return (f"征收土地公告日期 {announced.isoformat()} 时没有施行中的标准"
                        f"（{self._earliest_note()}）")  # fmt: skip
            return found
        on = reference or date.today()
        found = self.in_force(on)
        if found is None:
            return f"参照日期 {on.isoformat()} 时没有施行中的标准（{self._earliest_note()}）"
        return found

    def _earliest_note(self) -> str:
        if not self.versions:
            return "没有任何标准"
        return f"已有标准中最早的自 {self.versions[0].effective.isoformat()} 施行，未加载旧标准"

    def merged(
        self,
        zones: Sequence[ZonePrice] = (),
        coefficients: Sequence[Coefficient] = (),
        *,
        source: str = "",
        strict: bool = True,
    ) -> StandardSet:
        """This set with a loaded table's rows: a row dated like an existing version
        replaces that version's zones of the counties the table lists (and its
        coefficients of the classes it lists); a row of another date makes a new
        version from the one then in force (or, before every version, the earliest's
        split and coefficients without its prices). A price or coefficient lower than
        the one in force on the same date is refused (StandardError naming the rows),
        or with ``strict=False`` not applied (the higher stays)."""
        problems: list[str] = []
        versions = {s.effective: s for s in self.versions}
        dates = sorted({z.effective for z in zones} | {c.effective for c in coefficients})
        for on in dates:
            base = versions.get(on) or self._derived(on)
            if base is None:
                problems.append(f"{on.isoformat()}：没有可依据的标准")
                continue
            day_zones = [z for z in zones if z.effective == on]
            day_coefs = [c for c in coefficients if c.effective == on]
            versions[on] = self._apply(base, day_zones, day_coefs, source, strict, problems)
        if problems:
            raise StandardError("；".join(problems))
        return StandardSet(versions.values())

    def _derived(self, on: date) -> Standard | None:
        current = self.in_force(on)
        if current is not None:
            return replace(current, effective=on, name=f"{current.name}（调整）", sources=())
        if not self.versions:
            return None
        first = self.versions[0]
        return replace(
            first, effective=on, zone_prices=(), name="征地补偿标准（旧标准）", sources=()
        )

    def _apply(
        self,
        base: Standard,
        zones: list[ZonePrice],
        coefs: list[Coefficient],
        source: str,
        strict: bool,
        problems: list[str],
    ) -> Standard:
        floor = self.in_force(base.effective)
        kept: list[ZonePrice] = []
        for z in zones:
            old = floor.price(z.county, z.zone) if floor is not None else None
            if old is not None and z.price < old.price:
                if strict:
                    problems.append(
                        f"{z.where}：{z.county} {z.zone} 的区片综合地价 {fmt(z.price)} 元/亩"
                        f"低于{floor.title if floor else ''}的 {fmt(old.price)} 元/亩"
                        "（市州可以提高，不得低于省政府确定的补偿标准）"
                    )
                kept.append(
                    old if old.effective == z.effective else replace(old, effective=z.effective)
                )
            else:
                kept.append(z)
        listed = {county_key(z.county) for z in zones}
        prices = tuple(z for z in base.zone_prices if county_key(z.county) not in listed) + tuple(
            kept
        )
        classes, special = dict(base.class_coefficients), dict(base.special)
        for c in coefs:
            target = special if c.land_class in SPECIAL_KINDS else classes
            old_value = _floor_coefficient(floor, c.land_class)
            if old_value is not None and c.coefficient < old_value:
                if strict:
                    problems.append(
                        f"{c.where}：地类「{c.land_class}」的系数 {fmt(c.coefficient)} 低于"
                        f"{floor.title if floor else ''}的 {fmt(old_value)}（不得低于省政府确定的地类系数）"
                    )
                continue
            target[c.land_class] = c.coefficient
        sources = base.sources + ((source,) if source else ())
        return replace(base, zone_prices=prices, class_coefficients=classes, special=special,
                       sources=sources)  # fmt: skip

    def tables(self) -> dict[str, pa.Table]:
        """The standard as flat tables for SQL engines (DuckDB, Spark):
        ``std_version``, ``std_zone``, ``std_class`` (其他农用地 included when 旱地 has
        a coefficient) and ``std_special``."""
        import pyarrow as pa

        share, price = pa.decimal128(9, 4), pa.decimal128(18, 2)
        version: dict[str, list[Any]] = {"effective": [], "name": [], "land_share": []}
        zone: dict[str, list[Any]] = {"effective": [], "county": [], "zone": [], "price": []}
        klass: dict[str, list[Any]] = {"effective": [], "land_class": [], "coefficient": []}
        special: dict[str, list[Any]] = {"effective": [], "kind": [], "coefficient": []}
        for s in self.versions:
            version["effective"].append(s.effective)
            version["name"].append(s.name)
            version["land_share"].append(s.land_share)
            for z in s.zone_prices:
                for k, v in (("effective", s.effective), ("county", county_key(z.county)),
                             ("zone", zone_key(z.zone)), ("price", z.price)):  # fmt: skip
                    zone[k].append(v)
            for name in LAND_CLASSES:
                value = s.class_coefficient(name)
                if value is not None:
                    klass["effective"].append(s.effective)
                    klass["land_class"].append(name)
                    klass["coefficient"].append(value)
            for kind, value in s.special.items():
                special["effective"].append(s.effective)
                special["kind"].append(kind)
                special["coefficient"].append(value)
        types = {"effective": pa.date32(), "name": pa.string(), "land_share": share,
                 "county": pa.string(), "zone": pa.string(), "price": price,
                 "land_class": pa.string(), "coefficient": share, "kind": pa.string()}  # fmt: skip

        def table(columns: dict[str, list[Any]]) -> pa.Table:
            schema = pa.schema([(k, types[k]) for k in columns])
            return pa.table(
                {k: pa.array(v, type=types[k]) for k, v in columns.items()}, schema=schema
            )

        return {"std_version": table(version), "std_zone": table(zone),
                "std_class": table(klass), "std_special": table(special)}  # fmt: skip


def _floor_coefficient(floor: Standard | None, land_class: str) -> Decimal | None:
    if floor is None:
        return None
    if land_class in SPECIAL_KINDS:
        return floor.special.get(land_class)
    return floor.class_coefficients.get(land_class)


def calculate(
    parcel: Parcel, standards: StandardSet, reference: date | None = None
) -> Due | Unchecked:
    """What ``parcel`` is due under the version that applies: area × zone price ×
    coefficient, rounded to the fen (half up); the land compensation fee is its
    land share (rounded), the resettlement subsidy the rest."""
    land_class = normalize_land_class(parcel.land_class)
    if land_class not in LAND_CLASSES:
        return Unchecked(f"地类「{parcel.land_class}」不是{'、'.join(LAND_CLASSES)}之一")
    if not parcel.area.is_finite() or parcel.area <= 0:
        return Unchecked(f"面积「{parcel.area}」不是正数（亩）")
    std = standards.applicable(parcel.announced, parcel.approved, reference)
    if isinstance(std, str):
        return Unchecked(std)
    zone = std.price(parcel.county, parcel.zone)
    if zone is None:
        return Unchecked(_missing_zone(std, parcel.county, parcel.zone))
    coef = std.coefficient(
        land_class, basic_farmland=parcel.basic_farmland, restored=parcel.restored
    )
    if isinstance(coef, str):
        return Unchecked(coef)
    value, reason = coef
    amount = (parcel.area * zone.price * value).quantize(CENT, ROUND_HALF_UP)
    land_fee = (amount * std.land_share).quantize(CENT, ROUND_HALF_UP)
    return Due(
        amount=amount, land_fee=land_fee, resettlement=amount - land_fee,
        standard_name=std.name, standard_effective=std.effective, zone_price=zone.price,
        coefficient=value, coefficient_reason=reason,
        standard_reason=_standard_reason(parcel, std, reference), zone_where=zone.where,
        land_share=std.land_share,
    )  # fmt: skip


def _missing_zone(std: Standard, county: str, zone: str) -> str:
    zones = std.zones_of(county)
    if not zones:
        return f"县市区「{county}」不在{std.title}的区片价表中（请导入完整的区片综合地价表）"
    return f"县市区「{county}」没有区片「{zone}」（{std.title}中有：{'、'.join(zones)}）"


def _standard_reason(parcel: Parcel, std: Standard, reference: date | None) -> str:
    if parcel.announced is not None:
        return f"征收土地公告日期 {parcel.announced.isoformat()}，按公告时施行的{std.title}"
    on = (reference or date.today()).isoformat()
    approved = f"（批准日期 {parcel.approved.isoformat()}）" if parcel.approved else ""
    return f"未发布征收土地公告{approved}，按参照日期 {on} 时施行的{std.title}"


# --- names ---------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
}
_ZONE = re.compile(r"第?([0-9]+|[一二三四五六七八九十]+|[IVX]+)(?:类区|片区|区片|区|片)?", re.I)


def _light(text: str) -> str:
    """Full-width to half-width (NFKC, which also turns Ⅰ into I), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def county_key(text: str) -> str:
    return _light(text)


def _chinese_number(text: str) -> int | None:
    if text == "十":
        return 10
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    if text.startswith("十") and len(text) == 2:
        return 10 + _CN_DIGITS.get(text[1], -100)
    if len(text) in (2, 3) and text[1] == "十":
        tail = _CN_DIGITS.get(text[2], -100) if len(text) == 3 else 0
        return _CN_DIGITS.get(text[0], -100) * 10 + tail
    return None


def zone_key(text: str) -> str:
    """ "1区", "一区", "Ⅰ区", "第1区", "１" are the same zone: "1区"."""
    light = _light(text)
    m = _ZONE.fullmatch(light)
    if not m:
        return light
    token = m.group(1)
    n: int | None
    if token.isdigit():
        n = int(token)
    elif token.upper() in _ROMAN:
        n = _ROMAN[token.upper()]
    else:
        n = _chinese_number(token)
    return f"{n}区" if n is not None and n > 0 else light


def normalize_land_class(text: str) -> str:
    light = _light(text)
    return _CLASS_SYNONYMS.get(light, light)


def fmt(value: Decimal) -> str:
    """A decimal as people write it: 124800, 0.5, 1.68 (no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


# --- the shipped default -------------------------------------------------------------


def default_standards() -> StandardSet:
    """What seed 000 gives (standards/*.toml with their zone-price CSV)."""
    return StandardSet(load_shipped(path) for path in sorted(SHIPPED_DIR.glob("*.toml")))


def load_shipped(path: Path) -> Standard:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    effective = data["effective"]
    prices_file = path.parent / data["zone_prices"]
    zones = []
    reader = csv.DictReader(io.StringIO(prices_file.read_text(encoding="utf-8")))
    for n, row in enumerate(reader, start=2):
        zones.append(ZonePrice(
            county=row["县市区"], zone=zone_key(row["区片"]), price=Decimal(row["区片综合地价（元/亩）"]).quantize(CENT),
            effective=date.fromisoformat(row["施行日期"]), where=f"{prices_file.name} 第{n}行",
        ))  # fmt: skip
    if any(z.effective != effective for z in zones):
        raise ValueError(f"{prices_file.name}：施行日期应都是 {effective}")
    land_share = Decimal(data["land_share"])
    return Standard(
        name=data["name"], effective=effective, land_share=land_share,
        resettlement_share=Decimal(data["resettlement_share"]), zone_prices=tuple(zones),
        class_coefficients={k: Decimal(v) for k, v in data["class_coefficients"].items()},
        special={k: Decimal(v) for k, v in data["special"].items()}, basis=data["basis"].strip(),
    )  # fmt: skip


__all__ = [
    "LAND_CLASSES",
    "SPECIAL_KINDS",
    "Coefficient",
    "Due",
    "Parcel",
    "Standard",
    "StandardError",
    "StandardSet",
    "Unchecked",
    "ZonePrice",
    "calculate",
    "default_standards",
]
