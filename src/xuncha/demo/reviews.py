"""Seed 004's report review in the demo city: 745 inspection reports of last year
reviewed, 18 drawn for close review (745 → 18).

The city's own rounds hold far fewer reports, so the period's reports are mostly those
the counties' inspection offices submitted (source "submitted", issuer such as
「中共青山县委第二巡察组」, about a township or village of the city), with structured
content: problems by category with 定性依据 and 责任指向, leads with their receivers,
recommendations tied to problems, and the figures the body quotes. Defects are planted
for every automatic check: reports with 72 problems of which 68 are minor, problems
without basis or responsibility or a signed paper, leads without a route, numbers without
a source, recommendations answering nothing. A review round over the year checks them
all and draws 18 with a fixed seed; three of the 18 are the demo team's own reports (so
its account reads their results), and the demo supervisor has submitted a few reviews.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from xuncha.accounts.models import User
from xuncha.demo.city import CITY_NAME
from xuncha.documents.models import Report, ReportSource
from xuncha.findings.choices import Category, Receiver, Subcategory
from xuncha.planning.models import Assignment, TeamMember
from xuncha.reviews import sampling
from xuncha.reviews.models import Flag, RubricVersion
from xuncha.reviews.services import (
    ScoreEntry,
    review_draw,
    review_round_create,
    review_scores_save,
    rubrics_install_shipped,
)
from xuncha.units.models import Unit, UnitKind

REPORTS = 745  # seed 004
SAMPLE = 18
SEED = 20240917  # the draw's seed, recorded on the round
TEAM_REPORTS = 3  # of the sample, the demo team's own
SCORED = 6
NUMERALS = "一二三四五六七八九十"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"

# (subcategory, weight, problem texts, basis, responsible office)
PROBLEMS: tuple[tuple[str, int, tuple[str, ...], str, str], ...] = (
    (Subcategory.BENEFIT_FUNDS, 5, ("违规发放种粮补贴", "优亲厚友评定低保对象", "虚报冒领危房改造补助"),
     "违反《中国共产党纪律处分条例》第一百一十八条", "村党支部书记"),
    (Subcategory.COLLECTIVE_ASSETS, 4, ("集体资产出租未公开招标", "集体资金公款私存", "村级财务白条入账"),
     "违反《农村集体“三资”管理办法》第十二条", "村报账员"),
    (Subcategory.PROJECTS, 3, ("工程项目化整为零规避招标", "项目未验收即支付全款"),
     "违反《中华人民共和国招标投标法》第四条", "镇分管副镇长"),
    (Subcategory.WORK_STYLE, 2, ("公务接待超标准", "违规发放津补贴"),
     "违反中央八项规定及其实施细则精神", "镇党委书记"),
    (Subcategory.PARTY_LIFE, 3, ("“三会一课”记录不全", "组织生活会会前谈心谈话不到位", "党员发展材料填写不规范"),
     "违反《中国共产党支部工作条例（试行）》第十九条", "镇党委组织委员"),
    (Subcategory.CADRES, 2, ("村“两委”干部履职不到位", "后备干部培养不力"),
     "违反《中国共产党农村基层组织工作条例》第二十一条", "镇党委书记"),
    (Subcategory.LIVELIHOOD, 3, ("低保动态管理不及时", "医保参保数据不实"),
     "违反《社会救助暂行办法》第十一条", "镇民政办主任"),
    (Subcategory.INDUSTRY, 2, ("产业扶贫项目闲置", "合作社分红不到位"),
     "违反《中共中央 国务院关于实现巩固拓展脱贫攻坚成果同乡村振兴有效衔接的意见》", "镇农业综合服务中心主任"),
)  # fmt: skip
MINOR = PROBLEMS[4]  # 组织生活不规范: the shipped rubric's low-weight kind
MONEY = {
    Subcategory.BENEFIT_FUNDS,
    Subcategory.COLLECTIVE_ASSETS,
    Subcategory.PROJECTS,
    Subcategory.WORK_STYLE,
}
ADVICE = ("严格落实惠民惠农资金公示制度", "规范农村集体“三资”管理", "严格执行工程项目招投标规定",
          "坚决纠治“四风”问题", "严肃党内组织生活", "加强村级干部队伍建设", "健全民生保障动态管理机制",
          "盘活产业项目资产")  # fmt: skip
# How many reports carry each planted defect (chosen at random among the 745).
PLANTED = {
    "trivial": 3,
    "basis": 24,
    "responsible": 9,
    "unsigned": 15,
    "lead": 9,
    "number": 12,
    "advice": 7,
}


@dataclass
class DemoReviews:
    round_id: int
    reports: int
    sampled: int
    scored: int
    flagged: dict[str, int] = field(default_factory=dict)


def _people(rng: random.Random, office: str) -> str:
    return f"{office}{rng.choice(SURNAMES)}某"


def _problem(
    rng: random.Random, kind: tuple[str, int, tuple[str, ...], str, str]
) -> dict[str, Any]:
    sub, _, texts, basis, who = kind
    amount = rng.randint(20, 2000) * 100 if sub in MONEY else 0
    return {"finding": None, "category": sub.split(".")[0], "subcategory": str(sub),
            "text": rng.choice(texts), "basis": basis, "responsible": _people(rng, who),
            "paper_signed": True, "amount": f"{amount}.00" if amount else ""}  # fmt: skip


def _problems(rng: random.Random, trivial: bool) -> list[dict[str, Any]]:
    if trivial:  # the rejected draft of seed 004: 72 problems, 68 of them minor
        return [_problem(rng, rng.choice(PROBLEMS[:4])) for _ in range(4)] + [
            _problem(rng, MINOR) for _ in range(68)
        ]
    weights = [k[1] for k in PROBLEMS]
    kinds = rng.choices(PROBLEMS, weights, k=rng.randint(3, 9))
    # An honest report keeps minor problems to at most half (only the planted drafts do not).
    minor = [i for i, k in enumerate(kinds) if k is MINOR]
    for i in minor[len(kinds) // 2 :]:
        kinds[i] = rng.choice(PROBLEMS[:4])
    return [_problem(rng, k) for k in kinds]


def _body(
    rng: random.Random, c: dict[str, Any], issuer: str, unit: str, day: dt.date
) -> list[dict[str, Any]]:
    problems, leads = c["problems"], c["leads"]
    start = day - dt.timedelta(days=rng.randint(60, 120))
    intro = (f"{start.year}年{start.month}月{start.day}日起，{issuer}对{unit}党组织开展常规巡察，"
             f"共发现问题 {len(problems)} 个，移交问题线索 {len(leads)} 条，涉及金额 {c['figures']['amount']['value']}。")  # fmt: skip
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(problems):
        groups.setdefault(p["category"], []).append(i)
    subsections = []
    for n, (category, idx) in enumerate(groups.items()):
        paras = [f"{k}.{problems[i]['text']}。{problems[i]['basis']}，{problems[i]['responsible']}负有责任。"
                 + (f"涉及金额 {int(Decimal(problems[i]['amount'])):,} 元。" if problems[i]["amount"] else "")
                 for k, i in enumerate(idx, 1)]  # fmt: skip
        subsections.append(
            {"heading": f"（{NUMERALS[n]}）{Category(category).label}", "paragraphs": paras}
        )
    households = c["figures"]["households"]["value"]
    return [
        {"heading": "一、巡察工作基本情况", "paragraphs": [intro], "subsections": []},
        {"heading": "二、发现的主要问题", "paragraphs": [f"经核查，涉及群众 {households} 户。"],
         "subsections": subsections},
        {"heading": "三、问题线索移交情况", "paragraphs": [f"{x['text']}，拟移交{x['receiver'] or '有关部门'}。" for x in leads]
         or ["本轮巡察未发现问题线索。"], "subsections": []},
        {"heading": "四、意见建议", "paragraphs": [f"{k}.{r['text']}。" for k, r in enumerate(c["recommendations"], 1)],
         "subsections": []},
    ]  # fmt: skip


def _content(
    rng: random.Random, unit: Unit, issuer: str, day: dt.date, county: str, defects: set[str]
) -> dict[str, Any]:
    problems = _problems(rng, "trivial" in defects)
    leads = [{"lead": None, "text": f"{_people(rng, rng.choice(('村党支部书记', '村委会主任', '村报账员')))}涉嫌违纪违法",
              "handed_to": (to := rng.choice((Receiver.DISCIPLINE, Receiver.DISCIPLINE, Receiver.ORGANISATION))).value,
              "receiver": f"{county}纪委监委第{NUMERALS[rng.randint(0, 4)]}监督检查室" if to == Receiver.DISCIPLINE
              else f"中共{county}委组织部"} for _ in range(rng.choice((0, 0, 1, 1, 2)))]  # fmt: skip
    by_sub: dict[str, list[int]] = {}
    for i, p in enumerate(problems):
        by_sub.setdefault(p["subcategory"], []).append(i)
    recs = [
        {"text": ADVICE[[str(k[0]) for k in PROBLEMS].index(sub)], "problems": idx}
        for sub, idx in by_sub.items()
    ]
    amount = sum(int(Decimal(p["amount"])) for p in problems if p["amount"])
    figures = {
        "amount": {"label": "涉及金额", "value": f"{amount:,}元", "source": "问题台账"},
        "households": {
            "label": "涉及群众户数",
            "value": str(rng.randint(5, 60)),
            "source": "数据比对",
        },
    }
    c: dict[str, Any] = {
        "problems": problems,
        "leads": leads,
        "recommendations": recs,
        "figures": figures,
    }
    _plant(rng, c, defects)
    c["sections"] = _body(rng, c, issuer, unit.name, day)
    if "number" in defects:  # a number the data does not hold
        c["sections"][1]["paragraphs"].append(
            f"另有 {rng.randint(101, 199)} 名党员长期未参加组织生活。"
        )
    return c


def _plant(rng: random.Random, c: dict[str, Any], defects: set[str]) -> None:
    problems = c["problems"]
    if "basis" in defects:
        rng.choice(problems)["basis"] = ""
    if "responsible" in defects:
        rng.choice(problems)["responsible"] = ""
    if "unsigned" in defects:
        rng.choice(problems)["paper_signed"] = False
    if "lead" in defects:
        c["leads"].append(
            {"lead": None, "text": "村干部涉嫌侵占集体资金", "handed_to": "", "receiver": ""}
        )
    if "advice" in defects:
        c["recommendations"].append({"text": "进一步加强理论学习", "problems": []})


def _units() -> list[tuple[Unit, str]]:
    """Townships and villages of the city, each with its county's name."""
    found = []
    for u in Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.VILLAGE]).select_related(
        "parent__parent"
    ):
        county = (
            u.parent if u.kind == UnitKind.TOWNSHIP else (u.parent.parent if u.parent else None)
        )
        if county is not None:
            found.append((u, county.name))
    return sorted(found, key=lambda x: x[0].pk)


