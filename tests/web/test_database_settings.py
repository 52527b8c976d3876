"""The connection settings each database gets (settings/base.py): asserted on the
database the suite runs on (SQLite by default, PostgreSQL in CI's second run)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_database_gets_its_connection_settings():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Short page queries are not compiled first (JIT costs more than it saves).
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        else:
            assert connection.vendor == "sqlite"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL, from init_command
