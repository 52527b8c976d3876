"""A demo city (湘南市, fictional) with one term of inspection work, seeded through the
same services the pages use, so the demo shows only states the app itself can reach.

Units form a hierarchy with real-looking administrative codes (county 6 digits,
township 9, village 12): six counties of seven to nine townships hold seed 004's 1,417
villages and communities, with its risk levels (859 general / 388 watch / 170 high).
A 2022–2026 term has six rounds of different kinds; teams come from a
cadre pool with 回避 respected; every assigned unit gets talks, findings, leads and
immediate items; findings fed back become ledger items in every state, some overdue
and some due soon. One county park reproduces seed 000's Yiyang figure exactly: 43
items fed back, 40 closed out, 93.02%. About half the townships, departments and
enterprises are inspected but few villages, so a coverage view shows both what is done
and what the term still owes, and the term plan has most villages still to place.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction

from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.escalation.models import Level
from xuncha.escalation.services import office_set
from xuncha.findings.choices import LeadResult, Receiver, Source, Subcategory
from xuncha.findings.models import Finding, Talk
from xuncha.findings.services import (
    finding_create,
    immediate_create,
    immediate_mark_done,
    lead_create,
    lead_record_result,
)
from xuncha.planning.models import Assignment, Cadre, MemberRole, Round, RoundKind, Team, Term
from xuncha.planning.services import assignment_add, round_create, team_create, team_member_add
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_close,
    rectification_create,
    rectification_propose_plan,
    rectification_reopen,
    rectification_report_progress,
)
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.selectors import conflicting
from xuncha.units.services import unit_create

from .risk import refresh_derived, seed_risk

PASSWORD = "xuncha-demo"  # shared by every demo account; documented, for demos only
CITY_NAME, CITY_CODE = "湘南市", "439900"
# (code digits, suffix): one urban district, four counties, one county-level city.
COUNTIES = (("02", "区"), ("21", "县"), ("22", "县"), ("23", "县"), ("24", "县"), ("81", "市"))
PLACE_HEADS = "青白金龙梅枫杉竹荷桃石黄新大长高清永安福泉云花柳松茶双团凤马"
PLACE_TAILS = "山溪塘田坪湾岭冲桥洲港湖坝源江口铺坡园岗垅"
PLACE_MIDDLES = "家子木沙泥水石竹花马牛鹤龟门树"
VILLAGES = 1417  # seed 004: Changsha's villages and communities (859 / 388 / 170)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯邓曹彭曾肖田袁"
GIVEN = "建国志明海红英丽华伟芳敏强涛斌辉平勇静燕霞波超俊鹏飞湘永春秋桂兰德"
DEPARTMENTS = (
    "市民政局", "市人力资源和社会保障局", "市自然资源和规划局", "市住房和城乡建设局",
    "市水利局", "市农业农村局", "市卫生健康委员会", "市教育局", "市财政局",
    "市医疗保障局", "市库区移民事务中心",
)  # fmt: skip
ENTERPRISES = (
    "湘南城市建设投资集团有限公司", "湘南水务集团有限公司",
    "湘南交通发展集团有限公司", "湘南农业发展投资有限公司",
)  # fmt: skip
RANKS = ("副局长", "纪检监察组组长", "办公室主任", "科长", "一级主任科员", "二级调研员")
NUMERALS = "一二三四五六七八九十"

# Ledger outcomes: the five states, plus closed and then reopened (sham rectification).
REOPENED = "reopened"
Outcome = tuple[str, str]  # (state, due): due is none / past / overdue / soon / later


@dataclass(frozen=True)
class DemoCity:
    """What was seeded: the demo accounts (role value → username) and a few counts."""

    accounts: dict[str, str]
    password: str
    units: int
    findings: int
    items: int
    yiyang_unit_id: int


@dataclass(frozen=True)
class _Plan:
    """One round of the term: its kind, dates, teams, and how its ledger has fared
    (older rounds are mostly closed out, the latest is still being planned)."""

    kind: str
    start: dt.date
    end: dt.date
    teams: int
    per_team: int
    states: tuple[tuple[str, int], ...]
    demo_role: str = ""  # the demo team account's place in the first team, if any


_OLD = ((Status.CLOSED, 90), (Status.IN_PROGRESS, 7), (Status.CLOSE_REQUESTED, 3))
PLANS = (
    _Plan(RoundKind.ROUTINE, dt.date(2022, 3, 7), dt.date(2022, 5, 13), 3, 6, _OLD),
    _Plan(RoundKind.ELEVATED, dt.date(2022, 7, 4), dt.date(2022, 9, 16), 2, 8, _OLD),
    _Plan(RoundKind.SPECIAL, dt.date(2023, 3, 6), dt.date(2023, 5, 5), 2, 3, _OLD),
    _Plan(RoundKind.MOBILE, dt.date(2023, 10, 9), dt.date(2023, 12, 15), 2, 3,
          ((Status.CLOSED, 80), (Status.IN_PROGRESS, 10), (Status.CLOSE_REQUESTED, 7),
           (REOPENED, 3))),
    _Plan(RoundKind.CROSS, dt.date(2024, 3, 4), dt.date(2024, 5, 31), 3, 14,
          ((Status.CLOSED, 50), (Status.IN_PROGRESS, 25), (Status.CLOSE_REQUESTED, 15),
           (Status.PLAN_SUBMITTED, 7), (REOPENED, 3)), MemberRole.MEMBER),
    _Plan(RoundKind.ROUTINE, dt.date(2025, 3, 3), dt.date(2025, 5, 30), 3, 10,
          ((Status.AWAITING_PLAN, 20), (Status.PLAN_SUBMITTED, 20), (Status.IN_PROGRESS, 30),
           (Status.CLOSE_REQUESTED, 15), (Status.CLOSED, 15)), MemberRole.LEADER),
)  # fmt: skip
# The demo unit account's ledger: every state, one overdue, some due soon, one reopened.
DEMO_OUTCOMES: list[Outcome] = [
    (Status.AWAITING_PLAN, "none"), (Status.PLAN_SUBMITTED, "later"),
    (Status.IN_PROGRESS, "overdue"), (Status.IN_PROGRESS, "soon"),
    (Status.CLOSE_REQUESTED, "soon"), (Status.CLOSED, "past"), (REOPENED, "overdue"),
]  # fmt: skip
# Seed 000: 南县经开区, 43 problems fed back, 40 rectified (93.02%).
_CLOSED_LONG_AGO: Outcome = (Status.CLOSED, "past")
YIYANG_OUTCOMES: list[Outcome] = [
    *[_CLOSED_LONG_AGO] * 40, (Status.IN_PROGRESS, "overdue"), (Status.IN_PROGRESS, "later"),
    (Status.CLOSE_REQUESTED, "soon"),
]  # fmt: skip
YIYANG_FINDINGS = (
    (Subcategory.INDUSTRY, "部分入园建设项目监管不力，项目建设进度严重滞后"),
    (Subcategory.INDUSTRY, "某项目不能如期交房，“保交楼”属地责任落实不到位"),
)

PROBLEMS: dict[str, tuple[str, ...]] = {
    Subcategory.BENEFIT_FUNDS: ("向{n}名不符合条件人员发放{fund}，涉及资金{money}",
                                "已死亡人员仍在领取{fund}，涉及资金{money}"),
    Subcategory.COLLECTIVE_ASSETS: ("村集体{asset}收入{money}未纳入集体账户管理",
                                    "集体资产台账不全，{n}处{asset}未登记入账"),
    Subcategory.PROJECTS: ("{project}项目未按规定公开招标，涉及金额{money}",
                           "{project}工程虚报工程量，多付工程款{money}"),
    Subcategory.WORK_STYLE: ("便民服务窗口办事推诿拖延，群众反映强烈",
                             "违规公款吃喝{n}次，以会议费名义列支"),
    Subcategory.WEAK_ORGANISATION: ("党组织书记履职不力，软弱涣散问题整改不到位",
                                    "党员发展程序不规范，{n}名党员入党材料缺失"),
    Subcategory.PARTY_LIFE: ("“三会一课”制度落实不到位，全年仅召开支部党员大会{n}次",
                             "组织生活会批评与自我批评流于形式"),
    Subcategory.CADRES: ("{n}名干部违规兼职取酬", "干部选拔任用程序不规范，{n}人未经民主推荐"),
    Subcategory.POLICY_DELIVERY: ("耕地保护责任落实不到位，违法占用耕地{n}亩",
                                  "上轮巡视反馈问题{n}项未按期完成整改"),
    Subcategory.INDUSTRY: ("产业扶持项目{n}个建成后闲置", "入园建设项目监管不力，{n}个项目未按期竣工"),
    Subcategory.LIVELIHOOD: ("低保动态管理不规范，{n}户应退未退",
                             "农村饮水安全问题未彻底解决，{n}户居民未用上自来水"),
}  # fmt: skip
# Money problems come mostly from data cross-checks and documents; the rest from people.
SOURCES_FOR_MONEY = (Source.CROSSCHECK, Source.CROSSCHECK, Source.DOCUMENTS, Source.PETITION)
SOURCES_OTHERWISE = (Source.TALK, Source.TALK, Source.PETITION, Source.DOCUMENTS, Source.SITE_VISIT)
FUNDS = ("水库移民直补资金", "低保金", "耕地地力保护补贴", "高龄津贴", "残疾人两项补贴")
ASSETS = ("山林承包", "门面出租", "砂石资源", "鱼塘发包")
PROJECTS = ("村级道路硬化", "农田水利", "人居环境整治", "安置房建设")
POSITIONS: dict[str, tuple[str, ...]] = {
    UnitKind.VILLAGE: ("党支部书记", "村委会主任", "村务监督委员会主任", "村民代表", "老党员"),
    UnitKind.TOWNSHIP: ("党委书记", "镇长", "纪委书记", "财政所所长", "驻村干部"),
    UnitKind.DEPARTMENT: ("党组书记、局长", "副局长", "派驻纪检监察组组长", "财务科科长"),
    UnitKind.ENTERPRISE: ("党委书记、董事长", "总经理", "纪委书记", "财务部部长"),
    UnitKind.PARK: ("党工委书记", "管委会主任", "招商合作局局长", "规划建设局局长"),
}
TALK_SUMMARIES = (
    "反映班子成员之间沟通不够，重大事项集体决策执行不到位。",
    "反映惠民补贴资金发放公示不及时，群众知晓率不高。",
    "谈及工程项目管理，认为招投标环节存在“明招暗定”现象。",
    "反映干部作风有所好转，但部分窗口仍存在办事推诿现象。",
    "介绍上轮巡察整改情况，部分问题整改措施不够具体。",
)
IMMEDIATE = (
    "立即清退违规发放的补助资金",
    "立即公开村级财务收支明细",
    "立即整改便民服务窗口推诿扯皮问题",
    "立即修缮群众反映的饮水管道",
)


@dataclass(frozen=True)
class _Units:
    city: Unit
    counties: list[Unit]
    townships: list[Unit]
    villages: list[Unit]  # villages and communities
    departments: list[Unit]
    enterprises: list[Unit]
    park: Unit


@dataclass
class _Seeder:
    """What the steps share: the random stream, the day, the acting accounts."""

    rng: random.Random
    today: dt.date
    office: User
    team_user: User
    cadres: list[Cadre] = field(default_factory=list)
    demo_teams: set[int] = field(default_factory=set)
    liaisons: dict[int, User] = field(default_factory=dict)
    special: dict[int, list[Outcome]] = field(default_factory=dict)
    talks: list[Talk] = field(default_factory=list)
    evidence: int = 0


def seed_city(*, today: dt.date, seed: int = 2024) -> DemoCity:
    """Seed the demo city, deterministic for a seed; refused (and nothing written) if
    the database already has units, so running it twice never duplicates anything."""
    with transaction.atomic():
        if Unit.objects.exists():
            raise ServiceError("数据库中已有被巡察单位：演示城市只能在空库中生成，未作任何改动。")
        rng = random.Random(seed)
        accounts = _accounts()
        units = _city(rng, accounts[Role.OFFICE], today.year - 1, seed)
        ctx = _Seeder(rng, today, accounts[Role.OFFICE], accounts[Role.TEAM])
        ctx.cadres = _cadres(rng, units, ctx.team_user)
        pools = _pools(rng, units)
        ctx.special = {units.park.pk: _shuffled(rng, YIYANG_OUTCOMES),
                       pools[-1][0].pk: list(DEMO_OUTCOMES)}  # fmt: skip
        accounts[Role.UNIT] = _unit_account(ctx, pools[-1][0], "unit")
        term = Term.objects.create(name="第十四届市委巡察工作规划（2022—2026年）",
                                   start_year=2022, end_year=2026)  # fmt: skip
        for number, (plan, pool) in enumerate(zip(PLANS, pools, strict=True), start=1):
            _round(ctx, term, number, plan, pool)
        Talk.objects.bulk_create(ctx.talks)
        refresh_derived(today.year - 1)
        # The city's office escalates major findings to the province (联动与呈报).
        office_set(name=f"{CITY_NAME}委巡察办", level=Level.CITY, by=ctx.office)
        return DemoCity(
            accounts={str(role): user.username for role, user in accounts.items()},
            password=PASSWORD,
            units=Unit.objects.count(),
            findings=Finding.objects.count(),
            items=RectificationItem.objects.count(),
            yiyang_unit_id=units.park.pk,
        )


# --------------------------------------------------------------------------- accounts


def _account(username: str, role: str, name: str, like: User | None = None, **extra: Any) -> User:
    """An account with the shared demo password. It is hashed once and the hash reused:
    PBKDF2 is deliberately slow (about half a second a hash), and there are many liaisons."""
    user = User(username=username, role=role, full_name=name, **extra)
    if like is None:
        user.set_password(PASSWORD)
    else:
        user.password = like.password
    user.save()
    return user


def _accounts() -> dict[str, User]:
    """One demo account per role except the unit's (it needs its unit first)."""
    office = _account("office", Role.OFFICE, "刘卫东")
    return {
        Role.OFFICE: office,
        Role.TEAM: _account("team", Role.TEAM, "周明辉", like=office),
        Role.SUPERVISOR: _account("supervisor", Role.SUPERVISOR, "陈静", like=office),
        Role.LEADER: _account("leader", Role.LEADER, "赵建国", like=office),
        Role.ADMIN: _account("admin", Role.ADMIN, "系统管理员", like=office,
                             is_staff=True, is_superuser=True),
    }  # fmt: skip


