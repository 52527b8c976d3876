"""Writes of the escalation app: joint rounds, major findings, hops up the hierarchy, the
senders we trust, and bundles out and in. Every write checks ``escalation.manage`` and
raises :class:`ServiceError` in Chinese, changing nothing, when it cannot be done."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.findings.models import Finding
from xuncha.planning.models import Round, Team
from xuncha.units.models import Unit

from . import bundle as fmt
from .keys import own_fingerprint, signing_key
from .models import (
    LEVEL_RANK,
    Escalation,
    HopStatus,
    JointLevel,
    JointRound,
    Level,
    MajorFinding,
    Office,
    ReceivedAttachment,
    ReceivedBundle,
    ReceivedMajorFinding,
    TrustedSender,
)

MANAGE = "escalation.manage"
SIZES = fmt.Sizes()  # the bounds on an imported bundle (tests lower them)


def _require(by: User) -> None:
    if not allowed(by, MANAGE):
        raise PermissionDenied("只有巡察办可以办理联动巡察和重大问题呈报。")


# ------------------------------------------------------------------ this office


def office() -> Office:
    """This installation's office (one row, made empty on first read)."""
    found, _ = Office.objects.get_or_create(pk=1, defaults={"name": ""})
    return found


def office_set(*, name: str, level: str, by: User) -> Office:
    _require(by)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("请填写本单位名称，如「某某县委巡察办」。")
    if level not in Level.values:
        raise ServiceError(f"未知的层级「{level}」。")
    found = office()
    found.name, found.level = name[:100], level
    found.save()
    return found


# ------------------------------------------------------------------ joint rounds


@dataclass
class LevelInput:
    level: str
    organiser: str
    units: Sequence[Unit] = ()
    unit_names: str = ""
    teams: Sequence[Team] = ()
    team_names: str = ""

    def names(self, text: str) -> list[str]:
        return [n.strip() for n in text.splitlines() if n.strip()]


def _check_levels(rnd: Round, levels: list[LevelInput]) -> None:
    if len(levels) < 2:
        raise ServiceError(
            "联动巡察至少要有两个层级（省、市、县中的两级或三级），每级填写组织单位。"
        )
    if len({lv.level for lv in levels}) != len(levels):
        raise ServiceError("同一层级只能填写一次。")
    units_at: dict[str, str] = {}
    teams_at: dict[str, str] = {}
    for lv in levels:
        label = Level(lv.level).label
        if not lv.organiser.strip():
            raise ServiceError(f"{label}缺少组织单位。")
        for team in lv.teams:
            if team.round_id != rnd.pk:
                raise ServiceError(f"{label}的巡察组「{team.name}」不属于{rnd.name}。")
        for name in [u.name for u in lv.units] + lv.names(lv.unit_names):
            if name in units_at and units_at[name] != label:
                raise ServiceError(
                    f"被巡察单位「{name}」同时列在{units_at[name]}和{label}：一个单位在一轮联动巡察中只能属于一个层级。"
                )
            units_at[name] = label
        for name in [t.name for t in lv.teams] + lv.names(lv.team_names):
            if name in teams_at and teams_at[name] != label:
                raise ServiceError(f"巡察组「{name}」同时列在{teams_at[name]}和{label}。")
            teams_at[name] = label


def joint_round_set(*, round: Round, note: str, levels: list[LevelInput], by: User) -> JointRound:
    """Mark the round joint with these levels (replacing any set before), or refuse:
    fewer than two levels, a unit or team in two levels, a team of another round."""
    _require(by)
    _check_levels(round, levels)
    with transaction.atomic():
        joint, _ = JointRound.objects.get_or_create(round=round)
        joint.note = note.strip()
        joint.save()
        joint.levels.all().delete()
        for lv in levels:
            row = JointLevel.objects.create(
                joint=joint, level=lv.level, organiser=lv.organiser.strip()[:100],
                unit_names="\n".join(lv.names(lv.unit_names)),
                team_names="\n".join(lv.names(lv.team_names)),
            )  # fmt: skip
            row.units.set(lv.units)
            row.teams.set(lv.teams)
    return joint


def joint_round_clear(*, round: Round, by: User) -> None:
    _require(by)
    JointRound.objects.filter(round=round).delete()


