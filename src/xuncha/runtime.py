"""What every CLI command shares: its exit codes and setting Django up."""

from __future__ import annotations

import os
from pathlib import Path

EXIT_OK, EXIT_NOTHING_CHECKED, EXIT_USAGE = 0, 1, 2
EXIT_UNCHECKED = 3  # computed nothing: a value the data lacks (policy.cli)
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl+C


def setup_django() -> None:
    """Django set up for a command that needs it (most do not: ``check`` stays light)."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    from .config import settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
    try:
        django.setup()
    except ImproperlyConfigured as err:
        raise SystemExit(f"错误：配置有误：{err}") from None
    from django.conf import settings as conf

    for folder in (conf.DATA_DIR, conf.MEDIA_ROOT, conf.STATIC_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)
