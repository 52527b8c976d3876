"""Petitions for the demo city, through the same services the pages use: a QR code per
team and round (with the round's window), petitions from every channel on the units
each team inspected, handled to every stage, and one code open today for the demo team
so the public page can be tried with a phone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xuncha.accounts.models import User
from xuncha.findings.choices import Category, Receiver, Subcategory
from xuncha.petitions.models import Channel, Disposition, IntakeCode, Petition
from xuncha.petitions.services import (
    Content,
    Identity,
    intake_create,
    message_from_team,
    petition_assign,
    petition_classify,
    petition_dispose,
    petition_link,
    petition_record,
    petition_submit,
    petition_to_finding,
    petition_to_lead,
)
from xuncha.planning.models import Assignment, Round, Team
from xuncha.rectifications.services import rectification_create
from xuncha.units.models import UnitKind

SCOPE = ("主要受理反映被巡察党组织领导班子及其成员、下一级党组织主要负责人和重要岗位领导干部问题的来信来电来访，"
         "重点是群众身边不正之风和腐败问题，惠民惠农资金、农村集体“三资”管理、工程项目等方面的问题。")  # fmt: skip
MATTERS = (
    (
        "村干部",
        "村里的移民后期扶持资金发放名单里有已经去世多年的人，钱被人冒领了。",
        Subcategory.BENEFIT_FUNDS,
    ),
    (
        "村委会",
        "村集体的山林承包合同没有公开招标，承包费多年没有入账。",
        Subcategory.COLLECTIVE_ASSETS,
    ),
    ("村支书", "村道硬化工程由支书亲戚承包，路面不到两年就开裂，质量很差。", Subcategory.PROJECTS),
    ("镇农办", "低保评定不公开，有的家庭条件好的也吃上了低保。", Subcategory.BENEFIT_FUNDS),
    ("村委会", "村务公开栏一年多没有更新，财务收支看不到。", Subcategory.WEAK_ORGANISATION),
    ("村干部", "办事要请吃饭送烟，不送就拖着不办。", Subcategory.WORK_STYLE),
    (
        "社区",
        "老旧小区改造的钱用到哪里去了，居民不清楚，工程拖了两年没完。",
        Subcategory.LIVELIHOOD,
    ),
    ("镇政府", "耕地地力保护补贴面积和实际种的不一样，有人多报面积。", Subcategory.POLICY_DELIVERY),
)
PLACES = ("村部旁边", "三组", "集镇街上", "水库移民安置点", "村小学对面")
CHANNELS = (
    Channel.QR,
    Channel.QR,
    Channel.QR,
    Channel.LETTER,
    Channel.VISIT,
    Channel.CALL,
    Channel.ONLINE,
)
REPLIES = (
    "您反映的问题已收悉，巡察组正在核实，请耐心等待。",
    "经核实，相关问题已交由被巡察单位立行立改，感谢您的监督。",
)


@dataclass(frozen=True)
class DemoPetitions:
    petitions: int
    open_token: str  # a QR code open today (for trying the public page)


def seed_petitions(
    *, today: dt.date, office: User, team_user: User, seed: int = 2024
) -> DemoPetitions:
    rng = random.Random(seed)
    rounds = list(Round.objects.order_by("start_date"))
    for rnd in rounds:
        latest = rnd == rounds[-1]
        for team in Team.objects.filter(round=rnd).order_by("number", "id"):
            by = team_user if team.members.filter(user=team_user).exists() else office
            code = intake_create(team=team, by=by, opens_on=rnd.start_date, closes_on=rnd.end_date, scope=SCOPE,
                                 phone=f"0739-82{rng.randint(10000, 99999)}", address="湘南市邮政信箱 A001 号")  # fmt: skip
            for a in Assignment.objects.filter(team=team).select_related("unit"):
                for _ in range(rng.randint(0, 4)):
                    _petition(rng, code, a, by, today, settle=not latest or rng.random() < 0.4)
    demo_team = (
        Team.objects.filter(members__user=team_user).order_by("-round__start_date").first()
        or Team.objects.last()
    )
    assert demo_team is not None
    open_code = intake_create(team=demo_team, by=office, opens_on=today - dt.timedelta(days=7),
                              closes_on=today + dt.timedelta(days=60), scope=SCOPE, phone="0739-8200000",
                              address="湘南市邮政信箱 A001 号")  # fmt: skip
    return DemoPetitions(Petition.objects.count(), open_code.token)


def _petition(
    rng: random.Random, code: IntakeCode, a: Assignment, by: User, today: dt.date, settle: bool
) -> None:
    rnd = a.round
    received = rnd.start_date + dt.timedelta(
        days=rng.randint(0, (rnd.end_date - rnd.start_date).days)
    )
    received = min(received, today)
    who, what, sub = rng.choice(MATTERS)
    content = Content(what=what, who=f"{a.unit.name}{who}", where=f"{a.unit.name}{rng.choice(PLACES)}",
                      when=f"{received.year - rng.randint(0, 2)}年以来")  # fmt: skip
    identity = (
        Identity(name="群众", phone=f"139{rng.randint(10**7, 10**8 - 1)}")
        if rng.random() < 0.25
        else None
    )
    channel = rng.choice(CHANNELS)
    if channel == Channel.QR:
        petition, _ = petition_submit(
            intake=code, content=content, identity=identity, received_on=received
        )
        petition = petition_classify(
            petition=petition, by=by, category="", subcategory="", unit_id=a.unit_id
        )
    else:
        petition, _ = petition_record(team=a.team, by=by, channel=channel, received_on=received, content=content,
                                      identity=identity, unit_id=a.unit_id, issue_receipt=channel == Channel.VISIT)  # fmt: skip
    roll = rng.random()
    if not settle:
        if roll < 0.5:
            petition_assign(petition=petition, by=by, handler=by)
        return
    if petition.receipt_hash:
        message_from_team(petition=petition, by=by, body=REPLIES[0])
    if roll < 0.22 and a.unit.kind != UnitKind.PARK:  # the park keeps seed 000's 43 items exactly
        category = sub.split(".")[0]
        petition = petition_to_finding(petition=petition, by=by, category=Category(category), subcategory=sub,
                                       description=f"{a.unit.name}：{what}（群众信访反映，经核实属实）")  # fmt: skip
        assert petition.finding is not None
        # Fed back with the team's other findings at the end of the round.
        rectification_create(
            finding=petition.finding,
            by=by,
            fed_back_on=min(rnd.end_date + dt.timedelta(days=30), today),
        )
        # A finding is not an answer to the petitioner: most are then disposed of as 转为问题,
        # the rest stay 办理中, as a team's inbox looks mid-round.
        if rng.random() < 0.8:
            petition_dispose(petition=petition, by=by, disposition=Disposition.FINDING)
    elif roll < 0.27:
        petition_to_lead(petition=petition, by=by, description=f"{who}涉嫌：{what}", handed_to=Receiver.DISCIPLINE,
                         handed_on=received, receiver="市纪委监委信访室", due_on=received + dt.timedelta(days=60))  # fmt: skip
    elif roll < 0.32:
        earlier = Petition.objects.filter(team=a.team, unit=a.unit).exclude(pk=petition.pk).first()
        if earlier is not None:
            petition_link(petition=petition, other=earlier, by=by, duplicate=True)
        else:
            petition_dispose(petition=petition, by=by, disposition=Disposition.CLOSED)
    else:
        disposition = rng.choice(
            (
                Disposition.ANSWERED,
                Disposition.TO_UNIT,
                Disposition.TO_UNIT,
                Disposition.OUT_OF_SCOPE,
            )
        )
        petition_dispose(petition=petition, by=by, disposition=disposition)
