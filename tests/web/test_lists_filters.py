"""The ledger and the findings list: filters that combine and live in the URL, unit
search through parent units, options limited to what the user may see, a fixed query
count, and previous/next within the filter on ledger items and suspects."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.factories import FindingFactory, TeamFactory, UnitFactory, ledger_item
from xuncha.planning.services import assignment_add
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.units.models import UnitKind


@pytest.fixture
def county(world):
    """清河县 › 东坪镇 › 柳树村, beside the world's units."""
    top = UnitFactory(name="清河县", kind=UnitKind.COUNTY)
    town = UnitFactory(name="东坪镇", parent=top)
    village = UnitFactory(name="柳树村", parent=town, kind=UnitKind.VILLAGE)
    for u in (top, town, village):
        assignment_add(team=world.team, unit=u)
    return top, town, village


def rows(html: str, marker: str) -> list[str]:
    return re.findall(rf"{marker}\d+", html)


def test_unit_search_finds_the_units_below_the_one_named(client, world, county):
    _, town, village = county
    ledger_item(world, unit=town, description="镇问题1")
    ledger_item(world, unit=village, description="村问题1")
    ledger_item(world, unit=world.unit, description="街道问题1")
    client.force_login(world.users["office"])
    ledger = client.get(reverse("rectifications:list"), {"unit": "清河"}).content.decode()
    assert rows(ledger, "镇问题") == ["镇问题1"] and rows(ledger, "村问题") == ["村问题1"]
    assert "街道问题1" not in ledger
    # One level down: the town's name finds the village, not the town's sibling or parent.
    findings = client.get(reverse("findings:list"), {"unit": "东坪"}).content.decode()
    assert "镇问题1" in findings and "村问题1" in findings and "街道问题1" not in findings
    village_only = client.get(reverse("findings:list"), {"unit": "柳树"}).content.decode()
    assert "村问题1" in village_only and "镇问题1" not in village_only


def test_the_keyword_finds_the_text_or_the_units_own_name_and_latin_in_any_case(
    client, world, county
):
    _, town, village = county
    ledger_item(world, unit=town, description="发放ABC补贴 甲1")
    ledger_item(world, unit=village, description="违规吃喝 乙1")
    ledger_item(world, unit=world.unit, description="挪用资金 丙1")
    client.force_login(world.users["office"])
    for url in (reverse("findings:list"), reverse("rectifications:list")):
        found = {q: sorted(re.findall(r"[甲乙丙]1", client.get(url, {"q": q}).content.decode()))
                 for q in ("abc补贴", "AbC", "柳树", "吃喝", "东坪", "清河")}  # fmt: skip
        # The unit's own name, not a parent's: 东坪 finds the town's item, not the village's.
        assert found == {"abc补贴": ["甲1"], "AbC": ["甲1"], "柳树": ["乙1"], "吃喝": ["乙1"],
                         "东坪": ["甲1"], "清河": []}, url  # fmt: skip


def test_filters_combine_and_the_url_is_the_state(client, world, county):
    _, town, village = county
    other_round_team = TeamFactory(name="第三巡察组")
    assignment_add(team=other_round_team, unit=town)
    ledger_item(world, unit=town, amount=500, description="小额1")
    ledger_item(world, unit=town, amount=5000, description="大额1")
    ledger_item(world, unit=village, amount=6000, description="大额2")
    ledger_item(world, unit=town, team=other_round_team, amount=7000, description="大额3")
    client.force_login(world.users["office"])
    query = {"unit": "东坪镇", "amount_min": "1000", "round_id": world.team.round_id,
             "team_id": world.team.pk}  # fmt: skip
    page = client.get(reverse("findings:list"), query).content.decode()
    assert sorted(rows(page, "大额")) == ["大额1", "大额2"] and "小额1" not in page
    ledger = client.get(
        reverse("rectifications:list"), {**query, "amount_max": "5500"}
    ).content.decode()
    assert rows(ledger, "大额") == ["大额1"]
    # A shared link reproduces the filter: the form shows it back and the export follows it.
    assert 'value="东坪镇"' in ledger and 'value="5500"' in ledger
    assert re.search(r'id="export-link" href="/ledger/export/\?[^"]*amount_max=5500', ledger)
    RectificationItem.objects.filter(finding__description="大额1").update(
        status=Status.PLAN_SUBMITTED
    )
    awaiting = client.get(reverse("rectifications:list"), {**query, "status": "awaiting_plan"})
    assert rows(awaiting.content.decode(), "大额") == ["大额2"]


