"""Working papers (问题底稿): numbers, materials, sign-offs in order by the right people,
sign-offs voided by edits, the signed/unsigned filter and counts; recommendations."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from web.factories import CadreFactory, FindingFactory, UserFactory, pdf
from xuncha.accounts.models import Role, User
from xuncha.checks.models import Suspect
from xuncha.checks.services import RunParams, dataset_upload, run_execute, run_start
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.findings.models import Finding, Recommendation, WorkingPaper
from xuncha.findings.selectors import materials, paper_signed_q
from xuncha.findings.services import (
    finding_create,
    finding_update,
    paper_ensure,
    paper_sign,
    paper_talks_set,
    talk_create,
)
from xuncha.planning.models import Assignment, MemberRole
from xuncha.planning.services import team_member_add

BASIS = "违反《中国共产党纪律处分条例》第一百零一条。"
WHO = "村党支部书记负主要领导责任。"


@dataclass
class Crew:
    a: Assignment
    member: User  # the world's team user (组员)
    deputy: User
    leader: User
    finding: Finding
    paper: WorkingPaper


@pytest.fixture
def crew(world) -> Crew:
    deputy, leader = UserFactory(role=Role.TEAM), UserFactory(role=Role.TEAM)
    team_member_add(
        team=world.team, cadre=CadreFactory(user=deputy, name="李副组长"), role=MemberRole.DEPUTY
    )
    team_member_add(
        team=world.team, cadre=CadreFactory(user=leader, name="王组长"), role=MemberRole.LEADER
    )
    a = Assignment.objects.get(team=world.team)
    finding = finding_create(
        assignment=a, by=world.users["team"], category="corruption", subcategory="corruption.funds",
        description="违规发放补贴。", source="crosscheck", amount=Decimal("1200.00"),
        basis=BASIS, responsible=WHO, files=[(pdf(), "凭证.pdf")],
    )  # fmt: skip
    return Crew(a, world.users["team"], deputy, leader, finding, finding.paper)


def sign_all(crew: Crew) -> WorkingPaper:
    paper = paper_sign(paper=crew.paper, by=crew.member, step="handler")
    paper = paper_sign(paper=paper, by=crew.deputy, step="deputy")
    return paper_sign(paper=paper, by=crew.leader, step="leader")


def test_a_finding_gets_a_numbered_paper(world, crew) -> None:
    rnd = world.team.round
    assert crew.paper.number == f"{rnd.start_date.year}-{rnd.number}-{world.team.number}-001"
    second = finding_create(assignment=crew.a, by=crew.member, category="corruption",
                            subcategory="corruption.funds", description="又一问题", source="talk")  # fmt: skip
    assert second.paper.number.endswith("-002")
    # A finding recorded before papers existed gets one when it is first needed.
    old = FindingFactory(team=world.team, round=rnd, unit=world.unit)
    assert not WorkingPaper.objects.filter(finding=old).exists()
    assert paper_ensure(finding=old).number.endswith("-003")
    assert paper_ensure(finding=old).pk == old.paper.pk  # made once


def test_sign_offs_in_order_by_the_right_people(world, crew) -> None:
    with pytest.raises(ServiceError, match="请先完成承办人签署"):
        paper_sign(paper=crew.paper, by=crew.deputy, step="deputy")
    for role in ("office", "supervisor", "leader", "unit", "other_team"):
        with pytest.raises(PermissionDenied):
            paper_sign(paper=crew.paper, by=world.users[role], step="handler")
    paper = paper_sign(paper=crew.paper, by=crew.member, step="handler")
    with pytest.raises(ServiceError, match="已完成承办人签署"):
        paper_sign(paper=paper, by=crew.deputy, step="handler")
    # A 组员 cannot give the deputy's review, nor the leader the deputy's.
    with pytest.raises(PermissionDenied, match="副组长"):
        paper_sign(paper=paper, by=crew.leader, step="deputy")
    with pytest.raises(ServiceError, match="请先完成副组长审核"):
        paper_sign(paper=paper, by=crew.leader, step="leader")
    paper = paper_sign(paper=paper, by=crew.deputy, step="deputy")
    assert not paper.signed
    paper = paper_sign(paper=paper, by=crew.leader, step="leader")
    assert paper.signed
    assert (paper.handler_signed_by.user, paper.deputy_signed_by.user, paper.leader_signed_by.user) == (
        crew.member, crew.deputy, crew.leader)  # fmt: skip
    assert list(Finding.objects.filter(paper_signed_q())) == [crew.finding]


def test_a_person_signs_a_paper_once(world, crew) -> None:
    paper = paper_sign(paper=crew.paper, by=crew.deputy, step="handler")  # the deputy handled it
    with pytest.raises(ServiceError, match="同一人只能在一份底稿上签署一次"):
        paper_sign(paper=paper, by=crew.deputy, step="deputy")
    assert WorkingPaper.objects.get(pk=paper.pk).deputy_signed_by is None


def test_signing_needs_basis_and_responsible(world, crew) -> None:
    bare = finding_create(assignment=crew.a, by=crew.member, category="corruption",
                          subcategory="corruption.funds", description="无依据", source="talk")  # fmt: skip
    with pytest.raises(ServiceError, match="定性依据和责任指向"):
        paper_sign(paper=bare.paper, by=crew.member, step="handler")
    finding_update(finding=bare, by=crew.member, category="corruption", subcategory="corruption.funds",
                   description="无依据", amount=Decimal(0), basis=BASIS, responsible="")  # fmt: skip
    with pytest.raises(ServiceError, match="尚未填写责任指向"):
        paper_sign(paper=bare.paper, by=crew.member, step="handler")


def test_edits_void_sign_offs_and_history_keeps_them(world, crew) -> None:
    sign_all(crew)
    same = {"category": "corruption", "subcategory": "corruption.funds",
            "description": "违规发放补贴。", "amount": Decimal("1200.00"), "basis": BASIS, "responsible": WHO}  # fmt: skip
    _, voided = finding_update(finding=crew.finding, by=crew.member, **same)
    assert not voided and WorkingPaper.objects.get(pk=crew.paper.pk).signed
    for change in ({"amount": Decimal("1300.00")}, {"responsible": "村委会主任负直接责任。"}):
        sign_all(crew) if not WorkingPaper.objects.get(pk=crew.paper.pk).signed else None
        _, voided = finding_update(finding=crew.finding, by=crew.member, **(same | change))
        paper = WorkingPaper.objects.get(pk=crew.paper.pk)
        assert voided and not paper.signed and paper.handler_signed_by is None
        same |= change
    # Evidence added is a change too.
    sign_all(crew)
    _, voided = finding_update(
        finding=crew.finding, by=crew.member, **same, files=[(pdf(), "补充.pdf")]
    )
    assert voided
    assert crew.finding.evidence.count() == 2
    # The history holds the signed state and who voided it.
    entries = list(
        WorkingPaper.history.filter(id=crew.paper.pk).order_by("history_date", "history_id")
    )
    assert any(e.leader_signed_by_id for e in entries)
    assert entries[-1].leader_signed_by_id is None and entries[-1].history_user == crew.member
    # Only the office and the team change a finding.
    with pytest.raises(PermissionDenied):
        finding_update(finding=crew.finding, by=world.users["supervisor"], **same)


def test_talks_on_the_paper(world, crew) -> None:
    talk = talk_create(assignment=crew.a, by=crew.member, talk_on=dt.date(2024, 4, 2),
                       interviewee="张会计", position="村报账员", summary="补贴发放经过。")  # fmt: skip
    other_a = Assignment.objects.get(team=world.other_team)
    foreign = talk_create(assignment=other_a, by=world.users["other_team"], talk_on=dt.date(2024, 4, 2),
                          interviewee="外组谈话", summary="要点")  # fmt: skip
    with pytest.raises(ServiceError, match="外组谈话"):
        paper_talks_set(paper=crew.paper, by=crew.member, talks=[foreign])
    sign_all(crew)
    assert paper_talks_set(paper=crew.paper, by=crew.member, talks=[talk])  # voids the sign-offs
    got = materials(crew.finding)
    assert got["talks"] == [{"pk": talk.pk, "date": dt.date(2024, 4, 2), "interviewee": "张会计",
                             "position": "村报账员"}]  # fmt: skip
    assert [(e["name"], e["size"]) for e in got["evidence"]] == [
        ("凭证.pdf", len(pdf().getvalue()))
    ]
    assert len(got["evidence"][0]["sha256"]) == 64


def payments_xlsx() -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2021年发放"
    ws.append(["花名册"])  # a title row above the header
    ws.append(["姓名", "身份证号码", "金额", "发放日期"])
    ws.append(["张三", "430102199001011234", 600, dt.date(2021, 3, 5)])
    ws.append(["李四", "123", 800, dt.date(2021, 3, 5)])  # an invalid ID: a suspect
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_materials_name_the_suspects_file_sheet_and_row(world, crew) -> None:
    office = world.users["office"]
    dataset = dataset_upload(team=world.team, kind="payments", by=office, data=payments_xlsx(),
                             name="补贴发放.xlsx")  # fmt: skip
    run = run_start(team=world.team, by=office, datasets=[dataset], params=RunParams())
    run_execute(run.pk)
    suspect = Suspect.objects.filter(run=run, name="李四").order_by("number").first()
    assert suspect is not None
    Suspect.objects.filter(pk=suspect.pk).update(finding=crew.finding)
    [got] = materials(crew.finding)["suspects"]
    assert (got["file"], got["sheet"], got["row"]) == ("补贴发放.xlsx", "2021年发放", 4)
    assert got["amount"] == Decimal("800.00") and got["rule"]
    # The paper's page lists it with a link to the suspect.
    from django.test import Client

    client = Client()
    client.force_login(crew.member)
    page = client.get(reverse("findings:paper", args=[crew.finding.pk])).content.decode()
    assert "补贴发放.xlsx" in page and "2021年发放" in page and "第 4 行" in page
    assert reverse("checks:suspect", args=[suspect.pk]) in page


def test_sign_through_the_page(client, world, crew) -> None:
    url = reverse("findings:paper", args=[crew.finding.pk])
    client.force_login(crew.member)
    page = client.get(url).content.decode()
    assert crew.paper.number in page and BASIS in page and WHO in page and "凭证.pdf" in page
    assert reverse("findings:paper_sign", args=[crew.finding.pk, "handler"]) in page
    # The deputy's step is refused to the member, with a message, nothing signed.
    got = client.post(reverse("findings:paper_sign", args=[crew.finding.pk, "deputy"]))
    assert got.status_code == 400 and "请先完成承办人签署" in got.content.decode()
    got = client.post(
        reverse("findings:paper_sign", args=[crew.finding.pk, "handler"]), follow=True
    )
    assert "已完成承办人签署" in got.content.decode()
    # The member sees no button now; the deputy does.
    assert 'id="paper-sign"' not in client.get(url).content.decode()
    client.force_login(crew.deputy)
    assert (
        reverse("findings:paper_sign", args=[crew.finding.pk, "deputy"])
        in client.get(url).content.decode()
    )
    # The office opens the paper but may not sign.
    client.force_login(world.users["office"])
    got = client.post(reverse("findings:paper_sign", args=[crew.finding.pk, "deputy"]))
    assert got.status_code == 400 and "只有本巡察组成员可以签署" in got.content.decode()
    assert WorkingPaper.objects.get(pk=crew.paper.pk).deputy_signed_by is None


def test_edit_page_says_sign_offs_were_voided(client, world, crew) -> None:
    sign_all(crew)
    client.force_login(crew.member)
    url = reverse("findings:edit", args=[crew.finding.pk])
    evidence = crew.finding.evidence.get()
    form = {"category": "corruption", "subcategory": "corruption.funds", "description": "违规发放补贴。",
            "amount": "1200.00", "basis": BASIS + "第二款", "responsible": WHO}  # fmt: skip
    got = client.post(url, form | {"subcategory": "policy.x"})
    assert got.status_code == 400 and WorkingPaper.objects.get(pk=crew.paper.pk).signed
    got = client.post(url, form, follow=True)
    text = got.content.decode()
    assert "底稿原有签署已失效" in text and BASIS + "第二款" in text
    assert not WorkingPaper.objects.get(pk=crew.paper.pk).signed
    # Taking evidence off is a change as well.
    sign_all(crew)
    client.post(url, form | {"basis": BASIS + "第二款", "remove": [evidence.pk]})
    assert (
        crew.finding.evidence.count() == 0 and not WorkingPaper.objects.get(pk=crew.paper.pk).signed
    )


def test_paper_filter_and_counts(client, world, crew) -> None:
    sign_all(crew)
    FindingFactory(team=world.team, round=world.team.round, unit=world.unit, description="未签问题")
    client.force_login(world.users["office"])
    work = client.get(reverse("findings:work", args=[crew.a.pk])).content.decode()
    counts = re.search(r'id="paper-counts">(.*?)</p>', work, re.S)
    assert counts and re.findall(r">(\d+)</a>", counts.group(1)) == ["1", "2"]
    # Each finding on the work page says where its paper stands, linked to it.
    states = re.findall(r'class="paper-state" href="([^"]+)">(底稿\w+)</a>', work)
    assert sorted(states)[0] == (reverse("findings:paper", args=[crew.finding.pk]), "底稿已签署")
    assert sorted(s for _, s in states) == ["底稿已签署", "底稿未签署"]
    base = reverse("findings:list") + f"?round_id={crew.a.round_id}&unit_id={crew.a.unit_id}"
    signed = client.get(base + "&paper=signed").content.decode()
    unsigned = client.get(base + "&paper=unsigned").content.decode()
    assert "违规发放补贴" in signed and "未签问题" not in signed
    assert "未签问题" in unsigned and "违规发放补贴" not in unsigned
    round_page = client.get(reverse("planning:round", args=[crew.a.round_id])).content.decode()
    assert f'data-unit="{crew.a.unit_id}"' in round_page
    assert base.replace("&", "&amp;") + "&amp;paper=signed" in round_page


def test_recommendations_crud_and_access(client, world, crew) -> None:
    new = reverse("findings:recommendation_new", args=[crew.a.pk])
    other_finding = FindingFactory(
        team=world.other_team, round=world.other_team.round, unit=world.other_unit
    )
    for role in ("supervisor", "leader", "unit", "other_team"):
        client.force_login(world.users[role])
        assert client.post(new, {"text": "建议"}).status_code == 404, role
    client.force_login(crew.member)
    got = client.post(new, {"text": "建议", "findings": [other_finding.pk]})
    assert got.status_code == 400 and "所选问题不是本轮该单位的问题" in got.content.decode()
    assert client.post(new, {"text": " "}).status_code == 400
    client.post(new, {"text": "健全补贴发放审核机制。", "findings": [crew.finding.pk]})
    rec = Recommendation.objects.get()
    assert list(rec.findings.all()) == [crew.finding] and rec.order == 1
    assert list(crew.finding.recommendations.all()) == [rec]
    work = client.get(reverse("findings:work", args=[crew.a.pk])).content.decode()
    assert "健全补贴发放审核机制。" in work
    edit = reverse("findings:recommendation_edit", args=[crew.a.pk, rec.pk])
    client.post(edit, {"text": "改后的建议", "order": "3"})
    rec.refresh_from_db()
    assert (rec.text, rec.order, rec.findings.count()) == ("改后的建议", 3, 0)
    client.force_login(world.users["supervisor"])
    assert "改后的建议" in client.get(reverse("findings:work", args=[crew.a.pk])).content.decode()
    assert client.get(edit).status_code == 404
    client.force_login(world.users["other_team"])
    delete = reverse("findings:recommendation_delete", args=[crew.a.pk, rec.pk])
    assert client.post(delete).status_code == 404
    client.force_login(crew.member)
    assert "意见建议已删除" in client.post(delete, follow=True).content.decode()
    assert not Recommendation.objects.exists()


def test_talks_form_on_the_paper_page(client, world, crew) -> None:
    talk = talk_create(assignment=crew.a, by=crew.member, talk_on=dt.date(2024, 4, 3),
                       interviewee="赵主任", position="村委会主任", summary="要点")  # fmt: skip
    other_a = Assignment.objects.get(team=world.other_team)
    foreign = talk_create(assignment=other_a, by=world.users["other_team"], talk_on=dt.date(2024, 4, 3),
                          interviewee="外组谈话", summary="要点")  # fmt: skip
    url = reverse("findings:paper_talks", args=[crew.finding.pk])
    client.force_login(crew.member)
    got = client.post(url, {"talks": [foreign.pk]})
    assert (
        got.status_code == 400 and "所选谈话记录不是本组本轮对该单位的谈话" in got.content.decode()
    )
    got = client.post(url, {"talks": [talk.pk]}, follow=True)
    assert "底稿的谈话记录已更新" in got.content.decode() and "赵主任" in got.content.decode()
    assert list(crew.paper.talks.all()) == [talk]
    # Supervisors and other teams never reach it.
    for role in ("supervisor", "other_team", "leader"):
        client.force_login(world.users[role])
        assert client.post(url, {"talks": []}).status_code == 404, role
    assert list(crew.paper.talks.all()) == [talk]


def test_export_carries_basis_and_responsible(client, world, crew) -> None:
    client.force_login(crew.member)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("findings:export")).content))
    header, row = [[c.value for c in r] for r in book.active.iter_rows()][:2]
    assert row[header.index("定性依据")] == BASIS and row[header.index("责任指向")] == WHO
