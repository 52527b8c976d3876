"""Writes to the plan: terms, rounds, the cadre pool, teams, members and assignments.

回避 is enforced both ways (a member added to a team that inspects their unit, a unit
assigned to a team with a member from it, a cadre whose home unit changes to one their
team inspects), and a refusal names every conflict, not only the first. Every write is
recorded in the history with who made it and, where it matters (removing a member,
unassigning a unit), why.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import IntegrityError, models, transaction

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.units.models import Unit
from xuncha.units.selectors import conflicting

from .models import Assignment, Cadre, MemberRole, Round, Team, TeamMember, Term
from .ordinals import chinese_number
from .selectors import recorded_work

M = TypeVar("M", bound=models.Model)


def _office(by: User | None) -> None:
    """The office plans; ``by=None`` is the system (demo data, imports)."""
    if by is not None and not allowed(by, "plan.manage"):
        raise PermissionDenied("只有巡察办可以安排巡察轮次和巡察组。")


def _save(obj: M, *, by: User | None, reason: str = "") -> M:
    """Save with the history entry's author and reason."""
    obj._history_user = by  # type: ignore[attr-defined]
    obj._change_reason = reason.strip()  # type: ignore[attr-defined]
    obj.save()
    return obj


def _delete(obj: models.Model, *, by: User, reason: str) -> None:
    obj._history_user = by  # type: ignore[attr-defined]
    obj._change_reason = reason.strip()  # type: ignore[attr-defined]
    obj.delete()


def _reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise ServiceError(f"请填写{what}的原因。")
    return reason.strip()


# Terms ------------------------------------------------------------------------------


def _term_checked(*, name: str, start_year: int, end_year: int, pk: int | None) -> str:
    if not name.strip():
        raise ServiceError("请填写届期名称。")
    if end_year < start_year:
        raise ServiceError("结束年不能早于起始年。")
    if Term.objects.filter(name=name.strip()).exclude(pk=pk or 0).exists():
        raise ServiceError(f"已有名为「{name.strip()}」的届期。")
    return name.strip()


def term_create(*, by: User, name: str, start_year: int, end_year: int) -> Term:
    _office(by)
    name = _term_checked(name=name, start_year=start_year, end_year=end_year, pk=None)
    return _save(Term(name=name, start_year=start_year, end_year=end_year), by=by)


def term_update(
    *, by: User, term: Term, name: str, start_year: int, end_year: int, reason: str = ""
) -> Term:
    _office(by)
    name = _term_checked(name=name, start_year=start_year, end_year=end_year, pk=term.pk)
    outside = term.rounds.exclude(start_date__year__range=(start_year, end_year))
    if names := [r.name for r in outside.order_by("start_date")]:
        raise ServiceError(
            f"以下轮次的进驻日期不在 {start_year}—{end_year} 年内：{'、'.join(names)}。"
        )
    term.name, term.start_year, term.end_year = name, start_year, end_year
    return _save(term, by=by, reason=reason)


# Rounds -----------------------------------------------------------------------------


def _round_checked(
    *, term: Term, number: int, start_date: dt.date, end_date: dt.date, pk: int | None
) -> None:
    if end_date < start_date:
        raise ServiceError("结束日期不能早于进驻日期。")
    if not term.start_year <= start_date.year <= term.end_year:
        raise ServiceError(
            f"进驻日期应在{term}的起止年份（{term.start_year}—{term.end_year} 年）内。"
        )
    if Round.objects.filter(term=term, number=number).exclude(pk=pk or 0).exists():
        raise ServiceError(f"{term}已有第{chinese_number(number)}轮。")


def round_create(
    *, by: User, term: Term, number: int, name: str, kind: str, start_date: dt.date,
    end_date: dt.date,
) -> Round:  # fmt: skip
    _office(by)
    _round_checked(term=term, number=number, start_date=start_date, end_date=end_date, pk=None)
    rnd = Round(term=term, number=number, name=name.strip(), kind=kind,
                start_date=start_date, end_date=end_date)  # fmt: skip
    return _save(rnd, by=by)


