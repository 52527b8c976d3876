"""Joint rounds and major-finding escalation: validation, the hop chain with who received
each hop and when, bundles between two installations (each with its own key) refused
for every kind of damage with nothing written, a second import changing nothing, and
the pages per role (the office manages, a leader reads, everyone else gets 404)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, UnitFactory
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.services import evidence_store
from xuncha.escalation import bundle as fmt
from xuncha.escalation import keys, services
from xuncha.escalation.models import (
    Escalation,
    HopStatus,
    JointRound,
    ReceivedAttachment,
    ReceivedBundle,
    ReceivedMajorFinding,
    TrustedSender,
)
from xuncha.escalation.services import LevelInput

PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 20 + "现场照片".encode()


class Installations:
    """Two installations in one test database: the county (sender) and the city
    (receiver), each with its own data folder and so its own signing key."""

    def __init__(self, settings: Any, tmp_path: Path) -> None:
        self.settings, self.tmp = settings, tmp_path

    def be(self, who: str, name: str, level: str, by: Any) -> None:
        self.settings.DATA_DIR = self.tmp / who
        services.office_set(name=name, level=level, by=by)


@pytest.fixture
def two(settings: Any, tmp_path: Path) -> Installations:
    return Installations(settings, tmp_path)


@pytest.fixture
def exported(world: Any, two: Installations) -> dict[str, Any]:
    """A county major finding with one evidence file, escalated to the city; its bundle;
    the city then registers the county's public key."""
    office = world.users["office"]
    two.be("county", "苏仙区委巡察办", "county", office)
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit,
                             amount=Decimal("125000.50"), description="村集体资金被挪用")  # fmt: skip
    finding.evidence.add(evidence_store(data=io.BytesIO(PNG), name="现场照片.png", by=office))
    major = services.major_mark(finding=finding, reason="涉及金额大，群众反映强烈", by=office)
    hop = services.escalate(major=major, to_level="city", to_office="郴州市委巡察办", by=office)
    name, data = services.bundle_export(hop=hop, by=office)
    county_key = fmt.public_key_text(keys.signing_key(), "苏仙区委巡察办")
    two.be("city", "郴州市委巡察办", "city", office)
    assert fmt.parse_public_key(county_key)[0] != fmt.public_raw(keys.signing_key())
    services.sender_register(text=county_key, name="", by=office)
    return {"hop": hop, "name": name, "data": data, "major": major, "by": office}


def nothing_received() -> bool:
    return not (ReceivedBundle.objects.exists() or ReceivedMajorFinding.objects.exists()
                or ReceivedAttachment.objects.exists())  # fmt: skip


# ------------------------------------------------------------------ joint rounds


def test_joint_round_needs_two_levels_and_one_level_per_unit(world: Any) -> None:
    office, rnd = world.users["office"], world.team.round
    with pytest.raises(ServiceError, match="至少要有两个层级"):
        services.joint_round_set(round=rnd, note="", levels=[
            LevelInput("county", "苏仙区委巡察办", units=[world.unit])], by=office)  # fmt: skip
    with pytest.raises(ServiceError, match="「东江街道」同时列在市级和县级"):
        services.joint_round_set(round=rnd, note="", levels=[
            LevelInput("city", "郴州市委巡察办", unit_names="东江街道\n"),
            LevelInput("county", "苏仙区委巡察办", units=[world.unit])], by=office)  # fmt: skip
    with pytest.raises(ServiceError, match="不属于"):
        services.joint_round_set(round=rnd, note="", levels=[
            LevelInput("city", "郴州市委巡察办", teams=[world.other_team]),
            LevelInput("county", "苏仙区委巡察办")], by=office)  # fmt: skip
    assert not JointRound.objects.exists()
    joint = services.joint_round_set(round=rnd, note="省市县三级联动", levels=[
        LevelInput("province", "湖南省委巡视办", unit_names="省属单位甲"),
        LevelInput("city", "郴州市委巡察办", unit_names=" 市属单位乙 \n\n"),
        LevelInput("county", "苏仙区委巡察办", units=[world.unit], teams=[world.team])], by=office)  # fmt: skip
    assert joint.levels.count() == 3
    county = joint.levels.get(level="county")
    assert list(county.units.all()) == [world.unit] and list(county.teams.all()) == [world.team]
    assert joint.levels.get(level="city").names("unit_names") == ["市属单位乙"]
    with pytest.raises(PermissionDenied):
        services.joint_round_clear(round=rnd, by=world.users["leader"])


