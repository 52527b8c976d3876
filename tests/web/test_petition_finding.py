"""A petition turned into a finding (issue 16, item 12): the petitioner still sees 办理中,
the petition's files become the finding's evidence as cleaned copies, the two link both
ways (for those who may open petitions only), and a sitting logs one read."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from web.factories import pdf
from web.test_petitions import (
    SECRET,
    _fresh_cache,  # noqa: F401  (autouse: cheap proof of work, clean rate limits)
    intake,  # noqa: F401  (fixture)
    jpeg_with_gps,
    login_with,
    make_petition,
    receipt_of,
    submit,
)
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.findings.choices import Category, Subcategory
from xuncha.petitions import services
from xuncha.petitions.models import Access, Disposition, EvidenceCopy, Petition
from xuncha.petitions.services import Identity
from xuncha.rectifications.services import rectification_create

PETITIONER_FILE = "张三举报村会计.jpg"


def to_finding(petition, world, attachments=(), by="team"):
    return services.petition_to_finding(
        petition=petition, by=world.users[by], category=Category.CORRUPTION,
        subcategory=Subcategory.BENEFIT_FUNDS, description="虚报冒领移民补助", amount=Decimal("30000"),
        attachments=list(attachments),
    )  # fmt: skip


def webp() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "WEBP")
    data.seek(0)
    return data


# ------------------------------------------------------------------ 办理中 until disposed


def test_the_petitioner_sees_handling_until_the_team_disposes(client, intake, world):  # noqa: F811
    code = receipt_of(submit(client, intake))
    assert login_with(client, code).status_code == 302
    petition = Petition.objects.get()
    team = Client()
    team.force_login(world.users["team"])
    response = team.post(reverse("petitions:action", args=[petition.pk, "finding"]), {
        "category": Category.CORRUPTION, "subcategory": Subcategory.BENEFIT_FUNDS,
        "description": "虚报冒领移民补助", "amount": "30000",
    })  # fmt: skip
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.finding is not None and petition.disposition == ""
    assert petition.stage == "handling" and petition.handler == world.users["team"]
    assert petition.responded_at is None  # a finding is not an answer to the petitioner
    status = client.get(reverse("petitions_public:status")).content.decode()
    assert "办理中" in status and "已办结" not in status
    assert "虚报冒领移民补助" not in status and "转为巡察发现问题" not in status
    # The team disposes of it; only now is it 已办结 for the petitioner.
    team.post(reverse("petitions:action", args=[petition.pk, "dispose"]),
              {"disposition": Disposition.FINDING})  # fmt: skip
    petition.refresh_from_db()
    assert petition.disposition == Disposition.FINDING and petition.stage == "done"
    assert "已办结" in client.get(reverse("petitions_public:status")).content.decode()


def test_dispose_as_finding_needs_the_finding_and_a_second_finding_is_refused(world):
    petition = make_petition(world)
    with pytest.raises(ServiceError, match="尚未转为问题"):
        services.petition_dispose(
            petition=petition, by=world.users["team"], disposition=Disposition.FINDING
        )
    petition = to_finding(petition, world)
    with pytest.raises(ServiceError, match="已转为问题"):
        to_finding(petition, world)
    assert Petition.objects.get().finding.petitions.count() == 1


def test_the_dispose_form_offers_finding_only_once_there_is_one(client, world):
    petition = make_petition(world)
    client.force_login(world.users["team"])
    url = reverse("petitions:detail", args=[petition.pk])
    assert 'value="finding"' not in client.get(url).context["dispose_form"].as_p()
    to_finding(petition, world)
    form = client.get(url).context["dispose_form"]
    assert 'value="finding"' in form.as_p() and form["disposition"].initial == Disposition.FINDING


# ------------------------------------------------------------------ files as evidence


def test_chosen_files_become_cleaned_evidence_under_neutral_names(world):
    petition = make_petition(world, files=[(jpeg_with_gps(), PETITIONER_FILE), (pdf(), "来信.pdf")])
    photo, letter = petition.attachments.all()
    petition = to_finding(petition, world, attachments=[photo])
    evidence = petition.finding.evidence.get()
    assert evidence.original_name == "信访附件1.jpg" and evidence.content_type == "image/jpeg"
    kept = evidence.file.read()
    assert not Image.open(io.BytesIO(kept)).getexif()  # no GPS, no phone make
    assert b"PhoneMaker" not in kept and "张三" not in evidence.original_name
    assert EvidenceCopy.objects.get().attachment == photo
    assert list(Access.objects.filter(action="evidence").values_list("attachment", flat=True)) == [
        photo.pk
    ]
    # Afterwards, from the petition page: the letter too, but nothing twice.
    services.petition_evidence_attach(
        petition=petition, by=world.users["team"], attachments=[letter]
    )
    assert sorted(petition.finding.evidence.values_list("original_name", flat=True)) == [
        "信访附件1.jpg",
        "信访附件2.pdf",
    ]
    with pytest.raises(ServiceError, match="已附到该问题"):
        services.petition_evidence_attach(
            petition=petition, by=world.users["team"], attachments=[photo]
        )
    assert petition.finding.evidence.count() == 2


def test_files_need_a_finding_and_the_team(world):
    petition = make_petition(world, files=[(webp(), "照片.webp"), (pdf(), "来信.pdf")])
    _picture, letter = petition.attachments.all()
    with pytest.raises(ServiceError, match="尚未转为问题"):
        services.petition_evidence_attach(
            petition=petition, by=world.users["team"], attachments=[letter]
        )
    assert Petition.objects.get().finding is None  # nothing half made
    petition = to_finding(petition, world)
    other = make_petition(world, files=[(pdf(), "另一封.pdf")])
    with pytest.raises(ServiceError, match="不属于该信访件"):
        services.petition_evidence_attach(
            petition=petition, by=world.users["team"], attachments=[other.attachments.get()]
        )
    with pytest.raises(PermissionDenied):
        services.petition_evidence_attach(
            petition=petition, by=world.users["other_team"], attachments=[letter]
        )
    assert petition.finding.evidence.count() == 0


def test_the_page_offers_only_files_that_can_still_be_attached(client, world):
    petition = make_petition(world, files=[(jpeg_with_gps(), PETITIONER_FILE), (webp(), "照片.webp"),
                                           (pdf(), "来信.pdf")])  # fmt: skip
    photo, picture, letter = petition.attachments.all()
    client.force_login(world.users["team"])
    url = reverse("petitions:detail", args=[petition.pk])
    page = client.get(url)
    offered = list(page.context["finding_form"].fields["attachments"].queryset)
    assert offered == [photo, picture, letter]  # a phone's WebP photo is evidence too
    assert "被巡察单位也能查看" in page.content.decode()  # who will see it, said up front
    to_finding(petition, world, attachments=[photo])
    response = client.post(reverse("petitions:action", args=[petition.pk, "evidence"]),
                           {"attachments": [picture.pk, letter.pk]}, follow=True)  # fmt: skip
    assert "2 个附件已附为该问题的证据材料" in response.content.decode()
    assert "attach-evidence" not in client.get(url).content.decode()  # nothing left to offer
    again = client.post(reverse("petitions:action", args=[petition.pk, "evidence"]),
                        {"attachments": [picture.pk]}, follow=True)  # fmt: skip
    assert "提交的内容有误" in again.content.decode()  # already attached: no longer offered
    assert Petition.objects.get().finding.evidence.count() == 3


# ------------------------------------------------------------------ links both ways


def test_finding_and_petition_link_both_ways_for_those_allowed(client, world):
    petition = make_petition(world, identity=Identity(name="王五", phone="13900000000"),
                             files=[(jpeg_with_gps(), PETITIONER_FILE)])  # fmt: skip
    petition = to_finding(petition, world, attachments=[petition.attachments.get()])
    rectification_create(finding=petition.finding, by=world.users["office"],
                         fed_back_on=timezone.localdate())  # fmt: skip
    finding_url = reverse("findings:detail", args=[petition.finding_id])
    petition_url = reverse("petitions:detail", args=[petition.pk])
    client.force_login(world.users["team"])
    assert finding_url in client.get(petition_url).content.decode()
    for role, linked in (("office", True), ("team", True), ("leader", False),
                         ("supervisor", False), ("unit", False)):  # fmt: skip
        client.force_login(world.users[role])
        page = client.get(finding_url)
        assert page.status_code == 200, role
        html = page.content.decode()
        assert (petition_url in html) == linked, role
        assert "信访举报" in html, role  # the source, linked or not
        if linked:  # who may open the evidence is the findings page's rule; names are neutral
            assert "信访附件1.jpg" in html, role
        for secret in (SECRET, "王五", "张三", "13900000000"):
            assert secret not in html, (role, secret)
    client.force_login(world.users["other_team"])
    assert client.get(finding_url).status_code == 404


def test_finding_sources_cost_one_query_or_none(world, django_assert_max_num_queries):
    from xuncha.petitions import selectors

    petition = to_finding(make_petition(world), world)
    for _ in range(3):  # more petitions behind the same finding cost nothing more
        Petition.objects.filter(pk=make_petition(world).pk).update(finding=petition.finding)
    with django_assert_max_num_queries(2):  # team ids, then the petitions
        sources = selectors.finding_sources(user=world.users["team"], finding=petition.finding)
    assert len(sources.petitions) == 4 and sources.from_petition
    with django_assert_max_num_queries(0):
        sources = selectors.finding_sources(user=world.users["leader"], finding=petition.finding)
    assert sources.petitions == [] and sources.from_petition


# ------------------------------------------------------------------ one read per sitting


def test_a_sitting_logs_each_read_once(client, world):
    petition = make_petition(world, identity=Identity(name="王五", phone="13900000000"),
                             files=[(jpeg_with_gps(), PETITIONER_FILE)])  # fmt: skip
    att = petition.attachments.get()
    url = reverse("petitions:detail", args=[petition.pk])
    client.force_login(world.users["team"])
    client.get(url)
    client.post(reverse("petitions:action", args=[petition.pk, "assign"]),
                {"handler": world.users["team"].pk}, follow=True)  # fmt: skip
    client.post(
        reverse("petitions:action", args=[petition.pk, "reply"]), {"body": "x"}, follow=True
    )
    client.get(url + "?identity=1")
    client.get(url + "?identity=1")
    for _ in range(2):
        client.get(reverse("petitions:attachment", args=[att.pk, "copy"]))
        client.get(reverse("petitions:attachment", args=[att.pk, "original"]))
    actions = lambda: list(Access.objects.order_by("id").values_list("action", "user"))  # noqa: E731
    team = world.users["team"].pk
    assert actions() == [("view", team), ("identity", team), ("copy", team), ("original", team)]
    log = client.get(url).context["reads"]  # newest first, each file named as listed
    assert [(r.action, name) for r, name in log] == [
        ("original", "信访附件1.jpg"), ("copy", "信访附件1.jpg"), ("identity", ""), ("view", ""),
    ]  # fmt: skip
    # Someone else reading is their own read.
    client.force_login(world.users["office"])
    client.get(url)
    assert actions()[-1] == ("view", world.users["office"].pk) and len(actions()) == 5
    # After the sitting (30 minutes since the logged read) the next read is logged again.
    Access.objects.update(at=timezone.now() - services.SITTING - dt.timedelta(seconds=1))
    client.force_login(world.users["team"])
    client.get(url)
    assert len(actions()) == 6 and actions()[-1] == ("view", team)


def test_the_petition_page_costs_the_same_with_more_files(client, world):
    def queries(files: int) -> int:
        petition = make_petition(world, files=[(pdf(), f"{i}.pdf") for i in range(files)])
        to_finding(petition, world)
        client.get(reverse("petitions:detail", args=[petition.pk]))  # the first read writes
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("petitions:detail", args=[petition.pk]))
        assert page.status_code == 200 and len(page.context["attachments"]) == files
        return len(ctx.captured_queries)

    client.force_login(world.users["team"])
    assert queries(1) == queries(4)


# ------------------------------------------------------------------ the pages


def noisy_jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.frombytes("L", (64, 64), bytes(range(256)) * 16).save(data, "JPEG", quality=95)
    data.seek(0)
    return data


def test_pages_have_crumbs_cards_and_readable_sizes(client, world):
    petition = make_petition(world, files=[(noisy_jpeg(), PETITIONER_FILE)])
    client.force_login(world.users["team"])
    inbox = client.get(reverse("petitions:inbox")).content.decode()
    assert '<table class="cards" id="inbox">' in inbox and 'data-label="编号"' in inbox
    assert '<span aria-current="page">信访举报</span>' in inbox
    page = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert f'<span aria-current="page">{petition.number}</span>' in page
    size = petition.attachments.get().size
    # "4.2 KB" with a plain space, as |filesize writes it (filesizeformat: "4.2\xa0KB").
    assert size >= 1024 and f"{size / 1024:.1f}".removesuffix(".0") + " KB" in page
    for name in ("petitions:new", "petitions:intakes"):
        assert 'href="/petitions/">信访举报</a>' in client.get(reverse(name)).content.decode()


def test_a_bad_evidence_post_gets_a_message(client, world):
    petition = make_petition(world)
    client.force_login(world.users["team"])
    response = client.post(reverse("petitions:action", args=[petition.pk, "evidence"]), {},
                           follow=True)  # fmt: skip
    assert "请选择要附为证据的附件" in response.content.decode()
    client.force_login(world.users["other_team"])
    assert (
        client.post(reverse("petitions:action", args=[petition.pk, "evidence"]), {}).status_code
        == 404
    )


def test_the_inbox_costs_the_same_with_more_petitions(client, world):
    client.force_login(world.users["team"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("petitions:inbox"))
        assert page.status_code == 200
        return len(ctx.captured_queries)

    to_finding(make_petition(world), world)
    one = queries()
    for _ in range(5):
        services.petition_assign(
            petition=make_petition(world), by=world.users["team"], handler=world.users["office"]
        )
    assert queries() == one
    assert Access.objects.count() == 0  # the list shows no content: not a read
