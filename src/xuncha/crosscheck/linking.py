"""Who is who: resolve every row to a person key, and say how sure the link is.

Identity is the normalised 18-digit ID. A row whose ID was damaged or mistyped is
still linked to a person when the same normalised name *and* the surviving digits
point to exactly one known valid ID in the whole data set (payments and registers
together); otherwise it stays unlinked. The same name alone is never a match.

Match tiers, from surest to least sure (``tier_rank``):

0. ``exact``      — the ID as written (after harmless clean-ups) is a valid 18-digit number;
1. ``legacy``     — a 15-digit number converted to 18 digits;
2. ``damaged_id`` — a spreadsheet destroyed the last digits; linked by name + a valid ID
   within the rounding tolerance of the number that survived;
3. ``typo_id``    — one digit mistyped or two adjacent digits swapped; linked by name +
   an ID that differs in exactly that way.

A row linked to no one has no tier, except in a hit that says so: ``unattributed``
(无法归属到人, rank 4), an over-standard row whose payee cannot be told (see rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .dialect import DuckDBDialect

if TYPE_CHECKING:
    from .sqlsession import SqlSession

TIERS = ("exact", "legacy", "damaged_id", "typo_id", "unattributed")
UNLINKED = 10**17
"""``person_key`` is the integer of a linked person's first 17 digits (below this), or,
for a row whose invalid ID links to no one, this plus the rank of its (ID as written,
name) pair: such rows are one person only with the same number and name."""
TIER_LABELS = {
    "exact": "身份证号码一致",
    "legacy": "15位旧号码转换后一致",
    "damaged_id": "号码被截断，按姓名和残存数字唯一匹配",
    "typo_id": "号码有一位录错或两位颠倒，按姓名唯一匹配",
    "unattributed": "无法归属到人",
}


# The columns of ``norm`` the rules read (besides the person).
RULE_COLUMNS = (
    "rid", "src", "dataset", "file", "sheet", "row_no", "amount", "pay_date", "pay_year",
    "death_date", "start_date", "end_date", "employer", "id_status", "id_problem",
    "date_unread", "amount_unread",
)  # fmt: skip


def link_people(db: SqlSession, extra: tuple[str, ...] = ()) -> None:
    """Create ``linked``: for every row of ``norm`` (its columns RULE_COLUMNS and
    ``extra``, those of the roles a program added), its person (``person_key``, an
    integer, see :data:`UNLINKED`; ``tier_rank``; and ``person_id18``, the number a
    search linked it to) with the columns the rules read, so the rules scan one narrow
    table and join and group on integers.

    Candidate searches are blocked on equal keys so that common names (thousands of
    张伟) do not make them quadratic; each block is exact, not a heuristic:

    * a number cell keeps the value within ±1,064 of the true number, so the true
      number's first 13 digits are those of the damaged value, or one more or less;
    * one mistyped character leaves the first or the last nine intact, and two swapped
      neighbours leave the first nine, the last nine, or the first and last eight.

    Written as queries only (no UPDATE), so that DuckDB and Spark run the same SQL.
    """
    d = db.dialect
    db.table("search_names", _SEARCH_NAMES)
    db.table("known_all", _KNOWN)
    _unmask_suspects(db, extra)
    # The few rows that need a search, taken out first: a filter on norm_l's status
    # (a CASE over a join) is not pushed below a join, so searching norm_l directly
    # would join every row with its namesakes before filtering.
    db.table(
        "to_link",
        """SELECT rid, name_norm, id_clean, id_value, id_tolerance, id_status FROM norm_l
           WHERE id_status IN ('damaged', 'invalid') AND name_norm IS NOT NULL""",
    )
    one_digit = d.mismatches("n.id_clean", "k.id18", 18)
    swapped = d.is_transposition("n.id_clean", "k.id18", 18)
    typo = f"""SELECT n.rid, k.id18, 3 AS tier_rank FROM to_link n JOIN known k
            ON k.name_norm = n.name_norm AND {{key}}
            WHERE n.id_status = 'invalid' AND length(n.id_clean) = 18
              AND ({one_digit} = 1 OR {swapped})"""
    db.table(
        "candidates",
        f"""{_damaged_candidates(d, "id_status = 'damaged'", norm="to_link", known="known")}
        UNION ALL {typo.format(key="k.left9 = left(n.id_clean, 9)")}
        UNION ALL {typo.format(key="k.right9 = right(n.id_clean, 9)")}
        UNION ALL {typo.format(key="k.ends8 = left(n.id_clean, 8) || right(n.id_clean, 8)")}""",
    )
    db.table(
        "link_keys",
        f"""WITH resolved AS (
            SELECT rid, min(id18) AS id18, min(tier_rank) AS tier_rank FROM candidates
            GROUP BY rid HAVING count(DISTINCT id18) = 1)
        SELECT rid, CAST(left(id18, 17) AS BIGINT) AS person_key, id18 AS person_id18, tier_rank
        FROM resolved
        UNION ALL
        SELECT t.rid, {UNLINKED} + dense_rank() OVER (ORDER BY t.id_clean || '|' || t.name_norm),
            CAST(NULL AS STRING), CAST(NULL AS INT)
        FROM to_link t LEFT JOIN resolved r ON r.rid = t.rid
        WHERE r.rid IS NULL AND t.id_status = 'invalid'""",
    )
    db.table(
        "linked",
        f"""SELECT {", ".join(f"n.{c}" for c in (*RULE_COLUMNS, *extra))},
            coalesce(n.id_key, k.person_key) AS person_key, k.person_id18,
            CASE WHEN n.id_status = 'valid' THEN 0 WHEN n.id_status = 'legacy' THEN 1
                 ELSE k.tier_rank END AS tier_rank
        FROM norm_l n LEFT JOIN link_keys k ON k.rid = n.rid""",
    )
    db.release(
        "candidates", "to_link", "link_keys", "known", "known_all", "search_names", "unmasked"
    )


# ``known_all``: each (valid ID, name) pair in the data, with how many rows hold it, for
# the names a search can ask about (``search_names``: those of the rows whose ID is
# damaged, invalid or suspect, see _unmask_suspects); other names are never looked up.
# Grouped on the integer key; the text is the same for every row of a group.
_SEARCH_NAMES = """SELECT DISTINCT name_norm FROM norm
    WHERE (id_status IN ('damaged', 'invalid') OR id_suspect) AND name_norm IS NOT NULL"""
_KNOWN = """SELECT id18, name_norm, rows, CAST(left(id18, 13) AS BIGINT) AS head13,
        left(id18, 9) AS left9, right(id18, 9) AS right9, left(id18, 8) || right(id18, 8) AS ends8
    FROM (SELECT n.id_key, n.name_norm, min(n.id18) AS id18, count(*) AS rows
          FROM norm n SEMI JOIN search_names s ON s.name_norm = n.name_norm
          WHERE n.id_key IS NOT NULL GROUP BY n.id_key, n.name_norm) t"""

# The columns of ``norm`` the linking reads, besides RULE_COLUMNS.
_LINK_COLUMNS = (
    "name_norm", "id_clean", "id18", "id_key", "id_value", "id_tolerance", "id_suspect",
)  # fmt: skip


def _damaged_candidates(d: DuckDBDialect, where: str, extra: str = "", *,
                        norm: str, known: str) -> str:  # fmt: skip
    """(rid, id18, 2) for rows matching ``where``: same name, a valid ID within the
    tolerance. Number-cell rows are blocked on the 13-digit head (±1); the few rows in
    scientific notation, whose tolerance is wide, on the name alone."""
    near = f"abs(CAST(left(k.id18, 17) AS {d.big_int}) * 10 - n.id_value) <= n.id_tolerance"
    head = f"CAST({d.int_div('id_value', '100000')} AS BIGINT)"
    return f"""
        SELECT n.rid, k.id18, 2 AS tier_rank
        FROM (SELECT *, {d.spread(["h - 1", "h", "h + 1"])} AS head FROM (
                SELECT *, {head} AS h FROM {norm}
                WHERE {where} AND id_tolerance <= 1064) t1) n
        JOIN {known} k ON k.name_norm = n.name_norm AND k.head13 = n.head
        WHERE {near} {extra}
        UNION ALL
        SELECT n.rid, k.id18, 2 AS tier_rank FROM (SELECT * FROM {norm} WHERE {where} AND id_tolerance > 1064) n
        JOIN {known} k ON k.name_norm = n.name_norm WHERE {near} {extra}"""


def _unmask_suspects(db: SqlSession, extra: tuple[str, ...] = ()) -> None:
    """A number-cell-shaped ID whose check character passes by chance (1 in 11) is
    damaged when the same name holds another valid ID within the rounding tolerance:
    that other number is what the spreadsheet destroyed. Otherwise it stays valid
    (a real ID can end in 000).

    Makes ``norm_l`` (``norm`` with those rows marked damaged) and ``known`` (the pairs
    still vouched for by some row)."""
    candidates = _damaged_candidates(db.dialect, "id_suspect", "AND k.id18 <> n.id18",
                                     norm="norm", known="known_all")  # fmt: skip
    db.table(
        "unmasked",
        f"""SELECT n.rid, n.id18, n.name_norm FROM norm n JOIN (
               SELECT rid FROM ({candidates}) c
               GROUP BY rid HAVING count(DISTINCT id18) = 1) s ON s.rid = n.rid""",
    )
    kept = ", ".join(f"n.{c}" for c in (*RULE_COLUMNS, *extra, *_LINK_COLUMNS)
                     if c not in ("id_status", "id18", "id_key", "id_problem"))  # fmt: skip
    db.view(
        "norm_l",
        f"""SELECT {kept},
            CASE WHEN u.rid IS NULL THEN n.id_status ELSE 'damaged' END AS id_status,
            CASE WHEN u.rid IS NULL THEN n.id18 END AS id18,
            CASE WHEN u.rid IS NULL THEN n.id_key END AS id_key,
            CASE WHEN u.rid IS NULL THEN n.id_problem
                 ELSE '疑被表格数值格式截断（只保留15位有效数字，末三位丢失）' END AS id_problem
        FROM norm n LEFT JOIN unmasked u ON u.rid = n.rid""",
    )
    # The unmasked rows no longer vouch for their (ID, name) pair.
    db.table(
        "known",
        """SELECT k.id18, k.name_norm, k.rows - coalesce(u.n, 0) AS rows, k.head13, k.left9,
               k.right9, k.ends8
           FROM known_all k LEFT JOIN (
               SELECT id18, name_norm, count(*) AS n FROM unmasked GROUP BY id18, name_norm) u
             ON u.id18 = k.id18 AND u.name_norm = k.name_norm
           WHERE k.rows - coalesce(u.n, 0) > 0""",
    )


def tier_name_sql(rank_expr: str) -> str:
    """The tier name of a rank (NULL for unlinked)."""
    cases = " ".join(f"WHEN {i} THEN '{t}'" for i, t in enumerate(TIERS))
    return f"CASE {rank_expr} {cases} END"
