"""Serving an evidence file to someone allowed to open it (the selectors decide who).

Photos open in the browser (a phone shows the photo); anything else downloads (PDF
included: browsers' PDF viewers refuse to run under the sandbox policy).
The response carries the original Chinese file name, runs nothing
(:func:`~xuncha.common.files.sandboxed`) and is kept by no cache, and every opening is
logged."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from xuncha.accounts.access import user_of
from xuncha.common.files import sandboxed
from xuncha.common.models import Evidence

from .services import evidence_opened

INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


def evidence_response(request: HttpRequest, evidence: Evidence, *, subject: str) -> FileResponse:
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError as err:  # the record without its file: say so, do not fail
        raise Http404("该证据材料的文件已不在服务器上，请联系系统管理员。") from err
    evidence_opened(evidence=evidence, by=user_of(request), subject=subject)
    inline = evidence.content_type in INLINE_TYPES
    response = FileResponse(stream, as_attachment=not inline, filename=evidence.original_name,
                            content_type=evidence.content_type if inline else "application/octet-stream")  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return sandboxed(response)
