"""Who may use the calculator (``policy.calculate``: the office and team members) and
load tables (``policy.manage``: the office), as :data:`xuncha.accounts.access.ACTIONS`
declares."""

from __future__ import annotations

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User

CALCULATE, MANAGE = "policy.calculate", "policy.manage"


def may(user: User, action: str) -> bool:
    return allowed(user, action)
