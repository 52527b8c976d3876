"""Evidence opens from its item for those allowed (404 for everyone else), under its
Chinese name, and every opening is logged."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import reverse

from web.factories import PDF, FindingFactory
from xuncha.common.services import evidence_store
from xuncha.findings.models import EvidenceRead, ImmediateItem, ImmediateReport
from xuncha.rectifications.models import ProgressReport
from xuncha.rectifications.services import rectification_create

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _store(world, content: bytes, name: str):
    return evidence_store(data=io.BytesIO(content), name=name, by=world.users["office"])


def _item(world, team, unit):
    finding = FindingFactory(team=team, round=team.round, unit=unit)
    finding.evidence.add(_store(world, PDF + team.name.encode(), "比对结果.pdf"))
    item = rectification_create(
        finding=finding, by=world.users["office"], fed_back_on=dt.date(2024, 4, 1)
    )
    report = ProgressReport.objects.create(
        item=item, text="已清退", reported_by=world.users["office"]
    )
    report.evidence.add(_store(world, PNG + unit.name.encode(), "清退凭证 照片.png"))
    return finding, item, report.evidence.get()


def _immediate(world, team, unit):
    item = ImmediateItem.objects.create(team=team, round=team.round, unit=unit, description="立改",
                                        deadline=dt.date(2024, 4, 9), recorded_by=world.users["office"])  # fmt: skip
    report = ImmediateReport.objects.create(
        item=item, text="已整改", reported_by=world.users["office"]
    )
    report.evidence.add(_store(world, PDF + b"immediate" + unit.name.encode(), "整改报告.pdf"))
    return item, report.evidence.get()


def evidence_urls(world, team, unit, *, finding=None, item=None, immediate=None) -> dict[str, str]:
    """An evidence file's URL of each kind for the team's unit. Given the objects (the
    view matrix's), files are attached to them, so no item is added to anyone's counts."""
    if finding is None or item is None:
        finding, item, photo = _item(world, team, unit)
    else:
        finding.evidence.add(_store(world, PDF + b"matrix" + unit.name.encode(), "比对结果.pdf"))
        report = ProgressReport.objects.create(
            item=item, text="已清退", reported_by=world.users["office"]
        )
        photo = _store(world, PNG + b"matrix" + unit.name.encode(), "清退凭证 照片.png")
        report.evidence.add(photo)
    if immediate is None:
        immediate, doc = _immediate(world, team, unit)
    else:
        report = ImmediateReport.objects.create(
            item=immediate, text="已整改", reported_by=world.users["office"]
        )
        doc = _store(world, PDF + b"matrix-immediate" + unit.name.encode(), "整改报告.pdf")
        report.evidence.add(doc)
    return {
        "finding_evidence": reverse(
            "findings:evidence", args=[finding.pk, finding.evidence.get().pk]
        ),
        "item_evidence": reverse("rectifications:evidence", args=[item.pk, photo.pk]),
        "immediate_evidence": reverse("findings:immediate_evidence", args=[immediate.pk, doc.pk]),
    }


# file -> role -> (own, another team's or unit's). A finding's evidence (petition files,
# working papers) is the inspecting side's; a ledger item's and an immediate item's
# evidence is for everyone who sees the item.
EXPECTED = {
    "finding_evidence": {"office": (200, 200), "team": (200, 404), "unit": (404, 404), "supervisor": (404, 404), "leader": (404, 404)},
    "item_evidence": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (200, 200)},
    "immediate_evidence": {"office": (200, 200), "team": (200, 404), "unit": (200, 404), "supervisor": (200, 200), "leader": (404, 404)},
}  # fmt: skip


@pytest.mark.parametrize("role", ["office", "team", "unit", "supervisor", "leader"])
def test_who_opens_which_evidence(client, world, role) -> None:
    own = evidence_urls(world, world.team, world.unit)
    other = evidence_urls(world, world.other_team, world.other_unit)
    user = world.users[role]
    client.force_login(user)
    for kind, by_role in EXPECTED.items():
        got = (client.get(own[kind]).status_code, client.get(other[kind]).status_code)
        assert got == by_role[role], (role, kind)
    opened = sum(code == 200 for by_role in EXPECTED.values() for code in by_role[role])
    assert EvidenceRead.objects.filter(user=user).count() == opened


def test_file_is_served_under_its_chinese_name_and_logged(client, world) -> None:
    finding, item, photo = _item(world, world.team, world.unit)
    client.force_login(world.users["unit"])
    response = client.get(reverse("rectifications:evidence", args=[item.pk, photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
    disposition = response["Content-Disposition"]
    # A photo opens in the browser (a phone shows it), named as uploaded.
    assert disposition.startswith("inline") and quote("清退凭证 照片.png") in disposition
    assert response["Content-Type"] == "image/png"
    assert (
        "sandbox" in response["Content-Security-Policy"] and "no-store" in response["Cache-Control"]
    )
    read = EvidenceRead.objects.get()
    assert (read.user, read.evidence, read.subject) == (
        world.users["unit"],
        photo,
        f"rectification:{item.pk}",
    )
    # A PDF downloads (never rendered under the sandbox), also under its name.
    client.force_login(world.users["team"])
    response = client.get(
        reverse("findings:evidence", args=[finding.pk, finding.evidence.get().pk])
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert quote("比对结果.pdf") in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"


def test_forged_pairs_are_404(client, world) -> None:
    """Evidence of one item asked for under another item the user may see: 404."""
    finding, item, photo = _item(world, world.team, world.unit)
    _, _, photo2 = _item(world, world.team, world.unit)
    immediate, _ = _immediate(world, world.team, world.unit)
    client.force_login(world.users["office"])
    for url in (
        reverse("rectifications:evidence", args=[item.pk, photo2.pk]),
        reverse("rectifications:evidence", args=[item.pk, finding.evidence.get().pk]),
        reverse("findings:evidence", args=[finding.pk, photo.pk]),
        reverse("findings:immediate_evidence", args=[immediate.pk, photo.pk]),
        reverse("findings:evidence", args=[finding.pk, 999999]),
    ):
        assert client.get(url).status_code == 404, url
    assert not EvidenceRead.objects.exists()


def test_pages_link_the_files_with_sizes(client, world) -> None:
    finding, item, photo = _item(world, world.team, world.unit)
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    link = reverse("rectifications:evidence", args=[item.pk, photo.pk])
    assert f'href="{link}"' in page and f"（{photo.size} 字节）" in page
    # The unit sees that the finding has evidence, but not the files themselves.
    page = client.get(reverse("findings:detail", args=[finding.pk])).content.decode()
    assert "共 1 份（仅巡察办和本巡察组可查阅）" in page
    assert reverse("findings:evidence", args=[finding.pk, finding.evidence.get().pk]) not in page
    client.force_login(world.users["team"])
    page = client.get(reverse("findings:detail", args=[finding.pk])).content.decode()
    size = finding.evidence.get().size
    assert reverse("findings:evidence", args=[finding.pk, finding.evidence.get().pk]) in page
    assert f"（{size / 1024:.1f} KB）" in page or f"（{size} 字节）" in page


def test_reads_are_listed_for_the_administrator_and_never_edited(client, world) -> None:
    from web.factories import UserFactory

    _, item, photo = _item(world, world.team, world.unit)
    client.force_login(world.users["unit"])
    client.get(reverse("rectifications:evidence", args=[item.pk, photo.pk]))
    read = EvidenceRead.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:findings_evidenceread_changelist")).content.decode()
    assert "清退凭证 照片.png" in page and f"rectification:{item.pk}" in page
    assert client.get(reverse("admin:findings_evidenceread_add")).status_code == 403
    r = client.post(reverse("admin:findings_evidenceread_delete", args=[read.pk]), {"post": "yes"})
    assert r.status_code == 403 and EvidenceRead.objects.filter(pk=read.pk).exists()
