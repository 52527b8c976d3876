"""Classification on the database: the shipped model, levels written in bulk, overrides
kept across re-classification with their history, model versions."""

from __future__ import annotations

import pytest

from web.factories import UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.risk import selectors, services
from xuncha.risk.models import Indicator, IndicatorValue, LevelOverride, RiskModel, UnitLevel
from xuncha.risk.spec import shipped_model_text
from xuncha.units.models import UnitKind

pytestmark = pytest.mark.django_db

QUIET = {"party_org_grade": 1, "assets_anomalies": 0, "collective_funds": 50,
         "land_taking_projects": 0, "land_compensation": 0, "petition_count": 1}  # fmt: skip
LOUD = {"party_org_grade": 3, "assets_anomalies": 9, "collective_funds": 400,
        "land_taking_projects": 4, "land_compensation": 2100, "petition_count": 18}  # fmt: skip


def _values(unit, year, values):
    for code, v in values.items():
        IndicatorValue.objects.create(
            unit=unit, indicator=Indicator.objects.get(code=code), year=year, value=v,
            source=f"测试 · {code}",
        )  # fmt: skip


@pytest.fixture
def setup():
    services.install_shipped()
    office = UserFactory(role=Role.OFFICE)
    quiet = UnitFactory(kind=UnitKind.VILLAGE, name="甲村")
    weak = UnitFactory(kind=UnitKind.VILLAGE, name="乙村")
    loud = UnitFactory(kind=UnitKind.COMMUNITY, name="丙社区")
    township = UnitFactory(kind=UnitKind.TOWNSHIP, name="某镇")
    _values(quiet, 2025, QUIET)
    _values(weak, 2025, QUIET | {"party_org_grade": 4})
    _values(loud, 2025, LOUD)
    return office, quiet, weak, loud, township


def test_install_shipped_is_idempotent():
    m1 = services.install_shipped()
    n = Indicator.objects.count()
    m2 = services.install_shipped()
    assert m1.pk == m2.pk and m1.active
    assert Indicator.objects.count() == n >= 6
    assert RiskModel.objects.count() == 1


def test_classify_levels_reasons_and_units(setup):
    office, quiet, weak, loud, _township = setup
    c = services.classify(by=office, year=2025)
    rows = {r.unit_id: r for r in UnitLevel.objects.filter(classification=c)}
    assert set(rows) == {quiet.pk, weak.pk, loud.pk}  # the township is not of the model's kinds
    assert rows[quiet.pk].level == "general"
    assert rows[weak.pk].level == "watch" and rows[weak.pk].score < 40
    assert rows[weak.pk].reasons == ["党组织考评为软弱涣散，至少列为风险关注类"]
    assert rows[loud.pk].level == "high" and rows[loud.pk].elevated
    for r in rows.values():
        assert sum(r.contributions.values()) == pytest.approx(r.score)
        assert r.missing == []
    assert c.counts == {"general": 1, "watch": 1, "high": 1} and c.current
    loud.refresh_from_db()
    weak.refresh_from_db()
    assert (loud.risk_level, weak.risk_level) == ("high", "watch")
    assert selectors.elevated_unit_ids() == {loud.pk}


def test_missing_values_are_listed(setup):
    office, quiet, *_ = setup
    IndicatorValue.objects.filter(unit=quiet, indicator__code="petition_count").delete()
    c = services.classify(by=office, year=2025)
    assert UnitLevel.objects.get(classification=c, unit=quiet).missing == ["petition_count"]


def test_override_kept_across_classification_with_history(setup):
    office, quiet, _weak, loud, _ = setup
    services.classify(by=office, year=2025)
    with pytest.raises(ServiceError, match="理由"):
        services.override(by=office, unit=loud, level="watch", reason="  ")
    with pytest.raises(ServiceError, match="按模型研判已是重点隐患类，无需人工调整"):
        services.override(by=office, unit=loud, level="high", reason="未改等级就提交")
    assert not LevelOverride.objects.filter(unit=loud).exists()
    services.override(by=office, unit=loud, level="watch", reason="已完成整改，经研究调整")
    loud.refresh_from_db()
    assert loud.risk_level == "watch"
    assert selectors.elevated_unit_ids() == set()  # lowered below the rule's level
    c2 = services.classify(by=office, year=2025)
    loud.refresh_from_db()
    row = UnitLevel.objects.get(classification=c2, unit=loud)
    assert (row.level, loud.risk_level) == ("high", "watch")  # both levels shown
    assert c2.counts == {"general": 1, "watch": 2, "high": 0}
    services.override(by=office, unit=quiet, level="high", reason="群众反映集中")
    assert selectors.effective_level(quiet) == "high"
    services.override_withdraw(by=office, unit=loud, reason="撤销调整")
    loud.refresh_from_db()
    assert loud.risk_level == "high"
    assert selectors.elevated_unit_ids() == {loud.pk}
    history = list(LevelOverride.history.filter(unit_id=loud.pk).order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "-"]
    assert history[-1].history_change_reason == "撤销调整"
    profile = selectors.unit_profile(loud)
    assert profile.effective == "high" and len(profile.override_history) == 2
    assert {v.indicator for v in profile.values} == set(LOUD)


def test_permissions_and_empty_year(setup):
    office, quiet, *_ = setup
    with pytest.raises(PermissionDenied):
        services.classify(by=UserFactory(role=Role.TEAM), year=2025)
    with pytest.raises(PermissionDenied):
        services.override(by=UserFactory(role=Role.LEADER), unit=quiet, level="high", reason="x")
    with pytest.raises(ServiceError, match="2019 年度"):
        services.classify(by=office, year=2019)


def test_new_version_refused_then_activated(setup):
    office, _quiet, _weak, _loud, _ = setup
    model = RiskModel.objects.get(active=True)
    bad = shipped_model_text().replace("weight = 0.25", "weight = 0.35")
    with pytest.raises(ServiceError, match="权重"):
        services.model_new_version(by=office, model=model, spec_text=bad, note="试改")
    text = shipped_model_text().replace("watch = 40", "watch = 2")
    v2 = services.model_new_version(by=office, model=model, spec_text=text, note="降低关注线")
    assert v2.version == 2 and not v2.active
    services.model_activate(by=office, model=v2)
    model.refresh_from_db()
    assert not model.active
    c = services.classify(by=office, year=2025)
    assert c.model == v2
    assert selectors.classification_rows(c, level="general").count() == 0


def test_classification_rows_filters(setup):
    office, quiet, weak, loud, _ = setup
    c = services.classify(by=office, year=2025)
    assert [r.unit for r in selectors.classification_rows(c)] == [loud, weak, quiet]
    assert [r.unit for r in selectors.classification_rows(c, level="watch")] == [weak]
    assert [r.unit for r in selectors.classification_rows(c, q="丙")] == [loud]


def test_cli_classify(setup, capsys):
    import argparse

    from xuncha.commands import COMMANDS

    run = next(c for c in COMMANDS if c.name == "risk-classify").run
    office = setup[0]
    assert run(argparse.Namespace(year=2025, by=office.username, derive=True)) == 0
    out = capsys.readouterr().out
    assert "一般关注类 1，风险关注类 1，重点隐患类 1" in out and "推算指标" in out
    assert run(argparse.Namespace(year=2019, by=None, derive=False)) != 0
    assert "2019 年度还没有" in capsys.readouterr().err
