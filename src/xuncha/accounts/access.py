"""Who may see and do what, decided here and only here.

Every view and selector narrows its queryset with :func:`restrict`, so no page can
forget a check (NetBox's ``restrict(user, action)`` habit). The matrix:

=================  ===========================  ==============================
role               view                         change
=================  ===========================  ==============================
office, admin      everything                   everything
team member        its own teams' objects       its own teams' objects
unit liaison       its unit's ledger items and  its unit's ledger items (plan,
                   immediate items              progress; never close-out) and
                                                immediate items (report)
supervisor         everything but leads and     returns a plan or a close-out
                   petitions                    request (with a reason)
leader             every round, team, its       nothing
                   units (assignments), finding
                   and ledger item (no talks,
                   leads, immediate items,
                   petitions, checks)
=================  ===========================  ==============================

Beyond view/change, each named action (``"rectification.return"``, …) lists its roles
once in :data:`ACTIONS`; ``can(user, action, obj)`` adds the object's scope (a team
member acts on its own teams' objects, a liaison on its own unit's). Views offer a
button and services refuse a call with the same rule.

Leads are seen only by the office and the team that handed them over; petitions and
their QR codes only by the office and the team of that round that received them; the
cross-check's datasets, runs and suspects only by the office and the team that ran them
(full ID numbers only by the office and the team's leader and deputies, each time logged).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from django.db.models import Model, QuerySet

from .models import Role, User

Action = Literal["view", "change"]

_OFFICE = frozenset({Role.OFFICE, Role.ADMIN})
_INSPECTING = _OFFICE | {Role.TEAM}
# Named actions -> the roles that may take them (on objects in their scope).
ACTIONS: dict[str, frozenset[str]] = {
    "rectification.feed_back": _INSPECTING,
    "rectification.plan": _OFFICE | {Role.UNIT},
    "rectification.accept": _OFFICE,
    "rectification.return": _OFFICE | {Role.SUPERVISOR},
    "rectification.progress": frozenset({Role.UNIT}),
    "rectification.close": _INSPECTING,
    "rectification.reopen": _OFFICE,
    "work.record": _INSPECTING,
    "lead.result": _INSPECTING,
    "immediate.done": _INSPECTING,
    "immediate.report": frozenset({Role.UNIT}),
    "finding.evidence": _INSPECTING,  # open a finding's evidence (petition files, working papers)
    "paper.sign": frozenset({Role.TEAM}),  # sign a working paper (order: findings.services)
    # Role-only actions (no object): ask ``allowed(user, action)``.
    "plan.manage": _OFFICE,  # rounds, teams, members, assignments
    "terms.manage": _OFFICE,  # terms (届): list, new, edit
    "cadres.manage": _OFFICE,  # the cadre pool (干部库): list, new, edit
    "units.list": _INSPECTING | {Role.SUPERVISOR, Role.LEADER},
    "rounds.list": _INSPECTING | {Role.SUPERVISOR, Role.LEADER},  # the rounds menu and list
    "units.export": _OFFICE | {Role.SUPERVISOR, Role.LEADER},
    "units.manage": _OFFICE,
    "coverage.read": _INSPECTING | {Role.SUPERVISOR, Role.LEADER},
    "petitions.open": _INSPECTING,  # the inbox and its pages (not even supervisors)
    "checks.open": _INSPECTING,  # the cross-check workbench (others read figures only)
    "checks.user_rules": _OFFICE,  # upload and retire the rules the office writes
    "card.supervise": _OFFICE,  # 督办 on a red or yellow card
    "indicators.manage": _OFFICE,  # indicator systems: list, import, export, install the shipped ones
    "policy.calculate": _INSPECTING,
    "policy.manage": _OFFICE,
    "assessment.score": _OFFICE | {Role.SUPERVISOR},  # open an assessment and score its units
    "sham.review": _OFFICE | {Role.SUPERVISOR},  # sham signals: list, open, confirm, dismiss
    "commonproblem.manage": _OFFICE,  # group findings, name common problems, push self-checks
    "selfcheck.list": _OFFICE | {Role.SUPERVISOR, Role.LEADER, Role.UNIT},  # self-check tasks
    "selfcheck.answer": frozenset({Role.UNIT}),  # a unit reports its self-check
    "selfcheck.review": _OFFICE,  # accept or return a unit's self-check answer
    "followup.read": _OFFICE | {Role.SUPERVISOR},  # the 回头看 list and its 约谈 tasks
    "followup.manage": _OFFICE,  # record a 约谈, close a 回头看 entry (with a reason)
    "reversecheck.run": _OFFICE | {Role.SUPERVISOR},  # draw a reverse check, record on-site results
    "survey.manage": _OFFICE | {Role.SUPERVISOR},  # satisfaction surveys: open, results, close
    "rules.record": frozenset({Role.UNIT}),  # 建章立制 on its own item, until the item is closed
    "rules.correct": _OFFICE,  # correct a unit's rule record at any time (kept in its history)
    "review.manage": _OFFICE,  # report review: rubrics, review rounds, samples, return a review
    "review.read": _OFFICE | {Role.SUPERVISOR},  # review rounds, their checks and figures
    "review.score": _OFFICE | {Role.SUPERVISOR},  # score a sampled report (as the round's reviewer)
    "review.results": frozenset({Role.TEAM}),  # the submitted reviews of its own teams' reports
    "documents.open": _INSPECTING | {Role.LEADER, Role.UNIT},  # 公文 pages (see documents_scope)
    "documents.templates": _OFFICE,  # 公文模板: install an office's template, revert to shipped
    # Planning that chooses (issue 21).
    "risk.read": _OFFICE | {Role.SUPERVISOR, Role.LEADER},  # unit profiles, the risk model, levels
    "risk.manage": _OFFICE,  # import indicator workbooks, edit the model, classify, override
    "termplan.read": _OFFICE | {Role.LEADER},  # the term coverage plan and its progress
    "termplan.manage": _OFFICE,  # propose, adjust and commit the term plan
    "worklist.read": _OFFICE | {Role.LEADER},  # the office's monthly task lists (月度任务清单)
    "worklist.manage": _OFFICE,  # items, progress, reminders, extensions, closure
    "escalation.read": _OFFICE | {Role.LEADER},  # joint rounds, escalated major findings
    "escalation.manage": _OFFICE,  # mark joint levels, escalate, export and import bundles
}

# Models whose rows belong to a team, with the path to it (and, for the ledger, a unit).
_TEAM_MODELS = {name: "team_id" for name in (
    "finding", "talk", "lead", "immediateitem", "rectificationitem", "assignment", "petition",
    "intakecode", "dataset", "checkrun", "recommendation")} | {
    "suspect": "run__team_id", "workingpaper": "finding__team_id",
    "reviewsample": "report__team_id"}  # fmt: skip
_OFFICE_AND_TEAM_ONLY = {"lead", "petition", "intakecode", "dataset", "checkrun", "suspect",
                         "workingpaper"}  # fmt: skip
_UNIT_VISIBLE = {"rectificationitem", "immediateitem", "selfchecktask"}
_LEADER_VISIBLE = {"round", "team", "assignment", "finding", "rectificationitem", "commonproblem",
                   "selfchecktask"}  # fmt: skip


def team_ids(user: User) -> list[int]:
    """The teams the user is a member of (through the cadre pool)."""
    from xuncha.planning.models import TeamMember

    return list(TeamMember.objects.filter(cadre__user=user).values_list("team_id", flat=True))


def _role(user: User) -> str:
    """The user's role for these rules (a superuser counts as the office)."""
    return Role.OFFICE if user.is_superuser else user.role


