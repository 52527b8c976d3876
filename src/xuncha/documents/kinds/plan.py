"""整改方案: the unit's rectification plan, made of its accepted plans (goal, measures,
owner, department, deadline) grouped by the three focuses; items whose plan is not yet
accepted are left out and counted in the warnings."""

from __future__ import annotations

from typing import Any

from xuncha.documents import selectors as s

from .base import (
    Built,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    grouped,
    item,
    leading_group,
    second,
    section,
    subsection,
    top,
)
from .problems import sentence


def build(scope: Scope) -> Built:
    a = scope.assignment
    items = list(s.ledger_items(a))
    accepted = [i for i in items if i.plan_accepted_at is not None]
    if not accepted:
        raise NothingToRender(f"{scope.where}没有已认可的整改措施，无法生成整改方案。")
    ctx = common_doc(scope, title=f"{a.unit.name}关于{a.round.name}反馈问题的整改方案",
                     date=scope.today, issuer=f"{a.unit.name}党组织", signer=f"{a.unit.name}党组织",
                     addressee=f"{leading_group(scope.office)}办公室：")  # fmt: skip
    ctx["intro"] = [
        f"根据{a.team.name}反馈的巡察意见，共需整改问题{len(items)}个。"
        f"现将其中已经认可的{len(accepted)}个问题的整改方案报告如下。"
    ]
    by_finding = {i.finding_id: i for i in accepted}
    subs = []
    for n, (_code, label, findings) in enumerate(grouped(i.finding for i in accepted), start=1):
        subs.append(subsection(f"{second(n)}{label}", [], [
            item(f"{k}.{sentence(f.description)}", _plan(by_finding[f.pk]))
            for k, f in enumerate(findings, start=1)
        ]))  # fmt: skip
    ctx["sections"] = [
        section(f"{top(1)}整改任务", [f"整改任务{len(accepted)}项，逐项明确整改目标、措施、责任人和时限。"], subs),
        section(f"{top(2)}保障措施", ["单位党组织书记履行第一责任人职责，班子成员按分工抓好分管领域整改；"
                                    "建立整改台账，实行对账销号，整改情况按时报告。"]),
    ]  # fmt: skip
    warnings = []
    if len(accepted) < len(items):
        warnings.append(f"{len(items) - len(accepted)} 项整改措施尚未认可，未写入整改方案。")
    return Built([Document(base_name(scope, "整改方案"), ctx)], warnings)


def _plan(i: Any) -> list[str]:
    return [
        "整改目标：" + (sentence(i.goal) or "未填写。"),
        "整改措施：" + (sentence(i.measures) or "未填写。"),
        f"责任人：{i.owner or '未填写'}；责任部门：{i.department or '未填写'}；"
        f"完成时限：{cn_date(i.deadline) if i.deadline else '未填写'}。",
    ]
