"""The demo city's risk levels came through the office's own path: four departments'
workbooks imported (mapping confirmed, the planted rows resolved by hand), then the
shipped model computing every village's level from the stored values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from web.demo_world import TODAY, DemoStack
from xuncha.demo.city import DemoCity
from xuncha.demo.risk import SKIP_REASON, summary
from xuncha.planning.models import Assignment
from xuncha.risk.engine import classify_loop
from xuncha.risk.models import BatchStatus, Classification, ImportBatch, IndicatorValue
from xuncha.risk.spec import Spec
from xuncha.units.models import Unit, UnitKind

pytestmark = pytest.mark.demo_city("petitions")  # the same layers as test_demo_city
YEAR = TODAY.year - 1
LOCAL = [UnitKind.VILLAGE, UnitKind.COMMUNITY]


@pytest.fixture(scope="module")
def city(demo_city: DemoStack) -> Iterator[DemoCity]:
    with demo_city.module("petitions"):
        yield demo_city.city


def test_four_department_batches_imported_whole(city, db):
    batches = list(ImportBatch.objects.order_by("pk"))
    assert [b.department for b in batches] == ["组织部", "农业农村局", "自然资源局", "信访局"]
    for b in batches:
        assert b.status == BatchStatus.IMPORTED and b.year == YEAR
        assert b.imported_by is not None and b.imported_by.username == "office"
        # the row of a village merged away is the only one the user skipped, with the
        # user's reason; the note under the table is not a unit's row
        [skipped] = [s for s in b.skipped if s["reason"] == SKIP_REASON]
        assert "红旗村" in skipped["unit"]
        others = [s for s in b.skipped if s is not skipped]
        assert len(others) == 1 and "不是单位数据" in others[0]["reason"]
        assert b.rows_imported == b.rows_total - 2
        roles = set(b.mapping.values())
        assert {"unit_code", "unit_name", "township", "county"} <= roles
    # every village is in the three departments' lists that cover them all
    for b in batches:
        if b.department != "自然资源局":
            assert b.rows_imported == 1417


def test_the_ambiguous_row_was_matched_by_hand_to_a_namesake(city, db):
    org = ImportBatch.objects.get(department="组织部")
    chosen = [pk for pk in org.resolutions.values() if isinstance(pk, int)]
    assert len(chosen) == 1
    unit = Unit.objects.get(pk=chosen[0])
    assert Unit.objects.filter(kind__in=LOCAL, name=unit.name).count() == 2
    [row] = [int(r) for r, pk in org.resolutions.items() if pk == unit.pk]
    value = IndicatorValue.objects.get(unit=unit, indicator__code="party_org_grade", year=YEAR)
    assert f"第 {row} 行" in value.source and "组织部" in value.source


def test_values_carry_their_source_row(city, db):
    values = IndicatorValue.objects.filter(year=YEAR, unit__kind__in=LOCAL)
    per_code = Counter(values.values_list("indicator__code", flat=True))
    for code in ("party_org_grade", "assets_anomalies", "collective_funds", "petition_count"):
        assert per_code[code] == 1417
    assert 0 < per_code["land_taking_projects"] == per_code["land_compensation"] < 1417
    sample = values.select_related("batch").order_by("pk")[:50]
    assert all(v.batch.file_name in v.source and "第 " in v.source for v in sample)


def test_stored_levels_are_the_models_on_the_stored_values(city, db):
    """Recompute each village's level from the imported values, one by one with the
    engine's plain loop: the same as every village's stored level and score."""
    c = Classification.objects.get(current=True)
    spec = Spec.from_json(c.model.spec)
    rows: dict[int, dict[str, float]] = {}
    for unit_id, code, value in IndicatorValue.objects.filter(
        year=YEAR, unit__kind__in=LOCAL
    ).values_list("unit_id", "indicator__code", "value"):
        rows.setdefault(unit_id, {})[code] = value
    ids = sorted(rows)
    computed = classify_loop(spec, [rows[i] for i in ids])
    stored = {
        ul.unit_id: (ul.score, ul.level) for ul in c.levels.all().only("unit_id", "score", "level")
    }
    levels = dict(Unit.objects.filter(kind__in=LOCAL).values_list("pk", "risk_level"))
    assert len(ids) == len(stored) == len(levels) == 1417
    for pk, (score, level) in zip(ids, computed, strict=True):
        assert stored[pk][1] == level == levels[pk]
        assert abs(stored[pk][0] - score) < 1e-3  # contributions are kept to 4 decimals


def test_must_rule_raised_some_villages_to_watch(city, db):
    """A weak party organisation (考评 4) is at least 关注 whatever its score: some watch
    villages are there by that rule, in words, with scores under the threshold."""
    c = Classification.objects.get(current=True)
    spec = Spec.from_json(c.model.spec)
    raised = [ul for ul in c.levels.all() if ul.reasons]
    assert raised and all(ul.level != "general" for ul in raised)
    below = [ul for ul in raised if ul.score < spec.watch]
    assert below and all(ul.level == "watch" for ul in below)
    assert all("软弱涣散" in ul.reasons[0] for ul in raised)


def test_the_demo_prints_the_computed_counts(city, db):
    line = summary()
    assert "组织部、农业农村局、自然资源局、信访局" in line and f"{YEAR} 年度 1417 个" in line
    assert "一般关注类 859 个、风险关注类 388 个、重点隐患类 170 个" in line


def test_derived_indicators_fill_the_profiles_from_the_demos_own_work(city, db):
    """After the rounds are seeded, the indicators derived from Xuncha's own data: the
    villages inspected in the term have findings, each value names its query."""
    inspected = set(
        Assignment.objects.filter(unit__kind__in=LOCAL).values_list("unit_id", flat=True)
    )
    found = IndicatorValue.objects.filter(
        indicator__code="findings_past", year=YEAR, unit__kind__in=LOCAL
    )
    with_findings = {v.unit_id for v in found if v.value > 0}
    assert inspected and with_findings and with_findings <= inspected
    assert all(v.source.startswith("本系统") for v in found)
