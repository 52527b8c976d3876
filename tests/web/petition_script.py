"""Driven by test_server_faults.py in a separate process, on the data folder and database
a real `xuncha serve` uses (pytest's test database lives in its own process only).

    python petition_script.py setup   -> prints the token of an open QR code
    python petition_script.py state   -> prints the petitions (decrypted) and the files as JSON
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from factories import TeamFactory, UnitFactory, UserFactory  # noqa: E402

from xuncha.accounts.models import Role  # noqa: E402
from xuncha.petitions import selectors, services  # noqa: E402
from xuncha.petitions.models import Attachment, Petition  # noqa: E402
from xuncha.planning.services import assignment_add  # noqa: E402


def setup() -> str:
    call_command("migrate", interactive=False, verbosity=0)
    office = UserFactory(username="office", role=Role.OFFICE)
    team, unit = TeamFactory(name="第一巡察组"), UnitFactory(name="某镇")
    assignment_add(team=team, unit=unit)
    today = dt.date.today()
    intake = services.intake_create(team=team, by=office, opens_on=today - dt.timedelta(days=1),
                                    closes_on=today + dt.timedelta(days=30), scope="受理。",
                                    phone="0735-1234567", unit_id=unit.pk)  # fmt: skip
    return str(intake.token)


def state() -> dict[str, object]:
    """Every petition as it decrypts, with its attachments' plain bytes; every file kept
    under MEDIA_ROOT, and which of them an attachment row names."""
    petitions = []
    for p in Petition.objects.order_by("pk"):
        files = [services.attachment_original(a).hex() for a in p.attachments.all()]
        petitions.append({"what": selectors.content(p)["what"], "attachments": files})
    root = Path(settings.MEDIA_ROOT)
    stored = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    named = sorted(n for a in Attachment.objects.all() for n in (a.original.name, a.copy.name) if n)
    return {"petitions": petitions, "stored": stored, "named": named}


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        print(setup())
    elif sys.argv[1] == "state":
        print(json.dumps(state()))