def test_an_empty_result_says_so(client, world):
    ledger_item(world, unit=world.unit, amount=10)
    client.force_login(world.users["office"])
    page = client.get(reverse("rectifications:list"), {"amount_min": "999"}).content.decode()
    assert "没有符合当前筛选条件的整改事项" in page and 'id="export-link"' not in page
    page = client.get(reverse("findings:list"), {"unit": "不存在的单位"}).content.decode()
    assert "没有符合当前筛选条件的问题" in page


def test_round_and_team_options_are_what_the_user_may_see(client, world):
    ledger_item(world, unit=world.unit, description="本组问题1")
    ledger_item(world, unit=world.other_unit, team=world.other_team, description="他组问题1")
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:list")).content.decode()
    assert world.team.round.name in page and world.other_team.name not in page
    # A forged round or team id gets a Chinese error and no rows, never the other team's.
    for key, value in (("round_id", world.other_team.round_id), ("team_id", world.other_team.pk)):
        for name in ("findings:list", "rectifications:list"):
            page = client.get(reverse(name), {key: value}).content.decode()
            assert "不存在或您无权查看" in page and "筛选条件有误" in page, (name, key)
            assert "他组问题1" not in page and "本组问题1" not in page, (name, key)
    # A unit picks among the rounds of its own items only.
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:list")).content.decode()
    assert world.team.round.name in page and world.other_team.round.name not in page


def test_a_bad_amount_range_is_explained(client, world):
    client.force_login(world.users["office"])
    page = client.get(
        reverse("findings:list"), {"amount_min": "9", "amount_max": "1"}
    ).content.decode()
    assert "金额上限不能小于下限" in page


@pytest.mark.parametrize("name", ["rectifications:list", "findings:list"])
def test_the_query_count_does_not_grow_with_the_rows(client, world, county, name):
    _, town, village = county
    client.force_login(world.users["team"])
    query = {"unit": "清河", "amount_min": "1", "round_id": world.team.round_id}

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name), query).status_code == 200
        return len(ctx.captured_queries)

    ledger_item(world, unit=town, amount=5)
    few = count()
    for n in range(12):
        ledger_item(world, unit=village if n % 2 else town, amount=5 + n)
    assert count() == few


# Previous / next -----------------------------------------------------------------------


def ledger_of_five(world):
    day = dt.date(2024, 8, 1)
    return [ledger_item(world, unit=world.unit, deadline=day + dt.timedelta(days=n), amount=100 * n,
                 description=f"台账{n}") for n in range(5)]  # fmt: skip


def links(html: str) -> dict[str, str]:
    found = dict(re.findall(r'href="([^"]+)" rel="(prev|next)"', html))
    return {rel: href.replace("&amp;", "&") for href, rel in found.items()}


def test_ledger_item_has_previous_and_next_within_the_filter(client, world):
    items = ledger_of_five(world)
    client.force_login(world.users["office"])
    listing = client.get(reverse("rectifications:list"), {"amount_min": "100"}).content.decode()
    first = re.search(r'href="(/ledger/\d+/\?amount_min=100)"', listing).group(1)
    assert first == f"/ledger/{items[1].pk}/?amount_min=100"  # 台账0 (amount 0) is filtered out
    page = client.get(first).content.decode()
    assert "第 1 / 4 条" in page and "已是第一条" in page
    assert links(page) == {"next": f"/ledger/{items[2].pk}/?amount_min=100"}
    page = client.get(links(page)["next"]).content.decode()
    assert links(page) == {"prev": f"/ledger/{items[1].pk}/?amount_min=100",
                           "next": f"/ledger/{items[3].pk}/?amount_min=100"}  # fmt: skip
    last = client.get(f"/ledger/{items[4].pk}/?amount_min=100").content.decode()
    assert "第 4 / 4 条" in last and "已是最后一条" in last and "next" not in links(last)
    assert 'href="/ledger/?amount_min=100" id="back-to-list"' in last


