"""The vectorised engine: normalisations, missing values, thresholds, must-rules, the
elevation rule, and contributions that add up to the score."""

from __future__ import annotations

import numpy as np
import pytest

from xuncha.risk.engine import classify_arrays, classify_loop, normalise
from xuncha.risk.spec import SpecIndicator, parse_spec, shipped_model_text

NAN = np.nan


def test_normalisations_and_direction():
    x = np.array([0.0, 5.0, 10.0, NAN, 20.0])
    fixed = normalise(SpecIndicator("a", 1, "fixed", 0, 10), x)
    assert fixed[:3].tolist() == [0.0, 0.5, 1.0] and fixed[4] == 1.0 and np.isnan(fixed[3])
    mm = normalise(SpecIndicator("a", 1, "minmax"), x)
    assert mm[[0, 1, 2, 4]].tolist() == [0.0, 0.25, 0.5, 1.0]
    rank = normalise(SpecIndicator("a", 1, "rank"), np.array([3.0, 1.0, 3.0, 2.0, NAN]))
    assert rank[:4].tolist() == [pytest.approx(2.5 / 3), 0.0, pytest.approx(2.5 / 3), 1 / 3]
    lower = normalise(SpecIndicator("a", 1, "fixed", 0, 100, direction="lower"), np.array([80.0]))
    assert lower.tolist() == [pytest.approx(0.2)]


def _spec(extra: str = "", missing: str = "zero"):
    return parse_spec(f"""
name = "t"
kinds = ["village"]
[thresholds]
watch = 40
high = 70
[[indicators]]
code = "petition_count"
weight = 0.6
normalise = "fixed"
lo = 0
hi = 10
missing = "{missing}"
[[indicators]]
code = "party_org_grade"
weight = 0.4
normalise = "fixed"
lo = 1
hi = 4
{extra}
""")


def test_levels_contributions_and_rules():
    spec = _spec("""
[[must]]
indicator = "party_org_grade"
op = ">="
value = 4
at_least = "watch"
reason = "软弱涣散"
[[elevate]]
indicator = "petition_count"
op = ">"
value = 9
level = "high"
reason = "信访多"
""")
    values = {"petition_count": np.array([0.0, 1.0, 10.0, 6.0, 8.0]),
              "party_org_grade": np.array([1.0, 4.0, 4.0, 2.0, 3.0])}  # fmt: skip
    r = classify_arrays(spec, values)
    # scores: 0; 6+40=46; 60+40=100; 36+13.33; 48+26.67
    assert r.scores.tolist() == pytest.approx([0, 46, 100, 36 + 40 / 3, 48 + 80 / 3])
    assert r.level_names.tolist() == ["general", "watch", "high", "watch", "high"]
    assert np.allclose(r.contributions.sum(axis=1), r.scores)
    assert r.raised[:, 0].tolist() == [False, False, False, False, False]  # score was enough
    assert r.elevated.tolist() == [False, False, True, False, False]
    quiet_weak = classify_arrays(spec, {"petition_count": np.array([0.0]),
                                        "party_org_grade": np.array([4.0])})  # fmt: skip
    # 40 from the grade reaches watch by the score; a lower weight makes the rule raise it
    assert quiet_weak.level_names.tolist() == ["watch"]
    assert r.counts() == {"general": 1, "watch": 2, "high": 2}


def test_must_rule_raises_a_general_score():
    text = shipped_model_text()
    spec = parse_spec(text)
    quiet = {"party_org_grade": 4.0, "assets_anomalies": 0.0, "collective_funds": 10.0,
             "land_taking_projects": 0.0, "land_compensation": 0.0, "petition_count": 1.0}  # fmt: skip
    r = classify_arrays(spec, {k: np.array([v]) for k, v in quiet.items()})
    assert r.scores[0] < spec.watch and r.score_levels[0] == 0
    assert r.level_names.tolist() == ["watch"] and r.raised[0, 0]
    assert classify_loop(spec, [quiet]) == [(pytest.approx(r.scores[0]), "watch")]


@pytest.mark.parametrize(
    ("missing", "expected"), [("zero", 0.0), ("worst", 60.0), ("median", 30.0)]
)
def test_missing_values(missing, expected):
    spec = _spec(missing=missing)
    r = classify_arrays(spec, {"petition_count": np.array([NAN, 0.0, 5.0, 10.0]),
                               "party_org_grade": np.array([1.0, 1.0, 1.0, 1.0])})  # fmt: skip
    assert r.missing[:, 0].tolist() == [True, False, False, False]
    assert r.contributions[0, 0] == pytest.approx(expected)


def test_absent_indicator_is_missing_for_all():
    r = classify_arrays(_spec(), {"petition_count": np.array([10.0, 0.0])})
    assert r.missing[:, 1].all() and r.scores.tolist() == [60.0, 0.0]
