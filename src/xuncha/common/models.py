"""What every model shares: timestamps. History is kept by django-simple-history on
the models whose changes must be shown (findings, leads, rectification items)."""

from __future__ import annotations

from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


def evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under its hash, never under the uploader's name (no path tricks, no clashes).
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(BaseModel):
    """An uploaded evidence file, checked by content and size before it is stored."""

    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "证据材料"
        verbose_name_plural = "证据材料"

    def __str__(self) -> str:
        return self.original_name
