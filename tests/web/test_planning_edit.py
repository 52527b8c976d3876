"""Rounds and teams edited in the workbench, each change in the history: dates, members
removed (with a reason), units unassigned (refused while work is recorded there),
teams in order 第一、第二、第三, 回避 naming every conflicting member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.factories import CadreFactory, FindingFactory, RoundFactory, TeamFactory, UnitFactory
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.planning import selectors, services
from xuncha.planning.models import Assignment, MemberRole, Team, TeamMember
from xuncha.units.models import UnitKind
from xuncha.units.services import unit_create


def page(client, view, /, *args, **query) -> str:
    r = client.get(reverse(view, args=args), query)
    assert r.status_code == 200, (view, r.status_code)
    return r.content.decode()


def queries(client, view, /, *args) -> tuple[int, str]:
    """How many queries a page takes to load, and the page."""
    with CaptureQueriesContext(connection) as ctx:
        html = page(client, view, *args)
    return len(ctx), html


def post(client, view, /, *args, **data) -> str:
    return client.post(reverse(view, args=args), data, follow=True).content.decode()


def line(e) -> str:
    """An entry as one line of text (the page shows the same, with the time)."""
    changes = [f"{c.label}：{c.old} → {c.new}" if c.old is not None else f"{c.label}：{c.new}"
               for c in e.changes]  # fmt: skip
    return " · ".join([e.action, e.who, e.subject, *changes, e.reason])


def test_teams_are_listed_by_number_not_name(client, world) -> None:
    """第十 sorts before 第二 by name; the round page lists 第一、第二 … 第十."""
    rnd = RoundFactory()
    for n in (10, 2, 1, 3):
        services.team_create(by=world.users["office"], round=rnd, number=n)
    assert [t.name for t in rnd.teams.all()] == [
        "第一巡察组",
        "第二巡察组",
        "第三巡察组",
        "第十巡察组",
    ]
    client.force_login(world.users["office"])
    html = page(client, "planning:round", rnd.pk)
    positions = [html.index(f"{n}巡察组</a>") for n in ("第一", "第二", "第三", "第十")]
    assert positions == sorted(positions)


def test_team_without_number_takes_the_one_in_its_name(db) -> None:
    rnd = RoundFactory()
    later = Team.objects.create(round=rnd, name="第三巡察组")
    first = Team.objects.create(round=rnd, name="第一巡察组")
    odd = Team.objects.create(round=rnd, name="机动组")
    assert (later.number, first.number, odd.number) == (3, 1, 4)
    assert list(Team.objects.filter(round=rnd)) == [first, later, odd]


def test_new_team_numbers_follow_on_and_duplicates_are_refused(world) -> None:
    office = world.users["office"]
    rnd = RoundFactory()
    a = services.team_create(by=office, round=rnd)
    b = services.team_create(by=office, round=rnd)
    assert (a.number, a.name, b.number, b.name) == (1, "第一巡察组", 2, "第二巡察组")
    with pytest.raises(ServiceError, match="本轮已有第二巡察组"):
        services.team_create(by=office, round=rnd, number=2, name="另一组")
    with pytest.raises(ServiceError, match="本轮已有第一巡察组"):
        services.team_update(by=office, team=b, number=1, name="")


def test_conflict_names_every_conflicting_member(db) -> None:
    county = unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    town = unit_create(name="五里牌镇", code="431003100", kind=UnitKind.TOWNSHIP, parent=county)
    team = TeamFactory()
    services.team_member_add(team=team, cadre=CadreFactory(name="张伟", home_unit=county))
    services.team_member_add(team=team, cadre=CadreFactory(name="李娜", home_unit=town))
    services.team_member_add(team=team, cadre=CadreFactory(name="王强"))
    with pytest.raises(ServiceError) as err:
        services.assignment_add(team=team, unit=town)
    message = str(err.value)
    assert "张伟（原单位「苏仙区」）" in message and "李娜（原单位「五里牌镇」）" in message
    assert "王强" not in message and not team.assignments.exists()


def test_member_conflict_names_every_assigned_unit(db) -> None:
    county = unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    town = unit_create(name="五里牌镇", code="431003100", kind=UnitKind.TOWNSHIP, parent=county)
    village = unit_create(name="某某村", code="431003100201", kind=UnitKind.VILLAGE, parent=town)
    team = TeamFactory()
    for unit in (county, village, UnitFactory(name="无关单位")):
        services.assignment_add(team=team, unit=unit)
    with pytest.raises(ServiceError) as err:
        services.team_member_add(team=team, cadre=CadreFactory(name="赵敏", home_unit=town))
    assert "「苏仙区」、「某某村」存在隶属关系，不能参加对这些单位的巡察" in str(
        err.value
    ) and "无关单位" not in str(err.value)


def test_unassigning_a_unit_with_findings_is_refused_naming_them(world) -> None:
    office = world.users["office"]
    assignment = Assignment.objects.get(team=world.team, unit=world.unit)
    FindingFactory(
        team=world.team, round=world.team.round, unit=world.unit, description="低保优亲厚友"
    )
    FindingFactory(team=world.team, round=world.team.round, unit=world.unit, description="公款吃喝")
    with pytest.raises(ServiceError) as err:
        services.assignment_remove(by=office, assignment=assignment, reason="调整")
    assert "问题 2 条" in str(err.value) and "「低保优亲厚友」" in str(err.value)
    assert "「公款吃喝」" in str(err.value)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_unassign_and_remove_need_a_reason_and_the_office(world) -> None:
    office = world.users["office"]
    unit = UnitFactory()
    assignment = services.assignment_add(by=office, team=world.team, unit=unit)
    member = TeamMember.objects.get(team=world.team)
    with pytest.raises(ServiceError, match="请填写取消分配的原因"):
        services.assignment_remove(by=office, assignment=assignment, reason="  ")
    with pytest.raises(ServiceError, match="请填写调出成员的原因"):
        services.team_member_remove(by=office, member=member, reason="")
    with pytest.raises(PermissionDenied):
        services.assignment_remove(by=world.users["team"], assignment=assignment, reason="x")
    services.assignment_remove(by=office, assignment=assignment, reason="该单位改由第二组巡察")
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_team_history_reads_as_people_say_it(client, world) -> None:
    """Member added, role changed, removed with a reason; unit assigned and unassigned:
    each an entry with the verbose field name, choice labels and the reason."""
    office = world.users["office"]
    office.full_name = "刘卫东"
    office.save()
    client.force_login(office)
    team = world.team
    cadre = CadreFactory(name="张伟", home_unit=UnitFactory(name="白露塘镇"))
    other = UnitFactory(name="良田镇")
    post(client, "planning:team_action", team.pk, "member", cadre=cadre.pk, role="member")
    member = TeamMember.objects.get(team=team, cadre=cadre)
    post(client, "planning:team_action", team.pk, "member_role", member=member.pk, role="deputy")
    html = post(
        client, "planning:team_action", team.pk, "member_remove", member=member.pk, reason=""
    )
    assert "请填写原因" in html and TeamMember.objects.filter(pk=member.pk).exists()
    post(
        client,
        "planning:team_action",
        team.pk,
        "member_remove",
        member=member.pk,
        reason="借调期满",
    )
    post(client, "planning:team_action", team.pk, "assign", unit=other.pk, kind="special")
    a = Assignment.objects.get(team=team, unit=other)
    post(
        client,
        "planning:team_action",
        team.pk,
        "unassign",
        assignment=a.pk,
        reason="改由第二组巡察",
    )
    history = selectors.team_history(team)
    lines = [line(e) for e in history]
    assert lines[:5] == [
        "删除 · 刘卫东 · 被巡察单位 · 被巡察单位：良田镇 · 方式：专项巡察 · 改由第二组巡察",
        "新建 · 刘卫东 · 被巡察单位 · 被巡察单位：良田镇 · 方式：专项巡察 · ",
        "删除 · 刘卫东 · 巡察组成员 · 干部：张伟（白露塘镇） · 分工：副组长 · 借调期满",
        "修改 · 刘卫东 · 巡察组成员 · 分工：组员 → 副组长 · ",
        "新建 · 刘卫东 · 巡察组成员 · 干部：张伟（白露塘镇） · 分工：组员 · ",
    ]
    html = page(client, "planning:team", team.pk)
    when = history[0].when.strftime("%Y-%m-%d %H:%M")
    assert (
        "<strong>删除</strong> · 刘卫东 · 被巡察单位 · 被巡察单位：良田镇" in html and when in html
    )
    assert "原因：借调期满" in html and "分工：组员 → 副组长" in html


def test_round_dates_change_with_history(client, world) -> None:
    office = world.users["office"]
    client.force_login(office)
    rnd = world.team.round
    form = {"term": rnd.term_id, "number": rnd.number, "name": rnd.name, "kind": "routine",
            "start_date": "2024-03-01", "end_date": "2024-06-30", "reason": "延长进驻时间"}  # fmt: skip
    post(client, "planning:round_edit", rnd.pk, **form)
    rnd.refresh_from_db()
    assert rnd.end_date == dt.date(2024, 6, 30)
    html = page(client, "planning:round", rnd.pk)
    assert "结束日期：2024-05-31 → 2024-06-30" in html and "原因：延长进驻时间" in html
    bad = client.post(
        reverse("planning:round_edit", args=[rnd.pk]), form | {"end_date": "2024-01-01"}
    )
    assert bad.status_code == 400 and "结束日期不能早于进驻日期" in bad.content.decode()
    assert 'value="2024-01-01"' in bad.content.decode()  # what was typed is kept
    for role in ("team", "supervisor", "leader", "unit"):
        client.force_login(world.users[role])
        assert client.get(reverse("planning:round_edit", args=[rnd.pk])).status_code == 404
        assert client.post(reverse("planning:round_edit", args=[rnd.pk]), form).status_code == 404
    rnd.refresh_from_db()
    assert rnd.end_date == dt.date(2024, 6, 30)


def test_round_page_links_each_team_unit_to_its_work_page(client, world) -> None:
    assignment = Assignment.objects.get(team=world.team)
    work = reverse("findings:work", args=[assignment.pk])
    for role in ("office", "team", "leader"):
        client.force_login(world.users[role])
        html = page(client, "planning:round", world.team.round.pk)
        assert f'href="{work}">{world.unit.name}</a>' in html, role
        html = page(client, "planning:team", world.team.pk)
        assert f'href="{work}">{world.unit.name}</a>' in html, role
    client.force_login(world.users["team"])
    html = page(client, "home")
    assert f'href="{work}"' in html


def test_team_actions_are_office_only_and_forged_ids_404(client, world) -> None:
    own = TeamMember.objects.get(team=world.team)
    other_member = TeamMember.objects.get(team=world.other_team)
    for role in ("team", "supervisor", "leader", "unit"):
        client.force_login(world.users[role])
        r = client.post(reverse("planning:team_action", args=[world.team.pk, "member_remove"]),
                        {"member": own.pk, "reason": "x"})  # fmt: skip
        assert r.status_code == 404, role
    client.force_login(world.users["office"])
    # A member of another team, through this team's URL: not found, nothing removed.
    r = client.post(reverse("planning:team_action", args=[world.team.pk, "member_remove"]),
                    {"member": other_member.pk, "reason": "x"})  # fmt: skip
    assert r.status_code == 404 and TeamMember.objects.filter(pk=other_member.pk).exists()
    assert (
        client.post(reverse("planning:team_action", args=[world.team.pk, "nope"])).status_code
        == 404
    )


def test_one_leader_when_changing_roles(world) -> None:
    office = world.users["office"]
    team = TeamFactory()
    services.team_member_add(team=team, cadre=CadreFactory(), role=MemberRole.LEADER)
    deputy = services.team_member_add(team=team, cadre=CadreFactory(), role=MemberRole.DEPUTY)
    with pytest.raises(ServiceError, match="只能有一名组长"):
        services.team_member_update(by=office, member=deputy, role=MemberRole.LEADER)


def test_round_page_query_count_is_fixed(client, world, django_assert_max_num_queries) -> None:
    """More teams, members and units do not mean more queries."""
    rnd = world.team.round
    client.force_login(world.users["office"])

    def grow() -> None:
        team = services.team_create(by=world.users["office"], round=rnd)
        for _ in range(3):
            services.team_member_add(team=team, cadre=CadreFactory())
            services.assignment_add(team=team, unit=UnitFactory())

    grow()
    few, _ = queries(client, "planning:round", rnd.pk)
    for _ in range(4):
        grow()
    with django_assert_max_num_queries(few):
        page(client, "planning:round", rnd.pk)
    team = rnd.teams.last()
    few, _ = queries(client, "planning:team", team.pk)
    for _ in range(3):
        services.team_member_add(team=team, cadre=CadreFactory())
        services.assignment_add(team=team, unit=UnitFactory())
    with django_assert_max_num_queries(few):
        page(client, "planning:team", team.pk)


def test_a_team_made_by_mistake_is_deleted_with_a_reason(client, world) -> None:
    office = world.users["office"]
    client.force_login(office)
    rnd = world.team.round
    spare = services.team_create(by=office, round=rnd, name="误建组")
    html = post(client, "planning:team_action", world.team.pk, "delete", reason="误建")
    assert "还有成员或被巡察单位" in html and Team.objects.filter(pk=world.team.pk).exists()
    html = post(client, "planning:team_action", spare.pk, "delete", reason="")
    assert "请填写原因" in html and Team.objects.filter(pk=spare.pk).exists()
    html = post(client, "planning:team_action", spare.pk, "delete", reason="重复新建")
    assert not Team.objects.filter(pk=spare.pk).exists()
    assert "<strong>删除</strong>" in html and "名称：误建组" in html and "原因：重复新建" in html


def test_rounds_list_counts_teams_and_units_in_one_query(
    client, world, django_assert_max_num_queries
) -> None:
    office = world.users["office"]
    rnd = world.team.round
    services.team_create(by=office, round=rnd)
    client.force_login(office)
    few, html = queries(client, "planning:rounds")
    row = html.split(f'href="{reverse("planning:round", args=[rnd.pk])}"')[1].split("</tr>")[0]
    assert "2 个</td>" in row and "1 个</td>" in row
    for _ in range(3):
        RoundFactory(term=rnd.term)
    with django_assert_max_num_queries(few):
        page(client, "planning:rounds")