def _unit_account(ctx: _Seeder, unit: Unit, username: str = "") -> User:
    """The unit's liaison, made on first need: only the unit's own account may plan
    and report its rectification (the services enforce it)."""
    if unit.pk not in ctx.liaisons:
        ctx.liaisons[unit.pk] = _account(username or f"unit-{unit.code}", Role.UNIT,
                                         f"{unit.name}联络员", like=ctx.office, unit=unit)  # fmt: skip
    return ctx.liaisons[unit.pk]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))


# --------------------------------------------------------------------------- units


def _place(rng: random.Random, taken: set[str], *, village: bool = False) -> str:
    """A place name used nowhere else (so the demo never shows two alike): two characters,
    or for villages often three (黄泥塘, 石子岭), as there are more villages than pairs."""
    while True:
        long = village and rng.random() < 0.6
        middle = rng.choice(PLACE_MIDDLES) if long else ""
        name = rng.choice(PLACE_HEADS) + middle + rng.choice(PLACE_TAILS)
        if name not in taken:
            taken.add(name)
            return name


def _city(rng: random.Random, office: User, year: int, seed: int) -> _Units:
    """The city, six counties of seven to nine townships holding seed 004's 1,417
    villages and communities (their risk levels computed by the shipped model from the
    departments' data of ``year``, see xuncha.demo.risk), the city's departments and
    enterprises, and one county park."""
    city = unit_create(name=CITY_NAME, code=CITY_CODE, kind=UnitKind.CITY)
    counties, townships, taken = [], [], set[str]()
    for digits, suffix in COUNTIES:
        county = unit_create(name=_place(rng, taken) + suffix, code=CITY_CODE[:4] + digits,
                             kind=UnitKind.COUNTY, parent=city)  # fmt: skip
        counties.append(county)
        townships.extend(_townships(rng, county, taken, urban=suffix == "区"))
    villages = _villages(rng, townships, taken)
    seed_risk(office, villages, seed=seed, year=year)
    host = counties[1]
    return _Units(
        city, counties, townships, villages,
        departments=_city_units(city, "D", DEPARTMENTS, UnitKind.DEPARTMENT),
        enterprises=_city_units(city, "E", ENTERPRISES, UnitKind.ENTERPRISE),
        park=unit_create(name=f"{host.name}经济开发区", code=f"{host.code}-P01",
                         kind=UnitKind.PARK, parent=host),
    )  # fmt: skip


