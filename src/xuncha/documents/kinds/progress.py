"""整改情况报告: where the unit's rectification stands, from its progress reports and
the close-outs: items closed and open, money recovered, rules made, and per problem the
latest progress and the close-out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from xuncha.documents import selectors as s
from xuncha.rectifications.models import Status

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
    yuan,
)
from .problems import sentence


def build(scope: Scope) -> Built:
    a = scope.assignment
    qs = s.ledger_items(a)
    items = list(qs)
    if not items:
        raise NothingToRender(f"{scope.where}没有整改事项，无法生成整改情况报告。")
    progress = s.latest_progress(qs)
    closed = [i for i in items if i.status == Status.CLOSED]
    recovered = sum((i.money_recovered for i in items), Decimal(0))
    ctx = common_doc(scope, title=f"{a.unit.name}关于{a.round.name}整改情况的报告",
                     date=scope.today, issuer=f"{a.unit.name}党组织", signer=f"{a.unit.name}党组织",
                     addressee=f"{leading_group(scope.office)}办公室：")  # fmt: skip
    ctx["intro"] = [
        f"{a.team.name}反馈问题{len(items)}个，截至{cn_date(scope.today)}，已整改销号{len(closed)}个，"
        f"正在整改{len(items) - len(closed)}个；追回资金{yuan(recovered)}，"
        f"建章立制{s.rules_made(a)}项。现将整改情况报告如下。"
    ]
    by_finding = {i.finding_id: i for i in items}
    subs = []
    for n, (_code, label, findings) in enumerate(grouped(i.finding for i in items), start=1):
        subs.append(subsection(f"{second(n)}{label}", [], [
            item(f"{k}.{sentence(f.description)}", _state(by_finding[f.pk], progress))
            for k, f in enumerate(findings, start=1)
        ]))  # fmt: skip
    ctx["sections"] = [section(f"{top(1)}问题整改情况", [], subs),
                       section(f"{top(2)}下一步工作", ["对尚未完成的问题，继续按整改方案推进，"
                                                   "完成一项、销号一项；已销号的问题防止反弹回潮。"])]  # fmt: skip
    return Built([Document(base_name(scope, "整改情况报告"), ctx)])


def _state(i: Any, progress: dict[int, str]) -> list[str]:
    out = [f"整改状态：{i.get_status_display()}。"]
    if text := progress.get(i.pk):
        out.append("整改进展：" + sentence(text))
    if i.money_recovered:
        out.append(f"追回资金{yuan(i.money_recovered)}。")
    if i.status == Status.CLOSED and i.closed_at:
        note = sentence(i.close_note) if i.close_note else ""
        out.append(
            f"销号情况：{cn_date(timezone.localtime(i.closed_at).date())}经巡察组核实销号。{note}"
        )
    return out
