"""Every role × every object page × its own object and another's: 200 or 404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from web.factories import FindingFactory, pdf
from web.test_evidence_files import EXPECTED as EVIDENCE_EXPECTED
from web.test_evidence_files import evidence_urls
from xuncha.checks.services import RunParams, dataset_upload, run_execute, run_start
from xuncha.documents.jobs import document_generate
from xuncha.findings.models import ImmediateItem
from xuncha.findings.services import recommendation_create
from xuncha.petitions.models import Channel
from xuncha.petitions.services import Content, intake_create, petition_record
from xuncha.planning.models import Assignment
from xuncha.rectifications.services import rectification_create

# page -> role -> (own, other)
EXPECTED = {
    # The leader reads every round, its units' pages, findings and ledger items (read-only).
    "finding": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (200, 200)},
    "item": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (200, 200)},
    "work": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (200, 200)},
    "round": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (200, 200)},
    "team": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (200, 200)},
    # Working papers (问题底稿): the office and the finding's team; editing a finding or a
    # recommendation too (supervisors and leaders read findings but change nothing).
    **{page: {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (404, 404), "leader": (404, 404)}
       for page in ("paper", "finding_edit", "recommendation_edit")},
    # 立行立改: the unit sees (and reports on) its own; the leader none.
    "immediate": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (404, 404)},
    # Evidence files: a finding's for the inspecting side; a ledger or immediate item's for all who see the item.
    **EVIDENCE_EXPECTED,
    # Petitions: the office and the receiving team only; other roles are refused outright.
    "petition": {"office": (200, 200), "team": (200, 404), "unit": (403, 403), "supervisor": (403, 403), "leader": (403, 403)},
    "attachment": {"office": (200, 200), "team": (200, 404), "unit": (403, 403), "supervisor": (403, 403), "leader": (403, 403)},
    "qr_code": {"office": (200, 200), "team": (200, 404), "unit": (403, 403), "supervisor": (403, 403), "leader": (403, 403)},
    "notice": {"office": (200, 200), "team": (200, 404), "unit": (403, 403), "supervisor": (403, 403), "leader": (403, 403)},
    # Cross-check: the office and the team that ran it; everyone else sees nothing.
    **{page: {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (404, 404), "leader": (404, 404)}
       for page in ("checks_team", "dataset", "run", "run_status", "suspects", "suspect", "export", "report")},
    # A unit's page and a term's coverage: every role that lists units (all but a unit account).
    **{page: {"office": (200, 200), "team": (200, 200), "unit": (404, 404), "supervisor": (200, 200), "leader": (200, 200)}
       for page in ("unit_page", "coverage")},
    # Assessments (整改评估): the office and supervisors score every unit; indicator workbooks the office only.
    **{page: {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)}
       for page in ("assessment", "assessment_unit")},
    "indicator_export": {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (404, 404), "leader": (404, 404)},
    # Issue 18: sham signals, 回头看, reverse checks and surveys are the office's and the
    # supervisor's (every unit's); a self-check task its unit's too, the leader reads them all.
    **{page: {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)}
       for page in ("signal", "follow_up", "reverse_check", "survey")},
    "selfcheck_task": {"office": (200, 200), "team": (404, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (200, 200)},
    # A common problem's page: those who read self-check tasks beyond their own (not a unit).
    "common_problem": {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (200, 200)},
    # A 督办函 (page and DOCX): whoever sees the ledger item it is about.
    **{page: {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (200, 200)}
       for page in ("card_letter", "card_letter_docx")},
    # Report review (报告评查): the office and supervisors read every round and sampled report; a
    # team its own report's review once submitted; units and leaders nothing.
    "review_round": {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)},
    "review_sample": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (200, 200), "leader": (404, 404)},
    "submitted_report": {"office": (200, 200), "team": (404, 404), "unit": (404, 404), "supervisor": (404, 404), "leader": (404, 404)},
    # Documents (公文) of a round's unit: the office, the unit's team, leaders (read) and the
    # unit's liaison (its plan, progress and ledger: here a ledger's file); not supervisors.
    **{page: {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (404, 404), "leader": (200, 200)}
       for page in ("documents", "documents_status", "document_file")},
}  # fmt: skip


def urls_for(world, team, unit) -> dict[str, str]:
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    item = rectification_create(
        finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
    )
    assignment = Assignment.objects.get(team=team, unit=unit)
    immediate = ImmediateItem.objects.create(team=team, round=team.round, unit=unit, description="立改",
                                             deadline=dt.date(2024, 4, 9), recorded_by=world.users["office"])  # fmt: skip
    petition, _ = petition_record(team=team, by=world.users["office"], channel=Channel.LETTER,
                                  received_on=dt.date(2024, 4, 1), content=Content(what="反映村干部优亲厚友。"),
                                  identity=None, files=[(pdf(), "来信.pdf")])  # fmt: skip
    code = intake_create(team=team, by=world.users["office"], opens_on=dt.date(2024, 3, 1),
                         closes_on=dt.date(2024, 5, 31), scope="受理范围", phone="12345")  # fmt: skip
    dataset = dataset_upload(team=team, kind="payments", by=world.users["office"],
                             data=io.BytesIO("姓名,身份证号码,金额,发放日期\n张三,123,600,2021-03-05\n".encode()),
                             name="发放.csv")  # fmt: skip
    run = run_start(team=team, by=world.users["office"], datasets=[dataset], params=RunParams())
    run_execute(run.pk)
    suspect = run.suspects.get()  # the invalid ID
    rec = recommendation_create(
        assignment=assignment, by=world.users["office"], text="建议", findings=[finding]
    )
    ledger = document_generate(kind="ledger", round=team.round, unit=unit, by=world.users["office"])
    return {
        "documents": reverse("documents:page", args=[team.round_id, unit.pk]),
        "documents_status": reverse("documents:status", args=[team.round_id, unit.pk]),
        "document_file": reverse("documents:file", args=[ledger.pk, "docx"]),
        "paper": reverse("findings:paper", args=[finding.pk]),
        "finding_edit": reverse("findings:edit", args=[finding.pk]),
        "recommendation_edit": reverse(
            "findings:recommendation_edit", args=[assignment.pk, rec.pk]
        ),
        "checks_team": reverse("checks:team", args=[team.pk]),
        "dataset": reverse("checks:dataset", args=[dataset.pk]),
        "run": reverse("checks:run", args=[run.pk]),
        "run_status": reverse("checks:run_status", args=[run.pk]),
        "suspects": reverse("checks:suspects", args=[run.pk]),
        "suspect": reverse("checks:suspect", args=[suspect.pk]),
        "export": reverse("checks:export", args=[run.pk]),
        "report": reverse("checks:run_file", args=[run.pk, "report"]),
        "petition": reverse("petitions:detail", args=[petition.pk]),
        "attachment": reverse("petitions:attachment", args=[petition.attachments.get().pk, "copy"]),
        "qr_code": reverse("petitions:intake", args=[code.pk]),
        "notice": reverse("petitions:intake_file", args=[code.pk, "pdf"]),
        "finding": reverse("findings:detail", args=[finding.pk]),
        "item": reverse("rectifications:detail", args=[item.pk]),
        "work": reverse("findings:work", args=[assignment.pk]),
        "immediate": reverse("findings:immediate_detail", args=[immediate.pk]),
        "round": reverse("planning:round", args=[team.round.pk]),
        **evidence_urls(world, team, unit, finding=finding, item=item, immediate=immediate),
        "team": reverse("planning:team", args=[team.pk]),
        "unit_page": reverse("units:detail", args=[unit.pk]),
        "coverage": reverse("planning:coverage", args=[team.round.term_id]),
        **assessment_urls(world, unit),
    }


def supervision_urls(world, unit) -> dict[str, str]:
    """Issue 18's object pages about ``unit``: a signal on its first item, its 回头看
    entry, a reverse check of it, a survey of it, its self-check task, the common
    problem and a 督办函 on a card of its first item (page and DOCX). Not part of :func:`urls_for`: it closes an item and changes the unit's kind,
    which the home pages' counts built on ``urls_for`` do not expect."""
    from decimal import Decimal

    from django.utils import timezone

    from web.supervision_world import closed_item
    from xuncha.rectifications.models import RectificationItem
    from xuncha.selfchecks.services import common_problem_create, common_problem_push
    from xuncha.sham.models import Signal, SignalKind
    from xuncha.supervision.models import (
        Assessment,
        Card,
        CardColour,
        CardReason,
        CardSupervision,
        FollowUp,
        Grade,
        Interview,
    )
    from xuncha.supervision.reversecheck import reverse_check_create
    from xuncha.surveys.services import survey_open
    from xuncha.units.models import UnitKind

    item = RectificationItem.objects.filter(unit=unit).earliest("pk")
    signal = Signal.objects.create(kind=SignalKind.SAME_FILE, key=f"k{item.pk}", explanation="说明",
                                   first_seen=dt.date(2024, 7, 1))  # fmt: skip
    signal.items.set([item])
    assessment = Assessment.objects.filter(scores__unit=unit).distinct().get()
    entry = FollowUp.objects.create(assessment=assessment, unit=unit, grade=Grade.POOR, total=Decimal(40),
                                    latest_grade=Grade.POOR, latest_total=Decimal(40))  # fmt: skip
    Interview.objects.create(follow_up=entry, interviewee="主要负责人", due_on=dt.date(2024, 8, 1))
    closed_item(world, unit=unit, team=Assignment.objects.filter(unit=unit).get().team)
    check = reverse_check_create(
        name="反向核查", by=world.users["supervisor"], units=[unit], count=1
    )
    today = timezone.localdate()
    survey = survey_open(unit=unit, by=world.users["office"], title="满意度测评",
                         opens_on=today, closes_on=today + dt.timedelta(days=30))  # fmt: skip
    # A kind of its own: the problem's task is this unit's only.
    unit.kind = UnitKind.VILLAGE if unit == world.unit else UnitKind.COMMUNITY
    unit.save(update_fields=["kind"])
    problem = common_problem_create(by=world.users["office"], title="共性问题", description="自查。",
                                    unit_kinds=[unit.kind], deadline=today + dt.timedelta(days=30),
                                    today=today)  # fmt: skip
    common_problem_push(problem=problem, by=world.users["office"])
    card = Card.objects.create(item=item, colour=CardColour.YELLOW, reason=CardReason.OVERDUE,
                               first_seen=dt.date(2024, 7, 1))  # fmt: skip
    letter = CardSupervision.objects.create(card=card, by=world.users["office"], text="限期整改")
    return {
        "card_letter": reverse("cards:letter", args=[letter.pk]),
        "card_letter_docx": reverse("cards:letter_docx", args=[letter.pk]),
        "signal": reverse("sham:detail", args=[signal.pk]),
        "follow_up": reverse("supervision:follow_up", args=[entry.pk]),
        "reverse_check": reverse("supervision:reverse_check", args=[check.pk]),
        "survey": reverse("surveys:detail", args=[survey.pk]),
        "selfcheck_task": reverse("selfchecks:task", args=[problem.tasks.get().pk]),
        "common_problem": reverse("selfchecks:problem", args=[problem.pk]),
    }