def _city_units(city: Unit, letter: str, names: tuple[str, ...], kind: str) -> list[Unit]:
    """City-level units; they have no administrative code, so a readable one."""
    return [
        unit_create(name=name, code=f"{CITY_CODE}-{letter}{i:02d}", kind=kind, parent=city)
        for i, name in enumerate(names, start=1)
    ]


def _townships(rng: random.Random, county: Unit, taken: set[str], urban: bool) -> list[Unit]:
    """Seven to nine townships with GB/T 10114-style codes: 街道 001–, 镇 101–, 乡 201–
    (a county has its seat's 街道, towns, and one or two 乡 at the end)."""
    n = rng.randint(7, 9)
    xiang = rng.randint(1, 2)
    out = []
    for i in range(n):
        suffix, number = (
            ("街道", 1 + i) if urban or i == 0
            else ("乡", 201 + i - (n - xiang)) if i >= n - xiang
            else ("镇", 100 + i)
        )  # fmt: skip
        out.append(unit_create(name=_place(rng, taken) + suffix, code=f"{county.code}{number:03d}",
                               kind=UnitKind.TOWNSHIP, parent=county))  # fmt: skip
    return out


def _village_counts(rng: random.Random, townships: list[Unit]) -> list[int]:
    """How many villages (communities) each township has: a 街道 ten to twenty-two
    communities, a 镇 twenty-five to fifty villages, a 乡 fifteen to thirty (Hunan's
    merged towns), scaled by largest remainder so that the city has exactly VILLAGES."""
    ranges = {"街道": (10, 22), "镇": (25, 50), "乡": (15, 30)}
    raw = [rng.randint(*ranges[_township_suffix(t)]) for t in townships]
    exact = [VILLAGES * r / sum(raw) for r in raw]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(raw)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: VILLAGES - sum(counts)]:
        counts[i] += 1
    return counts


