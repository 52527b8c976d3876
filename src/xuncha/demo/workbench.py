"""Seed a realistic demo city (湘南市, fictional) through the same services the pages use.

Units in a hierarchy with village risk levels in seed 004's proportions; a 2022–2026
term with four rounds; teams drawn from a cadre pool (回避 respected); talks, findings,
leads and immediate items for every assigned unit; ledger items in every state, some
overdue and some due soon; and one unit whose ledger reproduces seed 000's Yiyang
figure exactly: 43 items, 40 closed out, 93.02%.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.findings import services as work
from xuncha.findings.choices import Receiver, Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.planning.models import Assignment, Cadre, MemberRole, Round, RoundKind, Team, Term
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.rectifications import services as ledger
from xuncha.rectifications.models import RectificationItem
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.services import unit_create

PASSWORD = "xuncha-demo"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
COUNTIES = ["江华县", "桃源县", "临湘市", "新宁县"]
SYLLABLES = "东西南北青石桥塘湾岭坪冲山溪水田家中和平安兴隆福源丰"
DEPARTMENTS = ["市民政局", "市人社局", "市自然资源局", "市水利局", "市农业农村局", "市住建局"]
PROBLEMS = {
    "corruption.funds": "向不符合条件人员发放{}补助资金",
    "corruption.assets": "村集体{}收入未入账",
    "corruption.projects": "{}工程项目未按规定招标",
    "corruption.style": "{}窗口办事推诿拖延",
    "organisation.weak": "党支部“三会一课”{}未落实",
    "organisation.life": "组织生活会{}流于形式",
    "organisation.cadres": "村干部{}兼职取酬",
    "policy.delivery": "{}政策落实不到位",
    "policy.industry": "{}产业扶持项目闲置",
    "policy.livelihood": "{}低保动态管理不规范",
}


@dataclass(frozen=True)
class DemoCity:
    accounts: dict[str, str]  # role → username
    password: str
    units: int
    findings: int
    items: int
    yiyang_unit_id: int


def seed_city(*, today: dt.date, seed: int = 2024) -> DemoCity:
    """Create the demo city (refused if units already exist: never twice)."""
    if Unit.objects.exists():
        raise ServiceError("数据库中已有被巡察单位，演示数据只能在空库中生成。")
    rng = random.Random(seed)
    with transaction.atomic():
        users = _users()
        units = _units(rng)
        rounds = _rounds(today)
        cadres = _cadres(rng, units, users["team"])
        assignments = _teams(rng, rounds, cadres, units)
        for a in assignments:
            _work(rng, a, users["office"], today)
        yiyang = _yiyang(rounds[-1], cadres, units, users["office"], today)
    return DemoCity(
        accounts={**{role: user.username for role, user in users.items()}, Role.UNIT.value: "unit"},
        password=PASSWORD,
        units=Unit.objects.count(),
        findings=Finding.objects.count(),
        items=RectificationItem.objects.count(),
        yiyang_unit_id=yiyang.pk,
    )


def _user(username: str, role: str, name: str, unit: Unit | None = None, **extra: Any) -> User:
    return User.objects.create_user(
        username, password=PASSWORD, role=role, full_name=name, unit=unit, **extra
    )


def _users() -> dict[str, User]:
    return {
        "office": _user("office", Role.OFFICE, "巡察办 刘主任"),
        "team": _user("team", Role.TEAM, "巡察组 王组长"),
        "supervisor": _user("supervisor", Role.SUPERVISOR, "督查室 陈科长"),
        "leader": _user("leader", Role.LEADER, "市委 赵书记"),
        "admin": _user("admin", Role.ADMIN, "系统管理员", is_staff=True, is_superuser=True),
    }


def _name(rng: random.Random, suffix: str) -> str:
    return "".join(rng.sample(SYLLABLES, 2)) + suffix


def _units(rng: random.Random) -> dict[str, list[Unit]]:
    city = unit_create(name="湘南市", code="439900", kind=UnitKind.CITY)
    out: dict[str, list[Unit]] = {"county": [], "township": [], "village": [], "department": []}
    risks = [RiskLevel.GENERAL] * 859 + [RiskLevel.WATCH] * 388 + [RiskLevel.HIGH] * 170
    for c, county_name in enumerate(COUNTIES, start=1):
        county = unit_create(
            name=county_name, code=f"4399{c:02d}", kind=UnitKind.COUNTY, parent=city
        )
        out["county"].append(county)
        for t in range(1, 5):
            town = unit_create(
                name=_name(rng, "镇"),
                code=f"{county.code}{t:03d}",
                kind=UnitKind.TOWNSHIP,
                parent=county,
            )
            out["township"].append(town)
            for v in range(1, 7):
                kind = UnitKind.COMMUNITY if v == 6 else UnitKind.VILLAGE
                out["village"].append(unit_create(
                    name=_name(rng, "社区" if v == 6 else "村"), code=f"{town.code}{v:03d}",
                    kind=kind, parent=town, risk_level=rng.choice(risks)))  # fmt: skip
    for d, name in enumerate(DEPARTMENTS, start=1):
        out["department"].append(
            unit_create(name=name, code=f"4399D{d:02d}", kind=UnitKind.DEPARTMENT, parent=city)
        )
    unit_create(name="湘南城投集团", code="4399E01", kind=UnitKind.ENTERPRISE, parent=city)
    unit_create(name="湘南高新区", code="4399P01", kind=UnitKind.PARK, parent=city)
    return out


def _rounds(today: dt.date) -> list[Round]:
    term = Term.objects.create(name="第十二届市委（2022—2026年）", start_year=2022, end_year=2026)
    kinds = [RoundKind.ROUTINE, RoundKind.SPECIAL, RoundKind.ELEVATED, RoundKind.MOBILE]
    rounds = []
    for n, kind in enumerate(kinds, start=1):
        start = today - dt.timedelta(days=120 * (len(kinds) - n) + 60)
        rounds.append(Round.objects.create(term=term, number=n, kind=kind, name=f"第十二届市委第{n}轮巡察",
                                           start_date=start, end_date=start + dt.timedelta(days=45)))  # fmt: skip
    return rounds


def _cadres(rng: random.Random, units: dict[str, list[Unit]], team_user: User) -> list[Cadre]:
    """Cadres seconded from departments and counties; the first is the demo team user."""
    homes = units["department"] + units["county"]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    cadres = [
        Cadre.objects.create(
            name="王建国", title="巡察组组长", home_unit=units["department"][0], user=team_user
        )
    ]
    for i in range(1, 24):
        cadres.append(Cadre.objects.create(name=surnames[i % 20] + rng.choice("建志海红丽明华军英平") + rng.choice("国强伟芳敏涛斌辉"),
                                           title="抽调干部", home_unit=homes[i % len(homes)]))  # fmt: skip
    return cadres


def _teams(rng: random.Random, rounds: list[Round], cadres: list[Cadre],
           units: dict[str, list[Unit]]) -> list[Assignment]:  # fmt: skip
    """Two teams a round, a leader and three members each, five units each; about two
    thirds of the units are covered by the end, the rest wait for the next rounds."""
    targets = units["township"] + units["village"] + units["department"][1:]
    rng.shuffle(targets)
    pool = iter(targets)
    assignments: list[Assignment] = []
    for r, rnd in enumerate(rounds):
        for t in range(2):
            team = Team.objects.create(round=rnd, name=f"第{t + 1}巡察组")
            first = 0 if (r == len(rounds) - 1 and t == 0) else 1 + (r * 8 + t * 4) % 20
            for m, cadre in enumerate(
                cadres[first : first + 1] + cadres[1 + (r * 8 + t * 4 + 1) % 20 :][:3]
            ):
                team_member_add(
                    team=team, cadre=cadre, role=MemberRole.LEADER if m == 0 else MemberRole.MEMBER
                )
            while sum(1 for a in assignments if a.team_id == team.pk) < 5:
                try:
                    assignments.append(assignment_add(team=team, unit=next(pool)))
                except ServiceError:
                    continue  # 回避: this unit waits for another team
    return assignments


def _liaison(unit: Unit) -> User:
    """The unit's liaison; the first one created is the demo account 'unit'."""
    existing = User.objects.filter(role=Role.UNIT, unit=unit).first()
    if existing:
        return existing
    taken = User.objects.filter(username="unit").exists()
    return _user(
        f"unit-{unit.code}" if taken else "unit", Role.UNIT, f"{unit.name} 联络员", unit=unit
    )


