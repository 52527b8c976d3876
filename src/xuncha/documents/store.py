"""Offices' own document templates (公文模板): which template a kind renders with, and
installing or retiring an office's replacement.

Every kind renders one docxtpl template (see :mod:`xuncha.documents.official.templates`):
the office's active template for the kind when it installed one, else the shipped one.
An upload is checked in a child process under the sandbox's limits (a zip bomb or a
template that makes the parser spin stops there); a refused file is not stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuncha import sandbox
from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError

from .models import DocumentKind, OfficeTemplate

#: The kinds whose template must also print the table (the 交办单's items, the term
#: plan's summary by round).
TABLE_KINDS = frozenset({DocumentKind.IMMEDIATE.value, DocumentKind.TERMPLAN.value})
#: Largest template accepted (the shipped one is some 40 KB; a letterhead image or two).
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def template_kinds() -> list[tuple[str, str]]:
    """The kinds rendered from a DOCX template (value, label)."""
    return [(k.value, k.label) for k in DocumentKind if k.value != "ledger"]


def required_fields(kind: str) -> tuple[str, ...]:
    """The fields a template for ``kind`` must use (every template's, and the table's
    for a kind with one)."""
    from .official.templates import REQUIRED_FIELDS, TABLE_FIELDS

    return REQUIRED_FIELDS + (TABLE_FIELDS if kind in TABLE_KINDS else ())


def active_template(kind: str) -> OfficeTemplate | None:
    """The office's installed template for ``kind``, if any."""
    return OfficeTemplate.objects.filter(kind=kind, active=True).first()


def template_for(kind: str) -> bytes:
    """The template ``kind`` renders with: the office's active one, else the shipped one."""
    installed = active_template(kind)
    if installed is not None:
        with installed.file.open("rb") as f:
            data: bytes = f.read()
        return data
    return shipped()


def shipped() -> bytes:
    from .official.templates import shipped_template

    return shipped_template()


def _kind_label(kind: str) -> str:
    labels = dict(template_kinds())
    if kind not in labels:
        raise ServiceError(f"没有「{kind}」这种公文。")
    return labels[kind]


def template_check(data: bytes, *, name: str, kind: str) -> list[str]:
    """The fields the template ``data`` uses (sorted), after checking it in a child
    process; raises ServiceError (Chinese, naming the file) when it is refused."""
    from .official.templates import TemplateRefused, template_fields, validate_template

    label = _kind_label(kind)
    if not data:
        raise ServiceError(f"文件「{name}」是空的，不是 DOCX 文件。")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ServiceError(
            f"文件「{name}」超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB，不能作为公文模板。"
        )
    limits = sandbox.limits("parse")
    try:
        sandbox.run(validate_template, data, required=required_fields(kind), file=name,
                    limits=limits)  # fmt: skip
        fields: Iterable[str] = sandbox.run(template_fields, data, file=name, limits=limits)
    except TemplateRefused as err:
        raise ServiceError(f"「{label}」模板「{name}」未安装：{err}") from err
    except sandbox.FileCrashed as err:
        raise ServiceError(
            f"「{label}」模板「{name}」未安装：读取时{sandbox.describe(err.limits, err.reason)}，"
            "已停止读取。文件可能已损坏，或是恶意构造的文件（如压缩炸弹）；请在 Word 中另存后再上传。"
        ) from err
    return sorted(fields)


def template_install(*, kind: str, data: bytes, name: str, by: User) -> OfficeTemplate:
    """Check ``data`` and make it the active template for ``kind`` (the previous one is
    retired and kept). Nothing is stored when the file is refused."""
    fields = template_check(data, name=name, kind=kind)
    now = timezone.now()
    with transaction.atomic():
        _retire(kind, by=by, now=now)
        template = OfficeTemplate(
            kind=kind, name=name[:200], token=secrets.token_hex(16), size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), fields=fields, installed_by=by,
            installed_at=now,
        )  # fmt: skip
        template.file.save("template.docx", ContentFile(data), save=False)
        try:
            template.save()
        except Exception:
            template.file.delete(save=False)
            raise
    return template


def template_revert(*, kind: str, by: User) -> OfficeTemplate | None:
    """Go back to the shipped template for ``kind``; the retired one (returned, or None
    when the shipped one was in use already) stays in the history."""
    _kind_label(kind)
    with transaction.atomic():
        return _retire(kind, by=by, now=timezone.now())


def _retire(kind: str, *, by: User, now: dt.datetime) -> OfficeTemplate | None:
    current = OfficeTemplate.objects.select_for_update().filter(kind=kind, active=True).first()
    if current is not None:
        OfficeTemplate.objects.filter(pk=current.pk).update(
            active=False, retired_by=by, retired_at=now
        )
    return current
