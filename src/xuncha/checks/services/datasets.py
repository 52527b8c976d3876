"""A team's datasets: upload (checked readable in a sandbox), column mapping, retiring."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction

from xuncha import __version__
from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.crosscheck import Mapping
from xuncha.crosscheck.preview import FilePreview, preview_isolated
from xuncha.crosscheck.roles import ROLES
from xuncha.planning.models import Team

from ..models import Dataset, dataset_kinds
from ._common import require_team as _require_team

CHUNK = 1 << 20


def clean_file_name(name: str) -> str:
    """The name a user's file is kept and quoted under: no folders, no control
    characters, at most 120 characters, the extension kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = name, ""
    stem = stem[: 120 - len(ext) - 1] or "数据文件"
    return f"{stem}.{ext}" if ext else stem


PREVIEW_CACHE = ".preview.json"
"""Beside each dataset's file (a user's file name never starts with a dot)."""


def dataset_preview(dataset: Dataset) -> FilePreview:
    """What the engine will read from the dataset with its current mapping.

    The file is untrusted: it is read in a child process with memory and time limits
    (:func:`preview_isolated`), once per mapping; the preview is kept beside the file,
    so a page view does not read the file again."""
    key = json.dumps(
        {"mapping": dataset.mapping, "sha256": dataset.sha256, "version": __version__},
        sort_keys=True,
    )
    cache = Path(dataset.file.path).parent / PREVIEW_CACHE
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["key"] == key:
            return FilePreview.from_json(stored["preview"])
    except (OSError, ValueError, TypeError, KeyError):
        pass  # none yet, or from another mapping or version: read the file
    preview = preview_isolated(
        dataset.file.path, _mapping([dataset]), name=dataset.name, dataset=dataset.kind
    )
    if preview.error is None:  # a crash or time-out may not recur: not kept
        part = cache.with_name(f"{PREVIEW_CACHE}.{secrets.token_hex(4)}")
        part.write_text(json.dumps({"key": key, "preview": preview.to_json()}), encoding="utf-8")
        part.replace(cache)
    return preview


def dataset_upload(*, team: Team, kind: str, data: IO[bytes], name: str, by: User) -> Dataset:
    """Store an uploaded table and check it can be read. A file that is not a table
    (or is corrupt, encrypted, empty, in an unknown encoding, a zip bomb, or one that
    crashes its reader in the child process it is read in) is refused and nothing is
    kept; an active dataset of the same name is replaced (new data for the next run)."""
    _require_team(by, team.pk)
    kinds = dict(dataset_kinds())
    if kind not in kinds:
        raise ServiceError(f"请选择数据类别（{'、'.join(kinds.values())}）。")
    name = clean_file_name(name)
    limit = settings.DATASET_MAX_BYTES
    dataset = Dataset(team=team, kind=kind, name=name, token=secrets.token_hex(16),
                      size=0, sha256="", uploaded_by=by)  # fmt: skip
    path = Path(settings.MEDIA_ROOT) / dataset.file.field.upload_to(dataset, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with path.open("wb") as out:
            while chunk := data.read(CHUNK):
                dataset.size += len(chunk)
                if dataset.size > limit:
                    raise ServiceError(f"「{name}」超过 {limit // (1024 * 1024)} MB 的上限。")
                digest.update(chunk)
                out.write(chunk)
        if dataset.size == 0:
            raise ServiceError(f"「{name}」是空文件。")
        dataset.sha256 = digest.hexdigest()
        dataset.file.name = str(path.relative_to(settings.MEDIA_ROOT))
        preview = dataset_preview(dataset)
        if preview.unreadable:
            raise ServiceError(preview.error or _unreadable(name, preview))
        with transaction.atomic():
            same = Dataset.objects.filter(team=team, retired=False, sha256=dataset.sha256).first()
            if same is not None:
                raise ServiceError(
                    f"「{name}」与已上传的「{same.name}」内容完全相同，无需重复上传。"
                )
            Dataset.objects.select_for_update().filter(team=team, retired=False, name=name).update(
                retired=True
            )
            dataset.save()
        return dataset
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise


def _unreadable(name: str, preview: FilePreview) -> str:
    reasons = "；".join(f"工作表「{s.sheet}」{s.error}" for s in preview.sheets)
    return f"文件「{name}」没有可以读取的工作表：{reasons}。"


def dataset_upload_files(*, team: Team, by: User, files: dict[str, list[Path]]) -> list[Dataset]:
    """Upload files from disk by kind ({"payments": [...], "deaths": [...]}), all or none
    (the demo, scripts and benchmarks load generated data this way)."""
    done: list[Dataset] = []
    try:
        for kind, paths in files.items():
            for path in paths:
                with path.open("rb") as f:
                    done.append(dataset_upload(team=team, kind=kind, data=f, name=path.name, by=by))
    except BaseException:
        for dataset in done:
            shutil.rmtree(Path(dataset.file.path).parent, ignore_errors=True)
            dataset.delete()
        raise
    return done


def dataset_map(
    *, dataset: Dataset, by: User, columns: dict[str, str], header_row: int | None = None
) -> FilePreview:
    """Save the user's column mapping (column letter -> role; roles not given are as
    recognised). Refused, and nothing saved, if a sheet would then have no ID column."""
    _require_team(by, dataset.team_id)
    chosen = {k.upper(): v for k, v in columns.items() if v}
    unknown = sorted({r for r in chosen.values() if r not in ROLES and r != "ignore"})
    if unknown or any(not re.fullmatch(r"[A-Z]{1,3}", k) for k in chosen):
        raise ServiceError("列映射有误：未知的列或角色。")
    twice = sorted(
        {ROLES[r] for r in chosen.values() if r != "ignore" and list(chosen.values()).count(r) > 1}
    )
    if twice:
        raise ServiceError(f"同一角色只能对应一列：{'、'.join(twice)}。")
    if header_row is not None and not 1 <= header_row <= 40:
        raise ServiceError("表头行号应在 1 到 40 之间。")
    before = dataset.mapping
    dataset.mapping = {k: v for k, v in (("columns", chosen), ("header_row", header_row)) if v}
    preview = dataset_preview(dataset)
    errors, _ = preview.problems(dataset.kind)
    if errors:
        dataset.mapping = before
        raise ServiceError(f"「{dataset.name}」按此映射无法比对：{'；'.join(errors)}。")
    dataset.save(update_fields=["mapping", "updated_at"])
    return preview


def dataset_retire(*, dataset: Dataset, by: User) -> None:
    """Leave a dataset out of future runs (past runs keep it, and their evidence)."""
    _require_team(by, dataset.team_id)
    dataset.retired = True
    dataset.save(update_fields=["retired", "updated_at"])


def _mapping(datasets: Iterable[Dataset]) -> Mapping:
    return Mapping(files={d.name: d.mapping for d in datasets if d.mapping})
