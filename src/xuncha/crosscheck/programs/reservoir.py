"""The reservoir-resettlement subsidy (大中型水库移民后期扶持直补资金): the first program,
the one the engine was built for (seed 000's Chenzhou check)."""

from __future__ import annotations

from ..rules import RULES
from .base import DEATHS, PAYMENTS, PAYROLL, Program

PROGRAM = Program(
    id="reservoir",
    title="大中型水库移民后期扶持直补资金",
    summary="移民后期扶持直补资金发放名单，对照死亡人员、财政供养人员名单，"
    "查死亡后仍领取、财政供养人员领取、重复领取、超标准发放和身份证号码无效。",
    inputs=(PAYMENTS, DEATHS, PAYROLL),
    rules=RULES,
    guide="docs/user-guide.md",
    datagen="xuncha.crosscheck.datagen:generate_program",
    order=0,
)
