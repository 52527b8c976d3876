"""Login lockout (django-axes) with three limits instead of axes' one.

Axes counts failures for each of ``AXES_LOCKOUT_PARAMETERS`` and compares the largest
with a single limit. A staff login needs three: a few wrong passwords for one account
from one client (a typo is not an attack), more for one account from anywhere (a
distributed guess), and more for one client across accounts (password spraying). The
handler reports "locked" as reaching the first limit, so axes' own checks, signals and
lockout response work unchanged. Only staff logins reach it: the public petition pages
never call ``authenticate``.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# The order AXES_LOCKOUT_PARAMETERS must keep (settings/base.py): checked at start-up.
PARAMETERS = [["username", "ip_address"], "username", "ip_address"]


def _total(attempts: Any) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LockoutHandler(AxesDatabaseHandler):
    """Failures of this account from this client, raised to the limit when the
    account or the client has reached its own cap."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair, account, client = (_total(a) for a in self.get_user_attempts(request, credentials))
        if account >= settings.LOGIN_FAILURES_ACCOUNT or client >= settings.LOGIN_FAILURES_CLIENT:
            return max(pair, int(settings.AXES_FAILURE_LIMIT))
        return pair

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login clears this account's failures from this client only: a
        valid password for one account must not wipe a client's or an account's count."""
        deleted, _ = self.filter_user_attempts(request, credentials)[0].delete()
        return int(deleted)
