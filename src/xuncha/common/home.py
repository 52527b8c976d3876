"""The home page's to-do numbers (工作台首页), per role.

Every number is counted in the database with the very condition its list uses, and
links to that list filtered the same way, so a number and the list behind it agree.
Counts of one model are taken in one aggregate query; nothing is counted row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.urls import reverse

from xuncha.accounts.access import restrict, team_ids
from xuncha.accounts.models import Role, User


@dataclass(frozen=True)
class Entry:
    label: str
    count: int | str
    url: str
    note: str = ""


@dataclass
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)


def link(name: str, *args: object, **query: object) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _counts(queryset: QuerySet[Any], **conditions: Q) -> dict[str, int]:
    """Several filtered counts of one queryset in one query."""
    row: dict[str, int] = queryset.aggregate(
        **{name: Count("id", filter=q) for name, q in conditions.items()}
    )
    return row


def home_sections(*, user: User, today: dt.date) -> list[Section]:
    builders = {Role.OFFICE: office, Role.ADMIN: office, Role.TEAM: team, Role.UNIT: unit,
                Role.SUPERVISOR: supervisor, Role.LEADER: leader}  # fmt: skip
    role = Role.OFFICE if user.is_superuser else user.role
    from xuncha.worklist.home import sections as worklist_sections  # the office's own tasks

    return builders[Role(role)](user, today) + worklist_sections(user=user, today=today)


def _ledger(user: User, today: dt.date) -> dict[str, int]:
    from xuncha.rectifications.models import DueState, RectificationItem, Status
    from xuncha.rectifications.selectors import due_q
    from xuncha.supervision.cards import card_counts

    items = restrict(RectificationItem.objects.all(), user)
    return card_counts(items, today) | _counts(
        items,
        awaiting_plan=Q(status=Status.AWAITING_PLAN),
        plan_submitted=Q(status=Status.PLAN_SUBMITTED),
        close_requested=Q(status=Status.CLOSE_REQUESTED),
        in_progress_overdue=Q(status=Status.IN_PROGRESS) & due_q(DueState.OVERDUE, today),
        in_progress_soon=Q(status=Status.IN_PROGRESS) & due_q(DueState.DUE_SOON, today),
        overdue=due_q(DueState.OVERDUE, today),
        due_soon=due_q(DueState.DUE_SOON, today),
        returned=Q(returned_at__isnull=False),
        closed=Q(status=Status.CLOSED),
        total=Q(),
    )


def _card_entries(n: dict[str, int], **query: object) -> list[Entry]:
    """Items with a red or a yellow card today, each linking to the ledger so filtered."""
    return [_ledger_entry("红牌事项", n["red"], card="red", **query),
            _ledger_entry("黄牌事项", n["yellow"], card="yellow", **query)]  # fmt: skip


def _ledger_entry(label: str, count: int, **query: object) -> Entry:
    return Entry(label, count, link("rectifications:list", **query))


def office(user: User, today: dt.date) -> list[Section]:
    from xuncha.findings.models import Lead
    from xuncha.findings.selectors import lead_overdue_q
    from xuncha.planning.selectors import round_list

    n = _ledger(user, today)
    leads = restrict(Lead.objects.filter(lead_overdue_q(today)), user)
    return [
        Section("整改台账", [
            _ledger_entry("整改方案待认可", n["plan_submitted"], status="plan_submitted"),
            _ledger_entry("销号申请待审核", n["close_requested"], status="close_requested"),
            _ledger_entry("已逾期事项", n["overdue"], due="overdue"),
            _ledger_entry("7日内到期事项", n["due_soon"], due="due_soon"),
        ]),
        Section("红黄牌", _card_entries(n)),
        Section("巡察工作", [
            Entry("逾期未办结的线索", leads.count(), link("findings:leads", overdue=1)),
            Entry("进行中的轮次", round_list(user=user, active_on=today).count(),
                  link("planning:rounds", active=1)),
        ]),
    ]  # fmt: skip


def team(user: User, today: dt.date) -> list[Section]:
    from xuncha.findings.models import ImmediateItem
    from xuncha.findings.selectors import immediate_due_q
    from xuncha.petitions.models import Petition

    petitions = restrict(Petition.objects.all(), user)
    p = _counts(petitions, new=Q(disposition="", handler__isnull=True),
                overdue=Q(responded_at__isnull=True, respond_by__lt=today))  # fmt: skip
    i = _counts(
        restrict(ImmediateItem.objects.all(), user),
        **{due: immediate_due_q(due, today) for due in ("overdue", "due_soon")},
    )
    return [
        Section("来信来访", [
            Entry("待分办", p["new"], link("petitions:inbox", stage="new")),
            Entry("首次答复已逾期", p["overdue"], link("petitions:inbox", overdue="on")),
            *_answer_deadlines(petitions),
        ]),
        Section("数据比对", _suspects_pending(user)),
        Section("立行立改", [
            Entry("已逾期", i["overdue"], link("findings:immediate", due="overdue")),
            Entry("7日内到期", i["due_soon"], link("findings:immediate", due="due_soon")),
        ]),
        Section("尚未开展谈话的被巡察单位", _units_to_visit(user)),
        Section("本组被巡察单位", _my_units(user)),
    ]  # fmt: skip


def _my_units(user: User) -> list[Entry]:
    """Every unit assigned to the user's teams, each linking to its work page."""
    from xuncha.planning.selectors import team_units

    return [
        Entry(
            f"{a.round.name} · {a.team.name} · {a.unit.name}", "工作页", link("findings:work", a.pk)
        )
        for a in team_units(user)[:50]
    ]