def _township_suffix(town: Unit) -> str:
    return next(s for s in ("街道", "镇", "乡") if town.name.endswith(s))


def _namesake(rng: random.Random, villages: list[Unit]) -> None:
    """One village takes the name of a village in another county (there are several 新民村
    in any province): a department's row naming it without township is ambiguous, and
    the office resolves it on the import page."""
    plain = [v for v in villages if v.kind == UnitKind.VILLAGE]
    a = rng.choice(plain)
    b = rng.choice([v for v in plain if v.county_id != a.county_id])
    b.name = a.name


def _villages(rng: random.Random, townships: list[Unit], taken: set[str]) -> list[Unit]:
    """Every township's villages, in one bulk insert: a 街道 has only communities
    (居委会 codes 001–), a town one community at its seat and villages (村委会 codes
    201–). The codes are unique by construction (checked as unit_create would), the names
    too but for the one namesake :func:`_namesake` plants."""
    out = []
    for town, count in zip(townships, _village_counts(rng, townships), strict=True):
        street = town.name.endswith("街道")
        for i in range(count):
            community = street or i == 0
            kind, suffix = (UnitKind.COMMUNITY, "社区") if community else (UnitKind.VILLAGE, "村")
            number = 1 + i if community else 200 + i
            out.append(Unit(name=_place(rng, taken, village=True) + suffix,
                            code=f"{town.code}{number:03d}", kind=kind, parent=town,
                            county=town.county, risk_level=RiskLevel.GENERAL))  # fmt: skip
    _namesake(rng, out)
    codes = [u.code for u in out]
    if len(set(codes)) != len(codes) or Unit.objects.filter(code__in=codes).exists():
        raise ServiceError("演示城市的村（社区）编码重复。")
    return Unit.objects.bulk_create(out, batch_size=500)