_STATES = [
    "awaiting_plan",
    "plan_submitted",
    "in_progress",
    "close_requested",
    "closed",
    "reopened",
]


def _work(rng: random.Random, a: Assignment, office: User, today: dt.date) -> None:
    start = a.round.start_date
    for i in range(2):
        work.talk_create(assignment=a, by=office, talk_on=start + dt.timedelta(days=3 + i),
                         interviewee=rng.choice(["村党支部书记", "村会计", "镇分管领导", "群众代表"]),
                         position="", summary="反映惠民资金发放和村务公开情况。")  # fmt: skip
    findings = [_finding(rng, a, office) for _ in range(3)]
    if a.pk % 2:
        work.lead_create(assignment=a, by=office, description=f"{a.unit.name}干部涉嫌虚报冒领补贴",
                         handed_to=rng.choice(Receiver.values), handed_on=start + dt.timedelta(days=20),
                         receiver="信访室", due_on=start + dt.timedelta(days=80), finding=findings[0])  # fmt: skip
    for i in range(2):
        item = work.immediate_create(assignment=a, by=office, description=f"立即整改{a.unit.name}公示不到位问题",
                                     deadline=start + dt.timedelta(days=15 + 10 * i))  # fmt: skip
        if i == 0 or a.round.start_date < today - dt.timedelta(days=200):
            work.immediate_mark_done(
                item=item, by=office, done_on=item.deadline - dt.timedelta(days=2)
            )
    for k, finding in enumerate(findings[:2]):
        state = _STATES[(a.pk * 2 + k) % len(_STATES)]
        _drive(
            finding, state, office, today + dt.timedelta(days=rng.choice([-20, -3, 2, 5, 30, 60]))
        )


