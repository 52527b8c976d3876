"""What every file the workbench hands out shares, whichever app serves it."""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)


def sandboxed(response: R) -> R:
    """A served file runs nothing in the browser: no script or plugin (sandbox policy),
    no download sniffed into a page (nosniff). Every file the workbench hands out goes
    through here: evidence, petition attachments, QR codes."""
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
