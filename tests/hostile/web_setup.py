"""Prepare a fresh installation for the hostile uploads, in a process of its own (the
server under test shares only its data folder): migrate, then a team account in a
team of a round, and a petition QR code open today. Prints one line of JSON:
{"team": <team pk>, "token": <the public page's token>}.

    XUNCHA_DATA_DIR=… DJANGO_SETTINGS_MODULE=xuncha.config.settings.base \\
        python tests/hostile/web_setup.py USERNAME PASSWORD
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from xuncha.accounts.models import Role, User  # noqa: E402
from xuncha.petitions.services import intake_create  # noqa: E402
from xuncha.planning.models import Cadre, Round, Team, TeamMember, Term  # noqa: E402
from xuncha.units.models import Unit, UnitKind  # noqa: E402


def setup(username: str, password: str) -> dict[str, object]:
    call_command("migrate", interactive=False, verbosity=0)
    user = User(username=username, role=Role.TEAM, full_name="核查员")
    user.set_password(password)
    user.save()
    today = dt.date.today()
    term = Term.objects.create(name="第十四届", start_year=today.year - 1, end_year=today.year + 3)
    rnd = Round.objects.create(term=term, number=1, name="第一轮巡察",
                               start_date=today - dt.timedelta(days=10),
                               end_date=today + dt.timedelta(days=50))  # fmt: skip
    team = Team.objects.create(round=rnd, name="第一巡察组")
    home = Unit.objects.create(name="市财政局", code="U1", kind=UnitKind.TOWNSHIP)
    cadre = Cadre.objects.create(name="核查员", user=user, home_unit=home)
    TeamMember.objects.create(team=team, cadre=cadre)
    code = intake_create(team=team, by=user, opens_on=today - dt.timedelta(days=1),
                         closes_on=today + dt.timedelta(days=30), scope="反映本轮巡察对象的问题。",
                         phone="0739-8200000")  # fmt: skip
    return {"team": team.pk, "token": code.token}


if __name__ == "__main__":
    print(json.dumps(setup(sys.argv[1], sys.argv[2])))