# ------------------------------------------------------------------ major findings and hops


def major_mark(*, finding: Finding, reason: str, by: User) -> MajorFinding:
    _require(by)
    if not reason.strip():
        raise ServiceError("请写明认定为重大问题的理由。")
    if MajorFinding.objects.filter(finding=finding).exists():
        raise ServiceError("该问题已标记为重大问题。")
    return MajorFinding.objects.create(
        finding=finding, reason=reason.strip(), marked_by=by, marked_at=timezone.now()
    )


def escalate(
    *,
    to_level: str,
    to_office: str,
    by: User,
    major: MajorFinding | None = None,
    received: ReceivedMajorFinding | None = None,
    note: str = "",
) -> Escalation:
    """Record a hop from this office to the one above (逐级呈报: never sideways or down;
    one hop per finding from each office)."""
    _require(by)
    here = office()
    if not here.name:
        raise ServiceError("请先在「密钥与发送方」页填写本单位名称和层级。")
    if (major is None) == (received is None):
        raise ServiceError("请指定要呈报的重大问题。")
    if to_level not in Level.values:
        raise ServiceError(f"未知的层级「{to_level}」。")
    if LEVEL_RANK[Level(to_level)] <= LEVEL_RANK[Level(here.level)]:
        raise ServiceError(
            f"只能逐级向上呈报：本单位是{Level(here.level).label}，接收单位应是更高一级。"
        )
    to_office = " ".join(to_office.split())
    if not to_office:
        raise ServiceError("请填写接收单位，如「某某市委巡察办」。")
    earlier = Escalation.objects.filter(major=major) if major else received.hops.all()  # type: ignore[union-attr]
    if (hop := earlier.first()) is not None:
        raise ServiceError(
            f"该问题已于 {timezone.localtime(hop.sent_at):%Y-%m-%d} 呈报至{hop.to_office}，不能重复呈报。"
        )
    return Escalation.objects.create(
        major=major, received=received, from_level=here.level, from_office=here.name,
        to_level=to_level, to_office=to_office[:100], sent_by=by, sent_at=timezone.now(),
        note=note.strip(),
    )  # fmt: skip


def hop_receipt(
    *, hop: Escalation, received_by: str, received_at: dt.datetime, by: User
) -> Escalation:
    """Record who at the upper office received the hop and when (from the signed receipt
    slip or the upper office's notice)."""
    _require(by)
    received_by = " ".join(received_by.split())
    if not received_by:
        raise ServiceError("请填写签收人。")
    if received_at < hop.sent_at - dt.timedelta(minutes=1):
        raise ServiceError("签收时间不能早于呈报时间。")
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ServiceError("签收时间不能晚于现在。")
    hop.received_by, hop.received_at = received_by[:100], received_at
    hop.recorded_by = by
    if hop.status == HopStatus.SENT:
        hop.status = HopStatus.RECEIVED
    hop.save()
    return hop


def hop_acknowledge(*, hop: Escalation, note: str, by: User) -> Escalation:
    _require(by)
    if hop.status == HopStatus.SENT:
        raise ServiceError("对方尚未签收，不能登记阅处。")
    hop.status = HopStatus.ACKNOWLEDGED
    if note.strip():
        hop.note = (hop.note + "\n" if hop.note else "") + note.strip()
    hop.save()
    return hop


# ------------------------------------------------------------------ keys and senders


def sender_register(*, text: str, name: str, by: User) -> TrustedSender:
    """Trust a lower office's public key (pasted text or a .pub file's content)."""
    _require(by)
    try:
        raw, named = fmt.parse_public_key(text)
    except fmt.BundleError as err:
        raise ServiceError(str(err)) from err
    fp = fmt.fingerprint(raw)
    if fp == own_fingerprint():
        raise ServiceError("这是本单位自己的公钥，不需要登记。")
    name = " ".join((name or named).split())
    if not name:
        raise ServiceError("请填写发送方名称，如「某某县委巡察办」。")
    if (same := TrustedSender.objects.filter(fingerprint=fp).first()) is not None:
        raise ServiceError(f"该公钥已登记为「{same.name}」（指纹 {fmt.spaced(fp)}）。")
    import base64

    return TrustedSender.objects.create(
        name=name[:100], public_key=base64.b64encode(raw).decode(), fingerprint=fp, registered_by=by
    )