def test_joint_round_page(client: Any, world: Any) -> None:
    rnd = world.team.round
    url = reverse("escalation:round", args=[rnd.pk])
    client.force_login(world.users["office"])
    post = {"note": "联动", "province-organiser": "", "city-organiser": "郴州市委巡察办",
            "city-unit_names": "东江街道", "county-organiser": "苏仙区委巡察办",
            "county-units": [world.unit.pk]}  # fmt: skip
    page = client.post(url, post)
    assert page.status_code == 400 and "同时列在市级和县级" in page.text
    assert not JointRound.objects.exists()
    post["city-unit_names"] = "北湖区某局"
    page = client.post(url, post, follow=True)
    assert "已将" in page.text and "2 个层级" in page.text
    assert "北湖区某局" in page.text and "县级：苏仙区委巡察办" in page.text
    client.force_login(world.users["leader"])
    page = client.get(url)
    assert (
        page.status_code == 200 and "北湖区某局" in page.text and 'id="joint-form"' not in page.text
    )
    assert client.post(url, post).status_code == 404


# ------------------------------------------------------------------ hops


def test_hop_chain_records_receiver_and_time(world: Any, two: Installations) -> None:
    office = world.users["office"]
    two.be("county", "苏仙区委巡察办", "county", office)
    major = services.major_mark(finding=FindingFactory(team=world.team, round=world.team.round,
                                unit=world.unit), reason="重大", by=office)  # fmt: skip
    with pytest.raises(ServiceError, match="只能逐级向上呈报"):
        services.escalate(major=major, to_level="county", to_office="另一县", by=office)
    hop = services.escalate(major=major, to_level="city", to_office="郴州市委巡察办", by=office)
    with pytest.raises(ServiceError, match="不能重复呈报"):
        services.escalate(major=major, to_level="province", to_office="省委巡视办", by=office)
    with pytest.raises(ServiceError, match="尚未签收"):
        services.hop_acknowledge(hop=hop, note="", by=office)
    with pytest.raises(ServiceError, match="不能早于呈报时间"):
        services.hop_receipt(hop=hop, received_by="李明", by=office,
                             received_at=hop.sent_at - dt.timedelta(days=1))  # fmt: skip
    Escalation.objects.filter(pk=hop.pk).update(sent_at=timezone.now() - dt.timedelta(days=1))
    hop.refresh_from_db()
    at = hop.sent_at + dt.timedelta(hours=2)
    services.hop_receipt(hop=hop, received_by="李明", received_at=at, by=office)
    hop.refresh_from_db()
    assert (hop.status, hop.received_by, hop.received_at, hop.recorded_by) == (
        HopStatus.RECEIVED, "李明", at, office)  # fmt: skip
    services.hop_acknowledge(hop=hop, note="已转办", by=office)
    hop.refresh_from_db()
    assert hop.status == HopStatus.ACKNOWLEDGED and "已转办" in hop.note
    assert hop.history.count() == 3  # sent, received, acknowledged


