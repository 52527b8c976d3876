"""Writes to the plan: teams, members and assignments, with 回避 enforced both ways
(a member added to a team that inspects their unit, or a unit assigned to a team
with a member from it)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import Unit
from xuncha.units.selectors import in_conflict

from .models import Assignment, Cadre, MemberRole, Round, Team, TeamMember, Term


def _office(by: User) -> None:
    if not allowed(by, "plan.manage"):
        raise PermissionDenied("只有巡察办可以安排巡察轮次和巡察组。")


def round_create(
    *, by: User, term: Term, number: int, name: str, kind: str, start_date: dt.date,
    end_date: dt.date,
) -> Round:  # fmt: skip
    _office(by)
    if end_date < start_date:
        raise ServiceError("结束日期不能早于进驻日期。")
    if Round.objects.filter(term=term, number=number).exists():
        raise ServiceError(f"{term}已有第 {number} 轮。")
    return Round.objects.create(term=term, number=number, name=name.strip(), kind=kind,
                                start_date=start_date, end_date=end_date)  # fmt: skip


def team_create(*, by: User, round: Round, name: str) -> Team:
    _office(by)
    if Team.objects.filter(round=round, name=name.strip()).exists():
        raise ServiceError(f"本轮已有「{name.strip()}」。")
    return Team.objects.create(round=round, name=name.strip())


def _conflict_message(cadre: Cadre, unit: Unit) -> str:
    return f"回避：{cadre.name}的原单位「{cadre.home_unit}」与被巡察单位「{unit}」存在隶属关系，不能参加对该单位的巡察。"


def team_member_add(*, team: Team, cadre: Cadre, role: str = MemberRole.MEMBER) -> TeamMember:
    for assignment in team.assignments.select_related("unit"):
        if in_conflict(cadre.home_unit, assignment.unit):
            raise ServiceError(_conflict_message(cadre, assignment.unit))
    try:
        with transaction.atomic():
            return TeamMember.objects.create(team=team, cadre=cadre, role=role)
    except IntegrityError as err:
        if (
            role == MemberRole.LEADER
            and team.teammember_set.filter(role=MemberRole.LEADER).exists()
        ):
            raise ServiceError("一个巡察组只能有一名组长。") from err
        raise ServiceError(f"{cadre.name}已是该巡察组成员。") from err


def assignment_add(*, team: Team, unit: Unit, kind: str | None = None) -> Assignment:
    for member in team.members.select_related("home_unit"):
        if in_conflict(member.home_unit, unit):
            raise ServiceError(_conflict_message(member, unit))
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                round_id=team.round_id, team=team, unit=unit, kind=kind or team.round.kind
            )
    except IntegrityError as err:
        raise ServiceError(f"「{unit}」在本轮已分配给其他巡察组。") from err
