"""巡察公告: the team, its stay in the unit and how to reach it, with the round's 码上巡察
channel when the petitions app has one for the team."""

from __future__ import annotations

from xuncha.documents import selectors as s

from .base import Built, Document, Scope, base_name, cn_date, common_doc, section, top


def build(scope: Scope) -> Built:
    a = scope.assignment
    stay = f"{cn_date(a.round.start_date)}至{cn_date(a.round.end_date)}"
    ctx = common_doc(
        scope, title=f"{a.team.name}进驻{a.unit.name}巡察公告", date=a.round.start_date
    )
    ctx["intro"] = [
        f"根据统一部署，{a.team.name}于{stay}对{a.unit.name}开展{a.get_kind_display()}。"
        "巡察期间，巡察组受理反映该单位党组织和党员干部问题的来信、来电、来访。"
    ]
    code = s.intake_code(a)
    warnings = []
    if code is not None:
        reach = [f"“码上巡察”：扫描巡察组二维码，在线反映问题（可匿名），受理时间{cn_date(code.opens_on)}至"
                 f"{cn_date(code.closes_on)}。", f"受理范围：{code.scope.strip()}",
                 f"联系电话：{code.phone}。"]  # fmt: skip
        if code.address.strip():
            reach.append(f"来信请寄：{code.address.strip()}。")
    else:
        reach = ["联系电话和信箱另行公布。"]
        warnings.append(f"{scope.where}的巡察组没有启用的“码上巡察”渠道，公告中未列联系方式。")
    ctx["sections"] = [
        section(f"{top(1)}巡察时间", [f"{stay}。"]),
        section(f"{top(2)}反映方式", reach),
        section(f"{top(3)}有关说明", ["巡察组主要受理反映被巡察单位党组织领导班子及其成员、下一级党组织领导班子"
                                    "主要负责人问题的来信来电来访。巡察组依纪依法保护反映人，对反映人信息严格保密。"]),
    ]  # fmt: skip
    return Built([Document(base_name(scope, "巡察公告"), ctx)], warnings)