def test_a_stale_link_says_so_and_still_leads_on(client, world):
    items = ledger_of_five(world)
    client.force_login(world.users["office"])
    url = f"/ledger/{items[2].pk}/?status=awaiting_plan"
    # Since the link was made, the item left the filter (its plan was submitted).
    RectificationItem.objects.filter(pk=items[2].pk).update(status=Status.PLAN_SUBMITTED)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "已不在当前筛选结果中" in html and "共 4 条" in html
    assert links(html) == {"prev": f"/ledger/{items[1].pk}/?status=awaiting_plan",
                           "next": f"/ledger/{items[3].pk}/?status=awaiting_plan"}  # fmt: skip
    # A filter that no longer validates (a round the user may not see) is said too.
    client.force_login(world.users["team"])
    html = client.get(
        f"/ledger/{items[2].pk}/?round_id={world.other_team.round_id}"
    ).content.decode()
    assert "筛选条件无效" in html and 'rel="next"' not in html


def test_items_without_a_deadline_come_last_and_still_have_neighbours(client, world):
    items = ledger_of_five(world)
    undated = [ledger_item(world, unit=world.unit, description=f"无期{n}") for n in range(2)]
    client.force_login(world.users["office"])
    html = client.get(f"/ledger/{items[4].pk}/").content.decode()
    assert links(html)["next"] == f"/ledger/{undated[0].pk}/"
    html = client.get(f"/ledger/{undated[0].pk}/").content.decode()
    assert links(html) == {"prev": f"/ledger/{items[4].pk}/", "next": f"/ledger/{undated[1].pk}/"}
    assert "第 6 / 7 条" in html


def test_another_units_item_stays_404_whatever_the_filter(client, world):
    other = ledger_item(world, unit=world.other_unit, team=world.other_team)
    client.force_login(world.users["unit"])
    assert client.get(f"/ledger/{other.pk}/?status=awaiting_plan").status_code == 404


