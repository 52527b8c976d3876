"""The random draw of a review round's sample: a pure function of what the round stores.

``draw(candidates, seed, count)`` is ``random.Random(seed).sample(sorted(candidates),
count)``: the candidates are the report ids of the period in ascending order, stored on
the round with the seed and the count, so :func:`redraw` gives the same reports for as
long as the round exists (even if reports are added to the period later).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .models import ReviewRound


def draw(*, candidates: Sequence[int], seed: int, count: int) -> list[int]:
    """The drawn report ids, in draw order."""
    return random.Random(seed).sample(sorted(int(c) for c in candidates), count)


def redraw(review_round: ReviewRound) -> list[int]:
    """The sample the round's stored seed, count and candidates give, drawn again; []
    when the round has no random draw."""
    if review_round.seed is None or review_round.draw_count is None:
        return []
    return draw(candidates=review_round.candidate_ids, seed=review_round.seed,
                count=review_round.draw_count)  # fmt: skip
