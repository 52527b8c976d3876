from typing import Any

from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "xuncha.accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        checks.register(_lockout_parameters, checks.Tags.security)


def _lockout_parameters(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The lockout handler reads axes' failure counts by position (pair, account, client)."""
    from django.conf import settings

    from .lockout import PARAMETERS

    if settings.AXES_LOCKOUT_PARAMETERS == PARAMETERS:
        return []
    return [checks.Error(f"AXES_LOCKOUT_PARAMETERS 必须是 {PARAMETERS}。", id="xuncha.E010")]