# --------------------------------------------------------------------------- plan


def _cadres(rng: random.Random, units: _Units, team_user: User) -> list[Cadre]:
    """Forty cadres seconded from city departments (most) and counties. The first is
    the demo team account's, from 市财政局, which no demo-team unit belongs to."""
    finance = next(u for u in units.departments if u.name == "市财政局")
    cadres = [Cadre.objects.create(name=team_user.full_name, title="市财政局监督检查科科长",
                                   home_unit=finance, user=team_user)]  # fmt: skip
    homes = units.departments * 2 + units.counties
    for _ in range(39):
        home = rng.choice(homes)
        cadres.append(Cadre.objects.create(name=_person(rng), title=home.name + rng.choice(RANKS),
                                           home_unit=home))  # fmt: skip
    return cadres


def _pools(rng: random.Random, u: _Units) -> list[list[Unit]]:
    """The units each round takes up, disjoint (each unit once in the term) and a few
    more than its teams can take, so 回避 can be honoured; most villages are left for
    the rounds of 2025–2026. Each pool's first unit goes to the first team."""
    villages, towns = _shuffled(rng, u.villages), _shuffled(rng, u.townships)
    high = [v for v in villages if v.risk_level == RiskLevel.HIGH][:18]
    rest = [v for v in villages if v not in high]
    watch = [v for v in rest if v.risk_level == RiskLevel.WATCH]
    general = [v for v in rest if v.risk_level == RiskLevel.GENERAL]
    d, e = u.departments, u.enterprises
    return [
        [*towns[:12], d[0], d[1], d[6], d[7], *towns[12:14]],
        high,
        [u.park, d[2], d[3], e[0], e[1]],
        [d[10], e[2], e[3], d[4], d[5], d[9]],
        (watch[:24] + general[:20])[:44],
        towns[14:22] + general[20:44],
    ]


