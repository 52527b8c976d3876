"""Who may use the calculator and load tables. ``policy.calculate`` (the office and team
members) and ``policy.manage`` (the office) are asked of
:data:`xuncha.accounts.access.ACTIONS` once it declares them; until then each stands in
for an action with the same roles."""

from __future__ import annotations

from xuncha.accounts.access import ACTIONS, allowed
from xuncha.accounts.models import User

CALCULATE, MANAGE = "policy.calculate", "policy.manage"
_SAME_ROLES = {CALCULATE: "checks.open", MANAGE: "indicators.manage"}


def may(user: User, action: str) -> bool:
    return allowed(user, action if action in ACTIONS else _SAME_ROLES[action])
