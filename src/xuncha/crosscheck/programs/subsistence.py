"""The minimum living allowance and extreme-poverty support (最低生活保障和特困人员救助供养
资金): payment lists checked against deaths, the public payroll, the motor-vehicle
register and the market-entity register (legal representatives and shareholders).

低保 amounts vary by family (the allowance tops a family's income up to the local
standard), so there is no per-person standard to exceed: the reservoir's
``over_standard`` is not one of its rules.
"""

from __future__ import annotations

from decimal import Decimal

from ..dialect import DuckDBDialect
from ..params import Param
from ..rules import RULES_BY_ID, Params, Rule, _paid, _where
from .base import DEATHS, PAYMENTS, PAYROLL, Input, Program

VEHICLES = Input("vehicles", "机动车登记信息",
                 ("name", "id_number", "plate", "vehicle_value", "register_date", "cancel_date"),
                 help="公安交管部门机动车登记信息（可多个）",
                 wants=("vehicle_value", "register_date"))  # fmt: skip
COMPANIES = Input("companies", "市场主体登记信息（法定代表人、股东）",
                  ("name", "id_number", "company", "position", "register_date", "cancel_date"),
                  help="市场监管部门市场主体登记信息：法定代表人、股东（可多个）",
                  wants=("company", "register_date"))  # fmt: skip

HOLDER_WORDS = ("法定代表人", "法人", "股东", "投资人", "出资人", "经营者")
"""A position (人员身份) that makes a person a holder of the market entity; a register row
with another position (监事、董事、财务负责人 …) is not one. No position = a holder (the
register lists legal representatives and shareholders)."""


def _held(r: str, d: DuckDBDialect) -> str:
    """The register row ``r`` (registered on ``register_date``, cancelled on
    ``cancel_date``) held on the payment date: registered on or before it and not
    cancelled before it; with the date unknown, held the whole payment year. A row
    whose dates could not be read takes no part (counted in the run's list)."""
    jan1 = d.make_date("p.pay_year", "1", "1")
    dec31 = d.make_date("p.pay_year", "12", "31")
    return f"""NOT {r}.date_unread AND ((p.pay_date IS NOT NULL
            AND ({r}.register_date IS NULL OR {r}.register_date <= p.pay_date)
            AND ({r}.cancel_date IS NULL OR {r}.cancel_date >= p.pay_date))
        OR (p.pay_date IS NULL AND p.pay_year IS NOT NULL
            AND ({r}.register_date IS NULL OR {r}.register_date <= {jan1})
            AND ({r}.cancel_date IS NULL OR {r}.cancel_date >= {dec31})))"""


def _dates(r: str) -> str:
    """'登记日期 …，未注销' or '…，注销日期 …'; then the payment's date or year."""
    return f"""'登记日期 ' || coalesce(CAST({r}.register_date AS STRING), '（未填）') ||
        CASE WHEN {r}.cancel_date IS NULL THEN '，未注销'
             ELSE '，注销日期 ' || CAST({r}.cancel_date AS STRING) END ||
        '；发放' || CASE WHEN p.pay_date IS NOT NULL THEN '日期 ' || CAST(p.pay_date AS STRING)
                         ELSE '年度 ' || CAST(p.pay_year AS STRING) || ' 年（全年）' END"""


def _vehicle(p: Params, d: DuckDBDialect) -> str:
    limit = d.param("vehicle_value_limit")
    return f"""
    SELECT rid, reg_rid, group_key, tier_rank, evidence FROM (
      SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
        greatest(p.tier_rank, r.tier_rank) AS tier_rank,
        '机动车登记信息 ' || {_where("r")} || '：号牌 ' || coalesce(r.plate, '（未填）') ||
        '，车辆价值 ' || CAST(r.vehicle_value AS STRING) || ' 元，超过限额 ' ||
        CAST({limit} AS STRING) || ' 元，' || {_dates("r")} || ' 时仍登记在其名下' AS evidence,
        row_number() OVER (PARTITION BY p.rid ORDER BY r.vehicle_value DESC, r.rid) AS k
      FROM pay p JOIN vehicles r ON r.person_key = p.person_key
      WHERE {_paid("p")} AND r.vehicle_value > {limit} AND {_held("r", d)}) t
    WHERE k = 1"""


def _holder_position(r: str) -> str:
    words = " OR ".join(f"{r}.position LIKE '%{w}%'" for w in HOLDER_WORDS)
    return f"(coalesce(trim({r}.position), '') = '' OR {words})"