def restrict(queryset: QuerySet[Any], user: User, action: Action = "view") -> QuerySet[Any]:
    """The part of ``queryset`` the user may see (or change)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    name = queryset.model._meta.model_name
    if _role(user) in _OFFICE:
        return queryset
    if user.role == Role.SUPERVISOR:
        return (
            queryset if action == "view" and name not in _OFFICE_AND_TEAM_ONLY else queryset.none()
        )
    if user.role == Role.LEADER:
        return queryset if action == "view" and name in _LEADER_VISIBLE else queryset.none()
    if user.role == Role.TEAM and name in _TEAM_MODELS:
        return queryset.filter(**{f"{_TEAM_MODELS[name]}__in": team_ids(user)})
    if user.role == Role.TEAM and name == "team":
        return queryset.filter(id__in=team_ids(user))
    if user.role == Role.TEAM and name == "round":
        return (
            queryset.filter(teams__id__in=team_ids(user)).distinct()
            if action == "view"
            else queryset.none()
        )
    if user.role == Role.UNIT and name in _UNIT_VISIBLE:
        return queryset.filter(unit_id=user.unit_id)
    if user.role == Role.UNIT and name == "finding" and action == "view":
        # A unit sees the findings fed back to it, through its ledger items.
        return queryset.filter(unit_id=user.unit_id, rectification__isnull=False)
    return queryset.none()


def can(user: User, action: str, obj: Model) -> bool:
    """Whether the user may ``action`` this object: ``"view"``/``"change"`` by the
    matrix above, a named action by :data:`ACTIONS` within the user's scope."""
    if action in ("view", "change"):
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        return restrict(rows, user, cast(Action, action)).exists()
    if not allowed(user, action):
        return False
    role = _role(user)
    if role == Role.TEAM:
        return getattr(obj, "team_id", None) in team_ids(user)
    if role == Role.UNIT:
        return getattr(obj, "unit_id", None) == user.unit_id
    return True


