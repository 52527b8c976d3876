"""The accuracy table `xuncha demo` and `make bench` print names rules as users read them."""

from __future__ import annotations

from xuncha.crosscheck.evaluate import Score, format_scores
from xuncha.crosscheck.rules import RULES


def test_scores_name_rules_by_their_titles_in_aligned_columns():
    scores = {r.id: Score(r.id, 10, 1, 2) for r in RULES}
    text = format_scores(scores)
    lines = text.splitlines()
    for rule in RULES:
        assert rule.title in text
        assert rule.id not in text
    # Every row ends at the same terminal column (Chinese characters are two wide).
    import unicodedata

    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    assert len({columns(line) for line in lines}) == 1
