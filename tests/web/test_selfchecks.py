"""Common problems (共性问题) → self-check tasks (同类同改 / 未巡先改): grouping, naming,
pushing, answering, reviewing, and the counts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from web.factories import FindingFactory, UnitFactory, UserFactory, pdf
from xuncha.accounts.models import Role
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.findings.choices import Category
from xuncha.selfchecks import selectors, services
from xuncha.selfchecks.models import CandidateGroup, CommonProblem, SelfCheckTask, TaskStatus
from xuncha.selfchecks.similarity import Text, group_texts, shared_words, words
from xuncha.units.models import UnitKind

TODAY = dt.date(2026, 12, 3)
CONTRACTS = [
    "村集体经济合同管理不规范，部分合同未经村民代表大会表决擅自签订。",
    "村集体经济合同管理不规范，多份合同未经村民代表大会表决即签订。",
    "该村集体经济合同未经村民代表大会表决擅自签订，合同管理混乱。",
]
PARTY_LIFE = [
    "党支部三会一课制度落实不到位，组织生活会流于形式。",
    "党支部“三会一课”制度执行不到位，组织生活会流于形式。",
]
OTHER = "低保资金发放审核把关不严，向不符合条件人员发放低保金。"


# Grouping (pure) ---------------------------------------------------------------------


def test_words_drop_punctuation_digits_and_function_words() -> None:
    got = words("2024年，该村集体经济合同未经村民代表大会表决，涉及12.5万元。")
    assert "集体经济" in got and "代表大会" in got
    assert not {"，", "2024", "年", "的", "万元", "12.5"} & set(got)


def test_alike_texts_of_several_units_group_by_category() -> None:
    texts = [Text(n, n, "corruption", t) for n, t in enumerate(CONTRACTS, 1)]
    texts += [Text(4, 1, "corruption", OTHER)]
    texts += [Text(5 + n, 2 + n, "organisation", t) for n, t in enumerate(PARTY_LIFE)]
    # The same words under another category are not compared with these.
    texts += [Text(9, 9, "policy", PARTY_LIFE[0])]
    groups = group_texts(texts)
    assert [(g.category, g.ids, g.unit_ids) for g in groups] == [
        ("corruption", [1, 2, 3], [1, 2, 3]),
        ("organisation", [5, 6], [2, 3]),
    ]
    assert groups[0].top_words[:2] == ["合同", "集体经济"]  # in all three, 合同 twice in each


def test_a_group_needs_two_units() -> None:
    same_unit = [Text(1, 7, "corruption", CONTRACTS[0]), Text(2, 7, "corruption", CONTRACTS[1])]
    assert group_texts(same_unit) == []
    assert len(group_texts(same_unit, min_units=1)) == 1


def test_shared_words_need_two_texts() -> None:
    assert shared_words([["合同", "表决"], ["合同", "签订"], ["资金"]]) == ["合同"]


# Services ----------------------------------------------------------------------------


def _findings(world) -> list:
    units = [world.unit, world.other_unit, UnitFactory(name="白沙镇")]
    made = [FindingFactory(team=world.team, round=world.team.round, unit=u, description=t)
            for u, t in zip(units, CONTRACTS, strict=True)]  # fmt: skip
    made.append(FindingFactory(team=world.team, round=world.team.round, unit=world.unit,
                               description=OTHER))  # fmt: skip
    return made


def test_grouping_build_stores_the_groups_and_replaces_the_old(world) -> None:
    made = _findings(world)
    first = services.grouping_build()
    group = CandidateGroup.objects.get(grouping=first)
    assert sorted(group.findings.values_list("id", flat=True)) == [f.pk for f in made[:3]]
    assert (group.unit_count, group.finding_count, group.category) == (3, 3, Category.CORRUPTION)
    assert group.words.startswith("合同、集体经济")
    second = services.grouping_build()
    assert list(CandidateGroup.objects.values_list("grouping_id", flat=True)) == [second.pk]
    assert second.findings_read == 4


def test_the_command_groups_and_refuses_a_bad_threshold(world) -> None:
    _findings(world)
    out = StringIO()
    call_command("selfchecks_group", stdout=out)
    assert "候选共性问题 1 组" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="0 和 1 之间"):
        call_command("selfchecks_group", "--threshold", "1.5")


@pytest.fixture
def world(world):
    """The shared world with its two units made communities: the cadres' home units
    (townships) then receive no task."""
    from xuncha.units.models import Unit

    Unit.objects.filter(pk__in=[world.unit.pk, world.other_unit.pk]).update(kind=UnitKind.COMMUNITY)
    world.unit.kind = world.other_unit.kind = UnitKind.COMMUNITY
    return world


def _problem(world, kinds=(UnitKind.COMMUNITY,), deadline=TODAY + dt.timedelta(days=30)):
    return services.common_problem_create(
        by=world.users["office"], title="村集体合同未经民主决策", description="对照自查合同签订程序。",
        unit_kinds=list(kinds), deadline=deadline, today=TODAY,
    )  # fmt: skip


def test_naming_a_problem_from_a_group_keeps_its_findings(world) -> None:
    made = _findings(world)
    services.grouping_build()
    group = CandidateGroup.objects.get()
    problem = services.common_problem_create(
        by=world.users["office"], title="合同未经表决", description="自查合同。",
        unit_kinds=[UnitKind.VILLAGE, UnitKind.COMMUNITY], deadline=TODAY, today=TODAY, group=group,
    )  # fmt: skip
    assert sorted(problem.findings.values_list("id", flat=True)) == [f.pk for f in made[:3]]
    assert problem.category == Category.CORRUPTION and problem.kinds_display() == "村、社区"


@pytest.mark.parametrize(("change", "message"), [
    ({"unit_kinds": []}, "适用的单位类型"),
    ({"unit_kinds": ["planet"]}, "适用的单位类型"),
    ({"deadline": TODAY - dt.timedelta(days=1)}, "不能早于今天"),
    ({"title": "  "}, "共性问题名称"),
])  # fmt: skip
def test_naming_refuses_bad_input_in_chinese(world, change, message) -> None:
    args = {"by": world.users["office"], "title": "题", "description": "要求",
            "unit_kinds": [UnitKind.COMMUNITY], "deadline": TODAY, "today": TODAY} | change  # fmt: skip
    with pytest.raises(ServiceError, match=message):
        services.common_problem_create(**args)
    assert not CommonProblem.objects.exists()


def test_only_the_office_names_and_pushes(world) -> None:
    problem = _problem(world)
    for role in ("team", "unit", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            services.common_problem_push(problem=problem, by=world.users[role])
        with pytest.raises(PermissionDenied):
            services.common_problem_create(by=world.users[role], title="题", description="要求",
                                           unit_kinds=["village"], deadline=TODAY, today=TODAY)  # fmt: skip


def test_push_reaches_every_unit_of_the_kind_once_inspected_or_not(world) -> None:
    not_inspected = UnitFactory(name="未巡社区", kind=UnitKind.COMMUNITY)
    UnitFactory(name="某村", kind=UnitKind.VILLAGE)  # another kind: not pushed to
    problem = _problem(world)
    assert services.common_problem_push(problem=problem, by=world.users["office"]) == 3
    tasks = {t.unit_id: t for t in SelfCheckTask.objects.all()}
    assert set(tasks) == {world.unit.pk, world.other_unit.pk, not_inspected.pk}
    assert tasks[world.unit.pk].inspected and not tasks[not_inspected.pk].inspected
    assert all(t.deadline == problem.deadline and t.status == TaskStatus.PENDING
               for t in tasks.values())  # fmt: skip
    assert tasks[world.unit.pk].history.count() == 1  # created with its history
    # Idempotent: a second push adds only units added since.
    assert services.common_problem_push(problem=problem, by=world.users["office"]) == 0
    late = UnitFactory(name="新设社区", kind=UnitKind.COMMUNITY)
    assert services.common_problem_push(problem=problem, by=world.users["office"]) == 1
    assert SelfCheckTask.objects.filter(unit=late).count() == 1
    assert SelfCheckTask.objects.count() == 4


def test_pushing_to_a_kind_with_no_units_is_refused(world) -> None:
    problem = _problem(world, kinds=[UnitKind.PARK])
    with pytest.raises(ServiceError, match="适用单位类型（园区）下没有任何单位"):
        services.common_problem_push(problem=problem, by=world.users["office"])
    assert not SelfCheckTask.objects.exists()
    problem.refresh_from_db()
    assert problem.pushed_at is None


def _pushed(world) -> tuple[SelfCheckTask, SelfCheckTask]:
    problem = _problem(world)
    services.common_problem_push(problem=problem, by=world.users["office"])
    return (SelfCheckTask.objects.get(unit=world.unit),
            SelfCheckTask.objects.get(unit=world.other_unit))  # fmt: skip


def test_answer_accept_and_return(world) -> None:
    mine, _ = _pushed(world)
    unit, office = world.users["unit"], world.users["office"]
    answered = services.selfcheck_answer(task=mine, by=unit, found=True, measures="清理合同 12 份。",
                                         files=[(pdf(), "清理台账.pdf")], version=1)  # fmt: skip
    assert (answered.status, answered.found, answered.version) == (TaskStatus.ANSWERED, True, 2)
    assert [e.original_name for e in answered.evidence.all()] == ["清理台账.pdf"]
    returned = services.selfcheck_return(
        task=answered, by=office, reason="未附合同清单。", version=2
    )
    assert returned.status == TaskStatus.RETURNED and returned.returned_reason == "未附合同清单。"
    again = services.selfcheck_answer(task=returned, by=unit, found=True, measures="补充清单。",
                                      version=3)  # fmt: skip
    assert again.returned_reason == "" and again.evidence.count() == 1  # the first file stays
    accepted = services.selfcheck_accept(task=again, by=office, version=4)
    assert accepted.status == TaskStatus.ACCEPTED and accepted.reviewed_by == office
    assert accepted.history.count() == 5


def test_an_answer_after_acceptance_is_refused(world) -> None:
    mine, _ = _pushed(world)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures="已查。")
    services.selfcheck_accept(task=mine, by=world.users["office"])
    with pytest.raises(ServiceError, match="已被认可，不能再报告"):
        services.selfcheck_answer(task=mine, by=world.users["unit"], found=True, measures="再报。")
    mine.refresh_from_db()
    assert mine.found is False and mine.measures == "已查。"


def test_a_stale_answer_is_refused_and_nothing_is_kept(world) -> None:
    """Two liaisons of one unit loaded the task at version 1; the first answer was
    returned meanwhile, so the second's submission is stale: refused, no file kept."""
    mine, _ = _pushed(world)
    second = UserFactory(role=Role.UNIT, unit=world.unit)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures="甲。",
                              version=1)  # fmt: skip
    services.selfcheck_return(task=mine, by=world.users["office"], reason="重报。")
    with pytest.raises(ConcurrentEdit, match="已被他人修改"):
        services.selfcheck_answer(task=mine, by=second, found=True, measures="乙。",
                                  files=[(pdf(), "乙.pdf")], version=1)  # fmt: skip
    mine.refresh_from_db()
    assert mine.measures == "甲。" and not mine.evidence.exists()


