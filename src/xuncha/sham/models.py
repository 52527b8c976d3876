"""Sham-rectification signals (虚假整改疑点) and the fingerprints they are computed from.

A :class:`Signal` is found by the daily derivation (:mod:`xuncha.sham.derive`), never
typed: it names its items, the evidence files and the progress reports behind it, and
an explanation. People only decide on it (confirmed / dismissed, with a note; history
kept). Fingerprints (:class:`EvidencePrint`, :class:`TextPrint`) are computed once per
file or text, so a daily run reads only what is new. See docs/decisions/0018.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel


@toned("sham_kind")
class SignalKind(Toned):
    SAME_FILE = "same_file", "同一证据文件重复使用"
    COPIED_TEXT = "copied_text", "整改进展文字雷同"
    EARLY_EVIDENCE = "early_evidence", "证据早于问题反馈"
    DEADLINE_RUSH = "deadline_rush", "临期突击销号"
    RECURRENCE = "recurrence", "屡查屡犯"
    MONEY = "money", "追回金额不符"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {member.value: Tone.WARN for member in cls}


@toned("sham_status")
class SignalStatus(Toned):
    OPEN = "open", "待核实"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.OPEN: Tone.WARN, cls.CONFIRMED: Tone.BAD, cls.DISMISSED: Tone.MUTED}


class Signal(BaseModel):
    """One suspicion: a group of items (and files, reports) one rule holds for.

    ``key`` identifies the group across days (``kind`` + e.g. the first file's id), so a
    daily run updates a signal rather than making a new one, and a decision stays. When
    the rule no longer holds (data corrected), ``gone_on`` records the day."""

    kind = models.CharField("疑点类型", max_length=20, choices=SignalKind.choices, db_index=True)
    key = models.CharField("识别键", max_length=100)
    explanation = models.TextField("说明")
    items = models.ManyToManyField(
        "rectifications.RectificationItem", verbose_name="整改事项", related_name="+"
    )
    evidence = models.ManyToManyField(
        "common.Evidence", verbose_name="证据材料", blank=True, related_name="+"
    )
    reports = models.ManyToManyField(
        "rectifications.ProgressReport", verbose_name="整改进展", blank=True, related_name="+"
    )
    first_seen = models.DateField("发现日期")
    gone_on = models.DateField("数据不再显示疑点的日期", null=True, blank=True)
    status = models.CharField(
        "核实状态", max_length=10, choices=SignalStatus.choices, default=SignalStatus.OPEN,
        db_index=True,
    )  # fmt: skip
    note = models.TextField("核实意见", blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="核实人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "虚假整改疑点"
        verbose_name_plural = "虚假整改疑点"
        ordering = ["-first_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="sham_signal_kind_key",
                                    violation_error_message="同一疑点只记录一次。"),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="sham_decided_has_who", violation_error_message="已核实的疑点必须记录核实人和时间。",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.pk}）"


class EvidencePrint(models.Model):
    """What a file says about itself, read once in the sandbox: a photo's perceptual hash
    (imagehash pHash, 16 hex digits) and the day it was taken or made (EXIF
    DateTimeOriginal / DateTimeDigitized, a PDF's CreationDate). Empty when the file has
    none, or ``error`` says why it could not be read."""

    evidence = models.OneToOneField(
        "common.Evidence", verbose_name="证据材料", on_delete=models.CASCADE, primary_key=True,
        related_name="+",
    )  # fmt: skip
    phash = models.CharField("感知哈希", max_length=16, blank=True, db_index=True)
    taken_on = models.DateField("拍摄或制作日期", null=True, blank=True)
    date_source = models.CharField("日期来源", max_length=30, blank=True)
    error = models.CharField("读取问题", max_length=300, blank=True)

    class Meta:
        verbose_name = "证据指纹"
        verbose_name_plural = "证据指纹"


class TextSource(models.TextChoices):
    REPORT = "report", "整改进展"
    FINDING = "finding", "问题描述"


class TextPrint(models.Model):
    """A text's MinHash (datasketch, jieba words and word pairs), computed once. An empty
    ``minhash`` marks a text too short to compare."""

    source = models.CharField("来源", max_length=10, choices=TextSource.choices)
    object_id = models.PositiveBigIntegerField("编号")
    text_sha = models.CharField("文字摘要", max_length=40)
    minhash = models.BinaryField("MinHash", blank=True)

    class Meta:
        verbose_name = "文字指纹"
        verbose_name_plural = "文字指纹"
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id"], name="sham_textprint_once"),
        ]
