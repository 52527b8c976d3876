"""Sham-rectification signals on a generated city with planted cases (issue 18, item 5):
recall 1.0 and precision >= 0.9 for every kind, and a second run the same day changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from xuncha.sham.derive import signals_derive
from xuncha.sham.models import EvidencePrint, Signal, SignalKind
from xuncha.sham.planted import plant_city, score

TODAY = dt.date(2024, 9, 1)


@pytest.mark.django_db
def test_planted_city_recall_and_precision() -> None:
    key = plant_city(seed=18, background=4)
    first = signals_derive(TODAY)
    scores = score(key)
    report = {k: (s.planted, s.found, s.hits) for k, s in scores.items()}
    print(report)
    for kind in SignalKind.values:
        assert scores[kind].planted >= 3, kind
        assert scores[kind].recall == 1.0, report
        assert scores[kind].precision >= 0.9, report
    assert first.opened == first.found == Signal.objects.count()
    assert first.fingerprinted == EvidencePrint.objects.count() > 0
    history = Signal.history.count()
    again = signals_derive(TODAY)
    assert (again.fingerprinted, again.opened, again.changed, again.gone) == (0, 0, 0, 0)
    assert again.found == first.found
    assert Signal.history.count() == history
