"""Petitions (信访举报): the public QR channel (码上巡察) and letters, visits and calls
entered by staff, in one inbox per team.

What a petitioner wrote, who they are and what they attached is encrypted at rest
(:mod:`xuncha.petitions.vault`); the database holds ciphertext, the receipt code only as
a keyed hash, and nothing about the petitioner's device or address. Every staff read is
an :class:`Access` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import models
from django.utils import timezone

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel
from xuncha.findings.choices import Category, Subcategory


class Channel(models.TextChoices):
    QR = "qr", "码上巡察"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    CALL = "call", "来电"
    ONLINE = "online", "网络举报"


class Disposition(models.TextChoices):
    ANSWERED = "answered", "已答复"
    TO_UNIT = "to_unit", "转被巡察单位办理"
    FINDING = "finding", "转为巡察发现问题"
    LEAD = "lead", "作为问题线索移交"
    OUT_OF_SCOPE = "out_of_scope", "不属于巡察受理范围"
    CLOSED = "closed", "了结存档"


@toned("petition_stage")
class Stage(Toned):
    """Where a petition stands, derived from handler and disposition."""

    NEW = "new", "待分办"
    HANDLING = "handling", "办理中"
    DONE = "done", "已办结"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.NEW: Tone.WARN, cls.HANDLING: Tone.INFO, cls.DONE: Tone.OK}


# What the petitioner sees of each stage: nothing about leads or who handles it.
PUBLIC_STAGE = {Stage.NEW: "已收到，待办理", Stage.HANDLING: "办理中", Stage.DONE: "已办结"}


class IntakeCode(BaseModel):
    """A QR code of a team in a round (optionally for one inspected unit)."""

    token = models.CharField("链接标识", max_length=32, unique=True)
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="被巡察单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_on = models.DateField("受理开始")
    closes_on = models.DateField("受理截止")
    scope = models.TextField("受理范围")
    phone = models.CharField("联系电话", max_length=50)
    address = models.CharField("邮政信箱/地址", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "码上巡察二维码"
        verbose_name_plural = "码上巡察二维码"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="intake_window_ordered",
                                   violation_error_message="受理截止日期不能早于开始日期。"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.team}{'·' + str(self.unit) if self.unit_id else ''}"

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.active and self.opens_on <= today <= self.closes_on


class Petition(models.Model):
    """No creation timestamp: only the day it was received is kept (a submission time
    to the second could be matched against who was seen holding a phone)."""

    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="反映对象单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    intake = models.ForeignKey(
        IntakeCode,
        verbose_name="二维码",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    received_on = models.DateField("收到日期")
    anonymous = models.BooleanField("匿名", default=True)
    # Encrypted JSON: identity {name, phone, contact}; content {who, what, where, when}.
    identity = models.BinaryField("身份（加密）", null=True, editable=False)
    content = models.BinaryField("内容（加密）", editable=False)
    receipt_hash = models.CharField(
        "回执码摘要", max_length=64, unique=True, null=True, editable=False
    )
    category = models.CharField("问题类别", max_length=20, choices=Category.choices, blank=True)
    subcategory = models.CharField(
        "具体类别", max_length=30, choices=Subcategory.choices, blank=True
    )
    handler = models.ForeignKey(
        "accounts.User",
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    respond_by = models.DateField("首次答复期限")
    responded_at = models.DateTimeField("首次答复时间", null=True, blank=True)
    disposition = models.CharField(
        "处理方式", max_length=20, choices=Disposition.choices, blank=True
    )
    disposed_on = models.DateField("办结日期", null=True, blank=True)
    disposed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复件（原件）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    related = models.ManyToManyField("self", verbose_name="关联件", blank=True, symmetrical=True)
    finding = models.ForeignKey(
        "findings.Finding",
        verbose_name="转为问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    lead = models.ForeignKey(
        "findings.Lead",
        verbose_name="移交线索",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "信访举报"
        verbose_name_plural = "信访举报"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["team", "-received_on"]),
            models.Index(fields=["round", "channel"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disposition="", disposed_on__isnull=True) | (~models.Q(disposition="") & models.Q(disposed_on__isnull=False)),
                name="petition_disposed_has_date", violation_error_message="办结的信访件必须有办结日期。"),
            models.CheckConstraint(condition=models.Q(anonymous=True, identity__isnull=True) | models.Q(anonymous=False),
                                   name="anonymous_petition_has_no_identity",
                                   violation_error_message="匿名信访件不能保存身份信息。"),
            models.CheckConstraint(condition=~models.Q(duplicate_of=models.F("id")), name="petition_not_own_duplicate"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"信访件 {self.number}"

    @property
    def number(self) -> str:
        return f"XF{self.pk:06d}"

    @property
    def stage(self) -> Stage:
        if self.disposition:
            return Stage.DONE
        return Stage.HANDLING if self.handler_id else Stage.NEW

    @property
    def public_stage(self) -> str:
        return PUBLIC_STAGE[self.stage]

    @property
    def response_overdue(self) -> bool:
        return self.responded_at is None and timezone.localdate() > self.respond_by


class Author(models.TextChoices):
    PUBLIC = "public", "反映人"
    TEAM = "team", "巡察组"


class Message(models.Model):
    """A message of the two-way, anonymous exchange through the receipt code."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField("发送方", max_length=10, choices=Author.choices)
    sent_by = models.ForeignKey(
        "accounts.User",
        verbose_name="发送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.BinaryField("内容（加密）")
    sent_on = models.DateField("日期", default=timezone.localdate)

    class Meta:
        verbose_name = "往来消息"
        verbose_name_plural = "往来消息"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(author="public", sent_by__isnull=True) | models.Q(author="team", sent_by__isnull=False),
                                   name="message_author_consistent"),
        ]  # fmt: skip


