"""xuncha.demo.risk.seed_risk on a small world: the levels it leaves are the planted
truth, computed by the model through the import, and a file needing more than the planted
resolutions is refused with nothing classified."""

from __future__ import annotations

import pytest

from web.factories import UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.common.errors import ServiceError
from xuncha.demo.risk import SKIP_REASON, seed_risk
from xuncha.risk.datagen import shares
from xuncha.risk.models import BatchStatus, Classification, ImportBatch
from xuncha.units.models import Unit, UnitKind
from xuncha.units.services import unit_create

pytestmark = pytest.mark.django_db


def _world(n: int) -> list[Unit]:
    """Two counties of two townships; ``n`` villages, two of them namesakes."""
    city = unit_create(name="测试市", code="430000", kind=UnitKind.CITY)
    towns = []
    for c in range(2):
        county = unit_create(name=f"甲乙{c}县", code=f"4300{c + 1:02d}", kind=UnitKind.COUNTY,
                             parent=city)  # fmt: skip
        for t in range(2):
            towns.append(unit_create(name=f"丙丁{c}{t}镇", code=f"{county.code}{101 + t:03d}",
                                     kind=UnitKind.TOWNSHIP, parent=county))  # fmt: skip
    villages = []
    for i in range(n):
        town = towns[i % 4]
        name = "新民村" if i in (0, 3) else f"青{i:03d}塘村"
        villages.append(unit_create(name=name, code=f"{town.code}{201 + i:03d}",
                                    kind=UnitKind.VILLAGE, parent=town))  # fmt: skip
    return villages


def test_levels_are_the_planted_truth_computed_through_the_import(tmp_path):
    office = UserFactory(role=Role.OFFICE)
    villages = _world(40)
    UnitFactory(kind=UnitKind.DEPARTMENT)  # not a village: not classified
    seeded = seed_risk(office, villages, tmp_path, seed=31, year=2024)
    assert len(seeded.batches) == 4 and seeded.chosen == 1 and seeded.skipped == 4
    assert all(b.status == BatchStatus.IMPORTED for b in ImportBatch.objects.all())
    assert all(b.skipped[0]["reason"] == SKIP_REASON for b in seeded.batches)
    truth = seeded.data.truth
    stored = dict(Unit.objects.filter(kind=UnitKind.VILLAGE).values_list("code", "risk_level"))
    assert stored == truth == {v.code: v.risk_level for v in villages}
    c = Classification.objects.get(current=True)
    assert c == seeded.classification and c.units == 40
    assert c.counts == shares(40) == seeded.data.counts()
    assert dict(c.levels.values_list("unit__code", "level")) == truth


def test_a_row_nobody_planted_is_refused(tmp_path):
    """A village the departments' files name but the database has lost: its rows match
    no unit and no planted resolution covers them, so the seeding stops there."""
    office = UserFactory(role=Role.OFFICE)
    villages = _world(12)
    gone = villages[5]
    gone.name, gone.code = "已撤销村", "X-0001"
    with pytest.raises(ServiceError, match=r"第 \d+ 行"):
        seed_risk(office, villages, tmp_path, seed=32, year=2024)
    assert not Classification.objects.exists()
