"""Writes on petitions: the public submission and follow-up through a receipt code,
staff entry of letters, visits and calls, and the team's handling.

Every write that stores files writes them first and removes them if the database
transaction fails, so a refused or failed submission leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from xuncha.accounts.access import is_inspecting_side, team_ids
from xuncha.accounts.models import Role, User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import EVIDENCE_TYPES, evidence_kept_on_success, evidence_store
from xuncha.findings.choices import Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.findings.services import finding_create, lead_create
from xuncha.planning.models import Assignment, Team

from . import at_rest, cleaning, vault
from .models import (
    Access,
    AccessAction,
    Attachment,
    Author,
    Channel,
    Disposition,
    EvidenceCopy,
    IntakeCode,
    Message,
    Petition,
)

Files = Sequence[tuple[IO[bytes], str]]
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class Content:
    """What the petitioner reports: who, what, where, when."""

    what: str
    who: str = ""
    where: str = ""
    when: str = ""

    def checked(self) -> dict[str, str]:
        fields = {k: v.strip() for k, v in vars(self).items()}
        if len(fields["what"]) < 5:
            raise ServiceError("请具体描述反映的问题（不少于 5 个字）。")
        for label, key in (
            ("反映对象", "who"),
            ("问题内容", "what"),
            ("地点", "where"),
            ("时间", "when"),
        ):
            if len(fields[key]) > TEXT_LIMIT:
                raise ServiceError(f"「{label}」超过 {TEXT_LIMIT} 字，请精简或分次反映。")
        return fields


@dataclass(frozen=True)
class Identity:
    """A named petitioner: at least a name and a way to reach them."""

    name: str
    phone: str = ""
    contact: str = ""

    def checked(self) -> dict[str, str]:
        fields = {k: v.strip()[:200] for k, v in vars(self).items()}
        if not fields["name"] or not (fields["phone"] or fields["contact"]):
            raise ServiceError(
                "实名反映请填写姓名和联系电话（或其他联系方式）；不愿留名请选择匿名。"
            )
        return fields


# ------------------------------------------------------------------ attachments


def _read(files: Files) -> list[tuple[bytes, str, cleaning.Kind]]:
    """Read and check every file before anything is stored."""
    if len(files) > settings.PETITION_MAX_FILES:
        raise ServiceError(f"附件最多 {settings.PETITION_MAX_FILES} 个。")
    limit = settings.PETITION_FILE_MAX_BYTES
    checked = []
    for data, name in files:
        content = data.read(limit + 1)
        try:
            kind = cleaning.identify(content, name, max_bytes=limit)
        except cleaning.AttachmentRefused as err:
            raise ServiceError(str(err)) from err
        checked.append((content, name, kind))
    return checked


def _store(petition: Petition, checked: list[tuple[bytes, str, cleaning.Kind]],
           written: list[Attachment], message: Message | None = None) -> None:  # fmt: skip
    for content, name, kind in checked:
        meta = {"name": name[:255], "sha256": hashlib.sha256(content).hexdigest()}
        att = Attachment(petition=petition, message=message, mime=kind.mime, size=len(content),
                         meta=vault.seal_json(meta))  # fmt: skip
        att.original.save(secrets.token_hex(16), ContentFile(vault.seal(content)), save=False)
        written.append(att)
        at_rest.file_to_the_day(att.original)
        att.save()


def _discard(written: list[Attachment]) -> None:
    for att in written:
        folder = att.original.path if att.original else None
        att.original.delete(save=False)
        if folder:  # the folder's time moved when the file was removed
            at_rest.to_the_day(Path(folder).parent)


def attachment_meta(att: Attachment) -> dict[str, str]:
    meta: dict[str, str] = vault.unseal_json(att.meta)
    return meta


def attachment_original(att: Attachment) -> bytes:
    return vault.unseal(at_rest.read(att.original))


def attachment_copy(att: Attachment) -> bytes:
    """The metadata-stripped copy, made once on first view and kept encrypted."""
    if att.copy:
        return vault.unseal(at_rest.read(att.copy))
    kind = cleaning.kind_of(att.mime)
    try:
        data = cleaning.viewing_copy(attachment_original(att), kind)
    except cleaning.AttachmentRefused as err:
        raise ServiceError(f"无法生成该附件的查看副本（{err}），请下载原件查看。") from err
    att.copy.save(secrets.token_hex(16), ContentFile(vault.seal(data)), save=False)
    at_rest.file_to_the_day(att.copy)
    try:
        kept = Attachment.objects.filter(pk=att.pk, copy="").update(copy=att.copy.name)
    except Exception:
        att.copy.delete(save=False)
        raise
    if not kept:  # another reader made the copy at the same moment: keep theirs only
        att.copy.delete(save=False)
    return data


# ------------------------------------------------------------------ intake and submission


def intake_create(*, team: Team, by: User, opens_on: dt.date, closes_on: dt.date, scope: str,
                  phone: str, address: str = "", unit_id: int | None = None) -> IntakeCode:  # fmt: skip
    if not is_inspecting_side(by, team.pk):
        raise PermissionDenied("只有巡察办或本巡察组可以生成二维码。")
    if closes_on < opens_on:
        raise ServiceError("受理截止日期不能早于开始日期。")
    if not scope.strip() or not phone.strip():
        raise ServiceError("请填写受理范围和联系电话。")
    if len(scope.strip()) > 600:
        raise ServiceError("受理范围不超过 600 字（要印在一页 A4 公告上）。")
    if unit_id and not Assignment.objects.filter(team=team, unit_id=unit_id).exists():
        raise ServiceError("该单位不是本巡察组的巡察对象。")
    return IntakeCode.objects.create(
        token=secrets.token_urlsafe(12), round_id=team.round_id, team=team, unit_id=unit_id,
        opens_on=opens_on, closes_on=closes_on, scope=scope.strip(), phone=phone.strip(),
        address=address.strip(), created_by=by,
    )  # fmt: skip


def _new_receipt() -> tuple[str, str]:
    code = f"{secrets.randbelow(10**16):016d}"
    return code, vault.receipt_digest(code)


def _create(fields: dict[str, object], checked: list[tuple[bytes, str, cleaning.Kind]],
            with_receipt: bool) -> tuple[Petition, str | None]:  # fmt: skip
    written: list[Attachment] = []
    try:
        for _attempt in range(3):  # a receipt collision (1 in 10^16) takes a new code
            code, digest = _new_receipt() if with_receipt else (None, None)
            try:
                with transaction.atomic():
                    petition = Petition.objects.create(**fields, receipt_hash=digest)
                    _store(petition, checked, written)
                    return petition, code
            except IntegrityError:
                _discard(written)
                written.clear()
                if not with_receipt or Petition.objects.filter(receipt_hash=digest).count() == 0:
                    raise
        raise ServiceError("回执码生成失败，请重新提交。")
    except Exception:
        _discard(written)
        raise


def receipt_shown(code: str) -> str:
    """A receipt code as shown once, in groups of four: 1234 5678 9012 3456."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _respond_by(received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=settings.PETITION_RESPOND_DAYS)