def _company(p: Params, d: DuckDBDialect) -> str:
    return f"""
    SELECT rid, reg_rid, group_key, tier_rank, evidence FROM (
      SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
        greatest(p.tier_rank, r.tier_rank) AS tier_rank,
        '市场主体登记信息 ' || {_where("r")} || '：' || coalesce(r.company, '（企业名称未填）') ||
        '，' || coalesce(nullif(trim(r.position), ''), '法定代表人或股东') || '，' ||
        {_dates("r")} || ' 时仍在册' AS evidence,
        row_number() OVER (PARTITION BY p.rid ORDER BY r.register_date NULLS LAST, r.rid) AS k
      FROM pay p JOIN companies r ON r.person_key = p.person_key
      WHERE {_paid("p")} AND {_holder_position("r")} AND {_held("r", d)}) t
    WHERE k = 1"""


_BASIS = "《最低生活保障审核确认办法》（民发〔2021〕57号）"

VEHICLE_OWNER = Rule(
    id="vehicle_owner",
    title="名下有超过限额的机动车",
    version=1,
    meaning="领取人名下有机动车：登记日期在发放日期当天或之前、发放日期前未注销，且车辆价值"
    "超过限额（参数 vehicle_value_limit）；价值恰好等于限额的不列出。发放日期不详时，"
    "该车须在发放年度全年登记在其名下。同一发放行有几辆车的，只列价值最高的一辆。",
    basis=f"{_BASIS}将车辆列为家庭财产，申请家庭的财产状况须符合当地规定；"
    "办法本身没有规定车辆价值的全国统一限额，由各地在本地低保家庭财产认定办法中规定"
    "（常见做法是除残疾人功能性补偿代步车、价值较低的生产经营用车和摩托车外，名下有车辆"
    "的一般不予认定）。限额请按本地办法设置。",
    inputs=("payments", "vehicles"),
    params=(
        Param(
            "vehicle_value_limit",
            "车辆价值限额",
            "amount",
            Decimal("50000"),
            "元",
            f"{_BASIS}未规定全国统一的车辆价值限额，由各地规定。默认 5 万元只是比对起点："
            "它高于普通摩托车、三轮车和二手微型车的价值，低于一般新购家用轿车；"
            "请按本省（市、县）低保家庭财产认定办法中的车辆标准设置（如以若干倍年低保标准计的，"
            "换算成元）。",
        ),
    ),
    build=_vehicle,
)

COMPANY_HOLDER = Rule(
    id="company_holder",
    title="企业法定代表人或股东领取",
    version=1,
    meaning="领取人在市场主体登记信息中是法定代表人或股东（人员身份含法定代表人、法人、股东、"
    "投资人、出资人、经营者；未填身份的按法定代表人或股东；监事、董事等其他身份不列出），"
    "该市场主体成立（登记）日期在发放日期当天或之前、发放日期前未注销。发放日期不详时，"
    "须在发放年度全年在册。",
    basis=f"{_BASIS}规定，低保审核确认须调查核实申请家庭的收入（含经营净收入）和财产状况，"
    "并可通过市场监管等部门信息核对；办法未逐一列举不予认定的情形，由各地规定，"
    "各地办法普遍把家庭成员担任企业法定代表人或股东、出资经营企业列为一般不予认定"
    "或须重点核实的情形。疑点须核实其实际经营和收入情况。",
    inputs=("payments", "companies"),
    build=_company,
)

PROGRAM = Program(
    id="subsistence",
    title="最低生活保障和特困人员救助供养资金",
    summary="低保、特困人员救助供养资金发放名单，对照死亡人员、财政供养人员、机动车登记和"
    "市场主体登记（法定代表人、股东）信息，查死亡后仍领取、财政供养人员领取、重复领取、"
    "名下有超过限额的机动车、企业法定代表人或股东领取和身份证号码无效。",
    inputs=(PAYMENTS, DEATHS, PAYROLL, VEHICLES, COMPANIES),
    rules=(
        RULES_BY_ID["deceased_payee"],
        RULES_BY_ID["payroll_payee"],
        RULES_BY_ID["duplicate_payment"],
        VEHICLE_OWNER,
        COMPANY_HOLDER,
        RULES_BY_ID["invalid_id"],
    ),
    guide="docs/programs/subsistence.md",
    datagen="xuncha.crosscheck.datagen.subsistence:generate_subsistence",
    order=10,
)
