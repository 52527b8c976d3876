"""Template helpers every page may use: ``{% load xuncha %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from xuncha.common.choices import badge_parts

register = template.Library()

_UNITS = ((1024**3, "GB"), (1024**2, "MB"), (1024, "KB"))


@register.simple_tag
def badge(value: str, key: str) -> SafeString:
    """A status as a coloured badge: ``{% badge item.status "rectification" %}``."""
    label, tone = badge_parts(value, key)
    return format_html('<span class="badge tone-{}">{}</span>', tone, label)


@register.filter
def may(user: Any, action: str) -> bool:
    """Whether the user's role may take a named action: ``{% if user|may:"checks.open" %}``
    (the roles are declared once, in :data:`xuncha.accounts.access.ACTIONS`)."""
    from xuncha.accounts.access import allowed

    return bool(getattr(user, "is_authenticated", False)) and allowed(user, action)


@register.filter
def filesize(value: int | None) -> str:
    """A byte count as people read it: 45 字节, 12.3 KB, 4.5 MB (binary units, as file
    managers show them)."""
    if value is None or value == "":
        return "—"
    n = int(value)
    for size, unit in _UNITS:
        if n >= size:
            shown = f"{n / size:.1f}".removesuffix(".0")
            return f"{shown} {unit}"
    return f"{n} 字节"