def sender_revoke(*, sender: TrustedSender, by: User) -> TrustedSender:
    _require(by)
    sender.revoked_at = timezone.now()
    sender.save()
    return sender


def trusted_keys() -> dict[str, bytes]:
    import base64

    return {
        s.fingerprint: base64.b64decode(s.public_key)
        for s in TrustedSender.objects.filter(revoked_at__isnull=True)
    }


# ------------------------------------------------------------------ bundles out


def _stamp(at: dt.datetime | None) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds") if at else ""


def hop_dict(hop: Escalation) -> dict[str, str]:
    return {
        "from_level": hop.from_level, "from_office": hop.from_office,
        "to_level": hop.to_level, "to_office": hop.to_office,
        "sent_by": hop.sent_by.display_name, "sent_at": _stamp(hop.sent_at),
        "received_by": hop.received_by, "received_at": _stamp(hop.received_at),
        "status": hop.status, "note": hop.note,
    }  # fmt: skip


def _finding_entry(hop: Escalation) -> tuple[dict[str, Any], dict[str, bytes]]:
    files: dict[str, bytes] = {}
    attachments = []
    if hop.major is not None:
        major, f = hop.major, hop.major.finding
        for ev in f.evidence.all():
            with ev.file.open("rb") as fh:
                data = fh.read()
            sha = hashlib.sha256(data).hexdigest()
            files[sha] = data
            attachments.append({"name": ev.original_name, "sha256": sha, "size": len(data)})
        entry = {
            "id": f"finding-{f.pk}", "unit": {"name": f.unit.name, "code": f.unit.code},
            "round": f.round.name, "team": f.team.name, "category": f.get_category_display(),
            "description": f.description, "amount": str(f.amount), "reason": major.reason,
            "marked_by": major.marked_by.display_name, "marked_at": _stamp(major.marked_at),
            "chain": [hop_dict(h) for h in major.hops.all()],
        }  # fmt: skip
    else:
        r = hop.received
        assert r is not None
        for att in r.attachments.all():
            with att.file.open("rb") as fh:
                files[att.sha256] = fh.read()
            attachments.append({"name": att.name, "sha256": att.sha256, "size": att.size})
        entry = {
            "id": r.origin_id, "unit": {"name": r.unit_name, "code": r.unit_code},
            "round": r.round_name, "team": r.team_name, "category": r.category,
            "description": r.description, "amount": str(r.amount), "reason": r.reason,
            "chain": [*r.chain, *(hop_dict(h) for h in r.hops.all())],
        }  # fmt: skip
    entry["attachments"] = attachments
    return entry, files


def bundle_export(*, hop: Escalation, by: User) -> tuple[str, bytes]:
    """The signed bundle of one hop: its file name and bytes. Exporting again gives the
    same bundle id, so the upper office's second import changes nothing."""
    _require(by)
    here = office()
    if not here.name:
        raise ServiceError("请先在「密钥与发送方」页填写本单位名称和层级。")
    key = signing_key()
    entry, files = _finding_entry(hop)
    manifest = {
        "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION,
        "bundle_id": str(hop.bundle_id), "created_at": _stamp(timezone.now()),
        "sender": {"name": here.name, "level": here.level,
                   "fingerprint": fmt.fingerprint(fmt.public_raw(key))},
        "to": {"level": hop.to_level, "office": hop.to_office},
        "findings": [entry],
    }  # fmt: skip
    data = fmt.build_bundle(manifest, files, key)
    return f"呈报包_{hop.from_office}_{str(hop.bundle_id)[:8]}.zip", data


# ------------------------------------------------------------------ bundles in


@dataclass
class ImportResult:
    bundle: ReceivedBundle
    created: bool
    findings: list[ReceivedMajorFinding] = field(default_factory=list)


