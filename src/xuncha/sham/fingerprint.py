"""Keep the fingerprints up to date: each new evidence file of a progress report and each
new progress report's text is read once (in sandboxed children, batches in parallel over
the machine's cores); a daily run reads only what is new since the last one."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, QuerySet

from xuncha import sandbox
from xuncha.common.models import Evidence
from xuncha.findings.models import Finding
from xuncha.rectifications.models import ProgressReport

from . import prints
from .models import EvidencePrint, TextPrint, TextSource

log = logging.getLogger(__name__)

FILE_BATCH = 10000  # a child costs a second or two to start (numpy, scipy, Pillow)
TEXT_BATCH = 30000
BATCH = 5000
IN_PROCESS_TEXTS = 5000  # more (a first run's backlog) are spread over children, one per core


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _in_children(fn: Callable[[Any], list[Any]], batches: Sequence[Any], name: str) -> list[Any]:
    """``fn(batch)`` for each batch in a sandboxed child, batches in parallel. A batch whose
    child dies (a hostile file) is split in halves until the file is alone; that file is
    then given up (``None`` in its place, logged)."""

    def one(batch: Any) -> list[Any]:
        try:
            return list(sandbox.run(fn, batch, file=name, limits=sandbox.limits("parse")))
        except sandbox.FileCrashed as err:
            if len(batch) == 1:
                log.warning("fingerprint given up: %s", err)
                return [None]
            half = len(batch) // 2
            return one(batch[:half]) + one(batch[half:])

    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        return [row for rows in pool.map(one, batches) for row in rows]


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    """``rows`` in batches of at most ``size``, their number a multiple of the workers (no
    core idles in the last round) unless there are fewer rows than workers."""
    if not rows:
        return []
    workers = min(_workers(), len(rows))
    rounds = -(-len(rows) // (size * workers))
    step = -(-len(rows) // (rounds * workers))
    return [rows[i : i + step] for i in range(0, len(rows), step)]


def evidence_prints_update() -> int:
    """Fingerprint the progress reports' evidence files not yet fingerprinted."""
    used = ProgressReport.evidence.through.objects.filter(evidence_id=OuterRef("pk"))
    done = EvidencePrint.objects.filter(evidence_id=OuterRef("pk"))
    todo = list(
        Evidence.objects.filter(Exists(used))
        .exclude(Exists(done))
        .order_by("pk")
        .values_list("pk", "file", "content_type")
    )
    files = [(pk, default_storage.path(name), ct) for pk, name, ct in todo]
    made = []
    for (pk, _, _), row in zip(files, _in_children(prints.file_prints, _chunks(files, FILE_BATCH), "证据材料"), strict=True):  # fmt: skip
        if row is None:
            made.append(EvidencePrint(evidence_id=pk, error="读取超出内存或时间限制，已放弃。"))
        else:
            _, phash, taken, source, error = row
            made.append(EvidencePrint(evidence_id=pk, phash=phash, taken_on=taken,
                                      date_source=source, error=error))  # fmt: skip
    EvidencePrint.objects.bulk_create(made, batch_size=BATCH)
    return len(made)


def report_prints_update() -> int:
    """MinHash the progress reports' texts not yet done (a report's text never changes)."""
    done = TextPrint.objects.filter(source=TextSource.REPORT, object_id=OuterRef("pk"))
    todo = list(
        ProgressReport.objects.exclude(Exists(done)).order_by("pk").values_list("pk", "text")
    )
    return _store(TextSource.REPORT, todo, prints.MIN_TEXT_CHARS)


def finding_prints_update(findings: QuerySet[Finding]) -> int:
    """MinHash the descriptions of ``findings`` not yet done, or edited since."""
    ids = findings.values("pk")
    known = dict(
        TextPrint.objects.filter(source=TextSource.FINDING, object_id__in=ids)
        .values_list("object_id", "text_sha")
    )  # fmt: skip
    texts = Finding.objects.filter(pk__in=ids).values_list("pk", "description")
    todo = [(pk, t) for pk, t in texts if known.get(pk) != prints.text_sha(t)]
    edited = [pk for pk, _ in todo if pk in known]  # few: descriptions are seldom edited
    for i in range(0, len(edited), BATCH):
        TextPrint.objects.filter(
            source=TextSource.FINDING, object_id__in=edited[i : i + BATCH]
        ).delete()
    return _store(TextSource.FINDING, todo, prints.MIN_DESCRIPTION_CHARS)


def _store(source: str, todo: list[tuple[int, str]], min_chars: int) -> int:
    if not todo:
        return 0
    if len(todo) < IN_PROCESS_TEXTS:  # a day's texts: not worth a child (typed, not a file)
        rows = prints.text_prints(todo, min_chars)
    else:
        fn = functools.partial(prints.text_prints, min_chars=min_chars)
        rows = _in_children(fn, _chunks(todo, TEXT_BATCH), "整改进展文字")
    # A batch given up (None) stores its texts as too short to compare: never retried.
    made = [TextPrint(source=source, object_id=pk, text_sha=prints.text_sha(text),
                      minhash=row[2] if row else b"")
            for (pk, text), row in zip(todo, rows, strict=True)]  # fmt: skip
    TextPrint.objects.bulk_create(made, batch_size=BATCH)
    return len(made)