def _shuffled(rng: random.Random, items: list[Any]) -> list[Any]:
    out = list(items)
    rng.shuffle(out)
    return out


def _round(ctx: _Seeder, term: Term, number: int, plan: _Plan, pool: list[Unit]) -> None:
    """Create a round, staff its teams, deal out its units and record the work on each."""
    kind = RoundKind(plan.kind).label
    rnd = round_create(by=ctx.office, term=term, number=number, kind=plan.kind,
                       name=f"十四届市委第{NUMERALS[number - 1]}轮巡察（{kind}）",
                       start_date=plan.start, end_date=plan.end)  # fmt: skip
    teams = _staff(ctx, rnd, plan, pool[0])
    for assignment in _assign(teams, pool, plan.per_team):
        outcomes = ctx.special.get(assignment.unit_id) or _outcomes(ctx.rng, plan, assignment.unit)
        _inspect(ctx, rnd, assignment, outcomes)


def _staff(ctx: _Seeder, rnd: Round, plan: _Plan, first: Unit) -> list[Team]:
    """A leader and three or four members per team, no cadre in two teams of a round.
    The first team has nobody who must recuse from the pool's first unit, and holds
    the demo team account where the plan says so."""
    free = _shuffled(ctx.rng, ctx.cadres[1:])
    recuse = {u.pk for u in conflicting(first, [c.home_unit for c in free])}
    teams = []
    for t in range(plan.teams):
        team = team_create(by=ctx.office, round=rnd, name=f"第{NUMERALS[t]}巡察组")
        fit = [c for c in free if t or c.home_unit_id not in recuse]
        members = fit[: ctx.rng.randint(4, 5)]
        if t == 0 and plan.demo_role:
            members.insert(0 if plan.demo_role == MemberRole.LEADER else 1, ctx.cadres[0])
            members.pop()
            ctx.demo_teams.add(team.pk)
        for m, cadre in enumerate(members):
            role = MemberRole.LEADER if m == 0 else MemberRole.MEMBER
            team_member_add(team=team, cadre=cadre, role=role)
        free = [c for c in free if c not in members]
        teams.append(team)
    return teams


def _assign(teams: list[Team], pool: list[Unit], per_team: int) -> list[Assignment]:
    """Deal the pool out to the least-loaded team; a team that must recuse (回避,
    refused by the service) passes the unit on, and a unit no team may take waits
    for a later round."""
    out: list[Assignment] = []
    load = {team.pk: 0 for team in teams}
    for unit in pool:
        for team in sorted(teams, key=lambda t: load[t.pk]):
            if load[team.pk] >= per_team:
                continue
            try:
                out.append(assignment_add(team=team, unit=unit))
            except ServiceError:
                continue
            load[team.pk] += 1
            break
    return out


# --------------------------------------------------------------------------- team work


