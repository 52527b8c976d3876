"""反馈意见: the team's findings and recommendations to the unit, under the red masthead
with a number 巡一〔2026〕N号 (N: the feedback's place in its year, see
:func:`xuncha.documents.selectors.feedback_number`)."""

from __future__ import annotations

from xuncha.documents import selectors as s
from xuncha.findings.choices import Receiver
from xuncha.planning.ordinals import chinese_number

from .base import (
    Built,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    leading_group,
    receiver_body,
    second,
    section,
    short_committee,
    subsection,
    top,
)
from .problems import problem_subsections, sentence, split_signed, unsigned_warning

DAYS_TO_PLAN = 30  # the customary time for the unit's rectification plan
MONTHS_TO_REPORT = 2  # and for its rectification report


def build(scope: Scope) -> Built:
    a = scope.assignment
    signed, unsigned = split_signed(s.findings(a))
    if not signed:
        raise NothingToRender(f"{scope.where}没有已签字的问题，无法生成反馈意见。")
    day = s.feedback_day(a) or scope.today
    number = f"巡{chinese_number(a.team.number or 1)}〔{day.year}〕{s.feedback_number(a, day)}号"
    ctx = common_doc(scope, title=f"关于巡察{a.unit.name}的反馈意见", date=day, number=number,
                     masthead=True, addressee=f"{a.unit.name}党组织：", banji=True,
                     cc="，".join(receiver_body(r, scope.office) for r in Receiver.values) + "。")  # fmt: skip
    ctx["intro"] = [
        f"根据{leading_group(scope.office)}统一部署，{a.team.name}于{cn_date(a.round.start_date)}至"
        f"{cn_date(a.round.end_date)}对你单位开展了{a.get_kind_display()}。"
        f"经{leading_group(scope.office)}审议同意，现将巡察发现的问题反馈如下。"
    ]
    sections = [section(f"{top(1)}巡察发现的主要问题", [f"巡察发现问题{len(signed)}个。"],
                        problem_subsections(signed, None))]  # fmt: skip
    recs = [r for r in s.recommendations(a) if r.text.strip()]
    if recs:
        sections.append(section(f"{top(2)}整改意见建议", [], [
            subsection(f"{second(n)}{sentence(r.text)}") for n, r in enumerate(recs, start=1)
        ]))  # fmt: skip
    sections.append(section(f"{top(len(sections) + 1)}有关要求", [
        f"请你单位党组织认真落实整改主体责任，自收到本反馈意见之日起{DAYS_TO_PLAN}日内制定整改方案，"
        f"{MONTHS_TO_REPORT}个月内将整改情况报告报送{short_committee(scope.office)}巡察办。"
        "整改中的重要情况，请及时报告。",
    ]))  # fmt: skip
    ctx["sections"] = sections
    warnings = unsigned_warning(unsigned, "反馈意见")
    return Built([Document(base_name(scope, "反馈意见"), ctx)], warnings)
