"""立行立改交办单: the unit's immediate-rectification items as a table, with what is
asked of the unit."""

from __future__ import annotations

from django.utils import timezone

from xuncha.documents import selectors as s

from .base import (
    Built,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    section,
    top,
)


def build(scope: Scope) -> Built:
    a = scope.assignment
    items = s.immediate_items(a)
    if not items:
        raise NothingToRender(f"{scope.where}没有立行立改事项，无法生成立行立改交办单。")
    day = timezone.localtime(min(i.created_at for i in items)).date()  # the first item's day
    ctx = common_doc(scope, title=f"立行立改交办单（{a.unit.name}）", date=day,
                     addressee=f"{a.unit.name}党组织：")  # fmt: skip
    done = sum(1 for i in items if i.done_on)
    ctx["intro"] = [
        f"{a.team.name}在巡察中发现以下{len(items)}项问题需立行立改（已完成{done}项），"
        "现交办你单位，请按时限完成整改，并将整改情况及佐证材料报巡察组。"
    ]
    ctx["table"] = {
        "caption": "立行立改事项",
        "header": ["序号", "立行立改事项", "完成时限", "状态", "完成日期"],
        "rows": [[str(n), i.description, cn_date(i.deadline), i.get_status_display(),
                  cn_date(i.done_on) if i.done_on else ""] for n, i in enumerate(items, start=1)],
    }  # fmt: skip
    ctx["sections"] = [section(f"{top(1)}有关要求", [
        "请逐项明确责任人和整改措施，在完成时限内整改到位；不能按时完成的，应说明原因和下一步措施。",
        "整改完成后，请在巡察工作台报送整改情况并上传佐证材料，由巡察组确认。",
    ])]  # fmt: skip
    return Built([Document(base_name(scope, "立行立改交办单"), ctx)])