def assessment_urls(world, unit) -> dict[str, str]:
    from xuncha.supervision.assessment import assessment_create
    from xuncha.supervision.models import IndicatorVersion
    from xuncha.supervision.services import indicator_systems_install_shipped

    indicator_systems_install_shipped(by=world.users["office"])
    version = IndicatorVersion.objects.order_by("pk").first()
    a = assessment_create(name="评估", version=version, by=world.users["supervisor"],
                          today=dt.date(2024, 7, 1), units=[unit])  # fmt: skip
    return {"assessment": reverse("supervision:assessment", args=[a.pk]),
            "assessment_unit": reverse("supervision:assessment_unit", args=[a.pk, unit.pk]),
            "indicator_export": reverse("supervision:indicator_export", args=[version.pk])}  # fmt: skip


def review_urls(world, team, unit) -> dict[str, str]:
    """A review round with one submitted review of a report by ``team`` about ``unit``."""
    from web.reviews_world import report, review_round
    from xuncha.reviews.services import ScoreEntry, review_sample_add, review_scores_save

    rr = review_round(world.users["office"], [world.users["supervisor"]])
    sample = review_sample_add(
        review_round=rr, report=report(unit, team=team), by=world.users["office"]
    )
    entries = [ScoreEntry(c.pk, c.points, "符合要求", "") for c in rr.rubric_version.criteria.all()]
    review_scores_save(sample=sample, by=world.users["supervisor"], version=sample.version, entries=entries,
                       submit=True)  # fmt: skip
    submitted = report(unit, title="关于巡察某村党支部的情况报告")  # a lower-level office's
    return {"review_round": reverse("reviews:round", args=[rr.pk]),
            "review_sample": reverse("reviews:sample", args=[sample.pk]),
            "submitted_report": reverse("reviews:submitted_report", args=[submitted.pk])}  # fmt: skip


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_object_pages(client, world, role) -> None:
    own = urls_for(world, world.team, world.unit) | supervision_urls(world, world.unit)
    own |= review_urls(world, world.team, world.unit)
    other = urls_for(world, world.other_team, world.other_unit)
    other |= supervision_urls(world, world.other_unit) | review_urls(
        world, world.other_team, world.other_unit
    )
    client.force_login(world.users[role])
    for page, by_role in EXPECTED.items():
        got = (client.get(own[page]).status_code, client.get(other[page]).status_code)
        assert got == by_role[role], (role, page)


