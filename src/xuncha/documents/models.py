"""Official documents (公文) made from the workbench's data.

A :class:`Report` is the record of one inspection report (巡察报告): what it said, as
structured content, whether Xuncha generated it from a round's data or a lower-level
inspection office submitted it. Report quality review (:mod:`xuncha.reviews`) samples
and checks these records; the DOCX is rendered from the content on demand.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel


class DocumentKind(models.TextChoices):
    REPORT = "report", "巡察报告"
    FEEDBACK = "feedback", "反馈意见"
    PAPERS = "papers", "问题底稿"
    LEADS = "leads", "线索移交函"
    IMMEDIATE = "immediate", "立行立改交办单"
    PLAN = "plan", "整改方案"
    PROGRESS = "progress", "整改情况报告"
    NOTICE = "notice", "巡察公告"
    # Not a round's unit's: one per 督办 on a red or yellow card, from the letter page
    # (xuncha.documents.kinds.supervision); here so that an office may install its template.
    SUPERVISION = "supervision", "督办函"
    # Not a round's unit's either: a term's plan, from its plan page
    # (xuncha.documents.kinds.termplan); here so that an office may install its template.
    TERMPLAN = "termplan", "届内巡察全覆盖规划"


class ReportSource(models.TextChoices):
    GENERATED = "generated", "本系统生成"
    SUBMITTED = "submitted", "下级报送"


class Report(BaseModel):
    """One inspection report as content.

    ``content`` holds (every key present, lists possibly empty)::

        {"sections": [{"heading": "一、…", "paragraphs": [str], "subsections": [...]}],
         "problems": [{"finding": id | None, "category": code, "subcategory": code,
                       "text": str, "basis": str, "responsible": str,
                       "paper_signed": bool, "amount": "123.00"}],
         "leads": [{"lead": id | None, "text": str, "handed_to": code | "", "receiver": str}],
         "recommendations": [{"text": str, "problems": [index into problems]}],
         "figures": {key: {"label": str, "value": str, "source": str}}}

    ``sections`` is the body as the document shows it; the other keys are what the
    automatic review checks read. Headings carry their numbers (一、/（一）/1./（1）).
    """

    source = models.CharField(
        "来源", max_length=20, choices=ReportSource.choices, default=ReportSource.GENERATED
    )
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unit = models.ForeignKey(
        "units.Unit", verbose_name="被巡察单位", on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.CharField("报告单位", max_length=100)
    number = models.CharField("文号", max_length=50, blank=True)
    title = models.CharField("标题", max_length=200)
    submitted_on = models.DateField("报告日期", db_index=True)
    content = models.JSONField("内容", default=dict)
    findings = models.ManyToManyField(
        "findings.Finding", verbose_name="报告所列问题", blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="生成人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "巡察报告"
        verbose_name_plural = "巡察报告"
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return self.title


def template_path(instance: OfficeTemplate, filename: str) -> str:
    # Stored under a token, never under the uploader's name (no path tricks, no clashes).
    return f"documents/templates/{instance.kind}/{instance.token}.docx"


class OfficeTemplate(BaseModel):
    """An office's own DOCX template for one kind (a replacement of the shipped one).

    At most one is active per kind; reverting to the shipped template or installing
    another retires it, and the retired ones stay as the history."""

    kind = models.CharField("公文种类", max_length=20, choices=DocumentKind.choices)
    name = models.CharField("原文件名", max_length=200)
    token = models.CharField("存储标识", max_length=32, unique=True)
    file = models.FileField("模板文件", upload_to=template_path, max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    fields = models.JSONField("模板字段", default=list, blank=True)  # sorted dotted names
    installed_by = models.ForeignKey(
        "accounts.User", verbose_name="安装人", on_delete=models.PROTECT, related_name="+"
    )
    installed_at = models.DateTimeField("安装时间", default=timezone.now)
    active = models.BooleanField("在用", default=True)
    retired_by = models.ForeignKey(
        "accounts.User", verbose_name="停用人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "公文模板"
        verbose_name_plural = "公文模板"
        ordering = ["kind", "-installed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(active=True), name="office_template_active_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


@toned("document_job")
class JobStatus(Toned):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"

    @classmethod
    def tones(cls) -> dict[str, Tone]:
        return {
            cls.QUEUED: Tone.MUTED,
            cls.RUNNING: Tone.INFO,
            cls.DONE: Tone.OK,
            cls.FAILED: Tone.BAD,
        }


def job_path(instance: DocumentJob, filename: str) -> str:
    # A folder per job; the names people see are kept on the job (docx_name, pdf_name).
    return f"documents/jobs/{instance.token}/{filename}"


class DocumentJob(BaseModel):
    """A kind's documents for a round's unit as someone had them: a 「下载 Word」 (rendered
    at once) or a request for PDF, worked in the background: render the DOCX, keep it,
    convert it with LibreOffice, keep the PDF. Several documents (one working paper per
    finding) are kept as one ZIP of each."""

    kind = models.CharField("公文种类", max_length=20)
    round = models.ForeignKey(
        "planning.Round", verbose_name="轮次", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="被巡察单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField("存储标识", max_length=32, unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    # False: a 「下载 Word」, rendered in the request and kept here, done at once.
    pdf_wanted = models.BooleanField("生成 PDF", default=True)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    message = models.TextField("说明", blank=True)  # why it failed
    warnings = models.JSONField("提示", default=list, blank=True)
    docx = models.FileField("Word 文件", upload_to=job_path, max_length=300, blank=True)
    docx_name = models.CharField("Word 文件名", max_length=200, blank=True)  # as downloaded
    pdf = models.FileField("PDF 文件", upload_to=job_path, max_length=300, blank=True)
    pdf_name = models.CharField("PDF 文件名", max_length=200, blank=True)
    worker = models.CharField("工作进程", max_length=100, blank=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "公文生成任务"
        verbose_name_plural = "公文生成任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return f"公文生成任务 {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
