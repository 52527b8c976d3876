"""Status choices that carry their colour (tone) beside their label.

A status shown as a badge subclasses :class:`Toned`, declares its members as any
``TextChoices`` does, and maps every member to a :class:`Tone` in a ``tones()``
classmethod right below them. ``@toned("key")`` registers the class under a short key
that templates name: ``{% badge item.status "rectification" %}``. Registration checks
that every member has a tone, so a new status cannot ship without its colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar

from django.db import models


class Tone(StrEnum):
    """The badge colours app.css defines (``.badge.tone-<name>``)."""

    OK = "ok"  # done, on time
    INFO = "info"  # in hand, nothing to do for now
    WARN = "warn"  # someone must act soon
    BAD = "bad"  # overdue, refused, failed
    MUTED = "muted"  # closed, withdrawn, no longer current


class Toned(models.TextChoices):
    """Base of status choices shown as coloured badges; has no members of its own."""

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        raise NotImplementedError(f"{cls.__name__} declares no tones()")

    @property
    def tone(self) -> Tone:
        return type(self).tones()[self.value]


REGISTRY: dict[str, type[Toned]] = {}
T = TypeVar("T", bound=type[Toned])


def toned(key: str) -> Callable[[T], T]:
    """Register a :class:`Toned` class under ``key`` after checking its tones are complete."""

    def register(cls: T) -> T:
        tones = cls.tones()
        missing = [m.value for m in cls if m.value not in tones]
        extra = [v for v in tones if v not in {m.value for m in cls}]
        if missing or extra:
            raise TypeError(f"{cls.__name__}.tones(): missing {missing}, unknown {extra}")
        if REGISTRY.get(key, cls) is not cls:
            raise TypeError(f"choices key {key!r} is already {REGISTRY[key].__name__}")
        REGISTRY[key] = cls
        return cls

    return register


def badge_parts(value: str, key: str) -> tuple[str, str]:
    """(label, tone) of ``value`` in the choices registered as ``key``. An unknown value
    shows as written, muted: a page must never fail because of one stale row."""
    cls = REGISTRY[key]
    try:
        member = cls(value)
    except ValueError:
        return str(value), Tone.MUTED.value
    return str(member.label), member.tone.value
