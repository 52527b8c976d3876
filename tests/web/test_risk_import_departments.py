"""The four departments' generated workbooks (xuncha.risk.datagen) through the importer as
an office would: the mapping proposed from the headers is the one the generator wrote,
only the planted rows need a hand (a unit that no longer exists, a name two units
share), and the shipped model then computes the levels the data was planted for."""

from __future__ import annotations

import pytest

from web.factories import UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.risk import datagen, importing, services
from xuncha.risk.models import IndicatorValue, UnitLevel
from xuncha.units.models import Unit, UnitKind


def _city() -> list[tuple[str, str, str, str]]:
    """Two counties, four townships, 40 villages and communities; two villages of the
    same name in different townships."""
    units = []
    for c in range(2):
        county = UnitFactory(name=f"县{c}", kind=UnitKind.COUNTY, code=f"C{c}")
        county.county = county
        county.save()
        for t in range(2):
            town = UnitFactory(name=f"{'东西'[c]}{'南北'[t]}镇", kind=UnitKind.TOWNSHIP,
                               parent=county, county=county, code=f"C{c}T{t}")  # fmt: skip
            for v in range(10):
                suffix = "村" if v % 2 == 0 else "社区"
                name = "桃源村" if v == 0 and t == 0 else f"{town.name[:2]}{v}号{suffix}"
                kind = UnitKind.VILLAGE if name.endswith("村") else UnitKind.COMMUNITY
                u = UnitFactory(name=name, kind=kind, parent=town, county=county,
                                code=f"C{c}T{t}V{v:02d}")  # fmt: skip
                units.append((u.code, u.name, town.name, county.name))
    return units


@pytest.mark.django_db
def test_generated_department_workbooks_import_and_classify_to_the_truth(tmp_path):
    services.install_shipped(by=None)
    office = UserFactory(role=Role.OFFICE)
    units = _city()
    data = datagen.write_department_workbooks(tmp_path, units, year=2024, seed=4)
    for f in data.files:
        batch = importing.stage(by=office, department=f.department, year=2024,
                                data=f.path.read_bytes(), name=f.path.name)  # fmt: skip
        assert batch.header_row + 1 == f.header_row
        assert {h: r for h, r in batch.mapping.items() if r} == f.columns
        pending = {r.row for r in importing.preview(batch).pending}
        planted = {row for (name, row) in data.resolutions if name == f.path.name}
        assert pending == planted, f.path.name
        for (name, row), code in data.resolutions.items():
            if name != f.path.name:
                continue
            if code:
                unit = Unit.objects.get(code=code)
                importing.resolve(by=office, batch=batch, row=row, unit=unit)
            else:
                importing.resolve(by=office, batch=batch, row=row, skip_reason="该村已撤并")
        importing.commit(by=office, batch=batch)

    stored = {(v.unit.code, v.indicator.code): v.value
              for v in IndicatorValue.objects.select_related("unit", "indicator")}  # fmt: skip
    written = {(u, c): x for u, vs in data.values.items() for c, x in vs.items()}
    assert stored == written
    c = services.classify(by=None, year=2024)
    got = dict(UnitLevel.objects.filter(classification=c).values_list("unit__code", "level"))
    assert got == data.truth
