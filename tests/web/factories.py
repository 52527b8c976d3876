"""Factories for the workbench's models (factory_boy)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import factory
from pypdf import PdfWriter

from xuncha.accounts.models import Role, User
from xuncha.findings.choices import Category, Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.planning.models import Cadre, Round, Team, Term
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import rectification_create
from xuncha.units.models import Unit, UnitKind

PASSWORD = "pw-for-tests"  # every factory-made user's


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    kind = UnitKind.TOWNSHIP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.OFFICE
    password = factory.django.Password(PASSWORD)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"第{n}届（2022—2026年）")
    start_year = 2022
    end_year = 2026


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n % 99 + 1)  # the round form takes 1–99
    name = factory.LazyAttribute(lambda o: f"第{o.number}轮巡察")
    start_date = dt.date(2024, 3, 1)
    end_date = dt.date(2024, 5, 31)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"第{n}巡察组")


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    home_unit = factory.SubFactory(UnitFactory)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    team = factory.SubFactory(TeamFactory)
    round = factory.SelfAttribute("team.round")
    unit = factory.SubFactory(UnitFactory)
    recorded_by = factory.SubFactory(UserFactory)
    category = Category.CORRUPTION
    subcategory = Subcategory.BENEFIT_FUNDS
    description = factory.Sequence(lambda n: f"问题描述{n}")
    source = Source.CROSSCHECK


def team_from(term: Term, start: dt.date, *units: Unit, days: int = 91) -> Team:
    """A team of a new round of ``term`` beginning on ``start`` (``days`` long), assigned
    to ``units``: the rounds the period tests spread over years and terms."""
    from xuncha.planning.services import assignment_add

    rnd = RoundFactory(term=term, start_date=start, end_date=start + dt.timedelta(days=days))
    team = TeamFactory(round=rnd)
    for unit in units:
        assignment_add(team=team, unit=unit)
    return team


def ledger_item(
    world: Any,
    *,
    unit: Unit | None = None,
    team: Team | None = None,
    amount: float = 0,
    deadline: dt.date | None = None,
    description: str | None = None,
) -> RectificationItem:
    """A finding of ``team`` (the world's own by default) at ``unit`` (the world's unit),
    fed back by the office on 2024-04-01: a ledger item awaiting its plan, with
    ``deadline`` set directly when given."""
    team = team or world.team
    finding = FindingFactory(team=team, round=team.round, unit=unit or world.unit,
                             amount=Decimal(amount),
                             **({"description": description} if description else {}))  # fmt: skip
    created = rectification_create(finding=finding, by=world.users["office"],
                                   fed_back_on=dt.date(2024, 4, 1))  # fmt: skip
    if deadline:
        RectificationItem.objects.filter(pk=created.pk).update(deadline=deadline)
    return created


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()  # a real one-page PDF (petition attachments are opened, not only sniffed)


def pdf() -> io.BytesIO:
    """A small valid PDF upload."""
    return io.BytesIO(PDF)
