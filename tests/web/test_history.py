"""One history renderer for every model with history: "新建/修改 · who · field: from → to ·
local time to the minute", with verbose field names, choice labels, names for related
objects, and a fixed number of queries however long the history."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from web.factories import FindingFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.common.history import entries, object_history
from xuncha.rectifications.services import rectification_create, rectification_propose_plan


def render(obj, **options) -> str:
    args = " ".join(f'{k}="{v}"' for k, v in options.items())
    return Template("{% load xuncha_history %}{% history_of obj " + args + " %}").render(
        Context({"obj": obj})
    )


def test_ledger_item_history_uses_labels_names_and_local_time(world) -> None:
    office = UserFactory(role=Role.OFFICE, full_name="刘卫东")
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    item = rectification_create(finding=finding, by=office, fed_back_on=dt.date(2024, 4, 1))
    rectification_propose_plan(item=item, by=world.users["unit"], measures="清退违规发放资金",
                               owner="王五", deadline=dt.date(2024, 7, 1))  # fmt: skip
    rows = object_history(item)
    assert [e.action for e in rows] == ["新建", "修改"]
    assert rows[0].changes == ()  # the page's own object: its page names it
    changes = {c.label: (c.old, c.new) for c in rows[1].changes}
    assert changes["状态"] == ("待制定整改措施", "整改方案待认可")  # labels, not raw values
    assert changes["整改时限"] == ("（空）", "2024-07-01")
    assert changes["责任人"] == ("（空）", "王五")
    assert timezone.is_aware(rows[1].when) and str(rows[1].when.tzinfo) == "Asia/Shanghai"
    html = render(item)
    assert "<strong>修改</strong> · " in html and "状态：待制定整改措施 → 整改方案待认可" in html
    assert rows[1].when.strftime("%Y-%m-%d %H:%M") in html
    assert "awaiting_plan" not in html and "版本" not in html  # bookkeeping stays out


def test_related_objects_show_by_name(world) -> None:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    finding.history.update(history_user=None)
    record = finding.history.first()
    # A history row changing the recorder: names, not ids, on both sides.
    later = UserFactory(full_name="赵六")
    finding.recorded_by = later
    finding.save()
    rows = object_history(finding)
    assert rows[0].who == "系统" and record is not None
    change = {c.label: (c.old, c.new) for c in rows[-1].changes}["记录人"]
    assert change[1] == "赵六" and change[0] != str(later.pk)


def test_fields_keep_what_the_page_may_show(world) -> None:
    """A page names the fields it may show (a suspect's page: the verdict, never the ID
    number in the same row); the others stay out of the history."""
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    finding.description = "涉及430000199001011234的违规发放"
    finding.amount = 600
    finding.save()
    html = render(finding, fields="amount")
    assert "600.00" in html and "430000199001011234" not in html and "问题描述" not in html
    assert "430000199001011234" in render(finding)


def test_query_count_does_not_grow_with_the_history(world) -> None:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    users = [UserFactory(full_name=f"录入人{i}") for i in range(6)]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            entries(finding.history.select_related("history_user"))
        return len(ctx)

    finding.recorded_by = users[0]
    finding.save()
    few = count()
    for user in users[1:]:
        finding.recorded_by = user
        finding.description += "。"
        finding.save()
    assert count() == few


def test_rows_of_several_objects_are_named_by_subject(world) -> None:
    """A page showing several objects' history (a suspect across runs) names each row."""
    from xuncha.findings.models import Finding

    a = FindingFactory(team=world.team, round=world.team.round, unit=world.unit, amount=100)
    b = FindingFactory(team=world.other_team, round=world.other_team.round, unit=world.other_unit)
    for f in (a, b):
        f.amount = 250
        f.save()
    rows = Finding.history.filter(id__in=[a.pk, b.pk]).select_related("round", "history_user")
    html = Template(
        '{% load xuncha_history %}{% history_of rows fields="amount" subject="{row.round.name}" %}'
    ).render(Context({"rows": rows}))
    assert f"{a.round.name} · 涉及金额（元）：100.00 → 250.00" in html
    assert f"{b.round.name} · 涉及金额（元）：0.00 → 250.00" in html