def _reports(rng: random.Random, n: int, start: dt.date, days: int) -> list[Report]:
    units = _units()
    defects: dict[int, set[str]] = {}
    for name, count in PLANTED.items():
        for i in rng.sample(range(n), count):
            defects.setdefault(i, set()).add(name)
    made = []
    for i in range(n):
        unit, county = rng.choice(units)
        day = start + dt.timedelta(days=rng.randrange(days))
        issuer = f"中共{county}委第{NUMERALS[rng.randint(0, 5)]}巡察组"
        made.append(Report(
            source=ReportSource.SUBMITTED, unit=unit, issuer=issuer, submitted_on=day,
            number=f"{county[:2]}巡{NUMERALS[rng.randint(0, 5)]}〔{day.year}〕{rng.randint(1, 30)}号",
            title=f"关于巡察{unit.name}党组织的情况报告",
            content=_content(rng, unit, issuer, day, county, defects.get(i, set())),
        ))  # fmt: skip
    return Report.objects.bulk_create(made, batch_size=200)


def _own_team(made: list[Report], drawn: list[int], team_user: User) -> None:
    """Make the first drawn reports the demo team's own (its latest team's units)."""
    member = (
        TeamMember.objects.filter(cadre__user=team_user)
        .select_related("team")
        .order_by("-team__round__start_date")
        .first()
    )
    if member is None:
        return
    team = member.team
    units = list(
        Assignment.objects.filter(team=team).order_by("pk").values_list("unit_id", flat=True)
    )
    by_pk = {r.pk: r for r in made}
    for n, pk in enumerate(sorted(drawn)[:TEAM_REPORTS]):
        r = by_pk[pk]
        r.source, r.team, r.round_id, r.issuer = (
            ReportSource.GENERATED,
            team,
            team.round_id,
            f"中共{CITY_NAME}委{team.name}",
        )
        if units:
            r.unit_id = units[n % len(units)]
        r.save(update_fields=["source", "team", "round", "issuer", "unit"])