def _finding(rng: random.Random, a: Assignment, office: User) -> Finding:
    sub = rng.choice(Subcategory.values)
    return work.finding_create(
        assignment=a, by=office, category=sub.split(".")[0], subcategory=sub,
        description=PROBLEMS[sub].format(a.unit.name), source=rng.choice(Source.values),
        amount=Decimal(rng.choice([0, 0, 1800, 3600, 12000, 46500])),
    )  # fmt: skip


def _drive(finding: Finding, state: str, office: User, deadline: dt.date) -> RectificationItem:
    """Feed a finding back and take its ledger item to ``state`` the way users would."""
    item = ledger.rectification_create(
        finding=finding, by=office, fed_back_on=finding.round.end_date
    )
    if state == "awaiting_plan":
        return item
    unit_user = _liaison(finding.unit)
    ledger.rectification_propose_plan(item=item, by=unit_user, measures="追回资金，约谈相关责任人，完善审核制度。",
                                      owner="单位主要负责人", deadline=deadline)  # fmt: skip
    if state == "plan_submitted":
        return item
    ledger.rectification_accept_plan(item=item, by=office)
    if state == "in_progress":
        return item
    ledger.rectification_report_progress(item=item, by=unit_user, text="已完成整改，附整改报告。", done=True,
                                         files=[(io.BytesIO(PDF), "整改报告.pdf")])  # fmt: skip
    if state == "close_requested":
        return item
    ledger.rectification_close(
        item=item, by=office, note="整改到位，予以销号。", money_recovered=finding.amount
    )
    if state == "reopened":
        ledger.rectification_reopen(item=item, by=office, reason="回访发现问题反弹")
    return item


def _yiyang(rnd: Round, cadres: list[Cadre], units: dict[str, list[Unit]], office: User,
            today: dt.date) -> Unit:  # fmt: skip
    """An elevated inspection of one department with 43 findings, 40 closed out."""
    unit = units["department"][0]
    team = Team.objects.create(round=rnd, name="提级巡察组")
    for m, cadre in enumerate(c for c in cadres if c.home_unit_id != unit.pk):
        if m == 4:
            break
        team_member_add(
            team=team, cadre=cadre, role=MemberRole.LEADER if m == 0 else MemberRole.MEMBER
        )
    a = assignment_add(team=team, unit=unit, kind=RoundKind.ELEVATED)
    rng = random.Random(43)
    for i in range(43):
        _drive(
            _finding(rng, a, office),
            "closed" if i < 40 else "in_progress",
            office,
            today + dt.timedelta(days=30),
        )
    return unit