# Planning pages only the office opens (terms, the cadre pool, editing a round); 404 for
# everyone else, so that no role learns they exist.
OFFICE_ONLY = ("planning:terms", "planning:term_new", "planning:cadres", "planning:cadre_new")


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_plan_management_pages_are_office_only(client, world, role) -> None:
    client.force_login(world.users[role])
    urls = [reverse(name) for name in OFFICE_ONLY]
    urls += [reverse("planning:term_edit", args=[world.team.round.term_id]),
             reverse("planning:cadre_edit", args=[world.team.members.get().pk]),
             reverse("planning:round_edit", args=[world.team.round_id])]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == (200 if role == "office" else 404), (role, url)


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_list_pages_load_for_every_role(client, world, role) -> None:
    client.force_login(world.users[role])
    for name in (
        "home",
        "findings:list",
        "rectifications:list",
        "planning:rounds",
        "dashboards:figures",
        "findings:immediate",
        "findings:leads",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    expected = 404 if role == "unit" else 200
    assert client.get(reverse("units:list")).status_code == expected
    assert client.get(reverse("checks:rules")).status_code == 200
    assert client.get(reverse("checks:index")).status_code in (200, 302)
    for name in ("petitions:inbox", "petitions:intakes", "petitions:new"):
        assert client.get(reverse(name)).status_code == (
            200 if role in ("office", "team") else 403
        ), name


# Issue 18's list pages by role: 200, or 404 for a role the list is not for.
SUPERVISION_LISTS = {
    "sham:list": ("office", "supervisor"),
    "supervision:assessments": ("office", "supervisor"),
    "supervision:follow_ups": ("office", "supervisor"),
    "supervision:reverse_checks": ("office", "supervisor"),
    "surveys:list": ("office", "supervisor"),
    "selfchecks:tasks": ("office", "supervisor", "leader", "unit"),
    "selfchecks:problems": ("office",),
    "rectifications:rules": ("office", "team", "unit", "supervisor", "leader"),
}


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_supervision_list_pages_by_role(client, world, role) -> None:
    client.force_login(world.users[role])
    for name, roles in SUPERVISION_LISTS.items():
        # With and without the figures page's period filter.
        for query in ("", "?year=2024"):
            got = client.get(reverse(name) + query).status_code
            assert got == (200 if role in roles else 404), (role, name, query)


# POST actions: role -> action -> (own object, another's): "done", "refused" (a Chinese
# message, nothing changed) or 404 (the object is not even visible).
ACTIONS = {
    "office": {"return": ("done", "done"), "report": ("refused", "refused"), "evidence": ("done", "done")},
    "team": {"return": ("refused", 404), "report": ("refused", 404), "evidence": ("done", 404)},
    "unit": {"return": ("refused", 404), "report": ("done", 404), "evidence": (403, 403)},
    "supervisor": {"return": ("done", "done"), "report": ("refused", "refused"), "evidence": (403, 403)},
    "leader": {"return": ("refused", "refused"), "report": (404, 404), "evidence": (403, 403)},
}  # fmt: skip


def post_action(client, world, team, unit, action) -> str | int:
    from xuncha.findings.models import ImmediateReport
    from xuncha.rectifications.models import RectificationItem, Status
    from xuncha.rectifications.services import rectification_propose_plan

    liaison = world.users["unit" if unit == world.unit else "other_unit"]
    if action == "evidence":  # a petition's attachment onto the finding it became
        return post_evidence(client, world, team, unit)
    if action == "return":
        finding = FindingFactory(team=team, round=team.round, unit=unit)
        item = rectification_create(
            finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
        )
        item = rectification_propose_plan(item=item, by=liaison, measures="清退", owner="李四",
                                          deadline=dt.date(2024, 7, 1))  # fmt: skip
        r = client.post(reverse("rectifications:action", args=[item.pk, "return"]),
                        {"version": item.version, "reason": "措施不具体"})  # fmt: skip
        changed = RectificationItem.objects.get(pk=item.pk).status == Status.AWAITING_PLAN
    else:
        item = ImmediateItem.objects.create(team=team, round=team.round, unit=unit, description="立改",
                                            deadline=dt.date(2024, 4, 9), recorded_by=world.users["office"])  # fmt: skip
        r = client.post(reverse("findings:immediate_report", args=[item.pk]), {"text": "已整改"})
        changed = ImmediateReport.objects.filter(item=item).exists()
    return outcome(r, changed, refusals=(404,))


def outcome(response, changed: bool, refusals=(403, 404)) -> str | int:
    """A POST as the tables say it: its status if refused outright, else "done" or
    "refused" (a Chinese message, nothing changed)."""
    if response.status_code in refusals:
        return response.status_code
    return "done" if changed else "refused"


def assert_own_and_others(client, world, role, table, post) -> None:
    """Each action in the role's row of ``table``, tried on the role's own team and unit
    and on another's, gives the expected pair of outcomes."""
    client.force_login(world.users[role])
    for action, expected in table[role].items():
        got = (post(client, world, world.team, world.unit, action),
               post(client, world, world.other_team, world.other_unit, action))  # fmt: skip
        assert got == expected, (role, action, got)


def post_evidence(client, world, team, unit) -> str | int:
    from xuncha.petitions.services import petition_to_finding

    petition, _ = petition_record(team=team, by=world.users["office"], channel=Channel.LETTER,
                                  received_on=dt.date(2024, 4, 1), content=Content(what="反映村干部优亲厚友。"),
                                  identity=None, unit_id=unit.pk, files=[(pdf(), "来信.pdf")])  # fmt: skip
    petition = petition_to_finding(petition=petition, by=world.users["office"], category="corruption",
                                   subcategory="corruption.style", description="优亲厚友")  # fmt: skip
    r = client.post(reverse("petitions:action", args=[petition.pk, "evidence"]),
                    {"attachments": [petition.attachments.get().pk]})  # fmt: skip
    return outcome(r, petition.finding.evidence.exists())


@pytest.mark.parametrize("role", list(ACTIONS))
def test_post_actions(client, world, role) -> None:
    assert_own_and_others(client, world, role, ACTIONS, post_action)


# List exports (ledger, findings): role -> (own team's/unit's row, another's row) present.
EXPORTS = {"office": (True, True), "team": (True, False), "unit": (True, False),
           "supervisor": (True, True), "leader": (True, True)}  # fmt: skip


@pytest.mark.parametrize("role", list(EXPORTS))
def test_list_exports_hold_what_the_role_may_see(client, world, role) -> None:
    import openpyxl

    for team, unit, text in ((world.team, world.unit, "本方问题"),
                             (world.other_team, world.other_unit, "他方问题")):  # fmt: skip
        finding = FindingFactory(team=team, round=team.round, unit=unit, description=text)
        rectification_create(
            finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
        )
    client.force_login(world.users[role])
    for name in ("rectifications:export", "findings:export"):
        response = client.get(reverse(name))
        assert response.status_code == 200, (role, name)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        texts = {c.value for row in sheet.iter_rows() for c in row}
        assert ("本方问题" in texts, "他方问题" in texts) == EXPORTS[role], (role, name)


# Pages without an object: role -> status (the figures' export counts what the role may count).
PAGES = {
    "dashboards:export": {"office": 200, "team": 200, "unit": 200, "supervisor": 200, "leader": 200},
    "findings:new": {"office": 200, "team": 200, "unit": 404, "supervisor": 404, "leader": 404},
    # Talks: read as on a unit's work page (the supervisor too); the leader and a unit only count them.
    "findings:talks": {"office": 200, "team": 200, "unit": 404, "supervisor": 200, "leader": 404},
    "supervision:indicators": {"office": 200, "team": 404, "unit": 404, "supervisor": 404, "leader": 404},
    "supervision:assessments": {"office": 200, "team": 404, "unit": 404, "supervisor": 200, "leader": 404},
}  # fmt: skip


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in PAGES for role in PAGES[name]])
def test_pages_without_an_object(client, world, name, role) -> None:
    client.force_login(world.users[role])
    assert client.get(reverse(name)).status_code == PAGES[name][role], (role, name)