def _answer_deadlines(petitions: QuerySet[Any]) -> list[Entry]:
    """The next petitions awaiting a first answer, with their deadlines."""
    waiting = petitions.filter(responded_at__isnull=True, disposition="").order_by(
        "respond_by", "id"
    )
    return [
        Entry(f"{p.number} 待首次答复", f"期限 {p.respond_by:%Y-%m-%d}", link("petitions:detail", p.pk))
        for p in waiting.only("id", "respond_by", "received_on")[:5]
    ]  # fmt: skip


def _suspects_pending(user: User) -> list[Entry]:
    """Suspects still 待核实 in each of the user's teams' latest finished run (one query)."""
    from xuncha.checks.models import CheckRun, RunStatus, Verdict

    done = CheckRun.objects.filter(status=RunStatus.DONE)
    latest = done.filter(team_id=OuterRef("team_id")).order_by("-id").values("id")[:1]
    rows = (
        restrict(done, user)
        .filter(id=Subquery(latest))
        .select_related("team")
        .annotate(pending=Count("suspects", filter=Q(suspects__verdict=Verdict.PENDING)))
    )
    return [
        Entry(f"{r.team.name} 待核实疑点", r.pending,
              link("checks:suspects", r.pk, verdict=Verdict.PENDING))
        for r in rows.order_by("team__number", "team_id")
    ]  # fmt: skip


def _units_to_visit(user: User) -> list[Entry]:
    """The user's teams' assignments with no talk recorded yet, each linking to the
    unit's work page (talks, leads, 立行立改)."""
    from xuncha.findings.models import Talk
    from xuncha.planning.models import Assignment

    talked = Talk.objects.filter(
        round_id=OuterRef("round_id"), team_id=OuterRef("team_id"), unit_id=OuterRef("unit_id")
    )
    todo = Assignment.objects.filter(team_id__in=team_ids(user)).exclude(Exists(talked))
    return [
        Entry(f"{a.team.name} · {a.unit.name}", "去开展", link("findings:work", a.pk))
        for a in todo.select_related("team", "unit").order_by(
            "team__number", "team_id", "unit__name"
        )[:30]
    ]


def unit(user: User, today: dt.date) -> list[Section]:
    from xuncha.findings.choices import ImmediateStatus
    from xuncha.findings.models import ImmediateItem

    n = _ledger(user, today)
    mine = restrict(ImmediateItem.objects.filter(status=ImmediateStatus.OPEN), user)
    return [
        Section("整改台账", [
            _ledger_entry("待制定整改措施", n["awaiting_plan"], status="awaiting_plan"),
            _ledger_entry("整改中、已逾期", n["in_progress_overdue"], status="in_progress", due="overdue"),
            _ledger_entry("整改中、7日内到期", n["in_progress_soon"], status="in_progress", due="due_soon"),
            _ledger_entry("被退回的事项", n["returned"], returned="on"),
        ]),
        Section("红黄牌", _card_entries(n)),
        Section("立行立改", [
            Entry("本单位未完成的立行立改事项", mine.count(), link("findings:immediate", status="open")),
        ]),
        Section("自查自纠（同类同改）", _selfcheck_entries(user, today)),
    ]  # fmt: skip


