"""The land-compensation payment check (征地补偿款发放): the payments made for each parcel
taken, against the due amount under the provincial standard (seed 000, see
:mod:`xuncha.policy.landcomp`).

The standard reaches the SQL as reference tables (``std_version``, ``std_zone``,
``std_class``, ``std_special``: :meth:`~xuncha.policy.landcomp.StandardSet.tables`) of
the shipped default merged with the zone-price and coefficient files given; the rules
compute the due amount exactly as :func:`xuncha.policy.landcomp.calculate` does
(area × zone price × the highest coefficient that applies, rounded half up to the fen).

The version that applies: the one in force on the announcement date (征收土地公告日期);
a parcel without an announcement takes the one in force on its latest payment date
(the money was paid under the standard then in force), or the newest version when no
payment date can be read (not the run's date: the hits must not depend on the day or
the engine's time zone). A parcel the standard cannot price (a county or zone not in
the table, a land class without a coefficient, no version in force) is a hit of
``land_unchecked`` with the reason, never a silent pass.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ..dialect import DuckDBDialect
from ..errors import InputError
from ..params import Param
from ..rules import Params, Rule, _paid, _where, share_table
from .base import Input, Program

BASIS = (
    "《湖南省人民政府关于调整湖南省征地补偿标准的通知》：征地补偿标准包含土地补偿费和安置补助费两项之和，"
    "为当地农用地片区综合地价，其中土地补偿费占40%、安置补助费占60%；同时满足适用条件的，"
    "适用补偿水平相对较高的标准；新标准自2024年1月1日起施行，施行前已发布征收土地公告的，"
    "可以继续按照公告确定的标准执行"
)

TOLERANCE = Param(
    "land_tolerance",
    "征地补偿核对容差",
    "margin",
    Decimal("1"),
    "元",
    "金额按分计算，1 元以内的差额视为尾差，不作为疑点",
)

PAYMENTS = Input(
    "land_payments",
    "征地补偿款发放表",
    ("land_id", "fee_kind", "amount", "name", "payment_date", "county", "township", "village",
     "bank_account"),
    required=True,
    help="征地补偿款发放表：地块编号、款项（土地补偿费/安置补助费）、金额、收款人、发放日期",
    needs=("land_id",),
    wants=("fee_kind", "amount"),
    keys=("land_id",),
    option="payments",
)  # fmt: skip
PARCELS = Input(
    "parcels",
    "征收地块清单",
    ("land_id", "county", "zone", "land_class", "basic_farmland", "restored", "area",
     "announce_date", "approve_date"),
    required=True,
    help="征收地块清单：地块编号、县市区、区片、地类、是否永久基本农田、是否恢复属性、面积（亩）、"
    "征收土地公告日期、批准日期",
    needs=("land_id",),
    wants=("county", "zone", "land_class", "area"),
    keys=("land_id",),
    option="parcels",
)  # fmt: skip
ZONE_PRICES = Input("zone_prices", "区片综合地价表", (), option="zone-prices",
                    help="区片综合地价表（县市区、区片、区片综合地价（元/亩）、施行日期）；"
                    "不给时用内置的种子 000 标准")  # fmt: skip
COEFFICIENTS = Input("coefficients", "地类系数表", (), option="coefficients",
                     help="地类系数表（地类、系数、施行日期）")  # fmt: skip

LAND_FEE = "土地补偿费"


def _squeezed(expr: str) -> str:
    """``expr`` without spaces (half- and full-width), '' for NULL: portable SQL."""
    return f"replace(replace(coalesce({expr}, ''), ' ', ''), '\u3000', '')"


def _fee_kind(alias: str) -> str:
    """The 款项 as normalised (a code: no spaces), '' for none."""
    return f"coalesce({alias}.fee_kind, '')"


def _base() -> str:
    """The shared table ``land_parcel``, built once per run for the rules that read it:
    per parcel (its first row), what was paid (total, land fee, latest payment date),
    its standard version, zone price, coefficient and due amount, or the ``problem``
    that keeps it from being priced. Portable SQL (no dialect function)."""
    county = _squeezed("p.county")
    klass = f"replace({_squeezed('p.land_class')}, '其它', '其他')"
    return f"""
    WITH paid AS (
        SELECT land_id, sum(amount) AS paid,
            sum(CASE WHEN {_fee_kind("l")} = '{LAND_FEE}' THEN amount ELSE 0 END) AS land_paid,
            max(pay_date) AS last_date, count(*) AS n,
            max(CASE WHEN amount_unread THEN 1 ELSE 0 END) AS unread
        FROM land_payments l WHERE land_id IS NOT NULL AND {_paid("l")} GROUP BY land_id),
    first AS (
        SELECT p.*, {county} AS county_key, {klass} AS class_key,
            coalesce(p.announce_date, g.last_date, DATE '9999-12-31') AS ref_date,
            coalesce(g.paid, 0) AS paid, coalesce(g.land_paid, 0) AS land_paid,
            coalesce(g.n, 0) AS n_paid, coalesce(g.unread, 0) AS unread, g.last_date
        FROM parcels p
        JOIN (SELECT min(rid) AS rid FROM parcels WHERE land_id IS NOT NULL GROUP BY land_id) m
          ON m.rid = p.rid
        LEFT JOIN paid g ON g.land_id = p.land_id),
    in_force AS (
        SELECT f.rid, max(v.effective) AS effective
        FROM first f JOIN std_version v ON v.effective <= f.ref_date GROUP BY f.rid),
    versioned AS (
        SELECT f.*, i.effective FROM first f LEFT JOIN in_force i ON i.rid = f.rid),
    counties AS (SELECT DISTINCT effective, county FROM std_zone),
    priced AS (
        SELECT f.*, v.name AS std_name, v.land_share, z.price, cz.county AS county_known,
            c.coefficient AS class_coef, b.coefficient AS basic_coef, r.coefficient AS restored_coef
        FROM versioned f
        LEFT JOIN std_version v ON v.effective = f.effective
        LEFT JOIN counties cz ON cz.effective = f.effective AND cz.county = f.county_key
        LEFT JOIN std_zone z ON z.effective = f.effective AND z.county = f.county_key
            AND z.zone = f.zone
        LEFT JOIN std_class c ON c.effective = f.effective AND c.land_class = f.class_key
        LEFT JOIN std_special b ON b.effective = f.effective AND b.kind = '永久基本农田'
        LEFT JOIN std_special r ON r.effective = f.effective AND r.kind = '恢复属性'),
    parcel AS (
        SELECT f.*, CASE
            WHEN f.effective IS NULL THEN
                CASE WHEN f.announce_date IS NOT NULL
                     THEN '征收土地公告日期 ' || CAST(f.announce_date AS STRING)
                     ELSE '最后发放日期 ' || CAST(f.ref_date AS STRING) END || ' 时没有施行中的标准'
            WHEN f.class_key NOT IN ('水田', '旱地', '园地', '林地', '其他农用地', '未利用地') THEN
                '地类「' || coalesce(f.land_class, '') || '」不是水田、旱地、园地、林地、其他农用地、未利用地之一'
            WHEN f.area IS NULL OR f.area <= 0 THEN
                '面积「' || coalesce(CAST(f.area AS STRING), '') || '」不是正数（亩）'
            WHEN f.basic_farmland_unread THEN '是否永久基本农田无法识别'
            WHEN f.restored_unread THEN '是否恢复属性无法识别'
            WHEN f.price IS NULL AND f.county_known IS NULL THEN
                '县市区「' || coalesce(f.county, '') || '」不在' || f.std_name || '（' ||
                CAST(f.effective AS STRING) || ' 施行）的区片价表中（请导入完整的区片综合地价表）'
            WHEN f.price IS NULL THEN
                '县市区「' || f.county || '」没有区片「' || coalesce(f.zone, '') || '」'
            WHEN f.class_coef IS NULL THEN
                '地类「' || f.land_class || '」没有系数（' || f.std_name || '未含该地类系数，请导入地类系数表）'
            WHEN coalesce(f.basic_farmland, false) AND f.basic_coef IS NULL THEN
                f.std_name || '没有「永久基本农田」系数'
            WHEN coalesce(f.restored, false) AND f.restored_coef IS NULL THEN
                f.std_name || '没有「恢复属性」系数'
            WHEN f.unread = 1 THEN '发放表中该地块有金额无法识别的行'
            END AS problem,
            greatest(f.class_coef,
                     CASE WHEN coalesce(f.basic_farmland, false) THEN f.basic_coef ELSE f.class_coef END,
                     CASE WHEN coalesce(f.restored, false) THEN f.restored_coef ELSE f.class_coef END)
                AS coef
        FROM priced f)
    SELECT f.*, CASE WHEN f.problem IS NULL
        THEN round(CAST(f.area AS DECIMAL(12, 2)) * CAST(f.price AS DECIMAL(12, 2))
                   * CAST(f.coef AS DECIMAL(6, 4)), 2) END AS due
    FROM parcel f"""


share_table("land_parcel", _base())


def _standard_text(alias: str) -> str:
    a = alias
    return (
        f"'；适用' || {a}.std_name || '（' || CAST({a}.effective AS STRING) || ' 施行，' || "
        f"CASE WHEN {a}.announce_date IS NOT NULL THEN '按征收土地公告日期 ' || CAST({a}.announce_date AS STRING) "
        f"WHEN {a}.last_date IS NOT NULL THEN '未发布征收土地公告，按最后发放日期 ' || CAST({a}.ref_date AS STRING) "
        f"ELSE '未发布征收土地公告，也没有可识别的发放日期，按最新的标准' END || '）；区片综合地价 ' || "
        f"CAST({a}.price AS STRING) || ' 元/亩，面积 ' || CAST({a}.area AS STRING) || ' 亩，系数 ' || "
        f"CAST({a}.coef AS STRING) || '（' || "
        f"CASE WHEN coalesce({a}.basic_farmland, false) AND {a}.coef = {a}.basic_coef THEN '永久基本农田' "
        f"WHEN coalesce({a}.restored, false) AND {a}.coef = {a}.restored_coef THEN '恢复属性' "
        f"ELSE '地类「' || {a}.class_key || '」' END || '，多个适用取高者）'"
    )


def _underpaid(p: Params, d: DuckDBDialect) -> str:
    tol = d.param("land_tolerance")
    return f"""
    SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, 0 AS tier_rank,
        '征收地块清单 ' || {_where("f")} || '：地块 ' || f.land_id || ' 应发 ' || CAST(f.due AS STRING) ||
        ' 元，实发 ' || CAST(f.paid AS STRING) || ' 元（' || CAST(f.n_paid AS STRING) || ' 笔），少发 ' ||
        CAST(f.due - f.paid AS STRING) || ' 元' || {_standard_text("f")} AS evidence
    FROM land_parcel f WHERE f.problem IS NULL AND f.due - f.paid > {tol}"""


def _split(p: Params, d: DuckDBDialect) -> str:
    tol = d.param("land_tolerance")
    return f"""
    SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, 0 AS tier_rank,
        '征收地块清单 ' || {_where("f")} || '：地块 ' || f.land_id || ' 实发合计 ' ||
        CAST(f.paid AS STRING) || ' 元，其中土地补偿费 ' || CAST(f.land_paid AS STRING) ||
        ' 元，按 ' || CAST(CAST(f.land_share * 100 AS DECIMAL(5, 1)) AS STRING) || '% 应为 ' ||
        CAST(CAST(f.paid * f.land_share AS DECIMAL(18, 2)) AS STRING) || ' 元；应发 ' ||
        CAST(f.due AS STRING) || ' 元' || {_standard_text("f")} AS evidence
    FROM land_parcel f
    WHERE f.problem IS NULL AND f.n_paid > 0 AND abs(f.land_paid - f.paid * f.land_share) > {tol}"""


def _duplicate(p: Params, d: DuckDBDialect) -> str:
    kind = _fee_kind("l")
    return f"""
    SELECT l.rid, CAST(NULL AS BIGINT) AS reg_rid, 'L' || CAST(g.group_no AS STRING) AS group_key,
        0 AS tier_rank,
        '地块 ' || l.land_id || ' 的' || g.kind || '共发放 ' || CAST(g.n AS STRING) || ' 次，合计 ' ||
        coalesce(CAST(g.total AS STRING), '?') || ' 元；本行 ' || {_where("l")} || ' 发放 ' ||
        coalesce(CAST(l.amount AS STRING), '?') || ' 元；同组编号 L' || CAST(g.group_no AS STRING)
            AS evidence
    FROM land_payments l JOIN (
        SELECT land_id, kind, n, total, row_number() OVER (ORDER BY land_id, kind) AS group_no
        FROM (SELECT land_id, {kind} AS kind, count(*) AS n, sum(amount) AS total
              FROM land_payments l WHERE land_id IS NOT NULL AND {_paid("l")}
              GROUP BY land_id, {kind}) t
        WHERE n > 1 AND kind <> '') g
      ON g.land_id = l.land_id AND g.kind = {kind}
    WHERE {_paid("l")}"""


def _unchecked(p: Params, d: DuckDBDialect) -> str:
    return f"""
    SELECT f.rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, 0 AS tier_rank,
        '无法核算：征收地块清单 ' || {_where("f")} || '，地块 ' || f.land_id || '：' || f.problem ||
        '；实发 ' || CAST(f.paid AS STRING) || ' 元，请人工核实' AS evidence
    FROM land_parcel f WHERE f.problem IS NOT NULL
    UNION ALL
    SELECT l.rid, CAST(NULL AS BIGINT), CAST(NULL AS STRING), 0,
        '无法核算：征地补偿款发放表 ' || {_where("l")} || '：地块编号「' || l.land_id ||
        '」不在征收地块清单中，无法核对应发金额' AS evidence
    FROM land_payments l
    WHERE l.land_id IS NOT NULL AND {_paid("l")}
      AND NOT EXISTS (SELECT 1 FROM parcels x WHERE x.land_id = l.land_id)"""


TABLES_NOTE = "std_version、std_zone、std_class、std_special（区片综合地价与地类系数）"
INPUTS = ("land_payments", "parcels")

RULES = (
    Rule(
        "land_underpaid", "征地补偿款少发", 1,
        "地块实发合计比按适用标准计算的应发金额少 1 元以上（面积 × 区片综合地价 × 适用系数，"
        "多个系数取高者；公告前施行的标准按公告日期确定）。疑点指向征收地块清单中的该地块行。",
        BASIS, INPUTS, (TOLERANCE,), ("land_parcel",), build=_underpaid,
    ),
    Rule(
        "land_split", "土地补偿费比例不符", 1,
        "地块已发的土地补偿费与实发合计的 40%（标准的土地补偿费比例）相差 1 元以上。"
        "疑点指向征收地块清单中的该地块行。",
        BASIS, INPUTS, (TOLERANCE,), ("land_parcel",), build=_split,
    ),
    Rule(
        "land_duplicate_payment", "征地补偿款重复发放", 1,
        "同一地块的同一款项（土地补偿费或安置补助费）发放了不止一次；同组每一行发放记录都列出。",
        BASIS, ("land_payments",), build=_duplicate,
    ),
    Rule(
        "land_unchecked", "无法核算的地块", 1,
        "按标准无法核算应发金额的地块（县市区或区片不在区片价表中、地类没有系数、面积或是否栏目"
        "无法识别、没有施行中的标准），以及地块编号不在征收地块清单中的发放记录：不作为通过，"
        "列出原因，需人工核实。",
        BASIS, INPUTS, tables=("land_parcel",), build=_unchecked,
    ),
)  # fmt: skip


def standard_tables(files: dict[str, list[Path]]) -> dict[str, Any]:
    """The standard's tables for the run: the shipped default merged with the
    zone-price and coefficient files given (the merge rules of the policy app). Runs in
    the check's child process, so the files are read in process (no nested sandbox)."""
    from xuncha.policy.landcomp import StandardError, default_standards
    from xuncha.policy.tables import TableError, parse_coefficient_rows, parse_zone_rows, read_rows

    standards = default_standards()
    for input_id, parse in (
        ("zone_prices", parse_zone_rows),
        ("coefficients", parse_coefficient_rows),
    ):
        for path in files.get(input_id, []):
            try:
                rows = parse(read_rows(path.read_bytes(), name=path.name), path.name)
                if input_id == "zone_prices":
                    standards = standards.merged(rows, source=path.name)  # type: ignore[arg-type]
                else:
                    standards = standards.merged(coefficients=rows, source=path.name)  # type: ignore[arg-type]
            except (TableError, StandardError) as err:
                raise InputError(str(err), file=path.name) from err
    return dict(standards.tables())


PROGRAM = Program(
    id="land_compensation",
    title="征地补偿款发放",
    summary="征地补偿款发放表对照征收地块清单和征地补偿标准（区片综合地价、地类系数），"
    "查少发、土地补偿费比例不符、重复发放，并列出无法核算的地块。",
    inputs=(PAYMENTS, PARCELS),
    rules=RULES,
    guide="docs/programs/land_compensation.md",
    datagen="xuncha.crosscheck.datagen.land_compensation:generate_land_compensation",
    order=50,
    table_files=(ZONE_PRICES, COEFFICIENTS),
    tables="xuncha.crosscheck.programs.land_compensation:standard_tables",
)
