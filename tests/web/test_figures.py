"""The figures page counts exactly what the data holds, for a year or a term."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, RoundFactory, TeamFactory
from xuncha.dashboards.selectors import Period, figures
from xuncha.findings.choices import Category, Receiver, Source, Subcategory
from xuncha.findings.models import ImmediateItem, Lead, Talk
from xuncha.planning.services import assignment_add
from xuncha.rectifications.models import RectificationItem, Status

D = dt.date(2024, 4, 1)


def record(world, team, unit, *, findings: int, closed: int, immediate: tuple[int, int]) -> None:
    by = world.users["office"]
    common = {"team": team, "round": team.round, "unit": unit, "recorded_by": by}
    Talk.objects.bulk_create(
        [Talk(**common, talk_on=D, interviewee=f"对象{i}", summary="要点") for i in range(3)]
    )
    for i in range(findings):
        category = Category.CORRUPTION if i % 3 else Category.ORGANISATION
        sub = Subcategory.BENEFIT_FUNDS if i % 3 else Subcategory.WEAK_ORGANISATION
        f = FindingFactory(
            **common,
            category=category,
            subcategory=sub,
            source=Source.CROSSCHECK,
            amount=Decimal("100.50"),
        )
        item = RectificationItem.objects.create(finding=f, round=team.round, team=team, unit=unit)
        if i < closed:
            RectificationItem.objects.filter(pk=item.pk).update(
                status=Status.CLOSED,
                closed_by=by,
                closed_at=timezone.now(),
                money_recovered=Decimal("50"),
            )
    Lead.objects.create(
        **common,
        description="线索",
        handed_to=Receiver.DISCIPLINE,
        handed_on=D,
        receiver="李",
        due_on=D,
    )
    assigned, done = immediate
    ImmediateItem.objects.bulk_create(
        [ImmediateItem(**common, description="立改", deadline=D, status="done" if i < done else "open",
                       done_on=D if i < done else None) for i in range(assigned)]
    )  # fmt: skip


def test_year_figures_are_exact(world) -> None:
    world.team.round.start_date = D
    world.team.round.save()
    record(world, world.team, world.unit, findings=43, closed=40, immediate=(10, 8))
    earlier = TeamFactory(
        round=RoundFactory(start_date=dt.date(2023, 3, 1), end_date=dt.date(2023, 5, 1))
    )
    assignment_add(team=earlier, unit=world.other_unit)
    record(world, earlier, world.other_unit, findings=5, closed=5, immediate=(2, 2))

    f = figures(user=world.users["leader"], period=Period.year(2024))
    # The fixture's second team also has a 2024 round with one assigned unit.
    assert (f.rounds, f.units_covered, f.talks, f.findings, f.leads) == (2, 2, 3, 43, 1)
    assert dict(f.findings_by_category)["群众身边不正之风和腐败问题"] == 28
    assert (f.immediate_assigned, f.immediate_done) == (10, 8)
    assert (f.rectification.total, f.rectification.closed, f.rectification.rate) == (
        43,
        40,
        Decimal("93.02"),
    )
    assert (f.money_involved, f.money_recovered) == (Decimal("4321.50"), Decimal("2000"))
    term = figures(
        user=world.users["leader"],
        period=Period(label="届", start=dt.date(2022, 1, 1), end=dt.date(2026, 12, 31)),
    )
    assert (term.findings, term.immediate_assigned, term.rectification.closed) == (48, 12, 45)
    # Others count only what they may see.
    assert figures(user=world.users["other_team"], period=Period.year(2024)).findings == 0
    assert figures(user=world.users["unit"], period=Period.year(2024)).rectification.total == 43


def test_page_and_export(client, world) -> None:
    world.team.round.start_date = D
    world.team.round.save()
    record(world, world.team, world.unit, findings=4, closed=3, immediate=(5, 4))
    client.force_login(world.users["leader"])
    page = client.get(reverse("dashboards:figures"), {"year": 2024}).content.decode()
    assert "巡察工作数据：2024年" in page and "75.00%" in page and "交办 5 个，已完成 4 个" in page
    response = client.get(reverse("dashboards:export"), {"year": 2024})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert (
        rows["发现问题（个）"] == 4
        and rows["整改完成率"] == "75.00%"
        and rows["已完成立行立改事项（个）"] == 4
    )