def _selfcheck_entries(user: User, today: dt.date) -> list[Entry]:
    """The unit's self-check tasks still to answer, overdue among them, returned."""
    from xuncha.selfchecks.selectors import unit_todo

    n = unit_todo(user=user, today=today)
    return [Entry("待报告的自查任务", n["open"], link("selfchecks:tasks", status="pending")),
            Entry("已逾期的自查任务", n["overdue"], link("selfchecks:tasks", overdue="on")),
            Entry("被退回的自查任务", n["returned"], link("selfchecks:tasks", status="returned"))]  # fmt: skip


def supervisor(user: User, today: dt.date) -> list[Section]:
    from xuncha.rectifications.models import DueState, RectificationItem
    from xuncha.rectifications.selectors import due_q

    n = _ledger(user, today)
    overdue = restrict(RectificationItem.objects.filter(due_q(DueState.OVERDUE, today)), user)
    # The ten units most behind, each row also carrying how many units are behind in all
    # (a window over the groups): one scan of the overdue items, not two.
    behind = list(
        overdue.values("unit_id", "unit__name")
        .annotate(n=Count("id"), units=Window(Count("*")))
        .order_by("-n", "unit__name")[:10]
    )
    return [
        Section("待督查审核", [
            _ledger_entry("整改方案待认可", n["plan_submitted"], status="plan_submitted"),
            _ledger_entry("销号申请待审核", n["close_requested"], status="close_requested"),
        ]),
        Section("红黄牌", _card_entries(n)),
        Section("整改滞后的单位（有逾期事项）", [
            _ledger_entry("有逾期事项的单位", behind[0]["units"] if behind else 0, due="overdue"),
            *(_ledger_entry(f"{r['unit__name']} 逾期事项", r["n"], due="overdue", unit_id=r["unit_id"])
              for r in behind),
        ]),
    ]  # fmt: skip


def leader(user: User, today: dt.date) -> list[Section]:
    """The current term's headline figures (rounds by their start year, as the figures
    page counts), each linking to its list filtered by ``?term=``; with no term set up,
    all time under a heading that says so."""
    from xuncha.findings.models import Finding
    from xuncha.planning.models import Round
    from xuncha.planning.selectors import current_term, in_period
    from xuncha.rectifications.models import DueState, RectificationItem, Status
    from xuncha.rectifications.selectors import due_q

    term = current_term(today)
    period: dict[str, object] = {"term": term.pk} if term else {}
    items = in_period(restrict(RectificationItem.objects.all(), user), term=term)
    n = items.aggregate(
        total=Count("id"), closed=Count("id", filter=Q(status=Status.CLOSED)),
        overdue=Count("id", filter=due_q(DueState.OVERDUE, today)), recovered=Sum("money_recovered"),
    )  # fmt: skip
    recovered: Decimal = n["recovered"] or Decimal(0)
    rounds = in_period(restrict(Round.objects.all(), user), term=term, path="start_date").count()
    findings = in_period(restrict(Finding.objects.all(), user), term=term).count()
    title = f"本届巡察工作（{term.name}）" if term else "全部巡察工作（尚未设置届期）"
    # Money recovered has no list of its own: the figures page for the term.
    return [
        Section(title, [
            Entry("巡察轮次", rounds, link("planning:rounds", **period)),
            Entry("发现问题", findings, link("findings:list", **period)),
            _ledger_entry("整改事项", n["total"], **period),
            _ledger_entry("已销号", n["closed"], status="closed", **period),
            _ledger_entry("已逾期", n["overdue"], due="overdue", **period),
            Entry("追回资金（元）", f"{recovered:,.2f}", link("dashboards:figures", **period)),
        ]),
    ]  # fmt: skip