# Criterion → the flag kinds that cost it points, and how many.
DEDUCTIONS = {"问题底稿齐全": ("unsigned_paper", 6), "定性准确": ("incomplete", 5), "责任明确": ("incomplete", 3),
              "线索处置合规": ("lead_no_route", 10), "意见建议与问题对应": ("unmatched", 8),
              "问题主次分明": ("trivial", 12), "数据有据可查": ("unsourced", 6)}  # fmt: skip


def _score(rng: random.Random, sample: Any, by: User, submit: bool) -> None:
    flags = {f.kind for f in Flag.objects.filter(checked__review_round=sample.review_round_id,
                                                 checked__report_id=sample.report_id)}  # fmt: skip
    sections = [s["heading"] for s in sample.report.content["sections"]]
    entries = []
    for c in sample.review_round.rubric_version.criteria.all():
        kind, cost = DEDUCTIONS.get(c.name, ("", 0))
        off = Decimal(cost if kind in flags else rng.choice((0, 0, 1, 2)))
        off += Decimal(rng.choice((0, 0, 0, 3, 5)))  # the reviewer's own reading
        points = max(Decimal(0), c.points - off)
        comment = (
            "符合要求。"
            if points == c.points
            else f"扣 {c.points - points} 分：{c.guidance[:30]}……未完全做到。"
        )
        entries.append(ScoreEntry(c.pk, points, comment, sections[1] if points < c.points else ""))
    review_scores_save(sample=sample, by=by, entries=entries, version=sample.version,
                       summary="报告总体规范，个别问题定性依据和数据出处需补充。", submit=submit)  # fmt: skip


