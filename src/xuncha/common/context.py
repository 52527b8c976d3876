"""Template context every page gets: the status and role choices, so templates compare
against ``Role.UNIT`` or ``ImmediateStatus.OPEN`` instead of raw strings (Django's
choices are not called in templates: ``do_not_call_in_templates``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def choices(request: HttpRequest) -> dict[str, Any]:
    from xuncha.accounts.models import Role
    from xuncha.findings.choices import ImmediateStatus, LeadResult
    from xuncha.rectifications.models import Status as LedgerStatus

    return {"Role": Role, "ImmediateStatus": ImmediateStatus, "LeadResult": LeadResult,
            "LedgerStatus": LedgerStatus}  # fmt: skip
