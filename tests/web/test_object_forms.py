"""Forms on object pages: the unit picker, "+ 记录问题" preselecting the unit, errors beside
their fields in Chinese, input kept on failure; breadcrumbs, badges and fixed query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.factories import FindingFactory, UnitFactory
from xuncha.findings.models import Finding, ImmediateItem, Lead, Talk
from xuncha.planning.models import Assignment
from xuncha.planning.services import assignment_add
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import rectification_create, rectification_propose_plan
from xuncha.units.models import UnitKind


def _field(page: str, name: str) -> str:
    """The markup of one form field's block (label, input, errors)."""
    m = re.search(
        rf'<div class="field[^"]*">(?:(?!</div>\s*<div class="field).)*?name="{name}".*?</div>',
        page,
        re.S,
    )
    assert m, name
    return m.group(0)


def test_record_finding_from_work_page_preselects_the_unit(client, world) -> None:
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:work", args=[a.pk])).content.decode()
    link = f"{reverse('findings:new')}?assignment={a.pk}"
    assert f'href="{link}"' in page
    page = client.get(link).content.decode()
    assert re.search(rf'<option value="{a.pk}"[^>]*selected', page)
    # A forged or foreign assignment preselects nothing (and cannot be submitted).
    other = Assignment.objects.get(team=world.other_team)
    page = client.get(f"{reverse('findings:new')}?assignment={other.pk}").content.decode()
    assert "selected" not in re.search(r'<select name="assignment".*?</select>', page, re.S).group(
        0
    )
    assert f'value="{other.pk}"' not in page


def test_unit_picker_options_carry_the_hierarchy(client, world) -> None:
    county = UnitFactory(name="汝城县", kind=UnitKind.COUNTY)
    town = UnitFactory(name="文明瑶族乡", kind=UnitKind.TOWNSHIP, parent=county)
    village = UnitFactory(name="沙洲村", kind=UnitKind.VILLAGE, parent=town)
    assignment_add(team=world.team, unit=village)
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:new")).content.decode()
    option = re.search(r"<option[^>]*>沙洲村（[^<]*</option>", page).group(0)
    assert 'data-path="汝城县 › 文明瑶族乡"' in option
    assert "data-search=" in option and "文明瑶族乡" in option
    assert "data-unit-picker" in page and "xuncha/unit-picker.js" in page
    # Sub-categories name their category for the script that filters them.
    assert 'value="organisation.weak" data-parent="organisation"' in page