def round_update(
    *, by: User, round: Round, term: Term, number: int, name: str, kind: str,
    start_date: dt.date, end_date: dt.date, reason: str = "",
) -> Round:  # fmt: skip
    """Change a round's term, ordinal, name, kind or dates (the reason goes in its history)."""
    _office(by)
    _round_checked(term=term, number=number, start_date=start_date, end_date=end_date,
                   pk=round.pk)  # fmt: skip
    if not name.strip():
        raise ServiceError("请填写轮次名称。")
    round.term, round.number, round.name, round.kind = term, number, name.strip(), kind
    round.start_date, round.end_date = start_date, end_date
    return _save(round, by=by, reason=reason)


# Teams ------------------------------------------------------------------------------


def _team_checked(*, round: Round, number: int, name: str, pk: int | None) -> None:
    teams = Team.objects.filter(round=round).exclude(pk=pk or 0)
    if teams.filter(number=number).exists():
        raise ServiceError(f"本轮已有第{chinese_number(number)}巡察组。")
    if teams.filter(name=name).exists():
        raise ServiceError(f"本轮已有「{name}」。")


def team_create(
    *, by: User | None, round: Round, name: str = "", number: int | None = None
) -> Team:
    """A team of the round; without an ordinal it takes the next one, without a name
    第N巡察组."""
    _office(by)
    if number is None:
        number = Team.next_number(round.pk)
    name = name.strip() or f"第{chinese_number(number)}巡察组"
    _team_checked(round=round, number=number, name=name, pk=None)
    return _save(Team(round=round, number=number, name=name), by=by)


def team_update(*, by: User, team: Team, number: int, name: str, reason: str = "") -> Team:
    _office(by)
    name = name.strip() or f"第{chinese_number(number)}巡察组"
    _team_checked(round=team.round, number=number, name=name, pk=team.pk)
    team.name, team.number = name, number
    return _save(team, by=by, reason=reason)


def team_delete(*, by: User, team: Team, reason: str) -> None:
    """Delete a team made by mistake: only once it has no members and no assigned units,
    and nothing else (petitions, cross-checks, findings) refers to it."""
    _office(by)
    reason = _reason(reason, "删除巡察组")
    if team.teammember_set.exists() or team.assignments.exists():
        raise ServiceError(f"{team.name}还有成员或被巡察单位：请先调出全部成员、取消全部分配。")
    try:
        with transaction.atomic():
            _delete(team, by=by, reason=reason)
    except (models.ProtectedError, models.RestrictedError) as err:
        raise ServiceError(f"{team.name}已有信访、数据比对或问题等记录，不能删除。") from err


def _conflict_message(cadre: Cadre, units: list[Unit]) -> str:
    names = "、".join(f"「{u}」" for u in units)
    which = "这些单位" if len(units) > 1 else "该单位"
    return (f"回避：{cadre.name}的原单位「{cadre.home_unit}」与被巡察单位{names}存在隶属关系，"
            f"不能参加对{which}的巡察。")  # fmt: skip


def team_member_add(
    *, team: Team, cadre: Cadre, role: str = MemberRole.MEMBER, by: User | None = None
) -> TeamMember:
    _office(by)
    assigned = [a.unit for a in team.assignments.select_related("unit").order_by("unit__code")]
    if conflicts := conflicting(cadre.home_unit, assigned):
        raise ServiceError(_conflict_message(cadre, conflicts))
    try:
        with transaction.atomic():
            return _save(TeamMember(team=team, cadre=cadre, role=role), by=by)
    except IntegrityError as err:
        if (
            role == MemberRole.LEADER
            and team.teammember_set.filter(role=MemberRole.LEADER).exists()
        ):
            raise ServiceError("一个巡察组只能有一名组长。") from err
        raise ServiceError(f"{cadre}已是该巡察组成员。") from err


