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

``id18`` is the 18-digit number of a valid or legacy row and ``id_key`` the same as an
integer (its first 17 digits, which decide the 18th): linking and the rules join and
group people on the integer, far cheaper than on the text.
"""

from __future__ import annotations

import functools

from .dialect import DuckDBDialect
from .idnumber import CHECK_CHARS
from .roles import KINDS

FULLWIDTH = "０１２３４５６７８９ｘＸ．，－／"
HALFWIDTH = "0123456789XX.,-/"
_DOTS_FROM = "．•・‧∙"
_DOTS_TO = "·····"
# Spaces a regular expression's \s does not know (no-break, thin, zero-width, BOM…):
# pasted from web pages and Word, invisible in a cell, as harmless as a space.
SPACES = "\\s\u00a0\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"


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


def check_sum_sql(hi: str, lo: str) -> str:
    """A number congruent modulo 11 to the MOD 11-2 weighted sum of the first 17 digits,
    given as their first 8 (``hi``) and last 9 (``lo``) as DOUBLE columns (see
    :func:`halves_sql`).

    The weight of the digit k places from the right of the 17 is 2^(k+1) mod 11, so the
    sum is congruent to 2·(S(lo) + 2^9·S(hi)), where S(x) = Σ d_k·2^k over the digits
    of x. With q(k) = floor(x / 10^k) and d_k = q(k) - 10·q(k+1), that sum telescopes
    to S(x) = x - 4·Σ_{k≥1} 2^k·q(k): one quotient a digit, half as many as taking
    each digit apart (issue 17). q(k) is floor((x + 0.5) / 10^k), exact in doubles for
    x < 10^9 (the 0.5 keeps each quotient half a step clear of rounding). Doubles are
    about three times faster here than integers, whose every operation DuckDB checks
    for overflow.
    """

    def s(x: str, digits: int) -> str:
        terms = [
            f"{4 * 2**k} * floor({x} * {10.0**-k!r} + {0.5 * 10.0**-k!r})" for k in range(1, digits)
        ]
        return f"({x} - ({' + '.join(terms)}))"

    return f"CAST(2 * ({s(lo, 9)} + 512 * {s(hi, 8)}) AS BIGINT)"


def halves_sql(d: DuckDBDialect, n: str) -> tuple[str, str]:
    """The first 8 and the last 9 of a 17-digit BIGINT, as DOUBLE expressions."""
    return f"CAST({d.int_div(n, '1000000000')} AS DOUBLE)", f"CAST({n} % 1000000000 AS DOUBLE)"


def check_char_sql(d: DuckDBDialect, n: str) -> str:
    """The MOD 11-2 check character of the first 17 digits, given as a BIGINT column."""
    return f"substr('{CHECK_CHARS}', ({check_sum_sql(*halves_sql(d, n))} % 11) + 1, 1)"


def id18_sql(d: DuckDBDialect, key: str) -> str:
    """The 18-digit number of an ``id_key`` (its first 17 digits as an integer)."""
    return f"lpad(CAST({key} AS VARCHAR), 17, '0') || {check_char_sql(d, key)}"


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
    messy = "[" + SPACES + "（(" + _DOTS_FROM + "]"
    cleaned = d.translate(
        d.regexp_replace_all(expr, f"[{SPACES}]+|[（(][^）)]*[）)]", ""), _DOTS_FROM, _DOTS_TO
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
_ID18 = "[0-9]{17}[0-9X]"  # ASCII digits, for a full match
_DIGITS18 = r"^\d{18}$"
_SCIENTIFIC = r"^(\d)\.(\d+)E\+?17$"
MIN_SCI_DIGITS = 6
_ID_CHARS = r"^[\dX]+$"


DATE_FORMATS = (
    "%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)  # fmt: skip
MONTH_FORMATS = ("%Y-%m-", "%Y-%m")


def date_sql(d: DuckDBDialect, expr: str) -> str:
    """A date from an Excel date cell, an Excel serial or common written forms.

    Accepted: 2021-03-05 (with or without a time, as Excel writes a date cell to CSV:
    2021/3/5 0:00), 2021/3/5, 2021.3.5, 2021年3月5日,
    20210305, an Excel serial number (1900 system, 1955–2064), and a month alone
    (2021年3月, 2021-03), taken as its first day. Separators are unified first so that
    one parse with few formats does the work.
    """
    s = f"trim({fullwidth_to_ascii(d, expr)})"
    # 2021年 3月 5日 → 2021-3-5; a time stays apart from the date by one space
    dashed = f"replace({d.translate(s, '/.年月', '----')}, '日', '')"
    unified = d.regexp_replace_all(d.regexp_replace_all(dashed, r"\s*-\s*", "-"), r"\s+", " ")
    serial = f"CAST(floor({d.to_double(s)}) AS INTEGER)"
    return f"""coalesce(
        {d.parse_date(unified, DATE_FORMATS)},
        CASE WHEN {d.matches(s, _SERIAL)} AND {serial} BETWEEN 20090 AND 60000
             THEN {d.add_days("DATE '1899-12-30'", serial)} END,
        {d.parse_date(unified, MONTH_FORMATS)})"""


def amount_sql(d: DuckDBDialect, expr: str) -> str:
    """An amount in yuan from 600, 600.00, 600元, ￥600, 1,200.00, full-width digits,
    and 1.2万元 or 1.2万 (ten thousand yuan)."""
    cleaned = d.regexp_replace_all(fullwidth_to_ascii(d, expr), r"[￥¥元,\s]|RMB|人民币", "")
    wan_text = f"replace({cleaned}, '万', '')"
    wan = f"""CASE WHEN {d.matches(cleaned, "万$")}
        THEN CAST(TRY_CAST({wan_text} AS DECIMAL(24, 6)) * 10000 AS DECIMAL(18, 2)) END"""
    return f"coalesce({d.to_decimal(expr)}, {d.to_decimal(cleaned)}, {wan})"


def area_sql(d: DuckDBDialect, expr: str) -> str:
    """An area in 亩 from 2.5, 2.5亩, 2.50 亩, full-width digits."""
    cleaned = d.regexp_replace_all(fullwidth_to_ascii(d, expr), r"[亩,\s]", "")
    return f"{d.to_decimal(cleaned)}"


FLAG_TRUE = ("是", "√", "Y", "YES", "1", "TRUE", "有")
FLAG_FALSE = ("否", "×", "N", "NO", "0", "FALSE", "无", "")


def flag_sql(d: DuckDBDialect, expr: str) -> str:
    """是/否 (√, Y/N, 1/0 …) as a boolean; NULL for anything else."""
    s = f"upper(trim({fullwidth_to_ascii(d, expr)}))"
    yes = ", ".join(f"'{v}'" for v in FLAG_TRUE)
    no = ", ".join(f"'{v}'" for v in FLAG_FALSE)
    return f"CASE WHEN {s} IN ({yes}) THEN true WHEN {s} IN ({no}) THEN false END"


FULLWIDTH_LETTERS = "".join(map(chr, range(0xFF21, 0xFF3B))) + "".join(
    map(chr, range(0xFF41, 0xFF5B))
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def code_sql(d: DuckDBDialect, expr: str) -> str:
    """A code (地块编号, 号牌号码, 区片): ASCII (full-width letters and digits too), upper
    case, no spaces."""
    ascii_ = d.translate(fullwidth_to_ascii(d, expr), FULLWIDTH_LETTERS, LETTERS)
    return f"nullif(upper({d.regexp_replace_all(ascii_, f'[{SPACES}]+', '')}), '')"


def extra_columns(roles: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of ``norm`` the added roles among ``roles`` become (see
    :func:`normalize_table`)."""
    return tuple(
        c for r in roles if r in KINDS for c in ((r,) if KINDS[r] == "date" else (r, f"{r}_unread"))
    )


def extra_values(d: DuckDBDialect, kind: str, expr: str) -> str:
    """The value of a cell of an added role (:data:`.roles.KINDS`), as SQL."""
    if kind == "amount":
        return amount_sql(d, expr)
    if kind == "area":
        return area_sql(d, expr)
    if kind == "flag":
        return flag_sql(d, expr)
    if kind == "code":
        return code_sql(d, expr)
    return f"nullif(trim({expr}), '')"


def normalize_table(con: object, d: DuckDBDialect, roles: tuple[str, ...] = ()) -> None:
    """Create ``norm`` from the data rows of ``raw``, in one pass over the rows.

    ID numbers are classified row by row (:func:`id_columns`): nearly all of them are
    clean 18-character numbers, decided by arithmetic, and only the rest go
    through the regular expressions that explain what is wrong. Low-cardinality texts
    (dates, amounts) and names are normalised once per distinct value in small lookup
    tables joined back to the rows: a list has a few hundred distinct dates and a
    handful of amounts, and a name recurs for every payment of that person.

    ``norm`` keeps what normalisation, linking and the rules read; the cells only shown
    with a hit (name and ID as written, county, township, village, bank account, and a
    payment row's file name) stay in ``raw`` (found by ``rid``), saving a copy of
    millions of strings. A register row keeps its file name: the rules quote it.

    ``roles``: those the program recognises; each added role (:data:`.roles.KINDS`)
    among them becomes a column of ``norm`` named after it, with ``<role>_unread`` when
    a cell is there but cannot be read (a date also counts in ``date_unread``).
    """
    extra = {r: KINDS[r] for r in roles if r in KINDS}
    extra_dates = [r for r, kind in extra.items() if kind == "date"]
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
    dates = " UNION ".join(
        f"SELECT {c} AS text {data}"
        for c in ("payment_date", "death_date", "start_date", "end_date", *extra_dates)
    )
    # (text, value, unread) for each distinct text; ``unread``: a text that is there
    # but is not a date (or amount) this reads.
    for table, texts, value in (
        ("date_map", dates, date_sql(d, "text")),
        ("amount_map", f"SELECT DISTINCT amount AS text {data}", amount_sql(d, "text")),
    ):
        ex(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT text, value, value IS NULL AND trim(text) <> '' AS unread
            FROM (SELECT text, {value} AS value FROM ({texts}))"""
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
    for role in extra_dates:
        date_joins += f" LEFT JOIN date_map x_{role} ON x_{role}.text = r.{role}"
    # The other added roles, like the amounts: read once per distinct text (a list has
    # a handful of 款项, 地类 or 是/否 and one 地块编号 per parcel, not one per row).
    others = {role: kind for role, kind in extra.items() if kind != "date"}
    for role, kind in others.items():
        ex(
            f"""CREATE OR REPLACE TEMP TABLE x_{role}_map AS
            SELECT text, value, value IS NULL AND trim(text) <> '' AS unread
            FROM (SELECT text, {extra_values(d, kind, "text")} AS value
                  FROM (SELECT DISTINCT {role} AS text {data} AND {role} IS NOT NULL))"""
        )
        date_joins += f" LEFT JOIN x_{role}_map x_{role} ON x_{role}.text = r.{role}"
    added = "".join(
        f", x_{role}.value AS {role}"
        if kind == "date"
        else f", x_{role}.value AS {role}, coalesce(x_{role}.unread, false) AS {role}_unread"
        for role, kind in extra.items()
    )
    unread_dates = "".join(f" OR x_{role}.unread" for role in extra_dates)
    rows = id_columns(d, "SELECT * FROM raw WHERE kind = 'data'")
    ex(
        f"""CREATE OR REPLACE TABLE norm AS SELECT
            r.rid, r.src, r.dataset, CASE WHEN r.dataset <> 'payments' THEN r.file END AS file,
            r.sheet, r.row_no, nullif(trim(r.employer), '') AS employer,
            n.name_norm,
            {", ".join(f"r.{c}" for c in ID_COLUMNS)},
            a.value AS amount,
            dp.value AS pay_date, dd.value AS death_date, ds.value AS start_date, de.value AS end_date,
            coalesce(year(dp.value), TRY_CAST(regexp_extract(r.year, '(\\d{{4}})', 1) AS INTEGER),
                     r.year_hint) AS pay_year,
            coalesce(dp.unread OR dd.unread OR ds.unread OR de.unread{unread_dates}, false) AS date_unread,
            coalesce(a.unread, false) AS amount_unread{added}
        FROM ({rows}) r
        LEFT JOIN names n ON n.name = r.name
        LEFT JOIN amount_map a ON a.text = r.amount{date_joins}"""
    )
    for table in ("name_clean", "name_map", "names", "date_map", "amount_map",
                  *(f"x_{role}_map" for role in others)):  # fmt: skip
        ex(f"DROP TABLE {table}")


ID_COLUMNS = (
    "id_clean", "id_status", "id_suspect", "id18", "id_key", "id_value", "id_tolerance",
    "id_problem",
)  # fmt: skip
"""The columns :func:`id_columns` adds (see the module's docstring). ``id_clean``, the
number after the harmless clean-ups, is kept only where it is not a valid ``id18``."""


def id_columns(d: DuckDBDialect, source: str) -> str:
    """``source`` (rows with an ``id_number`` text) with the :data:`ID_COLUMNS` added.

    Row by row, in layers: the clean-up (skipped for a number already clean), then
    ``valid18`` by arithmetic on the number (the birth date in integers, the MOD 11-2
    check character in doubles, :func:`check_sum_sql`), then, for the few rows that are
    not valid, the tests that say how the number is spoiled (:func:`_classify_ids`).
    Each step sits behind a ``CASE``, which DuckDB evaluates only for the rows that
    reach it.
    """
    messy = d.regexp_replace_all(fullwidth_to_ascii(d, "id_number"), f"[{SPACES}'‘’`\"]+", "")
    fast = f"SELECT *, coalesce({d.full_match('id_number', _ID18)}, false) AS _fast FROM ({source})"
    cleaned = f"""SELECT *, CASE WHEN _fast THEN id_number
            ELSE nullif(regexp_replace(upper({messy}), '^(\\d{{15,18}})\\.0+$', '\\1'), '') END AS id_clean
        FROM ({fast})"""
    is18 = f"""SELECT *, CASE WHEN _fast THEN true
            ELSE coalesce({d.full_match("id_clean", _ID18)}, false) END AS _is18 FROM ({cleaned})"""
    # The number as an integer: 18 digits, or the first 17 when the last is X.
    hi, lo = halves_sql(d, "_n17")
    n17 = f"""SELECT *, {d.int_div("_n17", "1000")} % 100000000 AS _b, {hi} AS _hi, {lo} AS _lo FROM (
        SELECT *, CASE WHEN _n18 IS NOT NULL THEN {d.int_div("_n18", "10")}
                       WHEN _is18 THEN TRY_CAST(left(id_clean, 17) AS BIGINT) END AS _n17 FROM (
            SELECT *, CASE WHEN _is18 THEN TRY_CAST(id_clean AS BIGINT) END AS _n18
            FROM ({is18})))"""
    # CHECK_CHARS[r] as a number (X = 10) is (12 - r) mod 11: compared without strings.
    last = "CASE WHEN _n18 IS NULL THEN 10 ELSE _n18 % 10 END"
    # A condition of a CASE is evaluated as a filter (each test only for the rows the
    # one before passed), a boolean expression in a projection for every row.
    valid = f"""SELECT * EXCLUDE (_b, _hi, _lo), CASE WHEN _is18 AND {birth_ok_int(d, "_b")}
            AND (12 - {check_sum_sql("_hi", "_lo")} % 11) % 11 = {last} THEN true ELSE false END AS _valid
        FROM ({n17})"""
    return _classify_ids(d, valid)


def birth_ok_int(d: DuckDBDialect, b: str) -> str:
    """True when the integer column ``b`` (yyyymmdd) is a real date from 1880 up to
    today: the arithmetic twin of :func:`birth_ok_sql`, several times faster."""
    y, m, day = d.int_div(b, "10000"), f"({d.int_div(b, '100')} % 100)", f"({b} % 100)"
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    days = f"""CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END
        WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"""
    today = "CAST(strftime(current_date, '%Y%m%d') AS BIGINT)"
    return f"({b} >= 18800101 AND {b} <= {today} AND {m} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {days})"


def _classify_ids(d: DuckDBDialect, source: str) -> str:
    """The :data:`ID_COLUMNS` from ``source`` (``id_clean``, ``_valid``, ``_n17``,
    ``_n18``): a valid row's values are known by now; the others get theirs from the
    tests below, each evaluated for them alone (``CASE WHEN _valid``), and every output
    is taken from one struct, so that the valid rows pass through one CASE, not one
    per column."""
    legacy17 = f"CASE WHEN {d.matches('id_clean', _ID15)} THEN left(id_clean, 6) || '19' || substr(id_clean, 7, 9) END"
    # ``cell`` is what a number cell leaves: 15 significant digits, then 000 (as Excel
    # writes the CSV) or float noise (as a double prints it: a value a double holds).
    cell = f"""coalesce({d.matches("id_clean", _DIGITS18)}
        AND (right(id_clean, 3) = '000' OR {d.exact_as_double("TRY_CAST(id_clean AS BIGINT)")}), false)"""
    sci = f"coalesce({d.matches('id_clean', _SCIENTIFIC)}, false)"
    tests = f"""SELECT *, CASE WHEN NOT _valid THEN struct_pack(legacy17 := {legacy17}, cell := {cell},
            sci := {sci}) END AS _t FROM ({source})"""
    legacy_ok = f"""SELECT *, CASE WHEN NOT _valid THEN coalesce(_t.legacy17 IS NOT NULL
            AND {birth_ok_sql(d, "_t.legacy17 || '0'")}, false) END AS _legacy FROM ({tests})"""
    sig = f"(1 + length({d.regexp_extract('id_clean', _SCIENTIFIC, 2)}))"
    value = "CAST(round(TRY_CAST(id_clean AS DOUBLE)) AS HUGEINT)"
    spoiled = {
        # kept where a search may read it (a valid number is its own id18)
        "id_clean": "id_clean",
        "id_status": """CASE WHEN id_clean IS NULL THEN 'missing' WHEN _legacy THEN 'legacy'
            WHEN _t.cell OR _t.sci THEN 'damaged' ELSE 'invalid' END""",
        "id_suspect": "false",
        "id18": f"CASE WHEN _legacy THEN {id18_sql(d, 'CAST(_t.legacy17 AS BIGINT)')} END",
        # the person's number as an integer: the first 17 digits decide the 18th
        "id_key": "CASE WHEN _legacy THEN CAST(_t.legacy17 AS BIGINT) END",
        # a number in scientific notation keeps its first digits only: with fewer than six
        # (a whole region code) a search would link on the name alone
        "id_value": f"CASE WHEN _t.cell OR (_t.sci AND {sig} >= {MIN_SCI_DIGITS}) THEN {value} END",
        # one unit of the last digit kept (rounded or cut off) plus float noise
        "id_tolerance": f"""CASE WHEN _t.cell THEN CAST(1064 AS HUGEINT)
            WHEN _t.sci THEN CAST(pow(10, 18 - {sig}) + 64 AS HUGEINT) END""",
        "id_problem": f"""CASE WHEN id_clean IS NULL THEN '身份证号码为空'
            WHEN _legacy THEN NULL
            WHEN _t.cell THEN '疑被表格数值格式截断（只保留15位有效数字，末三位丢失）'
            WHEN _t.sci THEN '以科学计数法保存，后面的数字已丢失' ||
                CASE WHEN {sig} < {MIN_SCI_DIGITS} THEN '（只剩 ' || {sig} || ' 位，无法据以关联）' ELSE '' END
            WHEN NOT {d.matches("id_clean", _ID_CHARS)} THEN '含有非数字字符'
            WHEN length(id_clean) NOT IN (15, 18) THEN '位数不对（' || length(id_clean) || '位）'
            WHEN length(id_clean) = 18 AND NOT coalesce({birth_ok_sql(d, "id_clean")}, false)
                THEN '出生日期无效'
            WHEN length(id_clean) = 15 THEN '15位旧号码的出生日期无效'
            ELSE '校验码错误（疑有数字录错）' END""",
    }
    cell_valid = f"coalesce(_n18 % 1000 = 0 OR {d.exact_as_double('_n18')}, false)"
    valid = {
        "id_clean": "CAST(NULL AS VARCHAR)",
        "id_status": "'valid'",
        "id_suspect": cell_valid,
        "id18": "id_clean",
        "id_key": "_n17",
        "id_value": f"CASE WHEN {cell_valid} THEN {value} END",
        "id_tolerance": f"CASE WHEN {cell_valid} THEN CAST(1064 AS HUGEINT) END",
        "id_problem": "CAST(NULL AS VARCHAR)",
    }
    return f"""SELECT * EXCLUDE (_fast, _is18, _n18, _n17, _valid, _t, _legacy, id_clean, _r),
            {", ".join(f"_r.{c} AS {c}" for c in ID_COLUMNS)}
        FROM (SELECT *, CASE WHEN _valid THEN {_struct(valid)} ELSE {_struct(spoiled)} END AS _r
              FROM ({legacy_ok}))"""


def _struct(fields: dict[str, str]) -> str:
    return "struct_pack(" + ", ".join(f"{name} := {expr}" for name, expr in fields.items()) + ")"
