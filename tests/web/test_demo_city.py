"""The demo city: realistic, complete in its states, reproducing seed 000's Yiyang figure,
and safe to run twice (the second run is refused and changes nothing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from web.demo_world import TODAY, DemoStack
from xuncha.accounts.access import restrict, team_ids
from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.demo.city import DemoCity, seed_city
from xuncha.demo.petitions import DemoPetitions
from xuncha.findings.models import Finding, ImmediateItem, Lead, Talk
from xuncha.petitions.models import Channel, IntakeCode, Petition, Stage
from xuncha.planning.models import Assignment, Round, Term
from xuncha.planning.selectors import coverage
from xuncha.rectifications.models import DueState, RectificationItem, Status
from xuncha.rectifications.selectors import completion
from xuncha.risk.models import Classification, LevelOverride
from xuncha.units.models import RiskLevel, Unit, UnitKind
from xuncha.units.selectors import in_conflict

pytestmark = pytest.mark.demo_city("petitions")
PETITIONS: dict[str, DemoPetitions] = {}


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[DemoCity]:
    """The session's demo city with its petitions (web.demo_world)."""
    with demo_city.module("petitions") as seeded:
        PETITIONS["seeded"] = seeded["petitions"]
        yield demo_city.city


def _user(city: DemoCity, role: Role) -> User:
    return User.objects.get(username=city.accounts[role.value])


def _counts() -> dict[str, int]:
    models = (Unit, User, Term, Round, Assignment, Talk, Finding, Lead, ImmediateItem)
    counts = {m.__name__: m.objects.count() for m in models}
    return counts | {"items": RectificationItem.objects.count()}


def test_counts_are_in_range(city, db):
    assert 1450 <= city.units == Unit.objects.count() <= 1500
    assert Unit.objects.filter(kind=UnitKind.COUNTY).count() == 6
    assert 42 <= Unit.objects.filter(kind=UnitKind.TOWNSHIP).count() <= 54
    assert Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY]).count() == 1417
    assert 8 <= Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() <= 12
    assert Unit.objects.filter(kind=UnitKind.PARK).count() == 1
    by_teams = Finding.objects.filter(petitions__isnull=True)  # the rest came from petitions
    assert 200 <= city.findings == by_teams.count() <= 700
    assert RectificationItem.objects.count() == Finding.objects.count()  # every finding fed back
    assert Round.objects.count() == 6
    assert set(Round.objects.values_list("kind", flat=True)) >= {
        "routine", "special", "mobile", "elevated", "cross",
    }  # fmt: skip
    assert Talk.objects.count() > 2 * Assignment.objects.count()
    assert (
        Lead.objects.exclude(result="pending").exists()
        and Lead.objects.filter(handed_to="organisation").exists()
    )


def test_codes_look_like_administrative_codes(city, db):
    lengths = {UnitKind.COUNTY: 6, UnitKind.TOWNSHIP: 9, UnitKind.VILLAGE: 12}
    for kind, length in lengths.items():
        codes = Unit.objects.filter(kind=kind).values_list("code", flat=True)
        assert codes and all(len(c) == length and c.isdigit() for c in codes)


def test_village_risk_levels_follow_seed_004(city, db):
    """Exactly seed 004's 859 / 388 / 170, and each village's level is the one the
    shipped model computed and stored (no override: nothing was assigned by hand)."""
    villages = Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY])
    counts = {level: villages.filter(risk_level=level).count() for level in RiskLevel.values}
    assert counts == {RiskLevel.GENERAL: 859, RiskLevel.WATCH: 388, RiskLevel.HIGH: 170}
    classification = Classification.objects.get(current=True)
    assert classification.units == 1417 and classification.counts == counts
    assert classification.model.active and classification.model.version == 1
    stored = dict(classification.levels.values_list("unit_id", "level"))
    assert stored == dict(villages.values_list("pk", "risk_level"))
    assert not LevelOverride.objects.exists()


def test_coverage_has_inspected_and_waiting_units(city, db):
    """About half the townships, departments and enterprises are inspected; of the 1,417
    villages and communities only a few, so the term plan has most of them to place."""
    rows = coverage(term=Term.objects.get())
    local = {UnitKind.VILLAGE, UnitKind.COMMUNITY}
    villages = [r for r in rows if r.key in local]
    others = [r for r in rows if r.key not in local]
    inspected, total = sum(r.inspected for r in others), sum(r.total for r in others)
    assert 0.25 * total < inspected < 0.75 * total
    inspected, total = sum(r.inspected for r in villages), sum(r.total for r in villages)
    assert total == 1417 and 50 < inspected < 0.25 * total