def petition_submit(*, intake: IntakeCode, content: Content, identity: Identity | None,
                    files: Files = (), received_on: dt.date | None = None) -> tuple[Petition, str]:  # fmt: skip
    """A submission through a QR code. Returns the petition and its receipt code (the
    only time the code exists in clear). ``received_on`` is today except when earlier
    submissions are loaded (the demo city)."""
    today = received_on or timezone.localdate()
    if not intake.is_open(today):
        raise ServiceError(
            f"该二维码的受理时间为 {intake.opens_on:%Y年%-m月%-d日} 至 {intake.closes_on:%Y年%-m月%-d日}，"
            f"现不在受理期内。如需反映，请拨打 {intake.phone}。"
        )
    fields: dict[str, object] = {
        "round_id": intake.round_id, "team_id": intake.team_id, "unit_id": intake.unit_id,
        "intake": intake, "channel": Channel.QR, "received_on": today,
        "anonymous": identity is None, "content": vault.seal_json(content.checked()),
        "identity": None if identity is None else vault.seal_json(identity.checked()),
        "respond_by": _respond_by(today),
    }  # fmt: skip
    petition, code = _create(fields, _read(files), with_receipt=True)
    assert code is not None
    return petition, code


def petition_record(*, team: Team, by: User, channel: str, received_on: dt.date, content: Content,
                    identity: Identity | None, unit_id: int | None = None, files: Files = (),
                    issue_receipt: bool = False) -> tuple[Petition, str | None]:  # fmt: skip
    """A letter, visit or call entered by staff; a receipt code is issued on request
    (to hand to a visitor, who can then follow up online)."""
    if not is_inspecting_side(by, team.pk):
        raise PermissionDenied("只有巡察办或本巡察组可以登记信访件。")
    if channel not in Channel.values or channel == Channel.QR:
        raise ServiceError("请选择来信、来访、来电或网络举报。")
    if received_on > timezone.localdate():
        raise ServiceError("收到日期不能晚于今天。")
    fields: dict[str, object] = {
        "round_id": team.round_id, "team_id": team.pk, "unit_id": unit_id, "channel": channel,
        "received_on": received_on, "anonymous": identity is None,
        "content": vault.seal_json(content.checked()),
        "identity": None if identity is None else vault.seal_json(identity.checked()),
        "respond_by": _respond_by(received_on), "recorded_by": by,
    }  # fmt: skip
    return _create(fields, _read(files), with_receipt=issue_receipt)