def team_member_update(*, by: User, member: TeamMember, role: str) -> TeamMember:
    """Change a member's role (组长、副组长、组员)."""
    _office(by)
    if role == MemberRole.LEADER and (
        TeamMember.objects.filter(team_id=member.team_id, role=MemberRole.LEADER)
        .exclude(pk=member.pk).exists()
    ):  # fmt: skip
        raise ServiceError("一个巡察组只能有一名组长：请先将现任组长改为副组长或组员。")
    member.role = role
    return _save(member, by=by)


def team_member_remove(*, by: User, member: TeamMember, reason: str) -> None:
    """Take a cadre off a team (their account loses the team's pages); the reason is kept."""
    _office(by)
    _delete(member, by=by, reason=_reason(reason, "调出成员"))


def assignment_add(
    *, team: Team, unit: Unit, kind: str | None = None, by: User | None = None
) -> Assignment:
    _office(by)
    members = list(team.members.select_related("home_unit").order_by("name", "id"))
    clashing = {u.pk for u in conflicting(unit, [m.home_unit for m in members])}
    conflicts = [m for m in members if m.home_unit_id in clashing]
    if conflicts:
        who = "、".join(f"{m.name}（原单位「{m.home_unit}」）" for m in conflicts)
        raise ServiceError(f"回避：{who}与被巡察单位「{unit}」存在隶属关系，不能参加对该单位的巡察。"
                           "请先调整成员或改派其他巡察组。")  # fmt: skip
    try:
        with transaction.atomic():
            row = Assignment(round_id=team.round_id, team=team, unit=unit,
                             kind=kind or team.round.kind)  # fmt: skip
            return _save(row, by=by)
    except IntegrityError as err:
        raise ServiceError(f"「{unit}」在本轮已分配给其他巡察组。") from err


def assignment_remove(*, by: User, assignment: Assignment, reason: str) -> None:
    """Unassign a unit. Refused while the team has recorded work there (findings, talks,
    leads, 立行立改): those would lose their way in; the message names them."""
    _office(by)
    reason = _reason(reason, "取消分配")
    work = recorded_work(assignment)
    if work:
        raise ServiceError(
            f"「{assignment.unit}」已有巡察工作记录，不能取消分配：{'；'.join(work)}。"
        )
    _delete(assignment, by=by, reason=reason)


# The cadre pool ---------------------------------------------------------------------


def _cadre_checked(*, name: str, user: User | None, pk: int | None) -> str:
    if not name.strip():
        raise ServiceError("请填写干部姓名。")
    if user is not None and Cadre.objects.filter(user=user).exclude(pk=pk or 0).exists():
        raise ServiceError(f"账户「{user.display_name}」已关联其他干部。")
    return name.strip()


def cadre_create(
    *, by: User, name: str, home_unit: Unit, title: str = "", user: User | None = None
) -> Cadre:
    _office(by)
    name = _cadre_checked(name=name, user=user, pk=None)
    return _save(Cadre(name=name, title=title.strip(), home_unit=home_unit, user=user), by=by)


def cadre_update(
    *, by: User, cadre: Cadre, name: str, home_unit: Unit, title: str = "",
    user: User | None = None, reason: str = "",
) -> Cadre:  # fmt: skip
    """Change a cadre; a new home unit must not conflict (回避) with any unit their
    teams inspect."""
    _office(by)
    name = _cadre_checked(name=name, user=user, pk=cadre.pk)
    if home_unit.pk != cadre.home_unit_id:
        inspected = Assignment.objects.filter(team__members=cadre).select_related("unit")
        if conflicts := conflicting(home_unit, [a.unit for a in inspected.order_by("unit__code")]):
            moved = Cadre(name=name, home_unit=home_unit)  # the message names the new unit
            raise ServiceError(_conflict_message(moved, conflicts))
    cadre.name, cadre.home_unit = name, home_unit
    cadre.title, cadre.user = title.strip(), user
    return _save(cadre, by=by, reason=reason)
