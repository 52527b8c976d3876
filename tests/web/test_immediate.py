"""立行立改 for the unit: it sees its own items and reports on them with evidence;
another unit gets 404, and a failed report keeps nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from web.factories import pdf
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.findings.models import ImmediateItem, ImmediateReport
from xuncha.findings.services import immediate_mark_done, immediate_report

D = dt.date(2024, 4, 1)


def item_of(world, unit=None, team=None) -> ImmediateItem:
    team = team or world.team
    return ImmediateItem.objects.create(team=team, round=team.round, unit=unit or world.unit,
                                        recorded_by=world.users["team"], description="公示栏信息未更新",
                                        deadline=D)  # fmt: skip


def test_the_unit_reports_with_evidence(world) -> None:
    item = item_of(world)
    report = immediate_report(item=item, by=world.users["unit"], text="已更新公示栏",
                              files=[(pdf(), "公示照片.pdf")])  # fmt: skip
    assert [e.original_name for e in report.evidence.all()] == ["公示照片.pdf"]
    done = immediate_mark_done(item=item, by=world.users["team"], done_on=D)
    with pytest.raises(ServiceError, match="已确认完成"):
        immediate_report(item=done, by=world.users["unit"], text="再报一次")


@pytest.mark.parametrize("who", ["other_unit", "team", "supervisor", "leader"])
def test_only_its_unit_reports(world, who) -> None:
    with pytest.raises(PermissionDenied, match="只有整改单位"):
        immediate_report(item=item_of(world), by=world.users[who], text="报告")


def test_an_empty_report_keeps_nothing(world) -> None:
    with pytest.raises(ServiceError, match="请填写整改情况"):
        immediate_report(
            item=item_of(world), by=world.users["unit"], text=" ", files=[(pdf(), "a.pdf")]
        )
    assert not ImmediateReport.objects.exists() and not Evidence.objects.exists()


def test_the_unit_sees_its_items_and_reports_through_the_page(client, world) -> None:
    mine, theirs = item_of(world), item_of(world, world.other_unit, world.other_team)
    client.force_login(world.users["unit"])
    listed = client.get(reverse("findings:immediate"), {"status": "open"})
    assert [i.pk for i in listed.context["page"]] == [mine.pk]
    assert client.get(reverse("findings:immediate_detail", args=[theirs.pk])).status_code == 404
    forged = client.post(reverse("findings:immediate_report", args=[theirs.pk]), {"text": "伪造"})
    assert forged.status_code == 404
    empty = client.post(reverse("findings:immediate_report", args=[mine.pk]), {"text": ""})
    assert empty.status_code == 400 and "请填写整改情况" in empty.content.decode()
    r = client.post(reverse("findings:immediate_report", args=[mine.pk]),
                    {"text": "已更新公示栏", "evidence": [pdf_file()]}, follow=True)  # fmt: skip
    page = r.content.decode()
    assert "整改情况已报告" in page and "已更新公示栏" in page and "公示.pdf" in page


def pdf_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("公示.pdf", pdf().getvalue(), content_type="application/pdf")
