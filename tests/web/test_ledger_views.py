"""The ledger pages through the real stack (client, middleware, templates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.factories import PDF, FindingFactory
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import rectification_create

D = dt.date(2024, 6, 1)


def item_for(world, unit=None, team=None) -> RectificationItem:
    team = team or world.team
    finding = FindingFactory(team=team, round=team.round, unit=unit or world.unit,
                             description="违规发放移民直补资金")  # fmt: skip
    return rectification_create(finding=finding, by=world.users["office"], fed_back_on=D)


def act(client, user, item, action, **data):
    client.force_login(user)
    item.refresh_from_db()
    data.setdefault("version", item.version)
    return client.post(reverse("rectifications:action", args=[item.pk, action]), data, follow=True)


def text(response) -> str:
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, world) -> None:
    item = item_for(world)
    for url in (reverse("rectifications:list"), reverse("rectifications:detail", args=[item.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_unit_sees_only_its_own_items(client, world) -> None:
    own, other = item_for(world), item_for(world, world.other_unit, world.other_team)
    client.force_login(world.users["unit"])
    page = text(client.get(reverse("rectifications:list")))
    assert reverse("rectifications:detail", args=[own.pk]) in page
    assert reverse("rectifications:detail", args=[other.pk]) not in page
    assert client.get(reverse("rectifications:detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("rectifications:action", args=[other.pk, "plan"]),
                           {"version": 1, "measures": "x", "owner": "x", "deadline": "2024-07-01"})  # fmt: skip
    assert response.status_code == 404
    assert RectificationItem.objects.get(pk=other.pk).status == Status.AWAITING_PLAN


def test_the_whole_flow_through_the_pages(client, world, tmp_path) -> None:
    item = item_for(world)
    u = world.users
    r = act(
        client, u["unit"], item, "plan", measures="全额清退", owner="李四", deadline="2024-07-01"
    )
    assert "整改方案已提交" in text(r)
    assert "已认可整改方案" in text(act(client, u["office"], item, "accept"))
    upload = tmp_path / "退款凭证.pdf"
    upload.write_bytes(PDF)
    with upload.open("rb") as f:
        r = act(client, u["unit"], item, "progress", text="已全部清退", done="on", evidence=f)
    assert "整改进展已报告" in text(r) and "退款凭证.pdf" in text(r)
    r = act(client, u["office"], item, "close", note="核实无误", money_recovered="600")
    assert "已对账销号" in text(r)
    page = text(client.get(reverse("rectifications:detail", args=[item.pk])))
    assert "已销号" in page and "状态：整改中 → 已申请销号" in page
    # A second close-out (double click, another tab) changes nothing and says why.
    before = RectificationItem.objects.get(pk=item.pk)
    r = act(client, u["team"], item, "close", note="再次", version=before.version)
    assert "该事项已经销号" in text(r)
    after = RectificationItem.objects.get(pk=item.pk)
    assert (after.version, after.close_note) == (before.version, "核实无误")


def test_form_errors_in_chinese_next_to_the_field(client, world) -> None:
    item = item_for(world)
    client.force_login(world.users["unit"])
    response = client.post(reverse("rectifications:action", args=[item.pk, "plan"]),
                           {"version": item.version, "owner": "李四", "deadline": "不是日期"})  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert "这个字段是必填项" in page and "输入一个有效的日期" in page
    assert RectificationItem.objects.get(pk=item.pk).version == item.version


def test_a_stale_form_is_refused(client, world) -> None:
    item = item_for(world)
    seen = item.version  # both open the page now; the unit submits first
    act(client, world.users["unit"], item, "plan", measures="甲", owner="甲", deadline="2024-07-01")
    r = act(client, world.users["office"], item, "plan", measures="乙", owner="乙",
            deadline="2024-07-01", version=seen)  # fmt: skip
    assert "已被他人修改" in text(r)
    assert RectificationItem.objects.get(pk=item.pk).measures == "甲"


@pytest.mark.parametrize("extra", [0, 25])
def test_list_query_count_does_not_grow(client, world, extra, django_assert_num_queries) -> None:
    for _ in range(3 + extra):
        item_for(world)
    client.force_login(world.users["office"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("rectifications:list")).status_code == 200
    baseline = len(ctx.captured_queries)
    for _ in range(10):
        item_for(world)
    with django_assert_num_queries(baseline):
        client.get(reverse("rectifications:list"))


def _plan(client, world, item) -> None:
    act(
        client,
        world.users["unit"],
        item,
        "plan",
        measures="清退",
        owner="李四",
        deadline="2024-07-01",
    )


def test_the_office_returns_a_plan_through_the_page(client, world) -> None:
    item = item_for(world)
    _plan(client, world, item)
    client.force_login(world.users["office"])
    page = text(client.get(reverse("rectifications:detail", args=[item.pk])))
    assert "退回整改方案" in page and "认可整改方案" in page
    r = act(client, world.users["office"], item, "return", reason="措施不具体")
    assert "已退回整改单位" in text(r) and "整改方案被退回：措施不具体" in text(r)
    assert RectificationItem.objects.get(pk=item.pk).status == Status.AWAITING_PLAN


def test_returning_without_a_reason_is_refused_in_chinese(client, world) -> None:
    item = item_for(world)
    _plan(client, world, item)
    client.force_login(world.users["supervisor"])
    r = client.post(reverse("rectifications:action", args=[item.pk, "return"]),
                    {"version": RectificationItem.objects.get(pk=item.pk).version, "reason": ""})  # fmt: skip
    assert r.status_code == 400 and "退回原因：退回必须填写原因" in text(r)
    assert RectificationItem.objects.get(pk=item.pk).status == Status.PLAN_SUBMITTED


@pytest.mark.parametrize("role", ["unit", "leader"])
def test_unit_and_leader_get_no_return_button_and_are_refused(client, world, role) -> None:
    item = item_for(world)
    _plan(client, world, item)
    client.force_login(world.users[role])
    page = text(client.get(reverse("rectifications:detail", args=[item.pk])))
    assert reverse("rectifications:action", args=[item.pk, "return"]) not in page
    assert (reverse("rectifications:action", args=[item.pk, "plan"]) in page) == (role == "unit")
    r = act(client, world.users[role], item, "return", reason="不行")
    assert "只有巡察办或整改督查可以退回" in text(r)
    assert RectificationItem.objects.get(pk=item.pk).status == Status.PLAN_SUBMITTED


def test_the_unit_filters_its_returned_items(client, world) -> None:
    returned, kept = item_for(world), item_for(world)
    for item in (returned, kept):
        _plan(client, world, item)
    act(client, world.users["office"], returned, "return", reason="措施不具体")
    client.force_login(world.users["unit"])
    r = client.get(reverse("rectifications:list"), {"returned": "on"})
    assert [i.pk for i, _ in r.context["rows"]] == [returned.pk]
