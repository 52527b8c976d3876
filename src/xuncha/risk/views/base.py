"""What the risk pages share: who may read and who may manage, the level names."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from xuncha.accounts.access import allowed, user_of
from xuncha.units.models import RiskLevel

from ..models import Indicator

PAGE_SIZE = 50
LEVEL_NAMES = dict(RiskLevel.choices)


def check_read(request: HttpRequest) -> bool:
    """404 unless the user may read; whether the user may also manage."""
    user = user_of(request)
    if not allowed(user, "risk.read"):
        raise Http404
    return allowed(user, "risk.manage")


def check_manage(request: HttpRequest) -> None:
    if not allowed(user_of(request), "risk.manage"):
        raise Http404


def indicator_names() -> dict[str, str]:
    return dict(Indicator.objects.values_list("code", "name"))