def _outcomes(rng: random.Random, plan: _Plan, unit: Unit) -> list[Outcome]:
    """Two to four findings for a village, three to six for other units, each with the
    state its ledger item ends in (weighted by the round's age) and when it is due."""
    n = (
        rng.randint(2, 4)
        if unit.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)
        else rng.randint(3, 6)
    )
    states = rng.choices([s for s, _ in plan.states], [w for _, w in plan.states], k=n)
    dues = rng.choices(("overdue", "soon", "later"), (35, 20, 45), k=n)
    return [
        (s, "past" if s == Status.CLOSED else "none" if s == Status.AWAITING_PLAN else due)
        for s, due in zip(states, dues, strict=True)
    ]


def _inspect(ctx: _Seeder, rnd: Round, a: Assignment, outcomes: list[Outcome]) -> None:
    """The team's work on one unit: talks, findings, leads, immediate items, and the
    feedback that turns every finding into a ledger item."""
    by = ctx.team_user if a.team_id in ctx.demo_teams else ctx.office
    kind = a.unit.kind if a.unit.kind != UnitKind.COMMUNITY else UnitKind.VILLAGE
    for _ in range(ctx.rng.randint(3, 6)):
        ctx.talks.append(Talk(round=rnd, team_id=a.team_id, unit_id=a.unit_id, recorded_by=by,
                              talk_on=_between(ctx.rng, rnd.start_date, rnd.end_date),
                              interviewee=_person(ctx.rng),
                              position=ctx.rng.choice(POSITIONS.get(kind, POSITIONS[UnitKind.TOWNSHIP])),
                              summary=ctx.rng.choice(TALK_SUMMARIES)))  # fmt: skip
    fixed = YIYANG_FINDINGS if a.unit.kind == UnitKind.PARK else ()
    findings = [_finding(ctx, a, by, fixed[i] if i < len(fixed) else None)
                for i in range(len(outcomes))]  # fmt: skip
    _leads(ctx, rnd, a, by, findings)
    _immediates(ctx, rnd, a, by)
    fed_back = rnd.end_date + dt.timedelta(days=ctx.rng.randint(20, 40))
    for finding, outcome in zip(findings, outcomes, strict=True):
        _ledger(ctx, finding, by, fed_back, outcome)


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _finding(ctx: _Seeder, a: Assignment, by: User, fixed: tuple[str, str] | None) -> Finding:
    """A finding of a random sub-category (or a fixed one), with a money amount where
    the problem is about money, and a likely source (cross-checks find money problems)."""
    rng = ctx.rng
    sub, text = fixed or (rng.choice(Subcategory.values), "")
    money = Decimal(rng.randint(20, 3000) * 100)
    template = text or rng.choice(PROBLEMS[sub])
    description = template.format(n=rng.randint(2, 30), fund=rng.choice(FUNDS),
                                  asset=rng.choice(ASSETS), project=rng.choice(PROJECTS),
                                  money=f"{money / 10000:.2f}万元")  # fmt: skip
    about_money = "{money}" in template
    return finding_create(
        assignment=a, by=by, category=sub.split(".")[0], subcategory=sub,
        description=description, amount=money if about_money else Decimal(0),
        source=rng.choice(SOURCES_FOR_MONEY if about_money else SOURCES_OTHERWISE),
    )  # fmt: skip


def _leads(ctx: _Seeder, rnd: Round, a: Assignment, by: User, findings: list[Finding]) -> None:
    """Up to two leads (more for a unit with many findings), handed over near the end of
    the inspection; a lead whose result would be known by now carries it."""
    rng = ctx.rng
    k = min(len(findings), rng.choice((0, 0, 1, 1, 2)) + len(findings) // 10)
    for finding in rng.sample(findings, k):
        to = rng.choices((Receiver.DISCIPLINE, Receiver.ORGANISATION), (7, 3))[0]
        handed = rnd.end_date - dt.timedelta(days=rng.randint(0, 14))
        what = (
            "涉嫌违规发放资金、优亲厚友问题"
            if to == Receiver.DISCIPLINE
            else "履职不力、选人用人不规范问题"
        )
        receiver = (
            "市纪委监委第三监督检查室" if to == Receiver.DISCIPLINE else "市委组织部干部监督科"
        )
        lead = lead_create(assignment=a, by=by, description=f"{_person(rng)}{what}", handed_to=to,
                           handed_on=handed, receiver=receiver,
                           due_on=handed + dt.timedelta(days=90), finding=finding)  # fmt: skip
        # Drawn whatever the day, so the same seed gives the same city on any day.
        result_on = handed + dt.timedelta(days=rng.randint(30, 120))
        result = rng.choice((LeadResult.FILED, LeadResult.DISPOSED, LeadResult.CLEARED))
        if result_on <= ctx.today and rng.random() < 0.85:
            lead_record_result(lead=lead, by=by, result=result, result_on=result_on)


def _immediates(ctx: _Seeder, rnd: Round, a: Assignment, by: User) -> None:
    """One to three immediate items. Older rounds finished theirs during the inspection;
    in the last two rounds some are still open, about half of those past their deadline."""
    rng = ctx.rng
    recent = rnd.start_date >= PLANS[-2].start
    for _ in range(rng.randint(1, 3)):
        deadline = rnd.start_date + dt.timedelta(days=rng.randint(15, 45))
        still_open = recent and rng.random() < 0.4
        if still_open:
            deadline = ctx.today + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 30))
        item = immediate_create(assignment=a, by=by, description=rng.choice(IMMEDIATE),
                                deadline=deadline)  # fmt: skip
        if not still_open:
            done_on = deadline - dt.timedelta(days=rng.randint(0, 10))
            immediate_mark_done(item=item, by=by, done_on=done_on)