def open_isolated(data: bytes, *, name: str) -> fmt.Opened:
    """:func:`bundle.open_bundle` in the sandbox; any refusal is a ServiceError."""
    from xuncha import sandbox

    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    if len(data) > SIZES.bundle:
        raise ServiceError(f"「{name}」未导入：文件过大（上限 {SIZES.bundle // fmt.MB} MB）。")
    try:
        opened: fmt.Opened = sandbox.run(
            fmt.open_bundle, data, trusted=trusted_keys(), sizes=SIZES,
            file=name, limits=sandbox.limits("parse"),
        )  # fmt: skip
    except sandbox.FileCrashed as err:
        raise ServiceError(f"「{name}」未导入：{sandbox.crash_reason(err)}") from err
    except fmt.BundleError as err:
        raise ServiceError(f"「{name}」未导入：{err}") from err
    return opened


def _when(text: Any) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return timezone.now()
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def _amount(text: Any, where: str) -> Decimal:
    try:
        value = Decimal(str(text or "0"))
    except InvalidOperation as err:
        raise ServiceError(f"{where}的涉及金额「{text}」不是数字。") from err
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ServiceError(f"{where}的涉及金额「{text}」超出范围。")
    return value.quantize(Decimal("0.01"))


def bundle_import(*, data: bytes, file_name: str, by: User) -> ImportResult:
    """Verify and store a bundle from below, recording that ``by`` received it now.
    A bundle id already received changes nothing (``created`` is False)."""
    _require(by)
    opened = open_isolated(data, name=file_name)
    m = opened.manifest
    earlier = ReceivedBundle.objects.filter(bundle_id=m["bundle_id"]).first()
    if earlier is not None:
        return ImportResult(bundle=earlier, created=False)
    now = timezone.now()
    fields = [_fields(i, item, by, now) for i, item in enumerate(m["findings"], 1)]
    with transaction.atomic():
        bundle = ReceivedBundle.objects.create(
            bundle_id=uuid.UUID(m["bundle_id"]), sender=TrustedSender.objects.get(fingerprint=opened.fingerprint),
            sender_name=str(m["sender"].get("name", ""))[:100], file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(), manifest=m,
            created_on_sender=_when(m.get("created_at")), received_by=by, received_at=now,
        )  # fmt: skip
        found = []
        for item, values in zip(m["findings"], fields, strict=True):
            found.append(ReceivedMajorFinding.objects.create(bundle=bundle, **values))
            for att in item.get("attachments", []):
                sha = att["sha256"]
                ReceivedAttachment.objects.create(
                    finding=found[-1], name=str(att.get("name", sha))[:255], sha256=sha,
                    size=len(opened.files[sha]), file=_attachment_path(sha),
                )  # fmt: skip
        # Last, once every row is in: a file is named by its hash, so one left by a failed
        # import is the same bytes the next import would write.
        for sha, content in opened.files.items():
            if not default_storage.exists(_attachment_path(sha)):
                default_storage.save(_attachment_path(sha), ContentFile(content))
    return ImportResult(bundle=bundle, created=True, findings=found)


def _attachment_path(sha: str) -> str:
    return f"escalation/received/{sha[:2]}/{sha}"


def _fields(i: int, item: dict[str, Any], by: User, now: dt.datetime) -> dict[str, Any]:
    """A received finding's fields, checked before anything is written."""
    where = f"第 {i} 个问题"
    given = item.get("unit")
    unit: dict[str, Any] = given if isinstance(given, dict) else {}
    chain = [h for h in item.get("chain", []) if isinstance(h, dict)]
    if chain:  # the hop that brought it here: received by us, now
        chain[-1] = {**chain[-1], "received_by": by.display_name, "received_at": _stamp(now),
                     "status": HopStatus.RECEIVED}  # fmt: skip
    if not str(item.get("description", "")).strip():
        raise ServiceError(f"{where}没有问题描述。")
    return {
        "origin_id": str(item.get("id", ""))[:64],
        "unit_name": str(unit.get("name", ""))[:100] or "（未注明）",
        "unit_code": str(unit.get("code", ""))[:32],
        "round_name": str(item.get("round", ""))[:100], "team_name": str(item.get("team", ""))[:100],
        "category": str(item.get("category", ""))[:100], "description": str(item["description"]),
        "amount": _amount(item.get("amount"), where), "reason": str(item.get("reason", "")),
        "chain": chain,
    }  # fmt: skip
