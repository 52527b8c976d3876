"""届内巡察全覆盖规划: a term plan (xuncha.planning.termplan) as a GB/T 9704 DOCX.

Not one of :data:`~xuncha.documents.kinds.KINDS` (those are a round's unit's): the plan
is a term's, had from the plan page (``planning:termplan_docx``) by whoever may read it.
Title, basis, the principle 高风险优先、同乡镇集中, each year's rounds with their teams and
units, counts by risk level, and a summary table; rendered with the office's own
template for this kind when it installed one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from xuncha.common.errors import ServiceError
from xuncha.documents.models import DocumentKind
from xuncha.planning.models import RoundKind, TermPlan, TermPlanStatus
from xuncha.planning.ordinals import chinese_number
from xuncha.units.models import RiskLevel

from .base import Document, blank, cn_date, item, safe_name, second, section, subsection, top

KIND = DocumentKind.TERMPLAN.value
LABEL = "届内巡察全覆盖规划"
LEVELS = [RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.GENERAL]


def _levels(counts: Counter[str]) -> str:
    parts = [f"{lv.label}{counts[lv.value]}个" for lv in LEVELS if counts[lv.value]]
    return "，".join(parts)


def build(plan: TermPlan, *, office: str, today: dt.date) -> Document:
    """The plan's file name and context (context.md)."""
    from xuncha.planning.termplan import Params, rosters_of, slot_dates

    if plan.status == TermPlanStatus.REFUSED:
        raise ServiceError(f"{plan}没有可行方案，无法生成规划文件。")
    if plan.status == TermPlanStatus.SOLVING:
        raise ServiceError(f"{plan}还在求解中，请稍后再下载。")
    term = plan.term
    params = Params.of(plan.params)
    entries = list(plan.entries.select_related("unit__parent", "slot").order_by("unit__code"))
    if not entries:
        raise ServiceError(f"{plan}没有安排任何单位，无法生成规划文件。")
    rosters = rosters_of(plan.rosters)
    title = f"{term.name}巡察全覆盖规划"
    ctx = blank(issuer=office, title=title, signer=office, date=cn_date(today),
                printer=office, printed_on=f"{cn_date(today)}印发", banji=True)  # fmt: skip
    total = Counter(e.unit.risk_level for e in entries)
    elevated = sum(e.elevated for e in entries)
    years = "、".join(f"{y}年" for y in params.years)
    ctx["intro"] = [
        f"为实现{term.name}（{term.start_year}—{term.end_year}年）巡察全覆盖，根据《中国共产党巡视"
        "工作条例》和巡察工作规划，结合被巡察单位风险研判结果，制定本规划。"
    ]
    basis = [
        f"本届尚未巡察的被巡察单位共{len(entries)}个（{_levels(total)}），"
        f"其中实行提级巡察的{elevated}个。",
        f"规划{years}，每年{chinese_number(params.rounds_per_year)}轮，每轮"
        f"{chinese_number(params.teams_per_round)}个巡察组，每组每轮最多巡察"
        f"{params.capacity}个单位。",
        "风险等级取自被巡察单位风险研判分类结果；巡察组成员按干部原单位执行回避。",
    ]
    principle = [
        "高风险优先：重点隐患类单位安排在前，风险关注类次之，一般关注类随后，确保问题多、"
        "风险大的单位先巡先改。",
        "同乡镇集中：同一乡镇（街道）所属村（社区）尽量安排在同一轮次，便于巡察组集中进驻、"
        "统筹力量。",
        "严格回避：巡察组成员不参加对其原单位及有隶属关系单位的巡察。",
    ]
    slots = list(plan.slots.select_related("round").order_by("index"))
    by_slot: dict[int, list[Any]] = {}
    for e in entries:
        by_slot.setdefault(e.slot_id, []).append(e)
    year_sections = []
    rows = []
    for n_year, year in enumerate(params.years, start=1):
        items: list[Any] = []
        for slot in (s for s in slots if s.year == year):
            start, end = slot_dates(slot.year, slot.number, params.rounds_per_year)
            in_slot = by_slot.get(slot.pk, [])
            counts = Counter(e.unit.risk_level for e in in_slot)
            kind = "提级巡察" if slot.kind == RoundKind.ELEVATED else "常规巡察"
            done = f"，已下达为{slot.round.name}" if slot.round else ""
            lines = []
            for key in sorted({e.team_key for e in in_slot}):
                team = [e for e in in_slot if e.team_key == key]
                cadres = rosters.get(key, [])
                lead = f"（组长：{cadres[0].name}）" if cadres else ""
                names = "、".join(e.unit.name for e in team)
                lines.append(f"第{chinese_number(key)}巡察组{lead}：{names}，共{len(team)}个。")
            summary = (f"{kind}，{cn_date(start)}至{cn_date(end)}{done}；安排单位{len(in_slot)}个"
                       f"（{_levels(counts) or '无'}）。")  # fmt: skip
            items.append(item(f"{len(items) + 1}.第{chinese_number(slot.number)}轮",
                              [summary, *lines]))  # fmt: skip
            rows.append([f"{year}年", f"第{chinese_number(slot.number)}轮", kind,
                         str(len({e.team_key for e in in_slot})), str(len(in_slot)),
                         *[str(counts[lv.value]) for lv in LEVELS]])  # fmt: skip
        year_sections.append(subsection(f"{second(n_year)}{year}年", items=items))
    rows.append(["合计", "", "", "", str(len(entries)), *[str(total[lv.value]) for lv in LEVELS]])
    ctx["sections"] = [
        section(f"{top(1)}规划依据", basis),
        section(f"{top(2)}基本原则", principle),
        section(f"{top(3)}轮次安排", subsections=year_sections),
        section(f"{top(4)}有关要求", [
            "各轮次进驻前，巡察办按本规划提出轮次安排和巡察组组成，报巡察工作领导小组审定后下达；"
            "因工作需要调整的，记录调整原因。",
            "每轮结束后对照本规划检查覆盖进度，对计划已过期仍未巡察的单位及时补充安排。",
        ]),
    ]  # fmt: skip
    ctx["table"] = {
        "caption": "各轮次安排汇总",
        "header": ["年度", "轮次", "类型", "巡察组数", "单位数", *[lv.label for lv in LEVELS]],
        "rows": rows,
    }
    name = safe_name(term.name, f"{LABEL}第{plan.number}稿", ext="docx")
    return Document(name, ctx)


def render_plan(plan: TermPlan, *, office: str, today: dt.date) -> tuple[str, bytes]:
    """The plan as (file name, DOCX bytes), with the template in use for this kind."""
    from xuncha.documents.official.templates import render
    from xuncha.documents.store import template_for

    document = build(plan, office=office, today=today)
    return document.filename, render(template_for(KIND), document.context or {})


__all__ = ["KIND", "LABEL", "build", "render_plan"]
