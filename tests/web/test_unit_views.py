"""The unit list counts villages by risk level and filters by county."""

from __future__ import annotations

from django.urls import reverse

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
