"""The farmland-protection subsidy (耕地地力保护补贴): paid by contracted area, so a
person's subsidised area beyond their contracted (确权) area, or one parcel subsidised
twice in a year, is a suspect.

The payment list is its own input (``farmland_payments``, given with ``--payments``);
its view holds every row of the list, linked to a person or not (a parcel subsidised
twice, or an ID that is not valid, is a suspect whoever was paid)."""

from __future__ import annotations

from decimal import Decimal

from ..dialect import DuckDBDialect
from ..linking import UNLINKED
from ..params import Param
from ..rules import Params, Rule, _listed, _paid, _payments_net, _where, invalid_id_rows
from .base import PAYMENT_ROLES, Input, Program

FARMLAND_PAYMENTS = Input(
    "farmland_payments",
    "耕地地力保护补贴发放清册",
    (*PAYMENT_ROLES, "area", "land_id"),
    option="payments",
    required=True,
    help="耕地地力保护补贴发放清册（xlsx/xls/csv，可多个）：姓名、身份证号码、补贴面积、地块编号、金额、发放日期",
    wants=("name", "area", "land_id", "payment_date"),
)
CONTRACTS = Input(
    "contracts",
    "土地承包经营权确权登记",
    ("name", "id_number", "land_id", "area"),
    help="土地承包经营权确权登记（承包地块清单，可多个）：承包方姓名、身份证号码、地块编号、确权面积",
    wants=("name", "area"),
)


_AREA_NET = "CASE WHEN {paid} THEN {a}.area WHEN {a}.amount < 0 THEN -{a}.area ELSE 0 END"


def _area_over(p: Params, d: DuckDBDialect) -> str:
    """Per person and year, the subsidised area (paid rows; a reversal subtracts its
    area) against the person's contracted area: each parcel once (a parcel listed twice
    in the register counts once, at its larger area; a row without a parcel number is a
    parcel of its own). People the register does not have are not judged."""
    margin = d.param("area_margin")
    net = _AREA_NET.format(paid=_paid("f"), a="f")
    evidence = f"""'确权登记 ' || {_where("r")} || ' 等共 ' || CAST(h.parcels AS STRING) ||
        ' 块承包地，确权面积合计 ' || CAST(h.contracted AS STRING) || ' 亩；' ||
        CAST(h.pay_year AS STRING) || ' 年补贴面积合计 ' || CAST(h.subsidised AS STRING) ||
        ' 亩，超出 ' || CAST(h.subsidised - h.contracted AS STRING) || ' 亩（容差 ' ||
        CAST({margin} AS STRING) || ' 亩）；同组编号 A' || CAST(h.group_no AS STRING)"""
    return f"""
    WITH f AS (
        SELECT * FROM farmland_payments t
        WHERE person_key < {UNLINKED} AND pay_year IS NOT NULL AND area IS NOT NULL),
    parcel AS (
        SELECT person_key, max(area) AS area, min(rid) AS rid, max(tier_rank) AS tier_rank
        FROM contracts WHERE area IS NOT NULL
        GROUP BY person_key, coalesce(land_id, CAST(rid AS STRING))),
    c AS (
        SELECT person_key, sum(area) AS contracted, count(*) AS parcels, min(rid) AS first_rid,
            max(tier_rank) AS tier_rank
        FROM parcel GROUP BY person_key),
    g AS (
        SELECT f.person_key, f.pay_year, sum({net}) AS subsidised, max(f.tier_rank) AS tier_rank
        FROM f GROUP BY f.person_key, f.pay_year),
    h AS (
        SELECT g.person_key, g.pay_year, g.subsidised, c.contracted, c.parcels, c.first_rid,
            greatest(g.tier_rank, c.tier_rank) AS tier_rank,
            row_number() OVER (ORDER BY g.person_key, g.pay_year) AS group_no
        FROM g JOIN c ON c.person_key = g.person_key
        WHERE g.subsidised > c.contracted + {margin})
    SELECT f.rid, h.first_rid AS reg_rid, 'A' || CAST(h.group_no AS STRING) AS group_key,
        h.tier_rank, {evidence} AS evidence
    FROM f JOIN h ON h.person_key = f.person_key AND h.pay_year = f.pay_year
    JOIN contracts r ON r.rid = h.first_rid
    WHERE {_listed("f")}"""