# ------------------------------------------------------------------ messages


def _message_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ServiceError("请填写消息内容。")
    if len(body) > TEXT_LIMIT:
        raise ServiceError(f"消息超过 {TEXT_LIMIT} 字。")
    return body


def message_from_public(*, petition: Petition, body: str, files: Files = ()) -> Message:
    body = _message_body(body)
    checked = _read(files)
    written: list[Attachment] = []
    try:
        with transaction.atomic():
            message = Message.objects.create(petition=petition, author=Author.PUBLIC,
                                             body=vault.seal(body.encode()))  # fmt: skip
            _store(petition, checked, written, message)
            return message
    except Exception:
        _discard(written)
        raise


def message_from_team(*, petition: Petition, by: User, body: str) -> Message:
    _handle(petition, by)
    if petition.receipt_hash is None:
        raise ServiceError("该信访件没有回执码，无法在线答复；请通过登记的联系方式答复。")
    body = _message_body(body)
    with transaction.atomic():
        message = Message.objects.create(petition=petition, author=Author.TEAM, sent_by=by,
                                         body=vault.seal(body.encode()))  # fmt: skip
        Petition.objects.filter(pk=petition.pk, responded_at__isnull=True).update(
            responded_at=timezone.now()
        )
    return message


def message_body(message: Message) -> str:
    return vault.unseal(message.body).decode()


# ------------------------------------------------------------------ handling


def _handle(petition: Petition, by: User) -> None:
    if not is_inspecting_side(by, petition.team_id):
        raise PermissionDenied("只有巡察办或本巡察组可以办理该信访件。")


def _open(petition: Petition, by: User) -> Petition:
    """Lock the petition for a change; a closed petition is not changed again."""
    _handle(petition, by)
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    if locked.disposition:
        raise ServiceError(f"该信访件已办结（{locked.get_disposition_display()}），未作修改。")
    return locked


def petition_assign(*, petition: Petition, by: User, handler: User) -> Petition:
    in_team = handler.role == Role.TEAM and petition.team_id in team_ids(handler)
    if not (in_team or handler.role == Role.OFFICE):
        raise ServiceError("承办人须为本巡察组成员或巡察办工作人员。")
    with transaction.atomic():
        petition = _open(petition, by)
        petition.handler = handler
        petition.save(update_fields=["handler"])
        return petition


def petition_classify(*, petition: Petition, by: User, category: str, subcategory: str,
                      unit_id: int | None) -> Petition:  # fmt: skip
    if subcategory and subcategory not in dict(Subcategory.of(category)):
        raise ServiceError("具体类别与问题类别不一致。")
    if (
        unit_id
        and not Assignment.objects.filter(team_id=petition.team_id, unit_id=unit_id).exists()
    ):
        raise ServiceError("该单位不是本巡察组的巡察对象。")
    with transaction.atomic():
        _handle(petition, by)
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        petition.category, petition.subcategory, petition.unit_id = category, subcategory, unit_id
        petition.save(update_fields=["category", "subcategory", "unit"])
        return petition


