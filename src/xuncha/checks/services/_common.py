"""What every part of the cross-check's services shares: who may use a team's
cross-check."""

from __future__ import annotations

from xuncha.accounts.access import is_inspecting_side
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied


def require_team(by: User, team_id: int) -> None:
    if not is_inspecting_side(by, team_id):
        raise PermissionDenied("只有巡察办或本巡察组可以使用本组的数据比对。")