# Recording on a unit's work page (a talk) and feeding a finding back to its unit:
# role -> (own team's/unit's object, another's), as ACTIONS.
WORK = {
    "office": {"work_action": ("done", "done"), "feed_back": ("done", "done")},
    "team": {"work_action": ("done", 404), "feed_back": ("done", 404)},
    "unit": {"work_action": (404, 404), "feed_back": (404, 404)},  # it sees fed-back findings only
    "supervisor": {"work_action": ("refused", "refused"), "feed_back": ("refused", "refused")},
    "leader": {"work_action": ("refused", "refused"), "feed_back": ("refused", "refused")},
}  # fmt: skip


def post_work(client, world, team, unit, action) -> str | int:
    from xuncha.findings.models import Talk
    from xuncha.rectifications.models import RectificationItem

    if action == "work_action":
        assignment = Assignment.objects.get(team=team, unit=unit)
        r = client.post(reverse("findings:work_action", args=[assignment.pk, "talk"]),
                        {"talk_on": "2024-04-02", "interviewee": "王五", "summary": "要点"})  # fmt: skip
        changed = Talk.objects.filter(team=team, unit=unit, interviewee="王五").exists()
    else:
        finding = FindingFactory(team=team, round=team.round, unit=unit)
        r = client.post(reverse("rectifications:feed_back", args=[finding.pk]))
        changed = RectificationItem.objects.filter(finding=finding).exists()
    return outcome(r, changed)


