"""Shared writes: storing an evidence file after checking it by content and size; the
optimistic locking of rows that carry a ``version`` (what the page showed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from xuncha.accounts.models import User

from .errors import ConcurrentEdit, ServiceError
from .models import Evidence

# What evidence may be: documents, photos, video. Decided from the bytes, not the name.
EVIDENCE_TYPES = {
    "application/pdf": "PDF 文件",
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/webp": "WebP 图片",
    "video/mp4": "MP4 视频",
    "video/quicktime": "MOV 视频",  # what iPhones record
    # filetype names an OOXML document by its kind; a bare zip archive is not evidence.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
}


def evidence_store(*, data: IO[bytes], name: str, by: User) -> Evidence:
    """Check an upload and store it; a refused upload stores nothing."""
    limit = settings.EVIDENCE_MAX_BYTES
    content = data.read(limit + 1)
    if not content:
        raise ServiceError(f"「{name}」是空文件。")
    if len(content) > limit:
        raise ServiceError(f"「{name}」超过 {limit // (1024 * 1024)} MB 的上限。")
    kind = filetype.guess(content)
    mime = kind.mime if kind else None
    if mime not in EVIDENCE_TYPES:
        allowed = "、".join(sorted(set(EVIDENCE_TYPES.values())))
        raise ServiceError(f"「{name}」的内容不是允许的证据格式（{allowed}），已拒收。")
    digest = hashlib.sha256(content).hexdigest()
    evidence = Evidence(
        original_name=name[:255],
        content_type=mime,
        size=len(content),
        sha256=digest,
        uploaded_by=by,
    )
    evidence.file.save(digest, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            evidence.save()
    except Exception:
        evidence.file.delete(save=False)  # no file without its record
        raise
    return evidence


@contextmanager
def evidence_kept_on_success() -> Iterator[list[Evidence]]:
    """For evidence stored inside a transaction: if the block fails, its rows roll back
    but files on disk would stay, so the files of what the caller added to the yielded
    list are deleted (enter it outside ``transaction.atomic()``)."""
    stored: list[Evidence] = []
    try:
        yield stored
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise


# Optimistic locking: a row with a ``version`` is re-read under a lock inside the write's
# transaction, a save based on an older version than it now holds is refused, and each
# save moves the version on (in the saver's name in the history).
Versioned = TypeVar("Versioned", bound=Any)


def locked(obj: Versioned) -> Versioned:
    """``obj`` re-read under a row lock (inside a transaction)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def check_version(obj: Any, version: int | None, what: str, redo: str = "操作") -> None:
    """Refuse a save based on ``version`` when ``obj`` (as locked) has moved on; None: no
    version to check (a service called without a page)."""
    if version is not None and obj.version != version:
        raise ConcurrentEdit(f"该{what}已被他人修改，请刷新页面后重新{redo}。")


def save_versioned(obj: Versioned, by: User, fields: list[str]) -> Versioned:
    """Save ``fields`` of ``obj`` one version on, ``by`` named in its history."""
    obj.version += 1
    obj._history_user = by
    obj.save(update_fields=[*fields, "version", "updated_at"])
    return obj
