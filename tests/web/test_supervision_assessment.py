"""Assessments (评估): pre-filled points from the ledger with their source, scoring
item by item, totals and grades, and the refusals (range, superseded version, a
concurrent save, an override without a reason)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from web.factories import UnitFactory, ledger_item
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.rectifications.models import ProgressReport, RectificationItem, Status
from xuncha.supervision import assessment as svc
from xuncha.supervision import selectors, services
from xuncha.supervision.indicators import parse_rows
from xuncha.supervision.models import Grade, IndicatorVersion, Score

TODAY = dt.date(2024, 7, 1)  # the world's items were fed back on 2024-04-01
pytestmark = pytest.mark.django_db


def _close(item: RectificationItem, world, *, evidence: bool) -> None:
    office = world.users["office"]
    RectificationItem.objects.filter(pk=item.pk).update(
        status=Status.CLOSED, closed_by=office, closed_at=timezone.now()
    )
    report = ProgressReport.objects.create(
        item=item, text="已整改", done=True, reported_by=world.users["unit"]
    )
    if evidence:
        report.evidence.add(Evidence.objects.create(
            file="evidence/00/x", original_name="照片.jpg", content_type="image/jpeg", size=1,
            sha256="0" * 64, uploaded_by=world.users["unit"],
        ))  # fmt: skip


@pytest.fixture
def ledger(world):
    """The world's unit: 4 items, 2 closed (one without evidence), 1 overdue, 1 due
    later; one plan accepted 40 days after feedback, one not accepted yet."""
    items = [ledger_item(world, deadline=d) for d in
             (dt.date(2024, 6, 1), dt.date(2024, 6, 1), dt.date(2024, 6, 1), dt.date(2024, 9, 1))]  # fmt: skip
    _close(items[0], world, evidence=True)
    _close(items[1], world, evidence=False)
    accepted = timezone.make_aware(dt.datetime(2024, 4, 5, 10))
    RectificationItem.objects.filter(pk__in=[items[0].pk, items[1].pk, items[2].pk]).update(
        plan_accepted_at=accepted
    )
    RectificationItem.objects.filter(pk=items[2].pk).update(
        plan_accepted_at=timezone.make_aware(dt.datetime(2024, 5, 11, 10))
    )
    return items


@pytest.fixture
def deduction(world) -> IndicatorVersion:
    services.indicator_systems_install_shipped(by=world.users["office"])
    return IndicatorVersion.objects.get(system__name__contains="15/15/60/10")


def test_the_measures_come_from_the_ledger_in_one_query(
    world, ledger, django_assert_num_queries
) -> None:
    empty = UnitFactory(name="无事项单位")
    with django_assert_num_queries(1):
        m = selectors.ledger_measures(
            unit_ids=[world.unit.pk, empty.pk], round_id=None, today=TODAY
        )
    assert m[world.unit.pk] == selectors.Measures(
        total=4, closed=2, overdue=1, closed_without_evidence=1, plan_accepted_late=2
    )
    assert m[world.unit.pk].rate == Decimal("50.00")
    assert m[empty.pk] == selectors.Measures() and m[empty.pk].rate is None


@pytest.mark.parametrize(
    ("accepted", "late"),
    [
        (dt.datetime(2024, 5, 1, 23, 30), 1),  # the 30th day after 04-01, late evening: on time
        (dt.datetime(2024, 5, 2, 0, 30), 2),  # the 31st day, just after local midnight: late
    ],
)
def test_a_plan_is_late_by_the_local_day_it_was_accepted(world, ledger, accepted, late) -> None:
    RectificationItem.objects.filter(pk=ledger[3].pk).update(
        plan_accepted_at=timezone.make_aware(accepted)  # Asia/Shanghai, UTC+8
    )
    m = selectors.ledger_measures(unit_ids=[world.unit.pk], round_id=None, today=TODAY)
    assert m[world.unit.pk].plan_accepted_late == late  # items[2] (40 days) is late as well


def test_opening_an_assessment_prefills_points_with_their_source(world, ledger, deduction) -> None:
    a = svc.assessment_create(name="2024 年整改评估", version=deduction, by=world.users["supervisor"],
                              today=TODAY, round=world.team.round)  # fmt: skip
    assert list(a.units.all()) == [world.unit]
    scores = {s.indicator.name: s for s in a.scores.select_related("indicator")}
    assert len(scores) == 13
    rate = scores["反馈问题整改完成率"]
    assert rate.points == rate.prefilled_points == Decimal("15.00")  # 30 × 2 / 4
    assert "整改事项 4 项，已销号 2 项，完成率 50.00%" in rate.prefill_source
    assert scores["整改事项按期完成，无逾期未完成"].points == Decimal("9.00")
    assert scores["销号事项均有整改证据"].points == Decimal("7.00")
    assert scores["制定整改方案并按时报送巡察办认可"].points == Decimal("2.00")
    assert scores["召开巡察整改专题民主生活会"].points is None  # the ledger does not decide it
    deduction.refresh_from_db()
    assert deduction.frozen


def test_a_superseded_version_opens_no_assessment(world, deduction) -> None:
    office = world.users["office"]
    svc.assessment_create(name="甲", version=deduction, by=office, today=TODAY, units=[world.unit])
    spec = selectors.version_spec(deduction)
    newer = services.indicator_version_import(
        spec=spec, system_name=deduction.system.name, by=office
    )
    assert newer.number == 2
    with pytest.raises(ServiceError, match="第 1 版已被第 2 版取代"):
        svc.assessment_create(
            name="乙", version=deduction, by=office, today=TODAY, units=[world.unit]
        )


def test_only_the_office_and_supervisors_assess(world, deduction) -> None:
    with pytest.raises(PermissionDenied, match="只有巡察办或督查人员"):
        svc.assessment_create(name="甲", version=deduction, by=world.users["leader"], today=TODAY,
                              units=[world.unit])  # fmt: skip


def _score(a, name: str) -> Score:
    return a.scores.select_related("indicator").get(indicator__name=name)


def test_scoring_refuses_out_of_range_stale_and_superseded_saves(world, ledger, deduction) -> None:
    sup = world.users["supervisor"]
    a = svc.assessment_create(name="甲", version=deduction, by=sup, today=TODAY, units=[world.unit])
    s = _score(a, "班子成员按分工督促整改")
    vid = deduction.pk
    with pytest.raises(
        ServiceError, match=re.escape("得分须在 0 至 5.00 分之间（最多两位小数），收到 6")
    ):
        svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=vid, points=Decimal(6),
                       items=[ledger[0]])  # fmt: skip
    with pytest.raises(ServiceError, match="须附证据"):
        svc.score_save(
            score=s, by=sup, version=s.version, indicator_version_id=vid, points=Decimal(4)
        )
    saved = svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=vid,
                           points=Decimal(4), note="督促记录齐全", items=[ledger[0]])  # fmt: skip
    assert saved.version == s.version + 1 and list(saved.items.all()) == [ledger[0]]
    with pytest.raises(ConcurrentEdit, match="已被他人修改"):  # a second supervisor, same page
        svc.score_save(score=s, by=world.users["office"], version=s.version, indicator_version_id=vid,
                       points=Decimal(5), items=[ledger[0]])  # fmt: skip
    with pytest.raises(ServiceError, match="不是本评估使用的版本"):
        svc.score_save(score=s, by=sup, version=saved.version, indicator_version_id=vid + 999,
                       points=Decimal(5), items=[ledger[0]])  # fmt: skip
    s.refresh_from_db()
    assert s.points == Decimal(4) and s.note == "督促记录齐全"


def test_an_override_of_a_prefilled_point_needs_a_reason(world, ledger, deduction) -> None:
    sup = world.users["supervisor"]
    a = svc.assessment_create(name="甲", version=deduction, by=sup, today=TODAY, units=[world.unit])
    s = _score(a, "反馈问题整改完成率")
    with pytest.raises(ServiceError, match=re.escape("改动了台账预填的得分（15.00 分")):
        svc.score_save(
            score=s,
            by=sup,
            version=s.version,
            indicator_version_id=deduction.pk,
            points=Decimal(20),
        )
    saved = svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=deduction.pk,
                           points=Decimal(20), override_reason="两项已实质完成，待补销号手续")  # fmt: skip
    assert saved.overridden and saved.prefilled_points == Decimal("15.00")
    assert saved.history.first().override_reason == "两项已实质完成，待补销号手续"


def _version(rows: list[list[str]], world) -> IndicatorVersion:
    return services.indicator_version_import(spec=parse_rows(rows), system_name="加减分体系",
                                             by=world.users["office"])  # fmt: skip


def test_totals_add_bonus_take_penalty_and_a_veto_scores_zero(world) -> None:
    head = ["维度", "维度分值", "指标", "类型", "分值", "否决条件"]
    version = _version([head, ["基础", "100", "整改完成", "扣分项", "100", ""],
                        ["加减", "0", "经验推广", "加分项", "5", ""], ["", "", "敷衍整改", "减分项", "10", ""],
                        ["", "", "报告不实", "一票否决项", "0", "5"]], world)  # fmt: skip
    sup, vid = world.users["supervisor"], version.pk
    a = svc.assessment_create(name="甲", version=version, by=sup, today=TODAY, units=[world.unit])
    for name, value in (
        ("整改完成", Decimal(88)),
        ("经验推广", Decimal(4)),
        ("敷衍整改", Decimal(3)),
    ):
        s = _score(a, name)
        svc.score_save(score=s, by=sup, version=s.version, indicator_version_id=vid, points=value)
    [partial] = selectors.assessment_results(a)
    assert (partial.total, partial.complete) == (Decimal(89), False)
    veto = _score(a, "报告不实")
    with pytest.raises(ServiceError, match="一票否决项"):
        svc.score_save(
            score=veto, by=sup, version=veto.version, indicator_version_id=vid, points=Decimal(1)
        )
    svc.score_save(
        score=veto, by=sup, version=veto.version, indicator_version_id=vid, contradicted=4
    )
    [result] = selectors.assessment_results(a)
    assert (result.total, result.complete, result.vetoed) == (Decimal(89), True, False)
    assert selectors.grade_of(result.total, version) == Grade.FAIR
    veto.refresh_from_db()
    svc.score_save(
        score=veto, by=sup, version=veto.version, indicator_version_id=vid, contradicted=5
    )
    [result] = selectors.assessment_results(a)
    assert (result.total, result.vetoed) == (Decimal(0), True)
    assert selectors.grade_of(result.total, version) == Grade.POOR


def test_the_supervisor_opens_an_assessment_and_scores_on_the_page(
    client, world, ledger, deduction
) -> None:
    from django.urls import reverse

    from xuncha.supervision.models import Assessment

    client.force_login(world.users["supervisor"])
    r = client.post(reverse("supervision:assessments"),
                    {"name": "页面评估", "version": deduction.pk, "round": world.team.round_id})  # fmt: skip
    a = Assessment.objects.get(name="页面评估")
    assert r.status_code == 302 and list(a.units.all()) == [world.unit]
    page = client.get(
        reverse("supervision:assessment_unit", args=[a.pk, world.unit.pk])
    ).content.decode()
    assert "完成率 50.00%" in page
    s = _score(a, "反馈问题整改完成率")
    url, p = reverse("supervision:score", args=[s.pk]), f"s{s.pk}-"
    form = {p + "points": "20", p + "version": s.version, p + "indicator_version": deduction.pk}
    r = client.post(url, form, follow=True)
    assert "请写明理由" in r.content.decode()
    s.refresh_from_db()
    assert s.points == Decimal("15.00")
    r = client.post(url, {**form, p + "override_reason": "已实质完成"}, follow=True)
    assert "评分已保存" in r.content.decode()
    r = client.post(
        url, {**form, p + "override_reason": "再改"}, follow=True
    )  # the page before the save
    assert "已被他人修改" in r.content.decode()
    other = ledger_item(world, unit=world.other_unit, team=world.other_team)
    s.refresh_from_db()
    r = client.post(
        url, {**form, p + "version": s.version, p + "items": str(other.pk)}, follow=True
    )
    assert f"整改事项 #{other.pk} 不是本单位的事项" in r.content.decode()
    s.refresh_from_db()
    assert (s.points, s.override_reason) == (Decimal(20), "已实质完成")
    detail = client.get(reverse("supervision:assessment", args=[a.pk])).content.decode()
    assert "评分未完成" in detail and world.unit.name in detail


def test_a_penalty_item_counts_up_to_its_points_and_ignores_the_rate() -> None:
    from xuncha.supervision.models import Indicator

    penalty = Indicator(name="逾期", kind="penalty", points=Decimal(5), prefill="overdue")
    assert svc.prefill(penalty, selectors.Measures(total=9, overdue=3), TODAY)[0] == Decimal(3)
    assert svc.prefill(penalty, selectors.Measures(total=9, overdue=9), TODAY)[0] == Decimal(5)
    rate = Indicator(name="完成率", kind="penalty", points=Decimal(5), prefill="completion_rate")
    assert svc.prefill(rate, selectors.Measures(total=4, closed=2), TODAY) is None


def test_the_menu_leads_to_assessments_and_the_office_on_to_the_indicators(client, world):
    for role, menu, indicators in (("office", True, True), ("supervisor", True, False),
                                   ("team", False, False), ("unit", False, False),
                                   ("leader", False, False)):  # fmt: skip
        client.force_login(world.users[role])
        home = client.get("/").content.decode()
        assert ('href="/supervision/assessments/"' in home) == menu, role
        if menu:
            page = client.get("/supervision/assessments/").content.decode()
            assert ('id="indicators-link"' in page) == indicators, role
