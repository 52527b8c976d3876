"""线索移交函: one letter per receiver (纪委监委, 组织部) with the unit's leads handed to
it, under the red masthead."""

from __future__ import annotations

from xuncha.documents import selectors as s
from xuncha.findings.choices import Receiver
from xuncha.findings.models import Lead

from .base import (
    Built,
    Context,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    item,
    receiver_body,
    section,
    short_committee,
    subsection,
    top,
)
from .problems import sentence


def build(scope: Scope) -> Built:
    leads = s.leads(scope.assignment)
    if not leads:
        raise NothingToRender(f"{scope.where}没有问题线索，无法生成线索移交函。")
    built = Built()
    for code, label in Receiver.choices:
        mine = [x for x in leads if x.handed_to == code]
        if mine:
            built.documents.append(
                Document(base_name(scope, "线索移交函", label), _letter(scope, code, mine))
            )
    return built


def _letter(scope: Scope, receiver: str, leads: list[Lead]) -> Context:
    a = scope.assignment
    body = receiver_body(receiver, scope.office)
    day = max(x.handed_on for x in leads)
    ctx = common_doc(scope, title=f"关于移交{a.unit.name}问题线索的函", date=day, masthead=True,
                     addressee=f"{body}：", banji=True)  # fmt: skip
    ctx["intro"] = [
        f"{a.team.name}在对{a.unit.name}开展巡察期间，发现问题线索{len(leads)}件。根据巡察工作有关规定，"
        f"现移交你单位，请依规依纪依法处置，并将办理结果于办结期限内书面反馈"
        f"{short_committee(scope.office)}巡察办。"
    ]
    items = [
        item(f"{n}.{sentence(x.description)}", [
            *([f"相关问题：{sentence(x.finding.description)}"] if x.finding else []),
            f"移交日期：{cn_date(x.handed_on)}；接收人：{x.receiver}；办结期限：{cn_date(x.due_on)}。",
        ]) for n, x in enumerate(leads, start=1)
    ]  # fmt: skip
    ctx["sections"] = [section(f"{top(1)}移交的问题线索", [], [subsection("（一）线索清单", [], items)]),
                       section(f"{top(2)}有关要求", ["问题线索涉及的材料另行移交。请严格保密，"
                                                   "办理过程中如需巡察组配合，请及时联系。"])]  # fmt: skip
    return ctx
