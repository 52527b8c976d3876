"""Official documents (公文) made from the workbench's data.

A :class:`Report` is the record of one inspection report (巡察报告): what it said, as
structured content, whether Xuncha generated it from a round's data or a lower-level
inspection office submitted it. Report quality review (:mod:`xuncha.reviews`) samples
and checks these records; the DOCX is rendered from the content on demand.
"""

from __future__ import annotations

from django.db import models

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