def test_the_item_page_query_count_does_not_grow_with_the_ledger(client, world):
    items = ledger_of_five(world)
    client.force_login(world.users["office"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/ledger/{items[2].pk}/?amount_min=1")
        return len(ctx.captured_queries)

    before = count()
    for n in range(10):
        ledger_item(world, unit=world.unit, deadline=dt.date(2024, 9, 1), amount=50 + n)
    assert count() == before


@pytest.fixture
def run(world):
    from xuncha.checks.services import RunParams, dataset_upload, run_execute, run_start

    lines = ["姓名,身份证号码,金额,发放日期"] + [
        f"人员{n},12345{n},{600 + n},2021-03-05" for n in range(4)
    ]
    dataset = dataset_upload(team=world.team, kind="payments", by=world.users["office"],
                             data=io.BytesIO("\n".join(lines).encode()), name="发放.csv")  # fmt: skip
    r = run_start(team=world.team, by=world.users["office"], datasets=[dataset], params=RunParams())
    run_execute(r.pk)
    return r


def test_suspects_are_verified_one_after_another_without_the_list(client, world, run):
    suspects = list(run.suspects.order_by("number"))
    assert len(suspects) >= 3
    client.force_login(world.users["team"])
    listing = client.get(reverse("checks:suspects", args=[run.pk]), {"verdict": "pending"})
    first = re.search(r'href="(/checks/suspects/\d+/\?verdict=pending)"', listing.content.decode())
    assert first, "the list carries its filter to the suspect page"
    url = first.group(1)
    for n, s in enumerate(suspects):
        assert url.startswith(reverse("checks:suspect", args=[s.pk]))
        html = client.get(url).content.decode()
        assert "第 1 / " in html  # each verified one leaves the 待核实 filter
        saved = client.post(url, {"verdict": "confirmed", "improper_amount": "600",
                                  "recovered_amount": "", "note": "", "version": s.version,
                                  "then": "next"})  # fmt: skip
        assert saved.status_code == 302
        url = saved["Location"]
        if n == len(suspects) - 1:
            assert url == reverse("checks:suspects", args=[run.pk]) + "?verdict=pending"
    assert run.suspects.filter(verdict="confirmed").count() == len(suspects)
    # Saved without "next", the page stays on the suspect and keeps the filter.
    s = suspects[0]
    s.refresh_from_db()
    stay = client.post(f"{reverse('checks:suspect', args=[s.pk])}?verdict=confirmed",
                       {"verdict": "rejected", "note": "", "version": s.version})  # fmt: skip
    assert stay["Location"] == f"{reverse('checks:suspect', args=[s.pk])}?verdict=confirmed"
    html = client.get(stay["Location"]).content.decode()
    assert "此疑点已不在当前筛选结果中" in html


def test_an_action_keeps_the_filter_and_leads_on_to_the_next(client, world):
    from xuncha.rectifications.services import rectification_propose_plan

    items = ledger_of_five(world)
    for it in items[1:4]:
        rectification_propose_plan(item=it, by=world.users["unit"], measures="清退", owner="李四",
                                   deadline=dt.date(2024, 9, 1))  # fmt: skip
    client.force_login(world.users["office"])
    page = f"/ledger/{items[2].pk}/?status=plan_submitted"
    html = client.get(page).content.decode()
    assert "第 2 / 3 条" in html
    assert f'action="/ledger/{items[2].pk}/accept/?status=plan_submitted"' in html
    version = RectificationItem.objects.get(pk=items[2].pk).version
    done = client.post(f"/ledger/{items[2].pk}/accept/?status=plan_submitted", {"version": version})
    assert done["Location"] == page
    html = client.get(page).content.decode()
    assert "已不在当前筛选结果中" in html  # accepted: no longer awaiting acceptance
    assert links(html)["next"] == f"/ledger/{items[3].pk}/?status=plan_submitted"


def test_ledger_by_category_and_findings_by_where_they_stand_in_the_ledger(client, world):
    from xuncha.findings.choices import Category

    fed = ledger_item(world, unit=world.unit, description="资金问题1")
    policy = ledger_item(world, unit=world.unit, description="政策问题1")
    FindingFactory.create(
        team=world.team, round=world.team.round, unit=world.unit, description="未反馈问题1"
    )
    type(policy.finding).objects.filter(pk=policy.finding_id).update(category=Category.POLICY)
    RectificationItem.objects.filter(pk=fed.pk).update(status=Status.IN_PROGRESS)
    client.force_login(world.users["office"])
    ledger = client.get(reverse("rectifications:list"), {"category": Category.POLICY})
    assert rows(ledger.content.decode(), "政策问题") == ["政策问题1"]
    assert "资金问题1" not in ledger.content.decode()

    def listed(status: str) -> list[str]:
        page = client.get(reverse("findings:list"), {"item_status": status}).content.decode()
        return sorted(re.findall(r"(?:资金|政策|未反馈)问题1", page))

    assert listed("unfed") == ["未反馈问题1"]
    assert listed(Status.IN_PROGRESS) == ["资金问题1"]
    assert listed(Status.AWAITING_PLAN) == ["政策问题1"]
    assert listed("") == ["政策问题1", "未反馈问题1", "资金问题1"]
    refused = client.get(reverse("findings:list"), {"item_status": "forged"}).content.decode()
    assert (
        re.findall(r"(?:资金|政策|未反馈)问题1", refused) == []
    )  # an invalid filter lists nothing
