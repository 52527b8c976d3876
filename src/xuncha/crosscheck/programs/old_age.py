"""The old-age and high-age allowance (高龄津贴和养老金): paid after death, paid twice in
a year, paid to someone below the age it is for (the age read from the payee's ID)."""

from __future__ import annotations

from ..dialect import DuckDBDialect
from ..linking import UNLINKED
from ..params import Param
from ..rules import RULES_BY_ID, Params, Rule, _paid
from .base import DEATHS, PAYMENTS, Program


def _underage(p: Params, d: DuckDBDialect) -> str:
    """Rows paid to a person below ``min_age`` on the payment day (without a date: on
    the last day of the payment year, so only those below it all year). The age is in
    full years (周岁), from the birth date in digits 7–14 of the person's ID: YYYYMMDD
    numbers subtracted, so a person turns 80 on the 80th birthday (born on 29 February:
    on 1 March in a common year). Only rows linked to a valid ID (``person_key`` below
    UNLINKED): an age is never guessed from a number that is not one."""
    min_age = d.param("min_age")
    born = f"{d.int_div('p.person_key', '1000')} % 100000000"
    on_day = """CASE WHEN p.pay_date IS NOT NULL
            THEN year(p.pay_date) * 10000 + month(p.pay_date) * 100 + dayofmonth(p.pay_date)
            ELSE p.pay_year * 10000 + 1231 END"""
    birth = "substr(t.b, 1, 4) || '-' || substr(t.b, 5, 2) || '-' || substr(t.b, 7, 2)"
    return f"""
    SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, tier_rank,
        '身份证号码所示出生日期 ' || {birth} || '；' ||
        CASE WHEN t.pay_date IS NOT NULL THEN '发放日期 ' || CAST(t.pay_date AS STRING) || ' 时'
             ELSE '发放年度 ' || CAST(t.pay_year AS STRING) || ' 年到年末' END ||
        '年满 ' || CAST({d.int_div("(t.on_day - t.born)", "10000")} AS STRING) || ' 周岁，不到 ' ||
        CAST({min_age} AS STRING) || ' 周岁' AS evidence
    FROM (
        SELECT p.rid, p.tier_rank, p.pay_date, p.pay_year, {born} AS born, {on_day} AS on_day,
            CAST({born} AS STRING) AS b
        FROM pay p
        WHERE p.person_key < {UNLINKED} AND {_paid("p")}
          AND (p.pay_date IS NOT NULL OR p.pay_year IS NOT NULL)) t
    WHERE t.on_day - t.born < {min_age} * 10000"""


UNDERAGE = Rule(
    id="underage_allowance",
    title="未到年龄领取",
    version=1,
    meaning="按领取人身份证号码中的出生日期计算，发放日期当天未满规定年龄（周岁，生日当天满）；"
    "没有发放日期的行按发放年度的 12 月 31 日计算（全年都未满才列出）。"
    "只对身份证号码有效（或已唯一匹配到有效号码）的行计算年龄，号码无效的行不推测年龄。",
    basis="高龄津贴发给达到规定年龄的老年人：湖南省高龄津贴制度以 80 周岁以上老年人为对象"
    "（默认 80 周岁）；各地起始年龄和档次不尽相同（有的地方从 70 周岁或 90 周岁起），"
    "城乡居民基本养老保险待遇一般从 60 周岁起领取，按核查对象设置参数 min_age。",
    inputs=("payments",),
    params=(
        Param(
            "min_age",
            "起始年龄",
            "years",
            80,
            "岁",
            "湖南省高龄津贴以 80 周岁以上老年人为发放对象（默认 80）；各地起始年龄不一，"
            "城乡居民基本养老保险一般为 60 周岁，按当地文件设置。",
        ),
    ),
    build=_underage,
)

PROGRAM = Program(
    id="old_age",
    title="高龄津贴和养老金",
    summary="高龄津贴、养老金发放名单，对照死亡人员名单，查死亡后仍领取、重复领取、"
    "未到年龄领取（按身份证号码中的出生日期）和身份证号码无效。",
    inputs=(PAYMENTS, DEATHS),
    rules=(
        RULES_BY_ID["deceased_payee"],
        RULES_BY_ID["duplicate_payment"],
        UNDERAGE,
        RULES_BY_ID["invalid_id"],
    ),
    guide="docs/programs/old_age.md",
    datagen="xuncha.crosscheck.datagen.old_age:generate_old_age",
    order=20,
)