def _blob_path(instance: Attachment, filename: str) -> str:
    # A random name: neither the uploader's file name nor a hash of the content.
    return f"petitions/{filename[:2]}/{filename}"


class Attachment(models.Model):
    """An attachment: the encrypted original (evidence) and an encrypted copy with its
    metadata removed (for viewing), made when first viewed."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    mime = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    meta = models.BinaryField("文件名与摘要（加密）")
    original = models.FileField("原件（加密）", upload_to=_blob_path, max_length=200)
    copy = models.FileField("查看副本（加密）", upload_to=_blob_path, max_length=200, blank=True)

    class Meta:
        verbose_name = "信访附件"
        verbose_name_plural = "信访附件"
        ordering = ["id"]


class AccessAction(models.TextChoices):
    VIEW = "view", "查看内容"
    IDENTITY = "identity", "查看身份信息"
    COPY = "copy", "查看附件副本"
    ORIGINAL = "original", "下载附件原件"
    EVIDENCE = "evidence", "附为问题证据"


class Access(models.Model):
    """One read of a petition by a member of staff (kept; never edited)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=10, choices=AccessAction.choices)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "信访查阅记录"
        verbose_name_plural = "信访查阅记录"
        ordering = ["-at", "-id"]
        # "Has this user read this petition in this sitting?" is asked on every read.
        indexes = [models.Index(fields=["petition", "user", "-at"])]


class EvidenceCopy(models.Model):
    """A petition attachment attached to the petition's finding as evidence.

    The finding gets a *copy*, not a reference: the metadata-stripped viewing copy,
    stored as ordinary evidence under a neutral name (信访附件N.ext), because a finding's
    evidence is read by the leader, the supervisor and, once fed back, the unit, none of
    whom may open the petition (decision 0006). The link back to the attachment lives
    here, on the petitions side, so only those who may see petitions can follow it."""

    attachment = models.ForeignKey(
        Attachment,
        verbose_name="信访附件",
        on_delete=models.PROTECT,
        related_name="evidence_copies",
    )
    finding = models.ForeignKey(
        "findings.Finding", verbose_name="问题", on_delete=models.CASCADE, related_name="+"
    )
    evidence = models.ForeignKey(
        "common.Evidence", verbose_name="证据材料", on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        "accounts.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField("日期", default=timezone.localdate)

    class Meta:
        verbose_name = "信访附件转为证据"
        verbose_name_plural = "信访附件转为证据"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "finding"], name="attachment_once_per_finding",
                                    violation_error_message="该附件已附到这个问题。"),
        ]  # fmt: skip


class ReceiptSession(models.Model):
    """A receipt-code log-in: the browser holds a random token, the database only its
    SHA-256, bound to one petition. It ends after ``PETITION_SESSION_IDLE`` seconds
    without use, ``PETITION_SESSION_MAX`` seconds after log-in, or on leaving, and is
    deleted then. A petition number, signed with whatever key, opens nothing.

    The two expiry times are the only clock times kept about a petitioner, for at most
    ``PETITION_SESSION_MAX`` seconds (decision 0006)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    idle_until = models.DateTimeField("空闲到期", db_index=True)
    ends_at = models.DateTimeField("最迟到期")

    class Meta:
        verbose_name = "回执码登录"
        verbose_name_plural = "回执码登录"
        constraints = [
            models.CheckConstraint(condition=models.Q(idle_until__lte=models.F("ends_at")),
                                   name="receipt_session_idle_within_end"),
        ]  # fmt: skip
