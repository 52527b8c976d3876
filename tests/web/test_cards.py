"""Red and yellow cards (issue 18, item 3): each rule's edge days, the daily derivation's
history (a second yellow is red, a closed item's card is cleared), 督办 on a card, and
where cards show (ledger column and filter, item page, unit page, home pages)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, pdf
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.rectifications.models import ProgressReport, RectificationItem
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_close,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
)
from xuncha.supervision.cards import (
    card_counts,
    card_q,
    card_supervise,
    cards_derive,
    with_cards,
)
from xuncha.supervision.models import Card

TODAY = dt.date(2024, 6, 1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def in_progress(
    world, *, accepted: dt.date, deadline: dt.date, unit=None, team=None
) -> RectificationItem:
    """An item in progress, its plan accepted on ``accepted``, due on ``deadline``."""
    team, unit = team or world.team, unit or world.unit
    liaison = world.users["unit" if unit == world.unit else "other_unit"]
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    item = rectification_create(finding=finding, by=world.users["office"], fed_back_on=accepted)
    item = rectification_propose_plan(item=item, by=liaison, measures="清退资金", owner="李四",
                                      deadline=deadline)  # fmt: skip
    item = rectification_accept_plan(item=item, by=world.users["office"])
    RectificationItem.objects.filter(pk=item.pk).update(plan_accepted_at=at(accepted))
    return RectificationItem.objects.get(pk=item.pk)


def report(world, item: RectificationItem, on: dt.date) -> None:
    r = rectification_report_progress(item=item, by=world.users["unit"], text=f"{on} 进展")
    ProgressReport.objects.filter(pk=r.pk).update(created_at=at(on))


def state(item: RectificationItem, today: dt.date) -> tuple[str, str]:
    row = with_cards(RectificationItem.objects.filter(pk=item.pk), today).get()
    return row.card, row.card_reason


def test_overdue_edge_days(world) -> None:
    # Plenty of reports: only the deadline decides.
    days = {0: ("", ""), 1: ("yellow", "overdue"), 30: ("yellow", "overdue"),
            31: ("red", "long_overdue")}  # fmt: skip
    for overdue_by, expected in days.items():
        item = in_progress(world, accepted=TODAY - dt.timedelta(days=2),
                           deadline=TODAY - dt.timedelta(days=overdue_by))  # fmt: skip
        assert state(item, TODAY) == expected, overdue_by


def test_report_interval_edge_days(world) -> None:
    accepted = dt.date(2024, 3, 1)
    item = in_progress(world, accepted=accepted, deadline=dt.date(2025, 1, 1))
    assert state(item, accepted + dt.timedelta(days=30)) == ("", "")  # the interval's last day
    assert state(item, accepted + dt.timedelta(days=31)) == ("yellow", "no_report")
    # A report on the interval's last day starts a new interval from that day.
    report(world, item, accepted + dt.timedelta(days=30))
    assert state(item, accepted + dt.timedelta(days=31)) == ("", "")
    assert state(item, accepted + dt.timedelta(days=60)) == ("", "")
    assert state(item, accepted + dt.timedelta(days=61)) == ("yellow", "no_report")


def test_interval_is_a_setting(world, settings) -> None:
    settings.CARD_REPORT_DAYS = 10
    settings.CARD_RED_DAYS = 5
    accepted = dt.date(2024, 3, 1)
    item = in_progress(world, accepted=accepted, deadline=accepted + dt.timedelta(days=100))
    assert state(item, accepted + dt.timedelta(days=10)) == ("", "")
    assert state(item, accepted + dt.timedelta(days=11)) == ("yellow", "no_report")
    late = in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=6))
    assert state(late, TODAY) == ("red", "long_overdue")


def test_items_awaiting_a_plan_have_no_report_card(world) -> None:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    item = rectification_create(finding=finding, by=world.users["office"], fed_back_on=TODAY)
    assert state(item, TODAY + dt.timedelta(days=400)) == ("", "")


def test_second_yellow_is_red_and_history_is_kept(world) -> None:
    accepted = dt.date(2024, 3, 1)
    item = in_progress(world, accepted=accepted, deadline=dt.date(2025, 1, 1))
    first = accepted + dt.timedelta(days=31)
    assert cards_derive(first).opened == 1
    yellow = Card.objects.get(item=item)
    assert (yellow.colour, yellow.reason, yellow.first_seen, yellow.cleared_on) == (
        "yellow", "no_report", first, None)  # fmt: skip
    report(world, item, first + dt.timedelta(days=1))
    assert cards_derive(first + dt.timedelta(days=1)).cleared == 1
    yellow.refresh_from_db()
    assert yellow.cleared_on == first + dt.timedelta(days=1)
    # Without a card no more: the next day opens nothing, clears nothing.
    assert cards_derive(first + dt.timedelta(days=2)) == type(cards_derive(first))(0, 0)
    again = first + dt.timedelta(days=32)  # the report's interval has run out
    assert state(item, again) == ("red", "second_yellow")
    cards_derive(again)
    red = Card.objects.get(item=item, cleared_on__isnull=True)
    assert (red.colour, red.reason, red.first_seen) == ("red", "second_yellow", again)
    assert Card.objects.filter(item=item).count() == 2


def test_yellow_turns_red_when_long_overdue(world) -> None:
    item = in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=1))
    cards_derive(TODAY)
    later = TODAY + dt.timedelta(days=30)  # overdue by 31 days
    report(world, item, later)
    done = cards_derive(later)
    assert (done.opened, done.cleared) == (1, 1)
    assert list(Card.objects.filter(item=item).order_by("id").values_list("colour", "cleared_on")) == [
        ("yellow", later), ("red", None)]  # fmt: skip


def test_card_cleared_when_closed_and_runs_are_idempotent(world) -> None:
    item = in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=3))
    assert (cards_derive(TODAY).opened, cards_derive(TODAY).opened) == (1, 0)
    rectification_report_progress(item=item, by=world.users["unit"], text="完成",
                                  files=[(pdf(), "凭证.pdf")], done=True)  # fmt: skip
    rectification_close(item=RectificationItem.objects.get(pk=item.pk), by=world.users["office"],
                        note="核实无误")  # fmt: skip
    next_day = TODAY + dt.timedelta(days=1)
    assert cards_derive(next_day).cleared == 1
    assert not Card.objects.filter(item=item, cleared_on__isnull=True).exists()
    assert Card.objects.get(item=item).cleared_on == next_day
    assert state(item, next_day) == ("", "")


def test_filter_and_annotation_agree(world) -> None:
    for overdue_by in (0, 2, 31, 40):
        in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=overdue_by))
    # No report since a plan accepted 40 days ago (due in the future): yellow.
    in_progress(
        world, accepted=TODAY - dt.timedelta(days=40), deadline=TODAY + dt.timedelta(days=9)
    )
    items = RectificationItem.objects.all()
    annotated = with_cards(items, TODAY)
    for colour, expected in (("red", 2), ("yellow", 2)):
        assert RectificationItem.objects.filter(card_q(colour, TODAY)).count() == expected
        assert annotated.filter(card=colour).count() == expected
    assert card_counts(items, TODAY) == {"red": 2, "yellow": 2}  # the home pages' numbers


def test_supervise_a_card(world) -> None:
    item = in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=3))
    cards_derive(TODAY)
    card = Card.objects.get(item=item)
    with pytest.raises(PermissionDenied, match="只有巡察办"):
        card_supervise(card=card, by=world.users["supervisor"], text="请抓紧")
    with pytest.raises(ServiceError, match="请填写督办内容"):
        card_supervise(card=card, by=world.users["office"], text="  ")
    done = card_supervise(card=card, by=world.users["office"], text="限期十日内整改到位")
    assert (done.by, done.text) == (world.users["office"], "限期十日内整改到位")
    Card.objects.filter(pk=card.pk).update(cleared_on=TODAY)
    card.refresh_from_db()
    with pytest.raises(ServiceError, match="已于 2024-06-01 撤销"):
        card_supervise(card=card, by=world.users["office"], text="再次督办")


# 督办 per role (own unit's card and another's): tests/web/test_view_matrix.py.


def test_item_page_shows_card_and_supervision(client, world) -> None:
    today = timezone.localdate()
    item = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=3))
    cards_derive(today)
    client.force_login(world.users["office"])
    r = client.post(reverse("cards:supervise", args=[Card.objects.get(item=item).pk]), {"text": ""})
    assert "请填写督办内容" in r.wsgi_request._messages._queued_messages[0].message
    client.post(
        reverse("cards:supervise", args=[Card.objects.get(item=item).pk]), {"text": "限期整改"}
    )
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    assert "黄牌" in page and "已逾期" in page and "限期整改" in page and 'action="/cards/' in page
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    assert "限期整改" in page and 'action="/cards/' not in page


def test_the_supervision_letter_prints_for_whoever_sees_the_item(client, world) -> None:
    today = timezone.localdate()
    item = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=3))
    cards_derive(today)
    card = Card.objects.get(item=item)
    first = card_supervise(card=card, by=world.users["office"], text="限期十日内整改到位")
    second = card_supervise(card=card, by=world.users["office"], text="再次督办：逾期未报告")
    year = timezone.localtime(second.created_at).year
    url = reverse("cards:letter", args=[second.pk])
    for role in ("office", "unit", "team", "supervisor", "leader"):
        client.force_login(world.users[role])
        page = client.get(url).content.decode()
        assert f"督办〔{year}〕2号" in page, role  # the year's second letter
        assert "东江街道：" in page and "已逾期" in page and "黄牌" in page, role
        assert "再次督办：逾期未报告" in page and "限期十日内" not in page, role
    assert (
        f"督办〔{year}〕1号"
        in client.get(reverse("cards:letter", args=[first.pk])).content.decode()
    )
    # The item page links each 督办 to its letter; another unit's user gets a 404.
    detail = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    assert f'href="{url}"' in detail
    for role in ("other_unit", "other_team"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 404, role


def test_ledger_filter_column_unit_page_and_home(client, world) -> None:
    today = timezone.localdate()
    red = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=40))
    yellow = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=2))
    fine = in_progress(world, accepted=today, deadline=today + dt.timedelta(days=20))
    other = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=40),
                        team=world.other_team, unit=world.other_unit)  # fmt: skip
    url = reverse("rectifications:list")
    client.force_login(world.users["office"])
    listed = {row[0].pk for row in client.get(url, {"card": "red"}).context["rows"]}
    assert listed == {red.pk, other.pk}
    listed = {row[0].pk for row in client.get(url, {"card": "yellow"}).context["rows"]}
    assert listed == {yellow.pk}
    page = client.get(url)
    assert {i.pk: i.card for i, _ in page.context["rows"]} == {
        red.pk: "red", yellow.pk: "yellow", fine.pk: "", other.pk: "red"}  # fmt: skip
    assert "<th>红黄牌</th>" in page.content.decode()
    assert "筛选条件有误" in client.get(url, {"card": "green"}).content.decode()
    # The unit's page lists its items' cards only.
    unit_page = client.get(reverse("units:detail", args=[world.unit.pk])).content.decode()
    assert "红黄牌（2 项）" in unit_page and f'/ledger/{red.pk}/"' in unit_page
    assert f'/ledger/{other.pk}/"' not in unit_page
    # Home pages: the count links to the ledger so filtered, and counts what the role sees.
    for role, reds in (("office", 2), ("supervisor", 2), ("unit", 1)):
        client.force_login(world.users[role])
        entries = {
            e.label: e for s in client.get(reverse("home")).context["sections"] for e in s.entries
        }
        assert entries["红牌事项"].count == reds, role
        assert entries["黄牌事项"].count == 1, role
        assert entries["红牌事项"].url == f"{url}?card=red"
        shown = client.get(entries["红牌事项"].url).context["page"].paginator.count
        assert shown == reds, role


def test_command_and_job(world, monkeypatch) -> None:
    from huey.api import PeriodicTask

    from xuncha.common.jobs import TASK_MODULES
    from xuncha.supervision import jobs

    item = in_progress(world, accepted=TODAY, deadline=TODAY - dt.timedelta(days=3))
    out = io.StringIO()
    call_command("cards_derive", "--date", "2024-06-01", stdout=out)
    assert "新亮牌 1 张" in out.getvalue()
    assert Card.objects.get(item=item).first_seen == TODAY
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("cards_derive", "--date", "6/1")
    # The periodic job derives for the local today: the item is still overdue, so its card stays.
    assert "xuncha.supervision.jobs" in TASK_MODULES  # the worker loads it
    task = jobs.cards_derive_task.task_class
    assert issubclass(task, PeriodicTask)
    assert task().validate_datetime(dt.datetime(2024, 6, 1, 0, 10))
    assert not task().validate_datetime(dt.datetime(2024, 6, 1, 1, 10))  # once a day
    # (the job closes stale connections between runs; here that would be the test's own)
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    jobs.cards_derive_task.call_local()
    assert Card.objects.filter(item=item, cleared_on__isnull=True).count() == 1
