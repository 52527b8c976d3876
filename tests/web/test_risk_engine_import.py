"""The generator's department workbooks through the import a user makes (stage, resolve
the rows that match no unit or several, commit), then the shipped model: each unit's
computed level is the one its data was planted for."""

from __future__ import annotations

import pytest

from web.factories import UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.risk import importing, services
from xuncha.risk.datagen import write_department_workbooks
from xuncha.risk.models import IndicatorValue, UnitLevel
from xuncha.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db
SEED = 31337  # used by no other test


def _city() -> list[Unit]:
    county = UnitFactory(kind=UnitKind.COUNTY, name="青山县")
    towns = [UnitFactory(kind=UnitKind.TOWNSHIP, name=n, parent=county, county=county)
             for n in ("青山镇", "白沙镇", "河西街道")]  # fmt: skip
    villages = []
    for i in range(45):
        town = towns[i % 3]
        kind = UnitKind.COMMUNITY if town.name.endswith("街道") else UnitKind.VILLAGE
        name = (
            "同心村"
            if i in (0, 1)
            else f"{'石桥杨柳金塘'[i % 6]}{i}{'社区' if kind == 'community' else '村'}"
        )
        villages.append(UnitFactory(kind=kind, name=name, parent=town, county=county))
    return villages


def test_generated_workbooks_import_and_classify_to_truth(tmp_path):
    services.install_shipped()
    office = UserFactory(role=Role.OFFICE)
    villages = _city()
    units = [(u.code, u.name, u.parent.name, u.county.name) for u in villages]
    data = write_department_workbooks(tmp_path, units, year=2025, seed=SEED)
    by_code = {u.code: u for u in villages}
    for f in data.files:
        batch = importing.stage(by=office, department=f.department, year=2025,
                                data=f.path.read_bytes(), name=f.path.name)  # fmt: skip
        pending = {rm.row for rm in importing.preview(batch).pending}
        planted = {row: code for (name, row), code in data.resolutions.items()
                   if name == f.path.name}  # fmt: skip
        assert pending == set(planted), f.path.name
        for row, code in planted.items():
            importing.resolve(by=office, batch=batch, row=row, unit=by_code.get(code),
                              skip_reason="" if code else "该村已撤并")  # fmt: skip
        importing.commit(by=office, batch=batch)
    stored = {(v.unit.code, v.indicator.code): v.value
              for v in IndicatorValue.objects.select_related("unit", "indicator")}  # fmt: skip
    assert stored == {(u, c): x for u, vs in data.values.items() for c, x in vs.items()}
    c = services.classify(by=office, year=2025)
    levels = dict(UnitLevel.objects.filter(classification=c).values_list("unit__code", "level"))
    assert levels == data.truth
    assert c.counts == data.counts()
    assert dict(Unit.objects.filter(code__in=levels).values_list("code", "risk_level")) == levels