def test_villages_are_realistic(city, db):
    """Unique names (two or three characters and the suffix), a few dozen villages a
    township, communities only in 街道, codes under their township's."""
    villages = Unit.objects.filter(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY])
    names = list(villages.values_list("name", flat=True))
    assert len(names) == 1417 and len(set(names)) == 1416  # one namesake pair, planted
    [(name, _)] = [(n, k) for n, k in Counter(names).items() if k > 1]
    assert villages.filter(name=name).values("county").distinct().count() == 2
    assert all(3 <= len(n) <= 5 and n.endswith(("村", "社区")) for n in names)
    for town in Unit.objects.filter(kind=UnitKind.TOWNSHIP):
        children = list(town.children.all())
        assert 8 <= len(children) <= 60, town.name
        assert all(c.code.startswith(town.code) and c.county_id == town.county_id
                   for c in children)  # fmt: skip
        if town.name.endswith("街道"):
            assert {c.kind for c in children} == {UnitKind.COMMUNITY}


def test_every_status_and_due_state(city, db):
    assert set(RectificationItem.objects.values_list("status", flat=True)) == set(Status.values)
    states = {item.due_state(TODAY) for item in RectificationItem.objects.all()}
    assert {DueState.OVERDUE, DueState.DUE_SOON} <= states
    assert RectificationItem.objects.filter(status=Status.CLOSED, money_recovered__gt=0).exists()
    open_items = ImmediateItem.objects.filter(status="open")
    assert open_items.filter(deadline__lt=TODAY).exists()
    assert ImmediateItem.objects.filter(status="done", done_on__isnull=False).exists()


def test_reopened_item_history(city, db):
    item = RectificationItem.objects.filter(close_note__startswith="重新打开").first()
    assert item is not None and item.status == Status.IN_PROGRESS
    statuses = list(
        item.history.order_by("history_date", "history_id").values_list("status", flat=True)
    )
    assert statuses[-2:] == [Status.CLOSED, Status.IN_PROGRESS]


def test_yiyang_figure(city, db):
    [row] = completion(user=_user(city, Role.OFFICE), unit_id=city.yiyang_unit_id)
    assert (row.total, row.closed, row.rate) == (43, 40, Decimal("93.02"))


def test_demo_accounts(city, db):
    assert set(city.accounts) == set(Role.values)
    for role in Role:
        user = _user(city, role)
        assert user.role == role and user.check_password(city.password)
    admin = _user(city, Role.ADMIN)
    assert admin.is_superuser and admin.is_staff
    assert city.password == "xuncha-demo"


def test_team_account_sees_its_teams_items(city, db):
    user = _user(city, Role.TEAM)
    assert user.cadre is not None
    items = restrict(RectificationItem.objects.all(), user)
    assert 0 < items.count() < RectificationItem.objects.count()
    assert set(items.values_list("team_id", flat=True)) <= set(team_ids(user))


def test_unit_account_sees_only_its_unit(city, db):
    user = _user(city, Role.UNIT)
    items = restrict(RectificationItem.objects.all(), user)
    assert set(items.values_list("unit_id", flat=True)) == {user.unit_id}
    assert items.count() == RectificationItem.objects.filter(unit_id=user.unit_id).count()
    assert len(set(items.values_list("status", flat=True))) >= 4


def test_second_run_is_refused_and_changes_nothing(city, db):
    before = _counts()
    with pytest.raises(ServiceError):
        seed_city(today=TODAY)
    assert _counts() == before


def test_no_assignment_breaks_recusal(city, db):
    for assignment in Assignment.objects.select_related("unit", "team"):
        for cadre in assignment.team.members.select_related("home_unit"):
            assert not in_conflict(cadre.home_unit, assignment.unit)


def test_petitions_in_every_channel_and_stage(city, db):
    seeded = PETITIONS["seeded"]
    assert 200 <= seeded.petitions == Petition.objects.count() <= 1200
    petitions = list(Petition.objects.all())
    assert {p.channel for p in petitions} == set(Channel.values)
    assert {p.stage for p in petitions} == set(Stage)
    assert all(p.unit_id for p in petitions)
    from_petitions = Finding.objects.filter(petitions__isnull=False).distinct()
    assert from_petitions.exists() and all(f.source == "petition" for f in from_petitions)
    assert Lead.objects.filter(petitions__isnull=False).exists()
    assert Petition.objects.filter(duplicate_of__isnull=False).exists()
    open_code = IntakeCode.objects.get(token=seeded.open_token)
    assert (
        open_code.is_open(TODAY) and team_ids(_user(city, Role.TEAM)).count(open_code.team_id) == 1
    )


def test_the_city_office_escalates_to_the_province(city, db):
    """The demo's office is named and a city's, so its escalation form offers the
    province (no 「尚未设置名称」 on the 联动与呈报 pages)."""
    from xuncha.escalation.models import Level
    from xuncha.escalation.services import office

    here = office()
    assert (here.name, here.level) == ("湘南市委巡察办", Level.CITY)
