"""Evidence uploads are checked by content and size; a refused one stores nothing."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.test import override_settings

from web.factories import PDF, UserFactory
from xuncha.common.errors import ServiceError
from xuncha.common.models import Evidence
from xuncha.common.services import evidence_store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "空.pdf", "空文件"),
        (EXE, "照片.jpg", "不是允许的证据格式"),
        (b"<html><script>alert(1)</script></html>", "说明.pdf", "不是允许的证据格式"),
        (PDF + b"x" * 2048, "大.pdf", "超过"),
    ],
)
@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_refused_uploads_store_nothing(db, settings, content, name, message) -> None:
    with pytest.raises(ServiceError, match=message):
        evidence_store(data=io.BytesIO(content), name=name, by=UserFactory())
    assert not Evidence.objects.exists()
    digest = hashlib.sha256(content).hexdigest()
    assert not (settings.MEDIA_ROOT / "evidence" / digest[:2] / digest).exists()


def test_accepted_upload_is_stored_under_its_hash(db) -> None:
    evidence = evidence_store(data=io.BytesIO(PNG), name="../../现场照片.png", by=UserFactory())
    assert evidence.content_type == "image/png" and evidence.size == len(PNG)
    assert evidence.file.name == f"evidence/{evidence.sha256[:2]}/{evidence.sha256}"
    assert evidence.file.read() == PNG