def _close(petition: Petition, by: User, disposition: str, **links: object) -> Petition:
    petition.disposition, petition.disposed_by = disposition, by
    petition.disposed_on = timezone.localdate()
    for key, value in links.items():
        setattr(petition, key, value)
    if petition.responded_at is None:  # the petitioner sees the petition closed
        petition.responded_at = timezone.now()
    if petition.handler_id is None:
        petition.handler = by
    petition.save()
    return petition


def petition_dispose(*, petition: Petition, by: User, disposition: str) -> Petition:
    """Close with a disposition that creates nothing (answered, to the unit, out of scope,
    closed), or as 转为巡察发现问题 once :func:`petition_to_finding` has made its finding;
    leads go through :func:`petition_to_lead`, which closes at once."""
    if disposition not in DISPOSE_CHOICES:
        raise ServiceError("请选择处理方式。")
    with transaction.atomic():
        locked = _open(petition, by)
        if disposition == Disposition.FINDING and locked.finding_id is None:
            raise ServiceError("该信访件尚未转为问题，不能以“转为巡察发现问题”办结。")
        return _close(locked, by, disposition)


DISPOSE_CHOICES = (Disposition.ANSWERED, Disposition.TO_UNIT, Disposition.FINDING,
                   Disposition.OUT_OF_SCOPE, Disposition.CLOSED)  # fmt: skip


def _assignment(petition: Petition) -> Assignment:
    if petition.unit_id is None:
        raise ServiceError("请先为信访件指定反映对象单位（本组的巡察对象）。")
    assignment = Assignment.objects.filter(
        team_id=petition.team_id, unit_id=petition.unit_id
    ).first()
    if assignment is None:
        raise ServiceError("反映对象单位不是本巡察组的巡察对象。")
    return assignment


def petition_to_finding(*, petition: Petition, by: User, category: str, subcategory: str,
                        description: str, amount: Decimal = Decimal(0),
                        attachments: Sequence[Attachment] = ()) -> Petition:  # fmt: skip
    """Turn a petition into a finding (source: petition) that links back to it, with
    the chosen attachments as evidence (:func:`petition_evidence_attach`).

    This is not a disposition: the petition stays 办理中 for the petitioner until the
    team disposes of it (转为巡察发现问题 then becomes one of the dispositions). It was
    once closed here, which told the petitioner 已办结 while nothing had been done."""
    _handle(petition, by)
    copies = _evidence_copies(petition, attachments)
    with evidence_kept_on_success() as stored, transaction.atomic():
        petition = _open(petition, by)
        if petition.finding_id is not None:
            raise ServiceError("该信访件已转为问题，不能重复转。")
        finding = finding_create(
            assignment=_assignment(petition), by=by, category=category, subcategory=subcategory,
            description=description, source=Source.PETITION, amount=amount,
        )  # fmt: skip
        petition.category, petition.subcategory, petition.finding = category, subcategory, finding
        if petition.handler_id is None:  # someone is handling it now
            petition.handler = by
        petition.save(update_fields=["category", "subcategory", "finding", "handler"])
        _attach(petition, finding, by, copies, stored)
        return petition


# What a petition attachment may become as evidence: the kinds both sides accept.
EVIDENCE_MIMES = frozenset(EVIDENCE_TYPES) & frozenset(cleaning.KINDS)


def evidence_name(att: Attachment, position: int) -> str:
    """The neutral name a copy gets as evidence: never the petitioner's file name,
    which may carry their name (张三举报.jpg)."""
    return f"信访附件{position}.{cleaning.kind_of(att.mime).extension}"


def _evidence_copies(petition: Petition, attachments: Sequence[Attachment]) -> list[tuple[Attachment, str, bytes]]:  # fmt: skip
    """The metadata-stripped copies to attach, made before any transaction (making a
    copy runs a child process)."""
    positions = {pk: i for i, pk in enumerate(petition.attachments.values_list("pk", flat=True), 1)}
    copies = []
    for att in attachments:
        if att.petition_id != petition.pk:
            raise ServiceError("所选附件不属于该信访件。")
        name = evidence_name(att, positions[att.pk])
        if att.mime not in EVIDENCE_MIMES:
            kind = cleaning.kind_of(att.mime)
            raise ServiceError(f"「{name}」是{kind.label}，证据材料不接受该格式，未附为证据。")
        copies.append((att, name, attachment_copy(att)))
    return copies


