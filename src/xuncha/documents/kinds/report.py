"""巡察报告: the team's report on one unit to the leading group (no masthead, 版记).

Only findings with a signed working paper go in; the others are named in the warnings.
Generating also keeps the report as a :class:`~xuncha.documents.models.Report` (source
"generated", one per round and unit, updated on each generation) with the content the
report review reads, every figure with the query it came from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from xuncha.documents import selectors as s
from xuncha.documents.models import Report, ReportSource
from xuncha.findings.choices import Receiver
from xuncha.findings.models import Finding, Lead, Recommendation
from xuncha.findings.selectors import materials_for
from xuncha.planning.models import MemberRole

from .base import (
    Built,
    Context,
    Document,
    NothingToRender,
    Scope,
    base_name,
    cn_date,
    common_doc,
    leading_group,
    second,
    section,
    subsection,
    top,
    yuan,
)
from .problems import (
    problem_figures,
    problem_record,
    problem_subsections,
    sentence,
    split_signed,
    unsigned_warning,
)

SOURCE = "xuncha.documents.selectors."  # a figure's source: the selector that read it


def build(scope: Scope) -> Built:
    a = scope.assignment
    signed, unsigned = split_signed(s.findings(a))
    if not signed:
        raise NothingToRender(f"{scope.where}没有已签字的问题，无法生成巡察报告。")
    leads, recs = s.leads(a), s.recommendations(a)
    materials = materials_for(signed)
    figures = _figures(scope, signed, leads) | problem_figures(signed, materials)
    ctx = common_doc(scope, title=f"关于巡察{a.unit.name}的情况报告", date=scope.today,
                     addressee=f"{leading_group(scope.office)}：", banji=True)  # fmt: skip
    team = a.team.name
    ctx["intro"] = [
        f"根据{leading_group(scope.office)}统一部署，{team}于{cn_date(a.round.start_date)}至"
        f"{cn_date(a.round.end_date)}对{a.unit.name}开展了{a.get_kind_display()}。现将有关情况报告如下。"
    ]
    sections = [section(f"{top(1)}基本情况", _basics(scope, figures))]
    sections.append(section(f"{top(2)}发现的主要问题",
                            [f"巡察发现问题{len(signed)}个" + _amount(signed) + "，按“三个聚焦”分述如下。"],
                            problem_subsections(signed, materials)))  # fmt: skip
    sections.append(section(f"{top(3)}问题线索移交情况", [_leads_text(leads)]))
    warnings = unsigned_warning(unsigned, "报告")
    kept, dropped = _answering(recs, signed)
    if dropped:
        warnings.append(f"{len(dropped)} 条意见建议针对的问题都未写入报告，未列入：" + "；".join(
            r.text.strip()[:20] for r in dropped))  # fmt: skip
    if kept:
        sections.append(section(f"{top(4)}意见建议", [], [
            subsection(f"{second(n)}{sentence(r.text)}") for n, r in enumerate(kept, start=1)
        ]))  # fmt: skip
    else:
        warnings.append(f"{scope.where}尚未填写意见建议，报告中没有“意见建议”部分。")
    ctx["sections"] = sections
    _keep(scope, ctx, signed, leads, kept, figures)
    return Built([Document(base_name(scope, "巡察报告"), ctx)], warnings)


def _answering(
    recs: list[Recommendation], signed: list[Finding]
) -> tuple[list[Recommendation], list[Recommendation]]:
    """(kept, dropped): a recommendation whose problems are all left out of the report
    (unsigned) is dropped, as it would answer nothing the report lists."""
    ids = {f.pk for f in signed}
    kept: list[Recommendation] = []
    dropped: list[Recommendation] = []
    for r in recs:
        if not r.text.strip():
            continue
        answers = {f.pk for f in r.findings.all()}
        (kept if not answers or answers & ids else dropped).append(r)
    return kept, dropped


def _amount(findings: list[Finding]) -> str:
    total = sum((f.amount for f in findings), Decimal(0))
    return f"，涉及金额{yuan(total)}" if total else ""


def _figure(label: str, value: Any, source: str) -> dict[str, str]:
    return {"label": label, "value": str(value), "source": SOURCE + source}


def _figures(scope: Scope, signed: list[Finding], leads: list[Lead]) -> dict[str, dict[str, str]]:
    a = scope.assignment
    petitions = s.petition_counts(a)
    cc = s.crosscheck_totals(a)
    by = {r: sum(1 for x in leads if x.handed_to == r) for r in Receiver.values}
    amount = sum((f.amount for f in signed), Decimal(0))
    return {
        "petitions": _figure("受理信访举报（件）", petitions["total"], "petition_counts"),
        "talks": _figure("个别谈话（人次）", s.talk_count(a), "talk_count"),
        "suspects": _figure("数据比对疑点（条）", cc["total"], "crosscheck_totals"),
        "verified": _figure("核实属实（条）", cc["confirmed"], "crosscheck_totals"),
        "improper": _figure("违规金额（元）", f"{cc['improper']:.2f}", "crosscheck_totals"),
        "recovered": _figure("已追回（元）", f"{cc['recovered']:.2f}", "crosscheck_totals"),
        "problems": _figure("发现问题（个）", len(signed), "findings"),
        "amount": _figure("问题涉及金额（元）", f"{amount:.2f}", "findings"),
        "leads": _figure("问题线索（件）", len(leads), "leads"),
        **{f"leads_{r}": _figure(f"移交{label}（件）", by[r], "leads")
           for r, label in Receiver.choices},
    }  # fmt: skip


def _basics(scope: Scope, figures: dict[str, dict[str, str]]) -> list[str]:
    a = scope.assignment
    people = s.team_leaders(a)
    names = "，".join(
        f"{label}{'、'.join(people[role])}" for role, label in
        ((MemberRole.LEADER, "组长"), (MemberRole.DEPUTY, "副组长")) if people[role]
    )  # fmt: skip
    v = {k: f["value"] for k, f in figures.items()}
    out = [
        f"{a.team.name}于{cn_date(a.round.start_date)}进驻{a.unit.name}，"
        f"{cn_date(a.round.end_date)}结束巡察" + (f"（{names}）" if names else "") + "。"
        f"巡察期间，共受理信访举报{v['petitions']}件，开展个别谈话{v['talks']}人次。"
    ]
    if int(v["suspects"]):
        out.append(
            f"巡察组开展数据比对，发现疑点{v['suspects']}条，经核查属实{v['verified']}条，"
            f"涉及违规金额{yuan(Decimal(v['improper']))}，已追回{yuan(Decimal(v['recovered']))}。"
        )
    return out


def _leads_text(leads: list[Lead]) -> str:
    if not leads:
        return "巡察期间未发现需要移交的问题线索。"
    parts = [f"{label}{n}件" for r, label in Receiver.choices
             if (n := sum(1 for x in leads if x.handed_to == r))]  # fmt: skip
    return f"巡察期间共发现问题线索{len(leads)}件，其中移交" + "、".join(parts) + "。"


@transaction.atomic
def _keep(scope: Scope, ctx: Context, signed: list[Finding], leads: list[Lead],
          recs: list[Recommendation], figures: dict[str, dict[str, str]]) -> Report:  # fmt: skip
    """The report as a Report row (one per round and unit), its content per the model's
    docstring; the findings it lists are its ``findings``."""
    a = scope.assignment
    index = {f.pk: n for n, f in enumerate(signed)}
    content = {
        "sections": ctx["sections"],
        "problems": [problem_record(f) for f in signed],
        "leads": [
            {
                "lead": x.pk,
                "text": x.description,
                "handed_to": x.handed_to,
                "receiver": x.receiver or x.get_handed_to_display(),
            }
            for x in leads
        ],
        "recommendations": [
            {
                "text": r.text,
                "problems": sorted(index[f.pk] for f in r.findings.all() if f.pk in index),
            }
            for r in recs
        ],
        "figures": figures,
    }
    fields = {"team": a.team, "issuer": ctx["doc"]["issuer"], "number": "",
              "title": ctx["doc"]["title"], "submitted_on": scope.today, "content": content,
              "created_by": scope.user}  # fmt: skip
    # The latest generated row of the round and unit is updated (older ones, which a
    # review may have sampled, stay as they were).
    mine = Report.objects.select_for_update().filter(
        round=a.round, unit=a.unit, source=ReportSource.GENERATED
    )
    report = mine.order_by("-id").first() or Report(
        round=a.round, unit=a.unit, source=ReportSource.GENERATED
    )
    for name, value in fields.items():
        setattr(report, name, value)
    report.save()
    report.findings.set(signed)
    return report
