"""``{% history_of obj %}``: an object's history, rendered the one way every page shows it.

A page that shows history adds one line, ``{% load xuncha_history %}{% history_of obj %}``;
options pass through to :func:`xuncha.common.history.entries` (``fields="verdict,note"``
keeps only those fields, ``subject="第 {row.run.number} 次比对"`` names each row,
``newest_first=True``).
"""

from __future__ import annotations

from typing import Any

from django import template

from xuncha.common.history import Entry, entries, object_history

register = template.Library()


@register.inclusion_tag("common/history.html")
def history_of(
    obj: Any, fields: str = "", subject: str = "", newest_first: bool = False
) -> dict[str, list[Entry]]:
    """``obj`` is a model instance with history, or history rows already read (a page
    showing several objects' history, e.g. a suspect across runs, each row named by
    ``subject``)."""
    keep = [f.strip() for f in fields.split(",") if f.strip()] or None
    options: dict[str, Any] = {"fields": keep, "subject": subject, "newest_first": newest_first}
    if hasattr(obj, "history"):
        return {"entries": object_history(obj, **options)}
    return {"entries": entries(obj, **options)}