def test_answering_while_awaiting_review_is_refused(world) -> None:
    mine, _ = _pushed(world)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures="甲。")
    with pytest.raises(ServiceError, match="等待巡察办审核"):
        services.selfcheck_answer(task=mine, by=world.users["unit"], found=True, measures="乙。")


def test_a_unit_answers_only_its_own_task_and_only_the_office_reviews(world) -> None:
    mine, theirs = _pushed(world)
    with pytest.raises(PermissionDenied):
        services.selfcheck_answer(task=theirs, by=world.users["unit"], found=True, measures="越权")
    for role in ("office", "supervisor", "leader", "team"):
        with pytest.raises(PermissionDenied):
            services.selfcheck_answer(task=mine, by=world.users[role], found=True, measures="代报")
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=True, measures="已改")
    for role in ("unit", "supervisor", "leader", "team"):
        with pytest.raises(PermissionDenied):
            services.selfcheck_accept(task=mine, by=world.users[role])


def test_blank_measures_and_return_without_reason_are_refused(world) -> None:
    mine, _ = _pushed(world)
    with pytest.raises(ServiceError, match="请填写自查情况"):
        services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures=" ")
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=False, measures="查了")
    with pytest.raises(ServiceError, match="退回必须填写原因"):
        services.selfcheck_return(task=mine, by=world.users["office"], reason="")


# Selectors ---------------------------------------------------------------------------


def test_counts_per_unit_kind_and_for_the_figures(world) -> None:
    village = UnitFactory(name="甲村", kind=UnitKind.VILLAGE)
    problem = _problem(world, kinds=[UnitKind.COMMUNITY, UnitKind.VILLAGE])
    services.common_problem_push(problem=problem, by=world.users["office"])
    _problem(world, kinds=[UnitKind.VILLAGE])  # named, not pushed: not counted
    mine = SelfCheckTask.objects.get(unit=world.unit)
    services.selfcheck_answer(task=mine, by=world.users["unit"], found=True, measures="已改")
    services.selfcheck_accept(task=mine, by=world.users["office"])
    theirs = SelfCheckTask.objects.get(unit=world.other_unit)
    services.selfcheck_answer(task=theirs, by=world.users["other_unit"], found=False, measures="无")
    SelfCheckTask.objects.filter(unit=village).update(deadline=TODAY - dt.timedelta(days=1))
    rows = {r.kind: r for r in selectors.by_unit_kind(user=world.users["office"], today=TODAY)}
    t, v = rows[UnitKind.COMMUNITY], rows[UnitKind.VILLAGE]
    assert (t.label, t.pushed, t.answered, t.found, t.accepted, t.overdue) == (
        "社区",
        2,
        2,
        1,
        1,
        0,
    )
    assert (v.pushed, v.answered, v.found, v.overdue) == (1, 0, 0, 1)
    figures = selectors.selfcheck_figures(user=world.users["leader"], today=TODAY)
    assert figures == {"problems": 1, "tasks": 3, "answered": 2, "found": 1, "accepted": 1,
                       "overdue": 1, "uninspected": 1}  # fmt: skip
    # A unit counts its own task only; a year with nothing pushed counts nothing.
    assert selectors.selfcheck_figures(user=world.users["unit"], today=TODAY)["tasks"] == 1
    assert selectors.selfcheck_figures(user=world.users["office"], today=TODAY, year=2001) == {
        "problems": 0, "tasks": 0, "answered": 0, "found": 0, "accepted": 0, "overdue": 0,
        "uninspected": 0}  # fmt: skip


def test_task_list_filters_and_a_unit_sees_its_own(world) -> None:
    mine, theirs = _pushed(world)
    services.selfcheck_answer(task=theirs, by=world.users["other_unit"], found=False, measures="无")
    SelfCheckTask.objects.filter(pk=mine.pk).update(deadline=TODAY - dt.timedelta(days=2))
    office = world.users["office"]

    def ids(user=office, **f) -> set[int]:
        return set(selectors.task_list(user=user, today=TODAY, **f).values_list("id", flat=True))

    assert ids(overdue=True) == {mine.pk}
    assert ids(status=TaskStatus.ANSWERED) == {theirs.pk}
    assert ids(unit="五里牌") == {theirs.pk}
    assert ids(unit_kind=UnitKind.VILLAGE) == set()
    assert ids(problem_id=mine.problem_id) == {t.pk for t in SelfCheckTask.objects.all()}
    assert ids(user=world.users["unit"]) == {mine.pk}
    assert ids(user=world.users["team"]) == set()
    assert selectors.unit_todo(user=world.users["unit"], today=TODAY) == {
        "open": 1, "overdue": 1, "returned": 0}  # fmt: skip
