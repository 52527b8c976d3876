"""Attachment files no petition names: what a server killed mid-submission leaves.

A submission writes its attachments' files, then commits the petition and their rows in
one transaction; a server killed between the two (``kill -9``, a power cut) leaves the
files, encrypted but of no petition. ``xuncha serve`` removes them when it starts.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from .models import Attachment

GRACE_SECONDS = 120.0  # a file this young may belong to a submission of another server


def attachment_orphans_sweep(*, grace: float = GRACE_SECONDS) -> list[str]:
    """Remove the files under MEDIA_ROOT/petitions that no attachment row names and whose
    inode changed more than ``grace`` seconds ago (ctime: the files' mtimes are set to
    the day on purpose); return their names, relative to MEDIA_ROOT."""
    media = Path(settings.MEDIA_ROOT)
    root = media / "petitions"
    if not root.is_dir():
        return []
    named: set[str] = set()
    for original, copy in Attachment.objects.values_list("original", "copy").iterator():
        named.update(n for n in (original, copy) if n)
    cutoff = time.time() - grace
    removed = []
    for path in root.rglob("*"):
        name = path.relative_to(media).as_posix()
        if path.is_file() and name not in named and path.stat().st_ctime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed
