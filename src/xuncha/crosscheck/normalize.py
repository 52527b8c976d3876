"""Normalisation in SQL: raw text cells become ID numbers, names, dates and amounts.

Everything here is a SQL expression over a whole table (vectorised by the engine);
:mod:`xuncha.crosscheck.idnumber` is the pure-Python reference the tests hold it to.

ID numbers (``id_status``):

* ``valid``   — 18 characters, real birth date, correct MOD 11-2 check character,
  after harmless clean-ups (spaces, tabs, full-width digits, lower-case x, apostrophes);
* ``legacy``  — a 15-digit number (born 19xx), converted to 18 digits;
* ``damaged`` — spoiled by a spreadsheet number cell: 18 digits whose last three were
  lost (``…011000``, or float noise that round-trips through a double) or scientific
  notation (``4.30102E+17``); ``id_value`` is the number that survived and
  ``id_tolerance`` how far the true number can be from it (rounding, float noise).
  An 18-digit number of that shape whose check character happens to pass is kept as
  valid with ``id_suspect`` set: linking decides (see :mod:`.linking`);
* ``invalid`` — anything else that is not empty (wrong length, characters, birth date
  or check character: typically a mistyped digit);
* ``missing`` — empty.
"""

from __future__ import annotations

import functools

from .dialect import DuckDBDialect
from .idnumber import CHECK_CHARS, WEIGHTS

FULLWIDTH = "０１２３４５６７８９ｘＸ．，－／"
HALFWIDTH = "0123456789XX.,-/"
_DOTS_FROM = "．•・‧∙"
_DOTS_TO = "·····"


@functools.cache
def traditional_to_simplified() -> tuple[str, str]:
    """(traditional, simplified) characters, one for one, from OpenCC's t2s table.

    Converting each character on its own line keeps OpenCC's phrase rules out of it;
    only one-to-one mappings are kept, so SQL ``translate`` can apply them.
    """
    import opencc

    chars = "".join(chr(c) for c in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)])
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    pairs = [(a, b) for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1]
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


def check_char_sql(d: DuckDBDialect, n: str) -> str:
    """The MOD 11-2 check character of the first 17 digits, given as a BIGINT column
    (cast once: the digits are taken arithmetically, much faster than 17 substrings)."""
    terms = " + ".join(
        f"({d.int_div(n, str(10 ** (16 - i)))} % 10) * {w}" for i, w in enumerate(WEIGHTS)
    )
    return f"substr('{CHECK_CHARS}', (({terms}) % 11) + 1, 1)"


def fullwidth_to_ascii(d: DuckDBDialect, expr: str) -> str:
    """Full-width digits and punctuation to ASCII, translating only rows that have any
    (DuckDB's ``translate`` is slow; a regular expression test is not)."""
    return (
        f"CASE WHEN {d.matches(expr, '[' + FULLWIDTH + ']')} "
        f"THEN {d.translate(expr, FULLWIDTH, HALFWIDTH)} ELSE {expr} END"
    )


def birth_ok_sql(d: DuckDBDialect, id18: str) -> str:
    """True when digits 7–14 are a real date from 1880 up to today."""
    born = d.parse_yyyymmdd(f"substr({id18}, 7, 8)")
    return f"({born} IS NOT NULL AND {born} >= DATE '1880-01-01' AND {born} <= current_date)"


def name_sql(d: DuckDBDialect, expr: str) -> str:
    """A name cleaned for comparison: no spaces or notes in brackets, one middle dot.

    Traditional characters are converted separately (:func:`simplify_names`): SQL
    ``translate`` with a 3,700-character table is far too slow in DuckDB.
    """
    messy = "[\\s\u3000（(" + _DOTS_FROM + "]"
    cleaned = d.translate(
        d.regexp_replace_all(expr, "[\\s\u3000]+|[（(][^）)]*[）)]", ""), _DOTS_FROM, _DOTS_TO
    )
    return f"nullif(CASE WHEN {d.matches(expr, messy)} THEN {cleaned} ELSE {expr} END, '')"


def build_name_map(con: object, names_sql: str) -> None:
    """Create ``name_map(name, simplified)`` for the names ``names_sql`` yields that hold
    a traditional character (found by one regular expression with a character class):
    they are split into characters, joined to the OpenCC table and put back together."""
    trad, simp = traditional_to_simplified()
    ex = con.execute  # type: ignore[attr-defined]
    ex(
        "CREATE OR REPLACE TEMP TABLE t2s AS SELECT substr(?, i, 1) AS trad, substr(?, i, 1) AS simp "
        "FROM range(1, ? + 1) r(i)",
        [trad, simp, len(trad)],
    )
    ex(
        f"""CREATE OR REPLACE TEMP TABLE name_map AS
        WITH names AS (SELECT DISTINCT name FROM ({names_sql}) WHERE regexp_matches(name, ?)),
             chars AS (SELECT name, unnest(string_split(name, '')) AS ch,
                              unnest(range(1, length(name) + 1)) AS pos FROM names)
        SELECT name, string_agg(coalesce(t2s.simp, ch), '' ORDER BY pos) AS simplified
        FROM chars LEFT JOIN t2s ON t2s.trad = ch GROUP BY name""",
        ["[" + trad + "]"],
    )
    ex("DROP TABLE t2s")


def simplify_names(con: object, table: str, column: str) -> None:
    """Replace traditional characters in ``table.column`` by simplified ones."""
    build_name_map(con, f"SELECT {column} AS name FROM {table}")
    ex = con.execute  # type: ignore[attr-defined]
    ex(
        f"UPDATE {table} SET {column} = m.simplified FROM name_map m WHERE {table}.{column} = m.name"
    )
    ex("DROP TABLE name_map")


_SERIAL = r"^\d{5}(\.\d+)?$"
_ID15 = r"^\d{15}$"
_ID18_SHAPE = r"^\d{17}[\dX]$"
_DIGITS18 = r"^\d{18}$"
_SCIENTIFIC = r"^(\d)\.(\d+)E\+?17$"
_ID_CHARS = r"^[\dX]+$"


DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d%H:%M:%S", "%Y-%m-%dT%H:%M:%S")
MONTH_FORMATS = ("%Y-%m-", "%Y-%m")


def date_sql(d: DuckDBDialect, expr: str) -> str:
    """A date from an Excel date cell, an Excel serial or common written forms.

    Accepted: 2021-03-05 (with or without a time), 2021/3/5, 2021.3.5, 2021年3月5日,
    20210305, an Excel serial number (1900 system, 1955–2064), and a month alone
    (2021年3月, 2021-03), taken as its first day. Separators are unified first so that
    one parse with few formats does the work.
    """
    s = f"trim({fullwidth_to_ascii(d, expr)})"
    unified = f"replace(replace({d.translate(s, '/.年月', '----')}, '日', ''), ' ', '')"
    serial = f"CAST(floor({d.to_double(s)}) AS INTEGER)"
    return f"""coalesce(
        {d.parse_date(unified, DATE_FORMATS)},
        CASE WHEN {d.matches(s, _SERIAL)} AND {serial} BETWEEN 20090 AND 60000
             THEN {d.add_days("DATE '1899-12-30'", serial)} END,
        {d.parse_date(unified, MONTH_FORMATS)})"""


def amount_sql(d: DuckDBDialect, expr: str) -> str:
    """An amount in yuan from 600, 600.00, 600元, ￥600, 1,200.00, full-width digits."""
    cleaned = d.regexp_replace_all(fullwidth_to_ascii(d, expr), r"[￥¥元,\s]|RMB|人民币", "")
    return f"coalesce({d.to_decimal(expr)}, {d.to_decimal(cleaned)})"


def normalize_table(con: object, d: DuckDBDialect) -> None:
    """Create ``norm`` from the data rows of ``raw``.

    Each distinct text is normalised once, in a small lookup table joined back to the
    rows: a person's ID recurs in every year's list (every month's, for monthly
    payments), a list has a few hundred distinct dates and a handful of amounts, so
    the costly expressions run on a fraction of the rows.

    ``norm`` keeps what normalisation, linking and the rules read; the cells only shown
    with a hit (name and ID as written, county, township, village, bank account) stay
    in ``raw`` (found by ``rid``), saving a copy of millions of strings.
    """
    ex = con.execute  # type: ignore[attr-defined]
    data = "FROM raw WHERE kind = 'data'"
    ex(
        f"""CREATE OR REPLACE TEMP TABLE name_clean AS
        SELECT name, {name_sql(d, "name")} AS cleaned FROM (SELECT DISTINCT name {data})"""
    )
    build_name_map(con, "SELECT cleaned AS name FROM name_clean")
    ex(
        """CREATE OR REPLACE TEMP TABLE names AS
        SELECT c.name, coalesce(m.simplified, c.cleaned) AS name_norm
        FROM name_clean c LEFT JOIN name_map m ON m.name = c.cleaned"""
    )
    messy = d.regexp_replace_all(fullwidth_to_ascii(d, "id_number"), "[\\s\u3000'‘’`\"]+", "")
    # Most IDs are already clean: decide them before any regular-expression work.
    clean = f"""CASE WHEN {d.full_match("id_number", "[0-9]{17}[0-9X]")} THEN id_number
        ELSE nullif(regexp_replace(upper({messy}), '^(\\d{{15,18}})\\.0+$', '\\1'), '') END"""
    ids = f"SELECT id_number, {clean} AS id_clean FROM (SELECT DISTINCT id_number {data})"
    ex(f"CREATE OR REPLACE TEMP TABLE id_map AS {_classify_ids(d, _id_checks(d, ids))}")
    dates = " UNION ".join(
        f"SELECT {c} AS text {data}"
        for c in ("payment_date", "death_date", "start_date", "end_date")
    )
    ex(
        f"CREATE OR REPLACE TEMP TABLE date_map AS SELECT text, {date_sql(d, 'text')} AS value FROM ({dates})"
    )
    ex(
        f"""CREATE OR REPLACE TEMP TABLE amount_map AS
        SELECT text, {amount_sql(d, "text")} AS value FROM (SELECT DISTINCT amount AS text {data})"""
    )
    date_joins = "".join(
        f" LEFT JOIN date_map {alias} ON {alias}.text = r.{column}"
        for column, alias in (
            ("payment_date", "dp"),
            ("death_date", "dd"),
            ("start_date", "ds"),
            ("end_date", "de"),
        )
    )
    ex(
        f"""CREATE OR REPLACE TABLE norm AS SELECT
            r.rid, r.src, r.dataset, r.file, r.sheet, r.row_no, r.employer,
            n.name_norm,
            i.* EXCLUDE (id_number),
            a.value AS amount,
            dp.value AS pay_date, dd.value AS death_date, ds.value AS start_date, de.value AS end_date,
            coalesce(year(dp.value), TRY_CAST(regexp_extract(r.year, '(\\d{{4}})', 1) AS INTEGER),
                     r.year_hint) AS pay_year
        FROM raw r
        LEFT JOIN names n ON n.name = r.name
        LEFT JOIN id_map i ON i.id_number IS NOT DISTINCT FROM r.id_number
        LEFT JOIN amount_map a ON a.text = r.amount{date_joins}
        WHERE r.kind = 'data'"""
    )
    for table in ("name_clean", "name_map", "names", "id_map", "date_map", "amount_map"):
        ex(f"DROP TABLE {table}")


def _id_checks(d: DuckDBDialect, source: str) -> str:
    """Each test on the ID computed once, as a column, for the classification."""
    legacy17 = f"CASE WHEN {d.matches('id_clean', _ID15)} THEN left(id_clean, 6) || '19' || substr(id_clean, 7, 9) END"
    numbers = f"""SELECT *, TRY_CAST(left(id_clean, 17) AS BIGINT) AS n17,
            TRY_CAST(id_clean AS BIGINT) AS n18 FROM ({source})"""
    checked = f"""SELECT * EXCLUDE (n18), {legacy17} AS legacy17,
            {d.matches("id_clean", _ID18_SHAPE)} AS is18,
            {birth_ok_sql(d, "id_clean")} AS birth18,
            {d.matches("id_clean", _DIGITS18)}
                AND (right(id_clean, 3) = '000' OR {d.exact_as_double("n18")}) AS cell,
            {d.matches("id_clean", _SCIENTIFIC)} AS sci
        FROM ({numbers})"""
    check18 = check_char_sql(d, "n17")
    return f"""SELECT * EXCLUDE (is18, n17),
            coalesce(is18 AND birth18 AND {check18} = right(id_clean, 1), false) AS valid18,
            legacy17 IS NOT NULL AND {birth_ok_sql(d, "legacy17 || '0'")} AS legacy_ok
        FROM ({checked})"""


def _classify_ids(d: DuckDBDialect, source: str) -> str:
    # ``cell`` is what a number cell leaves: 15 significant digits, then 000 (as Excel
    # writes the CSV) or float noise (as a double prints it: a value a double holds).
    sig = f"(1 + length({d.regexp_extract('id_clean', _SCIENTIFIC, 2)}))"
    valid18, legacy_ok, cell, sci, is18, birth18 = (
        "valid18", "legacy_ok", "cell", "sci", "length(id_clean) = 18", "birth18"
    )  # fmt: skip
    return f"""SELECT * EXCLUDE (legacy17, birth18, valid18, legacy_ok, cell, sci),
            CASE WHEN id_clean IS NULL THEN 'missing'
                 WHEN {valid18} THEN 'valid'
                 WHEN {legacy_ok} THEN 'legacy'
                 WHEN {cell} OR {sci} THEN 'damaged'
                 ELSE 'invalid' END AS id_status,
            {valid18} AND {cell} AS id_suspect,
            CASE WHEN {valid18} THEN id_clean
                 WHEN {legacy_ok} THEN legacy17 || {check_char_sql(d, "CAST(legacy17 AS BIGINT)")} END AS id18,
            CASE WHEN {cell} OR {sci}
                 THEN CAST(round(TRY_CAST(id_clean AS DOUBLE)) AS HUGEINT) END AS id_value,
            -- one unit of the last digit kept (rounded or cut off) plus float noise
            CASE WHEN {cell} THEN CAST(1064 AS HUGEINT)
                 WHEN {sci} THEN CAST(pow(10, 18 - {sig}) + 64 AS HUGEINT) END AS id_tolerance,
            CASE WHEN id_clean IS NULL THEN '身份证号码为空'
                 WHEN {valid18} OR {legacy_ok} THEN NULL
                 WHEN {cell} THEN '疑被表格数值格式截断（只保留15位有效数字，末三位丢失）'
                 WHEN {sci} THEN '以科学计数法保存，后面的数字已丢失'
                 WHEN NOT {d.matches("id_clean", _ID_CHARS)} THEN '含有非数字字符'
                 WHEN length(id_clean) NOT IN (15, 18)
                     THEN '位数不对（' || length(id_clean) || '位）'
                 WHEN {is18} AND NOT {birth18} THEN '出生日期无效'
                 WHEN length(id_clean) = 15 THEN '15位旧号码的出生日期无效'
                 ELSE '校验码错误（疑有数字录错）' END AS id_problem
        FROM ({source})"""