def allowed(user: User, action: str) -> bool:
    """Whether the user's role may take ``action`` at all (:data:`ACTIONS`)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _role(user) in ACTIONS[action]


def is_inspecting_side(user: User, team_id: int) -> bool:
    """The office, or a member of the team that inspected (who may close items out)."""
    if user.role in _OFFICE:
        return True
    return user.role == Role.TEAM and team_id in team_ids(user)


def can_unmask(user: User, team_id: int) -> bool:
    """Who may see full ID numbers of a team's cross-check: the office, and the team's
    leader and deputy leaders."""
    from xuncha.planning.models import MemberRole, TeamMember

    if user.role in (Role.OFFICE, Role.ADMIN):
        return True
    return (
        user.role == Role.TEAM
        and TeamMember.objects.filter(
            team_id=team_id, cadre__user=user, role__in=[MemberRole.LEADER, MemberRole.DEPUTY]
        ).exists()
    )


def restrict_figures(queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
    """For aggregate figures: leaders and supervisors read every count, though not
    item by item; everyone else counts what they may see."""
    if user.is_authenticated and user.role in (Role.LEADER, Role.SUPERVISOR):
        return queryset
    name = queryset.model._meta.model_name
    if user.is_authenticated and user.role == Role.UNIT and name in ("round", "assignment"):
        # A unit counts the rounds that inspected it (and itself as the unit inspected),
        # though it lists no round: its figures must not read 0 rounds beside its findings.
        unit = "assignments__unit_id" if name == "round" else "unit_id"
        return queryset.filter(**{unit: user.unit_id}).distinct()
    return restrict(queryset, user, "view")


# The kinds of 公文 a unit's liaison may have for its own unit (its rectification papers).
UNIT_DOCUMENT_KINDS = frozenset({"plan", "progress", "ledger"})


def documents_scope(user: User, *, round_id: int, unit_id: int) -> str:
    """How far the user may go with a round's documents (公文) on a unit it inspected:
    "all" (the office; a member of the team assigned to the unit: every kind), "unit"
    (the unit's liaison: generate :data:`UNIT_DOCUMENT_KINDS`), "read" (a leader: open
    what was generated), or "" (nothing; also when the round did not inspect the unit)."""
    from xuncha.planning.models import Assignment

    if not allowed(user, "documents.open"):
        return ""
    assigned = Assignment.objects.filter(round_id=round_id, unit_id=unit_id)
    role = _role(user)
    if role == Role.TEAM:
        assigned = assigned.filter(team_id__in=team_ids(user))
    if (role == Role.UNIT and user.unit_id != unit_id) or not assigned.exists():
        return ""
    return {Role.UNIT.value: "unit", Role.LEADER.value: "read"}.get(role, "all")


def document_kind_allowed(scope: str, kind: str) -> bool:
    """Whether a user of ``scope`` (:func:`documents_scope`) may generate ``kind``."""
    return scope == "all" or (scope == "unit" and kind in UNIT_DOCUMENT_KINDS)


def user_of(request: Any) -> User:
    """The request's user, typed (views are behind login_required)."""
    return cast(User, request.user)