@pytest.mark.parametrize("role", list(WORK))
def test_work_and_feed_back_actions(client, world, role) -> None:
    assert_own_and_others(client, world, role, WORK, post_work)


# Full ID numbers of a run: the suspects list shown unmasked, the unmasked workbook and
# hits.csv (each a POST of its button; a GET never unmasks): role -> action -> (own
# team's run, another's), as ACTIONS. The world's team user is a plain member: only the
# office, the team leader and deputies may (test_checks covers those). hits.csv refuses
# with 404, as for a file that is not there.
UNMASK = {
    "office": {"unmask": ("done", "done"), "export": ("done", "done"), "hits": ("done", "done")},
    "team": {"unmask": ("refused", 404), "export": ("refused", 404), "hits": (404, 404)},
    "unit": {"unmask": (404, 404), "export": (404, 404), "hits": (404, 404)},
    "supervisor": {"unmask": (404, 404), "export": (404, 404), "hits": (404, 404)},
    "leader": {"unmask": (404, 404), "export": (404, 404), "hits": (404, 404)},
}  # fmt: skip


def post_unmask(client, world, team, unit, action) -> str | int:
    from xuncha.checks.models import Unmasking

    amount = {"unmask": 600, "export": 601, "hits": 602}[action]  # a team's files must differ
    dataset = dataset_upload(team=team, kind="payments", by=world.users["office"],
                             data=io.BytesIO(f"姓名,身份证号码,金额,发放日期\n张三,123,{amount},2021-03-05\n".encode()),
                             name="发放.csv")  # fmt: skip
    run = run_start(team=team, by=world.users["office"], datasets=[dataset], params=RunParams())
    run_execute(run.pk)
    url = {"unmask": reverse("checks:suspects", args=[run.pk]),
           "export": reverse("checks:export", args=[run.pk]),
           "hits": reverse("checks:run_file", args=[run.pk, "hits"])}[action]  # fmt: skip
    r = client.post(url, {"unmask": "1"})
    return outcome(r, Unmasking.objects.filter(run=run).exists(), refusals=(404,))


