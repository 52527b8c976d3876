"""Score hits against a ground truth (truth.csv: rule, file, sheet, row): precision
and recall per rule. Used by the demo, the tests and the accuracy benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .rules import RULES


@dataclass(frozen=True)
class Score:
    rule: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def evaluate(hits: pa.Table, truth: Path) -> dict[str, Score]:
    con = duckdb.connect()
    try:
        con.register("hits", hits.select(["rule", "file", "sheet", "row"]))
        con.execute(
            """CREATE TABLE truth AS SELECT rule, file, coalesce(sheet, '') AS sheet,
                   CAST(row AS BIGINT) AS row
               FROM read_csv(?, header=true, all_varchar=true)""",
            [str(truth)],
        )
        rows = con.execute(
            """WITH h AS (SELECT DISTINCT rule, file, coalesce(sheet, '') AS sheet, row FROM hits),
                    t AS (SELECT DISTINCT * FROM truth)
               SELECT coalesce(h.rule, t.rule) AS rule,
                      count(*) FILTER (WHERE h.rule IS NOT NULL AND t.rule IS NOT NULL),
                      count(*) FILTER (WHERE t.rule IS NULL),
                      count(*) FILTER (WHERE h.rule IS NULL)
               FROM h FULL JOIN t USING (rule, file, sheet, row) GROUP BY 1"""
        ).fetchall()
    finally:
        con.close()
    found = {r[0]: Score(*r) for r in rows}
    return {r.id: found.get(r.id, Score(r.id, 0, 0, 0)) for r in RULES}


def format_scores(scores: dict[str, Score]) -> str:
    lines = [f"  {'规则':<20}{'命中':>6}{'误报':>6}{'漏报':>6}{'精确率':>9}{'召回率':>9}"]
    for s in scores.values():
        lines.append(
            f"  {s.rule:<20}{s.true_positives:>8}{s.false_positives:>8}{s.false_negatives:>8}"
            f"{s.precision:>11.4f}{s.recall:>11.4f}"
        )
    return "\n".join(lines)