def test_picker_query_count_does_not_grow_with_units(client, world) -> None:
    client.force_login(world.users["office"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("findings:new"))
    county = UnitFactory(kind=UnitKind.COUNTY)
    for _ in range(6):
        town = UnitFactory(parent=county)
        assignment_add(team=world.team, unit=UnitFactory(kind=UnitKind.VILLAGE, parent=town))
    with CaptureQueriesContext(connection) as again:
        page = client.get(reverse("findings:new")).content.decode()
    assert len(again.captured_queries) == len(ctx.captured_queries)
    assert page.count('data-path="') == 8


def test_finding_form_keeps_input_and_puts_errors_beside_fields(client, world) -> None:
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    r = client.post(reverse("findings:new"), {
        "assignment": a.pk, "category": "policy", "subcategory": "corruption.funds",
        "source": "talk", "description": "村级财务公开不及时", "amount": "abc",
    })  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 400
    sub = _field(page, "subcategory")
    assert "“惠民惠农资金”不属于“党中央决策部署和乡村振兴政策落实问题”" in sub
    assert 'aria-invalid="true"' in sub
    assert "请输入一个数字" in _field(page, "amount") or "输入一个数字" in _field(page, "amount")
    assert "村级财务公开不及时" in _field(page, "description")
    assert "refill_files" not in page  # the include's comment stays a comment
    assert re.search(rf'<option value="{a.pk}"[^>]*selected', page)
    assert not Finding.objects.exists()


def test_work_page_forms_keep_input(client, world) -> None:
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    r = client.post(reverse("findings:work_action", args=[a.pk, "lead"]), {
        "description": "村支书优亲厚友", "handed_to": "discipline", "handed_on": "2024-04-10",
        "receiver": "王五", "due_on": "2024-04-01",
    })  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 400 and not Lead.objects.exists()
    assert "办结期限不能早于移交日期" in _field(page, "due_on")
    assert "村支书优亲厚友" in page and 'value="王五"' in page
    r = client.post(reverse("findings:work_action", args=[a.pk, "talk"]),
                    {"talk_on": "2024-04-02", "interviewee": "张三", "summary": ""})  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 400 and not Talk.objects.exists()
    assert "这个字段是必填项" in _field(page, "summary") and 'value="张三"' in page
    # A good one still redirects back to the page.
    r = client.post(reverse("findings:work_action", args=[a.pk, "talk"]),
                    {"talk_on": "2024-04-02", "interviewee": "张三", "summary": "谈了三件事"})  # fmt: skip
    assert r.status_code == 302 and Talk.objects.count() == 1


def _planned_item(world) -> RectificationItem:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    item = rectification_create(
        finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
    )
    return rectification_propose_plan(item=item, by=world.users["unit"], measures="清退", owner="李四",
                                      deadline=dt.date(2024, 7, 1))  # fmt: skip


def test_ledger_forms_keep_input(client, world) -> None:
    item = _planned_item(world)
    client.force_login(world.users["office"])
    client.post(
        reverse("rectifications:action", args=[item.pk, "accept"]), {"version": item.version}
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    client.force_login(world.users["unit"])
    url = reverse("rectifications:action", args=[item.pk, "progress"])
    r = client.post(url, {"version": item.version, "text": "已清退 3 户", "done": "on"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "申请销号必须附整改证据材料" in _field(page, "evidence") and "已清退 3 户" in page
    # Someone else changed the item meanwhile: the page shows it as it is now, the text kept.
    stale = item.version
    client.force_login(world.users["office"])
    client.post(reverse("rectifications:action", args=[item.pk, "plan"]),
                {"version": stale, "measures": "清退并约谈", "owner": "李四", "deadline": "2024-07-01"})  # fmt: skip
    client.force_login(world.users["unit"])
    item.refresh_from_db()
    assert item.version == stale + 1
    r = client.post(reverse("rectifications:action", args=[item.pk, "plan"]),
                    {"version": stale, "measures": "我方新措施", "owner": "赵六", "deadline": "2024-08-01"})  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 409 and "已被他人修改" in page
    assert "我方新措施" in page and f'name="version" value="{item.version}"' in page
    item.refresh_from_db()
    assert item.measures == "清退并约谈"


def test_progress_form_offers_the_camera(client, world) -> None:
    item = _planned_item(world)
    client.force_login(world.users["office"])
    client.post(
        reverse("rectifications:action", args=[item.pk, "accept"]), {"version": item.version}
    )
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    photo = re.search(r'<input[^>]*name="photos"[^>]*>', page).group(0)
    assert 'accept="image/*"' in photo and 'capture="environment"' in photo and "multiple" in photo
    other = re.search(r'<input[^>]*name="evidence"[^>]*>', page).group(0)
    assert "capture" not in other  # saved files and PDFs stay choosable


def test_breadcrumbs_and_badges(client, world) -> None:
    item = _planned_item(world)
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', page, re.S).group(0)
    assert (
        reverse("rectifications:list") in crumbs
        and reverse("planning:round", args=[a.round_id]) in crumbs
    )
    assert reverse("findings:work", args=[a.pk]) in crumbs and 'aria-current="page"' in crumbs
    assert '<span class="badge tone-warn">整改方案待认可</span>' in page
    # The unit's crumbs lead only where it may go.
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', page, re.S).group(0)
    assert (
        reverse("rectifications:list") in crumbs
        and reverse("planning:round", args=[a.round_id]) not in crumbs
    )
    assert reverse("findings:work", args=[a.pk]) not in crumbs
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:work", args=[a.pk])).content.decode()
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', page, re.S).group(0)
    assert reverse("planning:team", args=[a.team_id]) in crumbs and world.unit.name in crumbs


@pytest.mark.parametrize("more", [2, 12])
def test_work_page_query_count_is_fixed(client, world, more) -> None:
    a = Assignment.objects.get(team=world.team)
    mine = {"team": world.team, "round": world.team.round, "unit": world.unit,
            "recorded_by": world.users["office"]}  # fmt: skip

    def add(n: int) -> None:
        for i in range(n):
            Talk.objects.create(
                **mine, talk_on=dt.date(2024, 4, 2), interviewee=f"对象{i}", summary="要点"
            )
            finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
            if i % 2:
                rectification_create(
                    finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
                )
            Lead.objects.create(**mine, description="线索", handed_to="discipline", handed_on=dt.date(2024, 4, 2),
                                receiver="王五", due_on=dt.date(2024, 5, 2))  # fmt: skip
            ImmediateItem.objects.create(**mine, description="立改", deadline=dt.date(2024, 4, 9))

    add(1)
    client.force_login(world.users["team"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("findings:work", args=[a.pk]))
    add(more)
    with CaptureQueriesContext(connection) as again:
        page = client.get(reverse("findings:work", args=[a.pk])).content.decode()
    assert len(again.captured_queries) == len(ctx.captured_queries)
    assert f"个别谈话（{1 + more}）" in page


@pytest.mark.parametrize("more", [2, 9])
def test_item_and_immediate_pages_query_count_is_fixed(client, world, more) -> None:
    """Reports with their evidence (and the history) cost the same however many there are."""
    import io

    from xuncha.common.services import evidence_store
    from xuncha.findings.models import ImmediateReport
    from xuncha.rectifications.models import ProgressReport

    item = _planned_item(world)
    immediate = ImmediateItem.objects.create(team=world.team, round=world.team.round, unit=world.unit,
                                             description="立改", deadline=dt.date(2024, 4, 9),
                                             recorded_by=world.users["office"])  # fmt: skip

    def add(n: int) -> None:
        for _ in range(n):
            png = (
                b"\x89PNG\r\n\x1a\n"
                + ProgressReport.objects.count().to_bytes(4, "big")
                + b"\x00" * 32
            )
            evidence = evidence_store(data=io.BytesIO(png), name="照片.png", by=world.users["unit"])
            ProgressReport.objects.create(
                item=item, text="进展", reported_by=world.users["unit"]
            ).evidence.add(evidence)
            ImmediateReport.objects.create(
                item=immediate, text="情况", reported_by=world.users["unit"]
            ).evidence.add(evidence)

    add(1)
    client.force_login(world.users["unit"])
    urls = (
        reverse("rectifications:detail", args=[item.pk]),
        reverse("findings:immediate_detail", args=[immediate.pk]),
    )
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    add(more)
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url).content.decode()
        assert len(ctx.captured_queries) == before, url
        assert page.count("照片.png</a>") == 1 + more


def test_immediate_list_refuses_a_bad_filter_instead_of_listing_everything(client, world) -> None:
    ImmediateItem.objects.create(team=world.team, round=world.team.round, unit=world.unit, description="公开栏补公示",
                                 deadline=dt.date(2024, 4, 9), recorded_by=world.users["office"])  # fmt: skip
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:immediate") + "?status=open").content.decode()
    assert "公开栏补公示" in page and "共 1 项" in page
    r = client.get(reverse("findings:immediate") + "?status=open&due=soonish")
    page = r.content.decode()
    assert r.status_code == 200 and "公开栏补公示" not in page and "共 0 项" in page
    assert "筛选条件有误" in page and "soonish" in page
