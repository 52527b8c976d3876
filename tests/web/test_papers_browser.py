"""A working paper signed in the browser by its three signers, in order; on a phone its
page does not scroll sideways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from web.chromium import Page, click
from web.factories import CadreFactory, UserFactory, pdf
from web.test_petition_browser import no_sideways_scroll
from xuncha.accounts.models import Role
from xuncha.findings.models import WorkingPaper
from xuncha.findings.services import finding_create, paper_talks_set, talk_create
from xuncha.planning.models import Assignment, MemberRole
from xuncha.planning.services import team_member_add


@pytest.mark.django_db(transaction=True)
def test_three_sign_offs_in_the_browser(live_server, browser, phone, world, tmp_path) -> None:
    deputy, leader = UserFactory(role=Role.TEAM), UserFactory(role=Role.TEAM)
    team_member_add(
        team=world.team, cadre=CadreFactory(user=deputy, name="李副组长"), role=MemberRole.DEPUTY
    )
    team_member_add(
        team=world.team, cadre=CadreFactory(user=leader, name="王组长"), role=MemberRole.LEADER
    )
    a = Assignment.objects.get(team=world.team)
    member = world.users["team"]
    finding = finding_create(
        assignment=a, by=member, category="corruption", subcategory="corruption.funds",
        description="2023年向已故人员发放耕地地力保护补贴 12 人次，共 7,200 元。", source="crosscheck",
        amount=Decimal("7200.00"), basis="违反《中国共产党纪律处分条例》第一百一十八条。",
        responsible="村党支部书记负主要领导责任，村报账员负直接责任。", files=[(pdf(), "补贴发放清册.pdf")],
    )  # fmt: skip
    talk = talk_create(assignment=a, by=member, talk_on=dt.date(2024, 4, 2), interviewee="张会计",
                       position="村报账员", summary="补贴发放经过。")  # fmt: skip
    paper_talks_set(paper=finding.paper, by=member, talks=[talk])
    page = Page(browser, live_server.url)
    # From the finding's page to its paper.
    page.login_as(member)
    page.go(f"/findings/{finding.pk}/")
    click(page, text=finding.paper.number)
    assert "张会计" in page.text() and "补贴发放清册.pdf" in page.text()
    for user, button in ((member, "承办人签署"), (deputy, "副组长审核"), (leader, "组长审签")):
        page.login_as(user)
        page.go(f"/findings/{finding.pk}/paper/")
        assert button in page.text()
        click(page, css="#paper-sign button")
        assert f"已完成{button}" in page.text()
    assert WorkingPaper.objects.get(pk=finding.paper.pk).signed
    assert browser.find_element(By.ID, "paper-state").text == "已完成签署"
    browser.save_screenshot(str(tmp_path / "paper.png"))
    # On a phone the page fits the screen.
    phone_page = Page(phone, live_server.url)
    phone_page.login_as(leader)
    phone_page.go(f"/findings/{finding.pk}/paper/")
    assert no_sideways_scroll(phone)
    phone.save_screenshot(str(tmp_path / "paper-phone.png"))
