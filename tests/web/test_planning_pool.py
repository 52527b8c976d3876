"""Terms (届) and the cadre pool (干部库) managed in the workbench by the office: list,
new, edit, each change in the history; a cadre is shown with their home unit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from web.factories import CadreFactory, RoundFactory, TermFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.planning.models import Cadre, Term
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.units.models import UnitKind
from xuncha.units.services import unit_create

PAGES = ["planning:terms", "planning:term_new", "planning:cadres", "planning:cadre_new"]


@pytest.mark.parametrize("role", ["team", "unit", "supervisor", "leader"])
def test_terms_and_cadres_are_office_only(client, world, role) -> None:
    term, cadre = TermFactory(), CadreFactory()
    client.force_login(world.users[role])
    urls = [reverse(p) for p in PAGES] + [
        reverse("planning:term_edit", args=[term.pk]), reverse("planning:cadre_edit", args=[cadre.pk])
    ]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 404, url
    r = client.post(reverse("planning:cadre_edit", args=[cadre.pk]),
                    {"name": "改名", "home_unit": cadre.home_unit_id})  # fmt: skip
    assert r.status_code == 404 and Cadre.objects.get(pk=cadre.pk).name == cadre.name


def test_office_manages_terms_with_history(client, world) -> None:
    client.force_login(world.users["office"])
    r = client.post(reverse("planning:term_new"),
                    {"name": "第十五届（2027—2031年）", "start_year": 2027, "end_year": 2031})  # fmt: skip
    term = Term.objects.get(name="第十五届（2027—2031年）")
    assert r.url == reverse("planning:terms")
    html = client.get(reverse("planning:terms")).content.decode()
    assert "第十五届（2027—2031年）" in html and "2027—2031 年" in html
    r = client.post(reverse("planning:term_edit", args=[term.pk]),
                    {"name": term.name, "start_year": 2027, "end_year": 2026, "reason": ""})  # fmt: skip
    assert r.status_code == 400 and "结束年不能早于起始年" in r.content.decode()
    r = client.post(reverse("planning:term_new"),
                    {"name": term.name, "start_year": 2027, "end_year": 2031})  # fmt: skip
    assert r.status_code == 400 and "已有名为" in r.content.decode()
    client.post(reverse("planning:term_edit", args=[term.pk]),
                {"name": term.name, "start_year": 2027, "end_year": 2032, "reason": "届期顺延"})  # fmt: skip
    html = client.get(reverse("planning:term_edit", args=[term.pk])).content.decode()
    assert "结束年：2031 → 2032" in html and "原因：届期顺延" in html


def test_term_years_must_hold_its_rounds(client, world) -> None:
    rnd = RoundFactory(term=TermFactory(start_year=2022, end_year=2026), name="2024年第一轮")
    client.force_login(world.users["office"])
    r = client.post(reverse("planning:term_edit", args=[rnd.term_id]),
                    {"name": rnd.term.name, "start_year": 2025, "end_year": 2026})  # fmt: skip
    assert r.status_code == 400 and "2024年第一轮" in r.content.decode()


def test_office_manages_the_cadre_pool(client, world) -> None:
    client.force_login(world.users["office"])
    town_a, town_b = UnitFactory(name="白露塘镇"), UnitFactory(name="良田镇")
    account = UserFactory(role=Role.TEAM, full_name="张伟")
    client.post(reverse("planning:cadre_new"),
                {"name": "张伟", "title": "副主任", "home_unit": town_a.pk, "user": account.pk})  # fmt: skip
    client.post(reverse("planning:cadre_new"), {"name": "张伟", "home_unit": town_b.pk})
    html = client.get(reverse("planning:cadres"), {"q": "张伟"}).content.decode()
    assert "共 2 人" in html and "白露塘镇" in html and "良田镇" in html
    html = client.get(reverse("planning:cadres"), {"q": "良田"}).content.decode()
    assert "共 1 人" in html
    cadre = Cadre.objects.get(home_unit=town_a)
    assert cadre.user == account and str(cadre) == "张伟（白露塘镇）"
    # One account, one cadre.
    r = client.post(
        reverse("planning:cadre_new"), {"name": "李四", "home_unit": town_b.pk, "user": account.pk}
    )
    assert r.status_code == 400 and "已关联其他干部" in r.content.decode()
    client.post(reverse("planning:cadre_edit", args=[cadre.pk]),
                {"name": "张伟", "title": "主任", "home_unit": town_a.pk, "user": account.pk, "reason": "职务调整"})  # fmt: skip
    html = client.get(reverse("planning:cadre_edit", args=[cadre.pk])).content.decode()
    assert "职务：副主任 → 主任" in html and "原因：职务调整" in html


def test_namesakes_are_told_apart_where_cadres_are_chosen(client, world) -> None:
    CadreFactory(name="张伟", home_unit=UnitFactory(name="白露塘镇"))
    CadreFactory(name="张伟", home_unit=UnitFactory(name="良田镇"))
    client.force_login(world.users["office"])
    html = client.get(reverse("planning:team", args=[world.team.pk])).content.decode()
    assert ">张伟（白露塘镇）</option>" in html and ">张伟（良田镇）</option>" in html


def test_new_home_unit_is_checked_for_recusal(client, world) -> None:
    county = unit_create(name="苏仙区", code="431003", kind=UnitKind.COUNTY)
    town = unit_create(name="五里牌镇", code="431003100", kind=UnitKind.TOWNSHIP, parent=county)
    cadre = CadreFactory(name="王强")
    team_member_add(team=world.team, cadre=cadre)
    assignment_add(team=world.team, unit=town)
    client.force_login(world.users["office"])
    r = client.post(reverse("planning:cadre_edit", args=[cadre.pk]),
                    {"name": "王强", "home_unit": county.pk, "reason": "调动"})  # fmt: skip
    assert (
        r.status_code == 400 and "回避" in r.content.decode() and "五里牌镇" in r.content.decode()
    )
    cadre.refresh_from_db()
    assert cadre.home_unit_id != county.pk


def test_forged_ids_are_404(client, world) -> None:
    client.force_login(world.users["office"])
    assert client.get(reverse("planning:term_edit", args=[999999])).status_code == 404
    assert client.get(reverse("planning:cadre_edit", args=[999999])).status_code == 404
    assert client.get(reverse("planning:team", args=[999999])).status_code == 404
