"""Keep the fingerprints up to date: each new evidence file of a progress report, each new
progress report's text and each new or edited finding description is read once. Files
are read in sandboxed children; a first run's backlog of files and texts goes to one pool
of children, one per core, all kinds at once, and each batch is stored as it comes back
(while the children work on the others). A daily run reads only what is new."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.models import Exists, OuterRef, QuerySet

from xuncha import sandbox
from xuncha.common.models import Evidence
from xuncha.findings.models import Finding
from xuncha.rectifications.models import ProgressReport

from . import prints
from .models import EvidencePrint, TextPrint, TextSource

log = logging.getLogger(__name__)

# A child costs a second or two to start (numpy, Pillow, jieba's dictionary): few, large
# batches. A batch must still end well within the sandbox's time limit (120 s) on a
# loaded machine: 25,000 photos or 80,000 texts take 10 to 20 s of one core.
FILE_BATCH = 25000
TEXT_BATCH = 80000
BATCH = 5000
IN_PROCESS_TEXTS = 5000  # more (a first run's backlog) are spread over children, one per core

FILE_FIELDS = ["evidence_id", "phash", "taken_on", "date_source", "error"]
TEXT_FIELDS = ["source", "object_id", "text_sha", "minhash"]
GIVEN_UP = "读取超出内存或时间限制，已放弃。"

Store = Callable[[list[Any], list[Any]], None]
Job = tuple[Callable[[Any], list[Any]], list[Any], list[Any], Store, str]


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _one(fn: Callable[[Any], list[Any]], batch: list[Any], name: str) -> list[Any]:
    """``fn(batch)`` in a sandboxed child. A batch whose child dies (a hostile file) is
    split in halves until the file is alone; that file is then given up (``None`` in its
    place, logged)."""
    try:
        return list(sandbox.run(fn, batch, file=name, limits=sandbox.limits("parse")))
    except sandbox.FileCrashed as err:
        if len(batch) == 1:
            log.warning("fingerprint given up: %s", err)
            return [None]
        half = len(batch) // 2
        return _one(fn, batch[:half], name) + _one(fn, batch[half:], name)


def _in_children(jobs: Sequence[Job]) -> None:
    """Each job (fn, argument batch, its rows, store, name): ``fn(batch)`` in a child, the
    jobs in parallel over the workers, in the order given; ``store(rows, results)`` in
    this thread as each job comes back (the database is written while children work)."""
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        running = {pool.submit(_one, fn, batch, name): (rows, store)
                   for fn, batch, rows, store, name in jobs}  # fmt: skip
        for done in as_completed(running):
            rows, store = running[done]
            store(rows, done.result())


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    """``rows`` in batches of at most ``size``, their number a multiple of the workers (no
    core idles in the last round) unless there are fewer rows than workers."""
    if not rows:
        return []
    workers = min(_workers(), len(rows))
    rounds = -(-len(rows) // (size * workers))
    step = -(-len(rows) // (rounds * workers))
    return [rows[i : i + step] for i in range(0, len(rows), step)]


def _insert(model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (values of ``fields``): PostgreSQL's COPY (a first run stores some
    200,000 fingerprints; COPY is several times cheaper than INSERT through the ORM),
    elsewhere ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        made = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(made, batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    column = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(quote(column[f]) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _files_todo() -> list[tuple[int, str, str]]:
    used = ProgressReport.evidence.through.objects.filter(evidence_id=OuterRef("pk"))
    done = EvidencePrint.objects.filter(evidence_id=OuterRef("pk"))
    todo = (
        Evidence.objects.filter(Exists(used))
        .exclude(Exists(done))
        .order_by("pk")
        .values_list("pk", "file", "content_type")
    )
    return [(pk, default_storage.path(name), ct) for pk, name, ct in todo]


def _store_files(files: list[tuple[int, str, str]], rows: list[Any]) -> None:
    # A batch given up (None) stores its files as unreadable: never retried.
    made = [(pk, "", None, "", GIVEN_UP) if row is None else (pk, *row[1:])
            for (pk, _, _), row in zip(files, rows, strict=True)]  # fmt: skip
    _insert(EvidencePrint, FILE_FIELDS, made)


def _reports_todo() -> list[tuple[str, int, str, int]]:
    """(source, id, text, least characters) of the progress reports not yet done (a
    report's text never changes)."""
    done = TextPrint.objects.filter(source=TextSource.REPORT, object_id=OuterRef("pk"))
    todo = ProgressReport.objects.exclude(Exists(done)).order_by("pk").values_list("pk", "text")
    return [(TextSource.REPORT, pk, text, prints.MIN_TEXT_CHARS) for pk, text in todo]


def _findings_todo(findings: QuerySet[Finding]) -> list[tuple[str, int, str, int]]:
    """The same for the descriptions of ``findings`` not yet done or edited since; the
    prints of the edited ones are deleted."""
    ids = findings.values("pk")
    known = dict(
        TextPrint.objects.filter(source=TextSource.FINDING, object_id__in=ids)
        .values_list("object_id", "text_sha")
    )  # fmt: skip
    texts = findings.values_list("pk", "description")
    todo = [(pk, t) for pk, t in texts if known.get(pk) != prints.text_sha(t)]
    edited = [pk for pk, _ in todo if pk in known]  # few: descriptions are seldom edited
    for i in range(0, len(edited), BATCH):
        TextPrint.objects.filter(
            source=TextSource.FINDING, object_id__in=edited[i : i + BATCH]
        ).delete()
    return [(TextSource.FINDING, pk, t, prints.MIN_DESCRIPTION_CHARS) for pk, t in todo]


def _store_texts(texts: list[tuple[str, int, str, int]], minhashes: list[Any]) -> None:
    # A batch given up (None) stores its texts as too short to compare: never retried.
    made = [(source, pk, prints.text_sha(text), mh or b"")
            for (source, pk, text, _), mh in zip(texts, minhashes, strict=True)]  # fmt: skip
    _insert(TextPrint, TEXT_FIELDS, made)


def prints_update(findings: QuerySet[Finding] | None = None) -> int:
    """Every fingerprint not yet made: the progress reports' evidence files, their texts
    and (when given) the descriptions of ``findings``, in one pool. Returns the number of
    files read."""
    files = _files_todo()
    texts = _reports_todo()
    if findings is not None:
        texts += _findings_todo(findings)
    _in_children(_text_jobs(texts) + _file_jobs(files))  # longer jobs first: files fill in
    return len(files)


def finding_prints_update(findings: QuerySet[Finding]) -> int:
    """MinHash the descriptions of ``findings`` not yet done, or edited since."""
    texts = _findings_todo(findings)
    _in_children(_text_jobs(texts))
    return len(texts)


def _file_jobs(files: list[tuple[int, str, str]]) -> list[Job]:
    return [(prints.file_prints, b, b, _store_files, "证据材料") for b in _chunks(files, FILE_BATCH)]  # fmt: skip


def _text_jobs(texts: list[tuple[str, int, str, int]]) -> list[Job]:
    """A day's texts are done here at once (typed text, not a file: not worth a child);
    a backlog becomes jobs for children."""
    if len(texts) < IN_PROCESS_TEXTS:
        _store_texts(texts, prints.minhashes_each([(t, least) for _, _, t, least in texts]))
        return []
    return [(prints.minhashes_each, [(t, least) for _, _, t, least in b], b, _store_texts,
             "整改进展文字") for b in _chunks(texts, TEXT_BATCH)]  # fmt: skip
