"""Score hits against a ground truth (truth.csv: rule, file, sheet, row): precision
and recall per rule. Used by the demo, the tests and the accuracy benchmark."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .programs import DEFAULT_PROGRAM, all_rules, program_of


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


def evaluate(hits: pa.Table, truth: Path, program: str = DEFAULT_PROGRAM) -> dict[str, Score]:
    """Precision and recall of each of ``program``'s rules."""
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
    return {r.id: found.get(r.id, Score(r.id, 0, 0, 0)) for r in program_of(program).rules}


def _cells(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns; a Chinese character takes two."""
    wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    pad = " " * max(width - wide, 0)
    return pad + text if right else text + pad


def format_scores(scores: dict[str, Score]) -> str:
    """The scores as a table people read: rules by their Chinese titles, columns aligned
    in a terminal (the rule ids are the command line's, not the reader's)."""
    titles = {rule.id: rule.title for rule in all_rules().values()}
    heads = ("命中", "误报", "漏报", "精确率", "召回率")
    lines = ["  " + _cells("规则", 20) + "".join(_cells(h, 9, right=True) for h in heads)]
    for s in scores.values():
        numbers = (s.true_positives, s.false_positives, s.false_negatives)
        cells = [*(f"{n}" for n in numbers), f"{s.precision:.4f}", f"{s.recall:.4f}"]
        lines.append(
            "  "
            + _cells(titles.get(s.rule, s.rule), 20)
            + "".join(_cells(c, 9, right=True) for c in cells)
        )
    return "\n".join(lines)
