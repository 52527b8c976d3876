"""The unit list counts villages by risk level, filters by county and finds a unit by a
superior's name; a unit's page links its inspections to their work pages."""

from __future__ import annotations

from django.urls import reverse

from web.factories import TeamFactory
from xuncha.planning.services import assignment_add
from xuncha.units.models import RiskLevel, UnitKind
from xuncha.units.services import unit_create


def test_risk_counts_and_filters(client, world) -> None:
    a = unit_create(name="甲县", code="430001", kind=UnitKind.COUNTY)
    b = unit_create(name="乙县", code="430002", kind=UnitKind.COUNTY)
    levels = [RiskLevel.GENERAL] * 5 + [RiskLevel.WATCH] * 3 + [RiskLevel.HIGH] * 2
    for i, level in enumerate(levels):
        unit_create(
            name=f"村{i}",
            code=f"4300011{i:02d}",
            kind=UnitKind.VILLAGE,
            parent=a if i % 2 else b,
            risk_level=level,
        )
    client.force_login(world.users["office"])
    page = client.get(reverse("units:list"), {"kind": "village"}).content.decode()
    assert "共 10 个：一般关注类 5 个，风险关注类 3 个，重点隐患类 2 个" in page
    page = client.get(
        reverse("units:list"), {"kind": "village", "county_id": a.pk}
    ).content.decode()
    assert "共 5 个" in page and "村1" in page and "村2<" not in page
    client.force_login(world.users["unit"])
    assert client.get(reverse("units:list")).status_code == 404


def test_search_finds_villages_by_their_township_or_county(client, world) -> None:
    county = unit_create(name="桂阳县", code="431021", kind=UnitKind.COUNTY)
    town = unit_create(name="樟市镇", code="431021100", kind=UnitKind.TOWNSHIP, parent=county)
    unit_create(name="桐木村", code="431021100201", kind=UnitKind.VILLAGE, parent=town)
    unit_create(name="别处村", code="430001999", kind=UnitKind.VILLAGE)
    client.force_login(world.users["office"])
    for q in ("樟市", "桂阳"):
        page = client.get(reverse("units:list"), {"q": q, "kind": "village"}).content.decode()
        assert "共 1 个" in page and "桐木村" in page and "别处村" not in page, q


def test_unit_page_links_its_inspections_to_their_work_pages(client, world) -> None:
    """The unit's page: its superiors as breadcrumbs, the rounds that inspected it with
    their work pages (as far as the reader may see), subordinate units."""
    county = unit_create(name="桂阳县", code="431021", kind=UnitKind.COUNTY)
    town = unit_create(name="樟市镇", code="431021100", kind=UnitKind.TOWNSHIP, parent=county)
    village = unit_create(name="桐木村", code="431021100201", kind=UnitKind.VILLAGE, parent=town)
    mine = assignment_add(team=world.team, unit=town)
    theirs = assignment_add(team=TeamFactory(name="第三巡察组"), unit=town)
    url = reverse("units:detail", args=[town.pk])
    client.force_login(world.users["office"])
    page = client.get(url).content.decode()
    crumbs = page.split('class="crumbs"')[1].split("</nav>")[0]
    assert reverse("units:detail", args=[county.pk]) in crumbs and "樟市镇" in crumbs
    assert reverse("findings:work", args=[mine.pk]) in page
    assert reverse("findings:work", args=[theirs.pk]) in page
    assert reverse("units:detail", args=[village.pk]) in page
    client.force_login(world.users["team"])  # only its own team's inspection
    page = client.get(url).content.decode()
    assert reverse("findings:work", args=[mine.pk]) in page
    assert reverse("findings:work", args=[theirs.pk]) not in page
    client.force_login(world.users["unit"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["office"])
    assert client.get(reverse("units:detail", args=[999999])).status_code == 404


def test_unit_page_query_count_is_fixed(client, world, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    county = unit_create(name="桂阳县", code="431021", kind=UnitKind.COUNTY)
    town = unit_create(name="樟市镇", code="431021100", kind=UnitKind.TOWNSHIP, parent=county)
    url = reverse("units:detail", args=[town.pk])
    client.force_login(world.users["office"])
    assignment_add(team=TeamFactory(), unit=town)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(4):
        assignment_add(team=TeamFactory(), unit=town)
        unit_create(name=f"村{i}", code=f"43102110020{i}", kind=UnitKind.VILLAGE, parent=town)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