def test_chain_travels_county_to_city_to_province(
    exported: dict[str, Any], two: Installations
) -> None:
    by = exported["by"]
    result = services.bundle_import(data=exported["data"], file_name=exported["name"], by=by)
    (found,) = result.findings
    assert (
        found.chain[-1]["received_by"] == by.display_name
        and found.chain[-1]["status"] == "received"
    )
    assert found.chain[-1]["from_office"] == "苏仙区委巡察办"
    hop = services.escalate(received=found, to_level="province", to_office="湖南省委巡视办", by=by)
    _, data = services.bundle_export(hop=hop, by=by)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read(fmt.MANIFEST))
    chain = manifest["findings"][0]["chain"]
    assert [h["to_office"] for h in chain] == ["郴州市委巡察办", "湖南省委巡视办"]
    assert chain[0]["received_at"] and manifest["sender"]["name"] == "郴州市委巡察办"
    assert manifest["findings"][0]["attachments"][0]["name"] == "现场照片.png"


# ------------------------------------------------------------------ bundles between installations


def test_import_verifies_and_records_the_receipt(
    exported: dict[str, Any], two: Installations
) -> None:
    by = exported["by"]
    before = timezone.now()
    result = services.bundle_import(data=exported["data"], file_name=exported["name"], by=by)
    assert result.created
    bundle = result.bundle
    assert bundle.bundle_id == exported["hop"].bundle_id and bundle.sender_name == "苏仙区委巡察办"
    assert bundle.received_by == by and bundle.received_at >= before
    (found,) = result.findings
    assert (found.unit_name, found.amount, found.description) == (
        "东江街道", Decimal("125000.50"), "村集体资金被挪用")  # fmt: skip
    (att,) = found.attachments.all()
    assert att.name == "现场照片.png" and att.file.read() == PNG
    # the second import changes nothing and says it was already received
    again = services.bundle_import(data=exported["data"], file_name="副本.zip", by=by)
    assert not again.created and again.bundle == bundle
    assert (ReceivedBundle.objects.count(), ReceivedMajorFinding.objects.count(),
            ReceivedAttachment.objects.count()) == (1, 1, 1)  # fmt: skip
    # a re-export of the same hop (by the county) keeps its bundle id: still a no-op above
    two.be("county", "苏仙区委巡察办", "county", by)
    two_name, two_data = services.bundle_export(hop=exported["hop"], by=by)
    two.be("city", "郴州市委巡察办", "city", by)
    again_manifest = json.loads(zipfile.ZipFile(io.BytesIO(two_data)).read(fmt.MANIFEST))
    assert again_manifest["bundle_id"] == str(bundle.bundle_id)
    assert not services.bundle_import(data=two_data, file_name=two_name, by=by).created