def _attach(petition: Petition, finding: Finding, by: User,
            copies: list[tuple[Attachment, str, bytes]], stored: list[Evidence]) -> list[EvidenceCopy]:  # fmt: skip
    made = []
    for att, name, data in copies:
        if EvidenceCopy.objects.filter(attachment=att, finding=finding).exists():
            raise ServiceError(f"「{name}」已附到该问题，未重复添加。")
        evidence = evidence_store(data=io.BytesIO(data), name=name, by=by)
        stored.append(evidence)
        finding.evidence.add(evidence)
        made.append(
            EvidenceCopy.objects.create(attachment=att, finding=finding, evidence=evidence, by=by)
        )
        Access.objects.create(
            petition=petition, user=by, action=AccessAction.EVIDENCE, attachment=att
        )
    return made


def petition_evidence_attach(*, petition: Petition, by: User,
                             attachments: Sequence[Attachment]) -> list[EvidenceCopy]:  # fmt: skip
    """Attach petition attachments to the petition's finding as evidence: their
    metadata-stripped copies under neutral names (see :class:`EvidenceCopy` for why
    copies). Each is logged as a read of that attachment. Allowed after the petition is
    disposed of too: evidence is often gathered late."""
    if not attachments:
        raise ServiceError("请选择要附为证据的附件。")
    _handle(petition, by)
    if petition.finding_id is None:
        raise ServiceError("该信访件尚未转为问题，请先转为问题。")
    copies = _evidence_copies(petition, attachments)
    with evidence_kept_on_success() as stored, transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.finding_id is None:
            raise ServiceError("该信访件尚未转为问题，请先转为问题。")
        finding = Finding.objects.get(pk=locked.finding_id)
        return _attach(locked, finding, by, copies, stored)


def petition_to_lead(*, petition: Petition, by: User, description: str, handed_to: str,
                     handed_on: dt.date, receiver: str, due_on: dt.date) -> Petition:  # fmt: skip
    with transaction.atomic():
        petition = _open(petition, by)
        lead = lead_create(assignment=_assignment(petition), by=by, description=description,
                           handed_to=handed_to, handed_on=handed_on, receiver=receiver,
                           due_on=due_on)  # fmt: skip
        return _close(petition, by, Disposition.LEAD, lead=lead)


def petition_link(*, petition: Petition, other: Petition, by: User, duplicate: bool) -> None:
    """Link two petitions of the same team as related, or mark ``petition`` a duplicate
    of ``other`` (a duplicate is closed with the original)."""
    _handle(petition, by)
    if other.pk == petition.pk:
        raise ServiceError("不能与自身关联。")
    if other.team_id != petition.team_id:
        raise ServiceError("只能关联本巡察组的信访件。")
    with transaction.atomic():
        if duplicate:
            locked = _open(petition, by)
            _close(locked, by, Disposition.CLOSED, duplicate_of=other)
        petition.related.add(other)


# A sitting: the same user reading the same thing of the same petition within this
# long of their last logged read of it (decision 0006).
SITTING = dt.timedelta(minutes=30)


def petition_read(*, petition: Petition, user: User, action: str,
                  attachment: Attachment | None = None) -> bool:  # fmt: skip
    """Log a staff read (content, identity, an attachment) before it happens; returns
    whether a row was written.

    Within a sitting a repeated read of the same thing is not logged again: the page
    reopening after each assign, classify or reply would otherwise log one read per
    action. Reading something new (the identity, another attachment, the original
    after the copy) is always logged, as is the first read after the sitting."""
    since = timezone.now() - SITTING
    same = Access.objects.filter(petition=petition, user=user, action=AccessAction(action),
                                 attachment=attachment, at__gte=since)  # fmt: skip
    if same.exists():
        return False
    Access.objects.create(petition=petition, user=user, action=AccessAction(action),
                          attachment=attachment)  # fmt: skip
    return True