def _land_twice(p: Params, d: DuckDBDialect) -> str:
    """Per parcel number and year, how many times it was paid (reversals cancel one);
    every row of a parcel paid more than once, whoever was paid."""
    evidence = """'地块 ' || g.land_id || ' 在 ' || CAST(g.pay_year AS STRING) || ' 年被补贴 ' ||
        CAST(g.n AS STRING) || ' 次（' ||
        CASE WHEN g.people > 1 THEN '发给 ' || CAST(g.people AS STRING) || ' 个不同的人'
             WHEN g.unknown > 0 THEN '其中有身份证号码无法识别的行'
             ELSE '都发给同一人' END ||
        '），补贴面积合计 ' || coalesce(CAST(g.area AS STRING), '?') || ' 亩；同组编号 L' ||
        CAST(g.group_no AS STRING)"""
    return f"""
    WITH f AS (
        SELECT * FROM farmland_payments t WHERE land_id IS NOT NULL AND pay_year IS NOT NULL),
    g AS (
        SELECT *, row_number() OVER (ORDER BY land_id, pay_year) AS group_no FROM (
            SELECT land_id, pay_year, sum({_payments_net("f")}) AS n,
                count(DISTINCT person_key) AS people,
                sum(CASE WHEN person_key IS NULL THEN 1 ELSE 0 END) AS unknown,
                sum(CASE WHEN {_paid("f")} THEN area END) AS area
            FROM f GROUP BY land_id, pay_year) t
        WHERE n > 1)
    SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, 'L' || CAST(g.group_no AS STRING) AS group_key,
        0 AS tier_rank, {evidence} AS evidence
    FROM f JOIN g ON g.land_id = f.land_id AND g.pay_year = f.pay_year
    WHERE {_listed("f")}"""


def _invalid_id(p: Params, d: DuckDBDialect) -> str:
    """As the shared ``invalid_id`` rule, over this program's payment list."""
    return invalid_id_rows("farmland_payments")


_BASIS = (
    "财政部 农业部《关于调整完善农业三项补贴政策的指导意见》（财农〔2015〕31号）："
    "耕地地力保护补贴的对象原则上为拥有耕地承包权的种地农民，补贴依据可以是二轮承包耕地面积、"
    "计税耕地面积、确权耕地面积或粮食种植面积等，具体以哪一种类型面积或哪几种类型面积，"
    "由省级人民政府结合本地实际自定；各地每年的耕地地力保护补贴实施方案多以确权（承包）面积为准"
)

RULES = (
    Rule(
        id="area_over_contract",
        title="补贴面积超过承包面积",
        version=1,
        meaning="同一人同一年度的补贴面积合计（冲回行抵减）超过其在确权登记中的承包面积合计"
        "（同一地块只算一次）超过容差；该人该年有面积的每一行都列出。确权登记中没有的人不比对。",
        basis=_BASIS + "。补贴面积不应超过承包（确权）面积。",
        inputs=("farmland_payments", "contracts"),
        params=(
            Param(
                "area_margin",
                "面积容差",
                "margin",
                Decimal("0.01"),
                "亩",
                "补贴面积与确权面积都记到 0.01 亩，默认容差 0.01 亩吸收一次两位小数的舍入差；"
                "当地按其他面积（如计税面积）补贴时可放宽。",
            ),
        ),
        build=_area_over,
    ),
    Rule(
        id="land_subsidised_twice",
        title="同一地块重复补贴",
        version=1,
        meaning="同一地块编号同一年度被补贴不止一次（发给同一人或不同的人；金额为 0 的行不算，"
        "冲回行抵减一次）；同组每一行都列出。没有地块编号的行不参与。",
        basis=_BASIS + "。同一地块每年只应补贴一次。",
        inputs=("farmland_payments",),
        build=_land_twice,
    ),
    Rule(
        id="farmland_invalid_id",
        title="身份证号码无效",
        version=1,
        meaning="耕地地力保护补贴发放清册中身份证号码本身无效（位数、出生日期、校验码），"
        "或已被表格数值格式损坏；去空格、全角转半角等无害清理不算，15位旧号码有效。",
        basis="GB 11643-1999《公民身份号码》。",
        inputs=("farmland_payments",),
        build=_invalid_id,
    ),
)

PROGRAM = Program(
    id="farmland",
    title="耕地地力保护补贴",
    summary="耕地地力保护补贴发放清册，对照土地承包经营权确权登记，查补贴面积超过承包面积、"
    "同一地块重复补贴和身份证号码无效。",
    inputs=(FARMLAND_PAYMENTS, CONTRACTS),
    rules=RULES,
    guide="docs/programs/farmland.md",
    datagen="xuncha.crosscheck.datagen.farmland:generate_farmland",
    order=30,
)
