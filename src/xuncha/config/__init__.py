"""Django configuration of the workbench: settings (base / test / production), urls, wsgi."""

import os


def settings_module() -> str:
    """``XUNCHA_SETTINGS`` picks base (default), production or test."""
    name = os.environ.get("XUNCHA_SETTINGS", "base")
    if name not in ("base", "production", "test"):
        raise SystemExit(
            f"错误：XUNCHA_SETTINGS 只能是 base、production 或 test，而不是「{name}」。"
        )
    return f"xuncha.config.settings.{name}"