@pytest.mark.parametrize("role", list(UNMASK))
def test_unmask_actions(client, world, role) -> None:
    assert_own_and_others(client, world, role, UNMASK, post_unmask)


# 督办 on a red or yellow card (the office only): role -> (own unit's card, another's),
# as ACTIONS; a card on an item the role cannot see is 404.
CARD_SUPERVISE = {
    "office": {"supervise": ("done", "done")},
    "team": {"supervise": ("refused", 404)},
    "unit": {"supervise": ("refused", 404)},
    "supervisor": {"supervise": ("refused", "refused")},
    "leader": {"supervise": ("refused", "refused")},
}  # fmt: skip


def post_card(client, world, team, unit, action) -> str | int:
    from django.utils import timezone

    from xuncha.rectifications.models import RectificationItem
    from xuncha.rectifications.services import rectification_accept_plan, rectification_propose_plan
    from xuncha.supervision.cards import cards_derive
    from xuncha.supervision.models import Card, CardSupervision

    today = timezone.localdate()
    liaison = world.users["unit" if unit == world.unit else "other_unit"]
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    item = rectification_create(finding=finding, by=world.users["office"], fed_back_on=today)
    item = rectification_propose_plan(item=item, by=liaison, measures="清退", owner="李四",
                                      deadline=today - dt.timedelta(days=3))  # fmt: skip
    rectification_accept_plan(item=item, by=world.users["office"])
    cards_derive(today)
    card = Card.objects.get(item=RectificationItem.objects.get(pk=item.pk))
    r = client.post(reverse("cards:supervise", args=[card.pk]), {"text": "限期整改"})
    return outcome(r, CardSupervision.objects.filter(card=card).exists(), refusals=(404,))


@pytest.mark.parametrize("role", list(CARD_SUPERVISE))
def test_card_supervise_action(client, world, role) -> None:
    assert_own_and_others(client, world, role, CARD_SUPERVISE, post_card)