# --------------------------------------------------------------------------- ledger


def _ledger(ctx: _Seeder, finding: Finding, by: User, fed_back: dt.date, outcome: Outcome) -> None:
    """Feed the finding back and walk its item through the services, as the unit, the
    office and the team would, until it is in the outcome's state."""
    state, due = outcome
    item = rectification_create(finding=finding, by=by, fed_back_on=fed_back)
    if state == Status.AWAITING_PLAN:
        return
    liaison = _unit_account(ctx, finding.unit)
    rectification_propose_plan(item=item, by=liaison, owner=f"{_person(ctx.rng)}（整改责任人）",
                               goal="问题整改到位，违规资金全额追回，相关制度健全并执行。",
                               department=f"{finding.unit.name}党政办",
                               measures="建立问题清单，逐项明确责任人和时限；完善相关制度，举一反三开展自查自纠。",
                               deadline=_deadline(ctx, due, fed_back))  # fmt: skip
    if state == Status.PLAN_SUBMITTED:
        return
    rectification_accept_plan(item=item, by=ctx.office)
    if state == Status.IN_PROGRESS:
        if ctx.rng.random() < 0.6:
            rectification_report_progress(
                item=item, by=liaison, text="已召开专题会议部署整改，正在逐项推进。"
            )
        return
    rectification_report_progress(item=item, by=liaison, text="已完成整改，相关制度已修订印发，佐证材料见附件。",
                                  files=[_pdf(ctx)], done=True)  # fmt: skip
    if state == Status.CLOSE_REQUESTED:
        return
    rectification_close(item=item, by=by, note="经对账核实，整改到位，同意销号。",
                        money_recovered=_recovered(ctx.rng, finding))  # fmt: skip
    if state == REOPENED:
        rectification_reopen(
            item=item, by=ctx.office, reason="整改督查发现虚假整改，问题仍然存在。"
        )


def _deadline(ctx: _Seeder, due: str, fed_back: dt.date) -> dt.date:
    """A past deadline for items closed long ago; otherwise one placed against today."""
    if due == "past":
        return fed_back + dt.timedelta(days=ctx.rng.randint(60, 180))
    low, high = {"overdue": (-90, -1), "soon": (0, 6), "later": (20, 150)}[due]
    return ctx.today + dt.timedelta(days=ctx.rng.randint(low, high))


def _recovered(rng: random.Random, finding: Finding) -> Decimal | None:
    """Money returned on close-out: most of the amount, for problems about funds or assets."""
    money = (Subcategory.BENEFIT_FUNDS, Subcategory.COLLECTIVE_ASSETS)
    if finding.subcategory not in money or not finding.amount:
        return None
    return (finding.amount * rng.randint(60, 100) / 100).quantize(Decimal("0.01"))


def _pdf(ctx: _Seeder) -> tuple[IO[bytes], str]:
    """A small valid PDF, different each time (evidence is stored under its hash)."""
    ctx.evidence += 1
    body = f"%PDF-1.4\n% xuncha demo evidence {ctx.evidence}\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    return io.BytesIO(body.encode()), f"整改佐证材料{ctx.evidence:04d}.pdf"