def _rezip(
    data: bytes, change: Callable[[str, bytes], bytes | None], add: dict[str, bytes]
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "tampered manifest": (lambda d: _rezip(d, lambda n, b: b.replace(b"125000.50", b"1250.50")
                                             if n == fmt.MANIFEST else b, {}), "签名无效：文件被改动过"),
    "tampered attachment": (lambda d: _rezip(d, lambda n, b: b + b"x" if n.startswith("files/") else b,
                                             {}), "附件「现场照片.png」的校验和不符"),
    "truncated": (lambda d: d[: len(d) * 2 // 3], "文件不完整或不是呈报包"),
    "zip slip": (lambda d: _rezip(d, lambda n, b: b, {"../../keys/secret_key": b"x"}),
                 "包内路径不允许：「../../keys/secret_key」"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_bundle_refused_with_its_reason(exported: dict[str, Any], case: str) -> None:
    damage, reason = DAMAGE[case]
    with pytest.raises(ServiceError) as err:
        services.bundle_import(data=damage(exported["data"]), file_name="包.zip", by=exported["by"])
    assert f"「包.zip」未导入：{reason}" in str(err.value)
    assert nothing_received()


def test_foreign_and_revoked_senders_refused(exported: dict[str, Any]) -> None:
    by = exported["by"]
    stranger = Ed25519PrivateKey.generate()
    manifest = zipfile.ZipFile(io.BytesIO(exported["data"])).read(fmt.MANIFEST)
    body = json.loads(manifest)
    body["sender"]["fingerprint"] = fmt.fingerprint(fmt.public_raw(stranger))
    body["findings"][0]["attachments"] = []
    foreign = fmt.build_bundle(body, {}, stranger)
    with pytest.raises(
        ServiceError, match="发送方未登记：指纹 " + fmt.spaced(body["sender"]["fingerprint"])
    ):
        services.bundle_import(data=foreign, file_name="外来.zip", by=by)
    sender = TrustedSender.objects.get()
    services.sender_revoke(sender=sender, by=by)
    with pytest.raises(ServiceError, match="发送方未登记"):
        services.bundle_import(data=exported["data"], file_name="包.zip", by=by)
    assert nothing_received()


def test_oversize_refused_before_reading(exported: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "SIZES", fmt.Sizes(bundle=len(exported["data"]) - 1))
    with pytest.raises(ServiceError, match="文件过大"):
        services.bundle_import(data=exported["data"], file_name="包.zip", by=exported["by"])
    monkeypatch.setattr(services, "SIZES", fmt.Sizes(attachment=len(PNG) - 1))
    with pytest.raises(ServiceError, match="过大"):
        services.bundle_import(data=exported["data"], file_name="包.zip", by=exported["by"])
    assert nothing_received()


def test_register_sender_refusals(world: Any, two: Installations) -> None:
    office = world.users["office"]
    two.be("city", "郴州市委巡察办", "city", office)
    with pytest.raises(ServiceError, match="本单位自己的公钥"):
        services.sender_register(
            text=fmt.public_key_text(keys.signing_key(), "x"), name="", by=office
        )
    other = fmt.public_key_text(Ed25519PrivateKey.generate(), "苏仙区委巡察办")
    sender = services.sender_register(text=other, name="", by=office)
    assert sender.name == "苏仙区委巡察办"
    with pytest.raises(ServiceError, match="已登记为「苏仙区委巡察办」"):
        services.sender_register(text=other, name="别名", by=office)
    with pytest.raises(ServiceError, match="长度不对"):
        services.sender_register(text="xuncha-ed25519 AAAA 某办", name="", by=office)


def test_the_key_is_made_once_and_kept_private(world: Any, two: Installations) -> None:
    two.be("a", "甲", "county", world.users["office"])
    first = keys.own_fingerprint()
    assert keys.own_fingerprint() == first
    assert keys.key_path().stat().st_mode & 0o077 == 0
    two.be("b", "乙", "county", world.users["office"])
    assert keys.own_fingerprint() != first


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize(("role", "status"), [
    ("office", 200), ("leader", 200), ("team", 404), ("unit", 404), ("supervisor", 404)])  # fmt: skip
def test_pages_per_role(
    client: Any, exported: dict[str, Any], world: Any, role: str, status: int
) -> None:
    major, hop = exported["major"], exported["hop"]
    client.force_login(world.users[role])
    for url in (reverse("escalation:index"), reverse("escalation:keys"),
                reverse("escalation:major", args=[major.pk]),
                reverse("escalation:round", args=[world.team.round.pk])):  # fmt: skip
        assert client.get(url).status_code == status, url
    manage = 200 if role == "office" else 404
    assert client.get(reverse("escalation:hop_bundle", args=[hop.pk])).status_code == manage
    assert client.get(reverse("escalation:import")).status_code == manage
    assert client.get(reverse("escalation:mark", args=[major.finding_id])).status_code in (
        (302,) if role == "office" else (404,))  # fmt: skip
    if role == "leader":
        page = client.get(reverse("escalation:major", args=[major.pk]))
        assert "已呈报至郴州市委巡察办，待签收" in page.text and "下载呈报包" not in page.text
        page = client.get(reverse("escalation:keys"))
        assert 'id="sender-form"' not in page.text and "苏仙区委巡察办" in page.text
        assert fmt.spaced(keys.own_fingerprint()) in page.text


def test_office_walks_mark_escalate_export_import(
    client: Any, world: Any, two: Installations
) -> None:
    office = world.users["office"]
    client.force_login(office)
    two.be("county", "苏仙区委巡察办", "county", office)
    finding = FindingFactory(
        team=world.team, round=world.team.round, unit=UnitFactory(name="栖凤渡镇")
    )
    assert 'id="major-link"' in client.get(reverse("findings:detail", args=[finding.pk])).text
    assert 'id="joint-link"' in client.get(reverse("planning:round", args=[finding.round_id])).text
    page = client.post(
        reverse("escalation:mark", args=[finding.pk]), {"reason": "金额巨大"}, follow=True
    )
    assert "已标记为重大问题" in page.text and "未呈报" in page.text
    major = finding.major
    page = client.post(reverse("escalation:escalate", args=["major", major.pk]),
                       {"to_level": "city", "to_office": "郴州市委巡察办"}, follow=True)  # fmt: skip
    assert "已记录呈报至郴州市委巡察办" in page.text
    hop = Escalation.objects.get(major=major)
    download = client.get(reverse("escalation:hop_bundle", args=[hop.pk]))
    assert download["Content-Type"] == "application/zip"
    data = download.content
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    page = client.post(reverse("escalation:hop_receipt", args=[hop.pk]),
                       {"received_by": "李明", "received_at": at}, follow=True)  # fmt: skip
    assert "已登记郴州市委巡察办签收" in page.text and "郴州市委巡察办 李明 已签收" in page.text
    pub = client.get(reverse("escalation:public_key")).content
    # the city
    two.be("city", "郴州市委巡察办", "city", office)
    keys_page = client.get(reverse("escalation:keys"))
    assert fmt.spaced(keys.own_fingerprint()) in keys_page.text
    page = client.post(reverse("escalation:import"),
                       {"file": SimpleUploadedFile("包.zip", data)}, follow=True)  # fmt: skip
    assert "发送方未登记：指纹" in page.text and nothing_received()
    page = client.post(reverse("escalation:sender_register"),
                       {"name": "", "text": "", "file": SimpleUploadedFile("苏仙.pub", pub)}, follow=True)  # fmt: skip
    assert "已登记发送方「苏仙区委巡察办」" in page.text
    page = client.post(reverse("escalation:import"),
                       {"file": SimpleUploadedFile("包.zip", data)}, follow=True)  # fmt: skip
    assert "已核验并签收「苏仙区委巡察办」的呈报包" in page.text and "栖凤渡镇" in page.text
    assert "已由苏仙区委巡察办呈报至本单位" in page.text
    page = client.post(reverse("escalation:import"),
                       {"file": SimpleUploadedFile("包.zip", data)}, follow=True)  # fmt: skip
    assert "本次未做任何改动" in page.text and ReceivedBundle.objects.count() == 1


def test_a_bad_second_finding_writes_nothing(world: Any, two: Installations, settings: Any) -> None:
    """A validly signed bundle whose second finding has no number for its money: refused
    whole, no row and no file (the first finding's attachment is not stored either)."""
    office = world.users["office"]
    two.be("county", "苏仙区委巡察办", "county", office)
    key = keys.signing_key()
    photo = PNG + uuid.uuid4().bytes  # bytes no other test stored
    sha = hashlib.sha256(photo).hexdigest()
    good = {"id": "a", "description": "甲", "amount": "1",
            "attachments": [{"name": "照片.png", "sha256": sha, "size": len(photo)}]}  # fmt: skip
    manifest = {
        "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION, "bundle_id": str(uuid.uuid4()),
        "created_at": "2026-03-01T10:00:00+08:00",
        "sender": {"name": "苏仙区委巡察办", "fingerprint": keys.own_fingerprint()},
        "findings": [good, {"id": "b", "description": "乙", "amount": "一万元"}],
    }  # fmt: skip
    data = fmt.build_bundle(manifest, {sha: photo}, key)
    public = fmt.public_key_text(key, "苏仙区委巡察办")
    two.be("city", "郴州市委巡察办", "city", office)
    services.sender_register(text=public, name="", by=office)
    with pytest.raises(ServiceError, match="第 2 个问题的涉及金额「一万元」不是数字"):
        services.bundle_import(data=data, file_name="包.zip", by=office)
    assert nothing_received()
    assert not (Path(settings.MEDIA_ROOT) / "escalation" / "received" / sha[:2] / sha).exists()


def test_anonymous_goes_to_login(client: Any, db: Any) -> None:
    for url in (
        reverse("escalation:index"),
        reverse("escalation:keys"),
        reverse("escalation:import"),
    ):
        page = client.get(url)
        assert page.status_code == 302 and "/login" in page["Location"]


def test_joint_round_page_offers_the_rounds_units_only(client: Any, world: Any) -> None:
    """The units to choose for a level are the round's own (not every unit of the
    installation, thousands in a city); a unit of another round is refused."""
    rnd = world.team.round
    elsewhere = UnitFactory(name="不在本轮的单位")
    url = reverse("escalation:round", args=[rnd.pk])
    client.force_login(world.users["office"])
    page = client.get(url).text
    assert f'value="{world.unit.pk}"' in page and f'value="{elsewhere.pk}"' not in page
    post = {"note": "联动", "city-organiser": "郴州市委巡察办", "city-unit_names": "北湖区某局",
            "county-organiser": "苏仙区委巡察办", "county-units": [elsewhere.pk]}  # fmt: skip
    assert client.post(url, post).status_code == 400 and not JointRound.objects.exists()
    post["county-units"] = [world.unit.pk]
    client.post(url, post)
    assert list(JointRound.objects.get(round=rnd).levels.get(level="county").units.all()) == [
        world.unit
    ]


def test_joint_round_shows_levels_top_down_and_lists_without_stray_marks(
    client: Any, world: Any
) -> None:
    rnd = world.team.round
    office = world.users["office"]
    services.joint_round_set(round=rnd, note="", by=office, levels=[
        LevelInput("county", "苏仙区委巡察办", unit_names="某乡某村\n\n某社区"),
        LevelInput("city", "郴州市委巡察办", units=[world.unit], teams=[world.team]),
        LevelInput("province", "湖南省委巡察办", team_names="省委第一巡察组")])  # fmt: skip
    client.force_login(office)
    page = client.get(reverse("escalation:round", args=[rnd.pk])).text
    assert page.index("省级：") < page.index("市级：") < page.index("县级：")
    assert "被巡察单位：某乡某村、某社区</p>" in page
    assert f"被巡察单位：{world.unit.name}</p>" in page and "：、" not in page
    index = client.get(reverse("escalation:index")).text
    assert index.index("省级（") < index.index("市级（") < index.index("县级（")


def test_escalate_form_offers_only_the_levels_above(client: Any, world: Any) -> None:
    office = world.users["office"]
    services.office_set(name="苏仙区委巡察办", level="county", by=office)
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    major = services.major_mark(finding=finding, reason="涉及面广", by=office)
    client.force_login(office)
    page = client.get(reverse("escalation:major", args=[major.pk])).text
    start = page.index('name="to_level"')
    form = page[start : page.index("</select>", start)]
    assert 'value="city" selected' in form and 'value="province"' in form
    assert 'value="county"' not in form
    url = reverse("escalation:escalate", args=["major", major.pk])
    client.post(url, {"to_level": "county", "to_office": "另一县委巡察办"})
    assert not Escalation.objects.exists()
    client.post(url, {"to_level": "city", "to_office": "郴州市委巡察办"})
    assert Escalation.objects.get().to_level == "city"