def seed_reviews(*, today: dt.date, seed: int = 745) -> DemoReviews:
    """The reports of last year, the review round over them, the draw and some reviews."""
    rng = random.Random(seed)
    users = {
        u.username: u for u in User.objects.filter(username__in=["office", "supervisor", "team"])
    }
    start, end = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    with transaction.atomic():
        rubrics_install_shipped(by=None)
        version = RubricVersion.objects.filter(
            rubric__name__startswith="巡察报告评查示例标准"
        ).latest("number")
        have = Report.objects.filter(submitted_on__range=(start, end)).count()
        made = _reports(rng, max(0, REPORTS - have), start, (end - start).days + 1)
        candidates = sorted(
            Report.objects.filter(submitted_on__range=(start, end)).values_list("pk", flat=True)
        )
        _own_team(
            made, sampling.draw(candidates=candidates, seed=SEED, count=SAMPLE), users["team"]
        )
        rr = review_round_create(name=f"{start.year} 年度巡察报告质量评查", starts_on=start, ends_on=end,
                                 version=version, reviewers=[users["supervisor"], users["office"]],
                                 by=users["office"])  # fmt: skip
        samples = review_draw(review_round=rr, by=users["office"], count=SAMPLE, seed=SEED)
        chosen = sorted(samples, key=lambda s: s.report_id)
        for s in chosen[:SCORED]:
            _score(rng, s, users["supervisor"], submit=True)
        _score(rng, chosen[SCORED], users["office"], submit=False)  # one in progress
    flagged = Counter(Flag.objects.filter(checked__review_round=rr).values_list("kind", flat=True))
    return DemoReviews(rr.pk, len(candidates), len(samples), SCORED, dict(flagged))


def summary(r: DemoReviews) -> str:
    from xuncha.reviews.models import FlagKind

    kinds = "、".join(f"{label} {r.flagged.get(k, 0)} 份" for k, label in FlagKind.choices)
    return (f"   报告评查（种子 004）：{r.reports} 份巡察报告全部自动检查（{kinds}），"
            f"随机抽取 {r.sampled} 份评查（种子 {SEED}），已提交评查 {r.scored} 份")  # fmt: skip
