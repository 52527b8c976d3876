"""The admin pages the office uses for reference data load for a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from web.factories import UserFactory


@pytest.mark.parametrize("model", ["units/unit", "planning/term", "planning/round", "planning/cadre",
                                   "planning/team", "planning/assignment", "accounts/user"])  # fmt: skip
def test_admin_changelists(client, world, model) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    app, name = model.split("/")
    assert client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{name}_add")).status_code == 200
