"""What petitions leave on disk, kept to the promise of decision 0006: nothing stored
dates a submission finer than the day.

The database keeps dates only; ciphertext carries no time (:mod:`.vault`); and a file's
access and modification times are set back to midnight of the day it was stored, on the
file and on the folders it was written into (a folder's time moves when a file is added).
The inode change time (``ctime``) is kept by the filesystem and cannot be set by a program;
it is not copied by backups or by moving the files to another disk.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import vault
from .models import Attachment, Message, Petition


def midnight(day: dt.date | None = None) -> float:
    """The POSIX time of the start of ``day`` (today) in the installation's time zone."""
    start = dt.datetime.combine(day or timezone.localdate(), dt.time.min)
    return timezone.make_aware(start).timestamp()


def to_the_day(path: Path, day: dt.date | None = None) -> None:
    """Set a stored file's times, and those of its folders up to the media root, to
    midnight of ``day`` (today)."""
    stamp = midnight(day)
    root = Path(settings.MEDIA_ROOT).resolve()
    current = path.resolve()
    while True:
        if current.exists():
            os.utime(current, (stamp, stamp))
        if current == root or root not in current.parents:
            break
        current = current.parent


def file_to_the_day(field: FieldFile) -> None:
    try:
        path = Path(field.path)
    except NotImplementedError:  # a storage without local files keeps its own times
        return
    to_the_day(path)


def read(field: FieldFile) -> bytes:
    """A stored file's bytes; its access time is put back, so a read leaves no time."""
    with field.open("rb") as f:
        data = f.read()
    try:
        path = Path(field.path)
    except NotImplementedError:
        return data
    modified = path.stat().st_mtime
    os.utime(path, (modified, modified))
    return data


def _stale(token: bytes | memoryview | None, current: int) -> bool:
    """A token not under the current key (a Fernet one, or an older AES-GCM key's)."""
    return token is not None and (vault.is_legacy(token) or bytes(token)[1] != current)


def _rewrite(field: FieldFile, current: int, day: dt.date) -> bool:
    """Re-encrypt one stored file in place (written whole, then renamed over)."""
    path = Path(field.path)
    if not path.is_file():  # a file already missing is not this command's to report
        return False
    token = path.read_bytes()
    if not _stale(token, current):
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(vault.reencrypt(token))
    os.replace(tmp, path)
    to_the_day(path, day)
    return True


def vault_reencrypt_all() -> int:
    """Move every petition token written with Fernet (which dates itself to the second)
    or with an older key to the current AES-GCM key; returns how many were moved.

    Run after upgrading (``xuncha manage petition_keys --reencrypt``) and after a key
    rotation. Each row is rewritten in its own transaction, so it can be stopped and
    run again."""
    moved = 0
    current = vault.key_id_of(vault.keys().aesgcm[0])

    for model, fields in ((Petition, ("content", "identity")), (Message, ("body",)),
                          (Attachment, ("meta",))):  # fmt: skip
        for pk in model.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                row = model.objects.select_for_update().get(pk=pk)
                changed = [f for f in fields if _stale(getattr(row, f), current)]
                for f in changed:
                    setattr(row, f, vault.reencrypt(getattr(row, f)))
                if changed:
                    row.save(update_fields=changed)
                    moved += len(changed)
    for att in Attachment.objects.select_related("petition").order_by("pk"):
        day = att.petition.received_on
        moved += sum(_rewrite(f, current, day) for f in (att.original, att.copy) if f)
    return moved
