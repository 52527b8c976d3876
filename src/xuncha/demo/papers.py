"""Working papers (问题底稿) and recommendations (意见建议) in the demo city, seeded after
every finding exists (the city's, the cross-check's, the supervision's).

Each finding gets its 定性依据 (the rule it breaches, by sub-category) and 责任指向 (who
answers for it, by the unit's kind), a paper citing one or two of the team's talks with
the unit, and sign-offs by the team's own cadres: the handler a member, then the deputy
leader (each team has one: its first member is made 副组长 where it has none), then the
leader. Papers of the older rounds are fully signed; in the latest round some are not
signed at all, some by the handler only, some reviewed by the deputy, the rest signed,
so the workbench shows every state. Each inspected unit gets recommendations answering
its findings, one per problem area. Written in bulk (a few queries per table)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xuncha.findings.models import Finding, Recommendation, Talk, WorkingPaper
from xuncha.findings.services import paper_number
from xuncha.planning.models import MemberRole, Round, TeamMember
from xuncha.units.models import UnitKind

# 定性依据 by sub-category: the rules a problem of that kind customarily breaches.
BASIS = {
    "corruption.funds": (
        "违反《中国共产党纪律处分条例》第一百一十八条（侵害群众利益，在惠民惠农资金管理使用中优亲厚友、虚报冒领）"
        "及《湖南省惠民惠农财政补贴资金“一卡通”管理办法》第十二条。",
        "违反《中国共产党纪律处分条例》第一百一十八条，违反《财政违法行为处罚处分条例》第十四条关于骗取财政资金的规定。",
    ),
    "corruption.assets": (
        "违反《农村集体“三资”管理办法》第十五条（集体资产资源发包、出租须经民主程序并公开）"
        "及《中国共产党纪律处分条例》第一百一十九条。",
        "违反《中华人民共和国村民委员会组织法》第二十四条（涉及村民利益的事项须经村民会议讨论决定）"
        "及《农村集体经济组织财务制度》第二十条。",
    ),
    "corruption.projects": (
        "违反《中华人民共和国招标投标法》第四条、《湖南省村级小型工程项目建设管理办法》第九条"
        "及《中国共产党纪律处分条例》第一百零一条。",
        "违反《中国共产党纪律处分条例》第一百零一条（违反有关规定干预和插手工程建设项目）。",
    ),
    "corruption.style": (
        "违反中央八项规定及其实施细则精神，违反《中国共产党纪律处分条例》第一百一十一条。",
        "违反《中国共产党纪律处分条例》第一百三十八条（形式主义、官僚主义）。",
    ),
    "organisation.weak": (
        "违反《中国共产党农村基层组织工作条例》第十八条，不符合《中国共产党支部工作条例（试行）》第九条关于支部基本任务的规定。",
    ),
    "organisation.life": (
        "违反《中国共产党支部工作条例（试行）》第十九条（“三会一课”制度）"
        "及《关于新形势下党内政治生活的若干准则》相关规定。",
        "违反《中国共产党党员教育管理工作条例》第二十七条（民主评议党员）。",
    ),
    "organisation.cadres": (
        "违反《党政领导干部选拔任用工作条例》第二十七条及《中国共产党纪律处分条例》第八十条。",
        "违反《中国共产党农村基层组织工作条例》第二十四条关于村干部管理监督的规定。",
    ),
    "policy.delivery": (
        "违反《中国共产党纪律处分条例》第一百三十八条（贯彻党中央决策部署不力），未落实《乡村振兴责任制实施办法》第十五条。",
    ),
    "policy.industry": (
        "违反《中央财政衔接推进乡村振兴补助资金管理办法》第二十一条，未落实《湖南省扶贫项目资产后续管理办法》第八条。",
    ),
    "policy.livelihood": (
        "违反《社会救助暂行办法》第十一条、《湖南省最低生活保障工作规程》第十六条"
        "及《中国共产党纪律处分条例》第一百一十八条。",
    ),
}

# 责任指向 by the unit's kind: who answers first, who directly.
RESPONSIBLE = {
    UnitKind.VILLAGE: (
        "村党组织书记负主要领导责任，村委会主任、村报账员负直接责任；乡镇分管领导负监管责任。",
        "村党支部书记负主要领导责任，村务监督委员会主任负监督责任。",
    ),
    UnitKind.TOWNSHIP: (
        "乡镇（街道）党（工）委书记负主要领导责任，分管领导负重要领导责任，经办站所负责人负直接责任。",
        "乡镇（街道）党（工）委负主体责任，纪（工）委负监督责任。",
    ),
}
RESPONSIBLE_OTHERWISE = (
    "单位党组（党委）书记负主要领导责任，分管负责人负重要领导责任，相关科室负责人负直接责任。",
    "单位党组（党委）负主体责任，纪检监察组织负监督责任。",
)

# One recommendation per problem area (the category), answering its findings.
ADVICE = {
    "corruption": "严肃查处群众身边不正之风和腐败问题，对惠民资金、集体“三资”、工程项目开展专项清理，"
    "追回违规资金，健全审核公示和资金监管机制。",
    "organisation": "加强基层党组织建设，严格落实“三会一课”、组织生活会和民主评议党员制度，"
    "配强村（社区）“两委”班子，加强干部日常监督管理。",
    "policy": "压实乡村振兴政策落实责任，建立问题整改和政策落实台账，对低保、产业项目等逐项核查，"
    "确保政策不折不扣落地见效。",
}


@dataclass
class DemoPapers:
    papers: int
    signed: int
    handler_only: int
    unsigned: int
    recommendations: int


def seed_papers(*, today: dt.date, seed: int = 2024) -> DemoPapers:
    """Basis, responsibility, papers, sign-offs and recommendations for every finding."""
    rng = random.Random(seed)
    with transaction.atomic():
        findings = list(Finding.objects.select_related("unit", "round", "team").order_by("pk"))
        _classify(rng, findings)
        crews = _deputies(rng)
        papers = _papers(findings)
        latest = Round.objects.filter(start_date__lte=today).aggregate(m=Max("start_date"))["m"]
        talks = _talks_by_unit()
        Through = WorkingPaper.talks.through
        links = []
        for finding in findings:
            paper = papers[finding.pk]
            crew = crews.get(finding.team_id)
            steps = (
                3 if finding.round.start_date != latest else rng.choice((0, 0, 1, 1, 1, 2, 3, 3))
            )
            _sign(rng, paper, finding, crew, steps if crew else 0, today)
            chosen = talks.get((finding.round_id, finding.team_id, finding.unit_id), [])
            for talk_id in rng.sample(chosen, min(len(chosen), rng.randint(1, 2))):
                links.append(Through(workingpaper_id=paper.pk, talk_id=talk_id))
        fields = [f"{s}_signed_{x}" for s in ("handler", "deputy", "leader") for x in ("by", "at")]
        WorkingPaper.objects.bulk_update(list(papers.values()), fields, batch_size=100)
        Through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
        recommendations = _recommendations(findings)
        states = [sum(bool(getattr(p, f"{s}_signed_by_id")) for s in ("handler", "deputy", "leader"))
                  for p in papers.values()]  # fmt: skip
        return DemoPapers(papers=len(papers), signed=states.count(3), handler_only=states.count(1),
                          unsigned=states.count(0), recommendations=recommendations)  # fmt: skip


def _classify(rng: random.Random, findings: list[Finding]) -> None:
    """Basis and responsibility, written as one update per distinct pair (a few dozen)."""
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for f in findings:
        if not f.basis:
            f.basis = rng.choice(BASIS[f.subcategory])
        if not f.responsible:
            f.responsible = rng.choice(RESPONSIBLE.get(f.unit.kind, RESPONSIBLE_OTHERWISE))  # type: ignore[call-overload]
        pairs[(f.basis, f.responsible)].append(f.pk)
    for (basis, responsible), pks in pairs.items():
        Finding.objects.filter(pk__in=pks).update(basis=basis, responsible=responsible)


@dataclass
class _Crew:
    leader: int | None
    deputy: int | None
    members: list[int]


def _deputies(rng: random.Random) -> dict[int, _Crew]:
    """Each team's signers (cadre ids); a team without a 副组长 gets one: its first
    member who is not the leader (the demo's teams were staffed with a leader only)."""
    by_team: dict[int, list[TeamMember]] = defaultdict(list)
    for m in TeamMember.objects.order_by("team_id", "id"):
        by_team[m.team_id].append(m)
    promoted = []
    crews = {}
    for team_id, members in by_team.items():
        roles = {m.role for m in members}
        plain = [m for m in members if m.role == MemberRole.MEMBER]
        if MemberRole.DEPUTY not in roles and len(plain) > 1:
            plain[0].role = MemberRole.DEPUTY
            promoted.append(plain[0])
        crews[team_id] = _Crew(
            leader=next((m.cadre_id for m in members if m.role == MemberRole.LEADER), None),
            deputy=next((m.cadre_id for m in members if m.role == MemberRole.DEPUTY), None),
            members=[m.cadre_id for m in members if m.role == MemberRole.MEMBER],
        )
    TeamMember.objects.bulk_update(promoted, ["role"])
    return crews


def _papers(findings: list[Finding]) -> dict[int, WorkingPaper]:
    """Every finding's paper (those recorded through the service have one already)."""
    have = {p.finding_id: p for p in WorkingPaper.objects.all()}
    numbers = {p.number for p in have.values()}
    made = []
    for f in findings:
        if f.pk in have:
            continue
        number = paper_number(f)
        while number in numbers:  # numbers given in this batch are not in the table yet
            head, seq = number.rsplit("-", 1)
            number = f"{head}-{int(seq) + 1:03d}"
        numbers.add(number)
        made.append(WorkingPaper(finding=f, number=number))
    WorkingPaper.objects.bulk_create(made, batch_size=500)
    return have | {p.finding_id: p for p in made}


def _talks_by_unit() -> dict[tuple[int, int, int], list[int]]:
    out: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for r, t, u, pk in Talk.objects.values_list("round_id", "team_id", "unit_id", "pk").order_by(
        "pk"
    ):
        out[(r, t, u)].append(pk)
    return out


def _sign(rng: random.Random, paper: WorkingPaper, f: Finding, crew: _Crew | None, steps: int,
          today: dt.date) -> None:  # fmt: skip
    """The first ``steps`` sign-offs, a few days apart after the inspection ended."""
    signers = [
        rng.choice(crew.members) if crew and crew.members else None,
        crew.deputy if crew else None,
        crew.leader if crew else None,
    ]
    day = min(f.round.end_date, today)
    for i, step in enumerate(("handler", "deputy", "leader")):
        signed = i < steps and signers[i] is not None and all(signers[: i + 1])
        at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))
        )
        setattr(paper, f"{step}_signed_by_id", signers[i] if signed else None)
        setattr(paper, f"{step}_signed_at", at if signed else None)
        day = min(day + dt.timedelta(days=rng.randint(1, 3)), today)


def _recommendations(findings: list[Finding]) -> int:
    """Per inspected unit and round, one recommendation per problem area, answering the
    unit's findings in that area."""
    groups: dict[tuple[int, int, int], dict[str, list[Finding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for f in findings:
        groups[(f.round_id, f.team_id, f.unit_id)][f.category].append(f)
    recs, answered = [], []
    for (round_id, team_id, unit_id), areas in groups.items():
        for order, (category, found) in enumerate(sorted(areas.items()), start=1):
            rec = Recommendation(round_id=round_id, team_id=team_id, unit_id=unit_id,
                                 recorded_by_id=found[0].recorded_by_id, text=ADVICE[category],
                                 order=order)  # fmt: skip
            recs.append(rec)
            answered.append(found)
    Recommendation.objects.bulk_create(recs, batch_size=500)
    Through = Recommendation.findings.through
    Through.objects.bulk_create(
        [Through(recommendation_id=r.pk, finding_id=f.pk) for r, found in zip(recs, answered, strict=True)
         for f in found],
        batch_size=1000,
    )  # fmt: skip
    return len(recs)
