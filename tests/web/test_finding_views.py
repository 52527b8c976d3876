"""Recording findings and feeding them back, through the pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.factories import PDF, FindingFactory
from xuncha.findings.models import Finding
from xuncha.planning.models import Assignment
from xuncha.rectifications.models import RectificationItem


def post_finding(client, user, assignment, **extra):
    client.force_login(user)
    data = {"assignment": assignment.pk, "category": "corruption", "subcategory": "corruption.funds",
            "source": "crosscheck", "description": "向已故人员发放移民直补资金", "amount": "1800"}  # fmt: skip
    data.update(extra)
    return client.post(reverse("findings:new"), data)


def test_team_records_and_feeds_back(client, world, tmp_path) -> None:
    own = Assignment.objects.get(team=world.team)
    upload = tmp_path / "比对结果.pdf"
    upload.write_bytes(PDF)
    with upload.open("rb") as f:
        response = post_finding(client, world.users["team"], own, evidence=f)
    finding = Finding.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "findings:detail", args=[finding.pk]
    )
    assert finding.evidence.get().original_name == "比对结果.pdf"
    page = client.get(reverse("findings:detail", args=[finding.pk])).content.decode()
    assert "尚未反馈" in page and "比对结果.pdf" in page
    response = client.post(reverse("rectifications:feed_back", args=[finding.pk]))
    item = RectificationItem.objects.get(finding=finding)
    assert response.url == reverse("rectifications:detail", args=[item.pk])
    # Now the unit sees it; another team never does.
    client.force_login(world.users["unit"])
    assert client.get(reverse("findings:detail", args=[finding.pk])).status_code == 200
    client.force_login(world.users["other_team"])
    assert client.get(reverse("findings:detail", args=[finding.pk])).status_code == 404


def test_form_errors_and_refusals(client, world) -> None:
    own = Assignment.objects.get(team=world.team)
    other = Assignment.objects.get(team=world.other_team)
    r = post_finding(client, world.users["team"], own, subcategory="organisation.weak", amount="-5")
    page = r.content.decode()
    assert (
        r.status_code == 400
        and "“软弱涣散”不属于“群众身边不正之风和腐败问题”" in page
        and "确保该值大于或等于0" in page
    )
    r = post_finding(client, world.users["team"], other)  # another team's unit
    assert r.status_code == 400 and "所选单位不在您可以记录的巡察对象中" in r.content.decode()
    r = post_finding(client, world.users["team"], own, evidence=_exe())
    assert r.status_code == 400 and "不是允许的证据格式" in r.content.decode()
    assert not Finding.objects.exists()
    for role in ("unit", "supervisor", "leader"):  # they do not record findings at all
        r = post_finding(client, world.users[role], own)
        assert r.status_code == 404
    assert not Finding.objects.exists()


def _exe():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("现场照片.jpg", b"MZ" + bytes(100), content_type="image/jpeg")


@pytest.mark.parametrize("more", [5, 40])
def test_list_query_count_is_fixed(client, world, more, django_assert_num_queries) -> None:
    for _ in range(3):
        FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    client.force_login(world.users["team"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("findings:list"))
    for _ in range(more):
        FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(reverse("findings:list")).content.decode()
    assert f"共 {3 + more} 个" in page
