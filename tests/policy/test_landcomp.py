"""The calculator reproduces seed 000's land-compensation standard: each coefficient, the
higher-of rule, both transition cases around 2024-01-01, the 40/60 split, and every
missing value named (never a silent pass)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xuncha.policy.landcomp import (
    LAND_CLASSES,
    Coefficient,
    Due,
    Parcel,
    StandardError,
    StandardSet,
    Unchecked,
    ZonePrice,
    calculate,
    county_key,
    default_standards,
    zone_key,
)

D = Decimal
NEW = date(2024, 1, 1)
OLD = date(2021, 1, 1)
TODAY = date(2025, 6, 1)


def parcel(land_class: str = "水田", **kw: object) -> Parcel:
    base: dict[str, object] = dict(county="长沙市区", zone="1区", land_class=land_class,
                                   basic_farmland=False, restored=False, area=D(1),
                                   announced=None, approved=None)  # fmt: skip
    base.update(kw)
    return Parcel(**base)  # type: ignore[arg-type]


def with_classes(**coefs: str) -> StandardSet:
    rows = [
        Coefficient(k, D(v), NEW, f"系数.csv 第{i}行") for i, (k, v) in enumerate(coefs.items(), 2)
    ]
    return default_standards().merged(coefficients=rows, source="系数.csv")


def due(result: Due | Unchecked) -> Due:
    assert isinstance(result, Due), result
    return result


def test_the_shipped_standard_is_seed_000() -> None:
    (std,) = default_standards().versions
    assert (
        std.effective == NEW and std.land_share == D("0.40") and std.resettlement_share == D("0.60")
    )
    prices = {(z.county, z.zone): z.price for z in std.zone_prices}
    assert prices == {("长沙市区", "1区"): D(124800), ("株洲市区", "1区"): D(119500),
                      ("湘潭市区", "1区"): D(119100), ("衡阳市区", "1区"): D(107100)}  # fmt: skip
    assert dict(std.class_coefficients) == {"水田": D(1), "未利用地": D("0.5")}
    assert dict(std.special) == {"永久基本农田": D("1.68"), "恢复属性": D("0.8")}
    assert "湖南省人民政府关于调整湖南省征地补偿标准的通知" in std.basis


def test_one_mu_of_paddy_in_changsha_is_124800_split_40_60() -> None:
    d = due(calculate(parcel(), default_standards(), TODAY))
    assert (d.amount, d.land_fee, d.resettlement) == (D("124800.00"), D("49920.00"), D("74880.00"))
    assert d.zone_price == D(124800) and d.coefficient == D(1)
    assert d.coefficient_reason == "地类「水田」×1"
    assert d.standard_name == "湖南省征地补偿标准" and d.standard_effective == NEW


@pytest.mark.parametrize(("county", "price"), [("株洲市区", "119500"), ("湘潭市区", "119100"),
                                               ("衡阳市区", "107100")])  # fmt: skip
def test_the_other_zone_prices(county: str, price: str) -> None:
    d = due(calculate(parcel(county=county, area=D("2.5")), default_standards(), TODAY))
    assert d.amount == D(price) * D("2.5")


@pytest.mark.parametrize(("land_class", "coef", "amount"), [
    ("旱地", "0.9", "112320.00"), ("园地", "0.75", "93600.00"), ("林地", "0.6", "74880.00"),
    ("其他农用地", "0.9", "112320.00"),  # as dry land
])  # fmt: skip
def test_loaded_class_coefficients(land_class: str, coef: str, amount: str) -> None:
    d = due(calculate(parcel(land_class), with_classes(旱地="0.9", 园地="0.75", 林地="0.6"), TODAY))
    assert d.coefficient == D(coef) and d.amount == D(amount)
    if land_class == "其他农用地":
        assert d.coefficient_reason == "地类「其他农用地」按旱地 ×0.9"


def test_unused_land_is_half() -> None:
    d = due(calculate(parcel("未利用地"), default_standards(), TODAY))
    assert d.coefficient == D("0.5") and d.amount == D("62400.00")
    assert (d.land_fee, d.resettlement) == (D("24960.00"), D("37440.00"))


def test_permanent_basic_farmland_is_1_68_higher_than_dry_land() -> None:
    d = due(calculate(parcel("旱地", basic_farmland=True), with_classes(旱地="0.9"), TODAY))
    assert d.coefficient == D("1.68") and d.amount == D("209664.00")
    assert d.coefficient_reason == "永久基本农田 ×1.68（高于地类「旱地」×0.9）"


def test_restored_attribute_is_0_8_and_the_higher_wins() -> None:
    std = with_classes(林地="0.6")
    forest = due(calculate(parcel("林地", restored=True), std, TODAY))
    assert forest.coefficient == D("0.8") and forest.amount == D("99840.00")
    assert forest.coefficient_reason == "恢复属性 ×0.8（高于地类「林地」×0.6）"
    paddy = due(calculate(parcel("水田", restored=True), std, TODAY))
    assert (
        paddy.coefficient == D(1)
        and paddy.coefficient_reason == "地类「水田」×1（高于恢复属性 ×0.8）"
    )
    both = due(calculate(parcel("林地", restored=True, basic_farmland=True), std, TODAY))
    assert both.coefficient == D("1.68")
    assert both.coefficient_reason == "永久基本农田 ×1.68（高于地类「林地」×0.6、恢复属性 ×0.8）"


def test_amounts_round_to_the_fen_half_up() -> None:
    d = due(
        calculate(
            parcel("未利用地", area=D("0.00001"), county="衡阳市区"), default_standards(), TODAY
        )
    )
    # 0.00001 × 107100 × 0.5 = 0.5355 → 0.54; 40% = 0.216 → 0.22; the rest 0.32
    assert (d.amount, d.land_fee, d.resettlement) == (D("0.54"), D("0.22"), D("0.32"))


def test_class_without_coefficient_is_unchecked_never_passed() -> None:
    for land_class in ("旱地", "园地", "林地", "其他农用地"):
        result = calculate(parcel(land_class, basic_farmland=True), default_standards(), TODAY)
        assert isinstance(result, Unchecked)
        assert f"地类「{land_class}」没有系数" in result.reason


def test_unknown_county_zone_and_class_are_named() -> None:
    std = default_standards()
    r = calculate(parcel(county="郴州市区"), std, TODAY)
    assert isinstance(r, Unchecked) and "县市区「郴州市区」不在" in r.reason
    r = calculate(parcel(zone="3区"), std, TODAY)
    assert (
        isinstance(r, Unchecked)
        and "县市区「长沙市区」没有区片「3区」" in r.reason
        and "1区" in r.reason
    )
    r = calculate(parcel("建设用地"), std, TODAY)
    assert isinstance(r, Unchecked) and "地类「建设用地」不是" in r.reason
    r = calculate(parcel(area=D(0)), std, TODAY)
    assert isinstance(r, Unchecked) and "面积" in r.reason


def test_names_are_compared_after_light_normalisation() -> None:
    assert {zone_key(z) for z in ("1区", "一区", "Ⅰ区", "１区", "第1区", " 1 区")} == {"1区"}
    assert zone_key("十二区") == "12区" and zone_key("III区") == "3区"
    assert county_key("长沙 市区") == county_key("长沙市区")
    d = due(calculate(parcel(county="长沙　市区", zone="Ⅰ区"), default_standards(), TODAY))
    assert d.amount == D("124800.00")


def _with_old() -> StandardSet:
    old = [ZonePrice("长沙市区", "1区", D(99000), OLD, "旧标准.csv 第2行")]
    return default_standards().merged(old, source="旧标准.csv")


def test_announced_before_2024_keeps_the_old_standard_when_loaded() -> None:
    d = due(calculate(parcel(announced=date(2023, 12, 31)), _with_old(), TODAY))
    assert d.standard_effective == OLD and d.amount == D("99000.00")
    assert "征收土地公告日期 2023-12-31" in d.standard_reason


def test_announced_before_2024_is_unchecked_without_the_old_standard() -> None:
    r = calculate(parcel(announced=date(2023, 12, 31)), default_standards(), TODAY)
    assert isinstance(r, Unchecked)
    assert (
        r.reason.startswith("征收土地公告日期 2023-12-31 时没有施行中的标准")
        and "未加载旧标准" in r.reason
    )


def test_approved_before_2024_without_announcement_takes_the_new_standard() -> None:
    d = due(calculate(parcel(approved=date(2023, 12, 1)), _with_old(), TODAY))
    assert d.standard_effective == NEW and d.amount == D("124800.00")
    assert "未发布征收土地公告（批准日期 2023-12-01）" in d.standard_reason
    on_new_years_day = due(calculate(parcel(announced=NEW), _with_old(), TODAY))
    assert on_new_years_day.standard_effective == NEW


def test_applicable_versions() -> None:
    std = _with_old()
    assert std.applicable(date(2023, 12, 31), None).effective == OLD  # type: ignore[union-attr]
    assert std.applicable(None, date(2023, 12, 1), TODAY).effective == NEW  # type: ignore[union-attr]
    assert isinstance(std.applicable(None, None, date(2020, 1, 1)), str)


def test_a_city_may_raise_never_lower() -> None:
    higher = default_standards().merged(
        [ZonePrice("长沙市区", "1区", D(130000), NEW, "长沙.csv 第2行"),
         ZonePrice("长沙市区", "2区", D(110000), NEW, "长沙.csv 第3行")], source="长沙.csv")  # fmt: skip
    (std,) = higher.versions
    assert std.price("长沙市区", "1区").price == D(130000)  # type: ignore[union-attr]
    assert std.price("株洲市区", "1区").price == D(119500)  # type: ignore[union-attr]
    assert std.sources == ("长沙.csv",)
    with pytest.raises(
        StandardError, match=r"长沙.csv 第4行：长沙市区 1区 的区片综合地价 124000 元/亩低于"
    ):
        default_standards().merged([ZonePrice("长沙市区", "1区", D(124000), NEW, "长沙.csv 第4行")])
    with pytest.raises(StandardError, match=r"地类「未利用地」的系数 0.4 低于"):
        default_standards().merged(coefficients=[Coefficient("未利用地", D("0.4"), NEW, "x 第2行")])
    later = date(2025, 1, 1)
    with pytest.raises(StandardError, match="第9行"):  # lower than the version then in force
        default_standards().merged([ZonePrice("长沙市区", "1区", D(100), later, "x 第9行")])
    lenient = default_standards().merged(
        [ZonePrice("长沙市区", "1区", D(100), NEW, "x 第9行")], strict=False
    )
    assert lenient.versions[0].price("长沙市区", "1区").price == D(124800)  # type: ignore[union-attr]


def test_a_later_version_inherits_the_counties_it_does_not_list() -> None:
    later = date(2026, 1, 1)
    std = default_standards().merged([ZonePrice("长沙市区", "1区", D(130000), later, "x 第2行")])
    assert [v.effective for v in std.versions] == [NEW, later]
    d = due(calculate(parcel(county="株洲市区"), std, date(2026, 3, 1)))
    assert d.standard_effective == later and d.amount == D("119500.00")
    d = due(calculate(parcel(), std, date(2025, 3, 1)))
    assert d.amount == D("124800.00")


def test_tables_for_sql_engines() -> None:
    t = with_classes(旱地="0.9").tables()
    assert set(t) == {"std_version", "std_zone", "std_class", "std_special"}
    assert str(t["std_version"].schema.field("land_share").type) == "decimal128(9, 4)"
    assert str(t["std_zone"].schema.field("price").type) == "decimal128(18, 2)"
    assert str(t["std_zone"].schema.field("effective").type) == "date32[day]"
    classes = dict(
        zip(
            t["std_class"]["land_class"].to_pylist(),
            t["std_class"]["coefficient"].to_pylist(),
            strict=True,
        )
    )
    assert classes == {"水田": D(1), "旱地": D("0.9"), "其他农用地": D("0.9"), "未利用地": D("0.5")}
    assert t["std_zone"].num_rows == 4 and sorted(t["std_special"]["kind"].to_pylist()) == [
        "恢复属性",
        "永久基本农田",
    ]
    assert set(classes) <= set(LAND_CLASSES)


def test_tables_query_in_duckdb() -> None:
    import duckdb

    t = default_standards().tables()
    con = duckdb.connect()
    for name, table in t.items():
        con.register(name, table)
    row = con.execute(
        "SELECT z.price * c.coefficient * v.land_share FROM std_zone z JOIN std_class c USING (effective) "
        "JOIN std_version v USING (effective) WHERE z.county = '长沙市区' AND z.zone = '1区' AND c.land_class = '水田'"
    ).fetchone()
    assert row is not None and row[0] == D("49920")
