"""The rule catalogue: each rule a declarative object compiled to SQL.

A rule names its inputs by role (payments, deaths, payroll), its parameters with
defaults, the policy it rests on, and what a hit means. ``sql()`` returns one SELECT
over the views the engine prepares (``pay``, ``deaths``, ``payroll``, all with
``person_key``, an integer, and ``tier_rank``, plus the shared tables in ``PREPARED`` a
rule names in ``tables``) producing, per hit:

    rid        the payment row            reg_rid   the matched register row, or NULL
    group_key  rows reported together     tier_rank how sure the identity link is
    evidence   a Chinese sentence an auditor can check against the files

Only portable SQL and the dialect's functions are used, so the same rules can run on
another engine (see docs/decisions/0001-crosscheck-engine.md).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .dialect import DuckDBDialect
from .linking import TIERS
from .params import Param

Params = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    version: int
    meaning: str
    basis: str
    inputs: tuple[str, ...]
    params: tuple[Param, ...] = ()
    # Shared tables the rule reads besides the views (built once per run, see PREPARED).
    tables: tuple[str, ...] = ()
    build: Callable[[Params, DuckDBDialect], str] = field(default=lambda p, d: "", repr=False)

    def sql(self, params: Params | None = None, dialect: DuckDBDialect | None = None) -> str:
        """The rule's SELECT, printable as it runs: each parameter appears as a named
        marker (``$standard`` in DuckDB, ``:standard`` in Spark), its value is sent apart
        by :meth:`bind`. ``params`` only shapes the SQL text, never enters it."""
        return self.build(self._with_defaults(params), dialect or DuckDBDialect())

    def bind(self, params: Params | None = None) -> Params:
        """The values for the markers in :meth:`sql` (defaults filled in, each checked
        by its :class:`~.params.Param`): exactly the parameters the rule declares."""
        merged = self._with_defaults(params)
        return {p.name: p.check(merged[p.name]) for p in self.params}

    def _with_defaults(self, params: Params | None) -> Params:
        return {p.name: p.default for p in self.params} | (params or {})

    def describe(self) -> dict[str, Any]:
        """The rule as data (for the manifest, the CLI's ``rules`` and the web app)."""
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "meaning": self.meaning,
            "basis": self.basis,
            "inputs": list(self.inputs),
            "params": {p.name: p.describe() for p in self.params},
        }


def _paid(alias: str) -> str:
    """A payment row that paid something: an amount of 0 (停发) or below (a reversal, 冲回)
    is a line of the list but not a payment; an amount that could not be read counts."""
    return f"({alias}.amount IS NULL OR {alias}.amount > 0)"


def _listed(alias: str) -> str:
    """A row that moved money either way (a payment or a reversal): not an amount of 0."""
    return f"({alias}.amount IS NULL OR {alias}.amount <> 0)"


def _payments_net(alias: str) -> str:
    """How many times a row counts as paid: 1, or -1 for a reversal (it cancels one),
    0 for an amount of 0."""
    return f"CASE WHEN {_paid(alias)} THEN 1 WHEN {alias}.amount < 0 THEN -1 ELSE 0 END"


def _where(alias: str) -> str:
    """'file 第 N 行（工作表 S）' for a row, in SQL."""
    return (
        f"{alias}.file || CASE WHEN coalesce({alias}.sheet, '') <> '' "
        f"THEN '「' || {alias}.sheet || '」' ELSE '' END || ' 第' || CAST({alias}.row_no AS STRING) || '行'"
    )


def _deceased(p: Params, d: DuckDBDialect) -> str:
    return f"""
    SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
        greatest(p.tier_rank, r.tier_rank) AS tier_rank,
        '死亡人员名单 ' || {_where("r")} || '：死亡日期 ' || CAST(r.death_date AS STRING) ||
        CASE WHEN p.pay_date IS NOT NULL THEN '；发放日期 ' || CAST(p.pay_date AS STRING) ||
                  '，死亡后第 ' || CAST({d.days_between("r.death_date", "p.pay_date")} AS STRING) || ' 天'
             ELSE '；发放年度 ' || CAST(p.pay_year AS STRING) || ' 年，在死亡年度之后' END AS evidence
    FROM pay p JOIN (
        SELECT *, row_number() OVER (PARTITION BY person_key ORDER BY death_date, rid) AS k
        FROM deaths WHERE death_date IS NOT NULL) r
      ON r.person_key = p.person_key AND r.k = 1
    WHERE {_paid("p")} AND (
        (p.pay_date IS NOT NULL AND p.pay_date > {d.add_days("r.death_date", d.param("grace_days"))})
        OR (p.pay_date IS NULL AND p.pay_year > year(r.death_date)))"""


def _payroll(p: Params, d: DuckDBDialect) -> str:
    jan1 = d.make_date("p.pay_year", "1", "1")
    dec31 = d.make_date("p.pay_year", "12", "31")
    employed = f"""(p.pay_date IS NOT NULL
            AND (r.start_date IS NULL OR r.start_date <= p.pay_date)
            AND (r.end_date IS NULL OR p.pay_date <= r.end_date))
        OR (p.pay_date IS NULL AND p.pay_year IS NOT NULL
            AND (r.start_date IS NULL OR r.start_date <= {jan1})
            AND (r.end_date IS NULL OR r.end_date >= {dec31}))"""
    return f"""
    SELECT rid, reg_rid, group_key, tier_rank, evidence FROM (
      SELECT p.rid, r.rid AS reg_rid, CAST(NULL AS STRING) AS group_key,
        greatest(p.tier_rank, r.tier_rank) AS tier_rank,
        '财政供养人员名单 ' || {_where("r")} || '：' || coalesce(r.employer || '，', '') ||
        '入职 ' || coalesce(CAST(r.start_date AS STRING), '（未填）') || '，' ||
        CASE WHEN r.end_date IS NULL THEN '仍在职' ELSE '离职 ' || CAST(r.end_date AS STRING) END ||
        '；发放' || CASE WHEN p.pay_date IS NOT NULL THEN '日期 ' || CAST(p.pay_date AS STRING)
                         ELSE '年度 ' || CAST(p.pay_year AS STRING) END || ' 在职期间' AS evidence,
        row_number() OVER (PARTITION BY p.rid ORDER BY r.start_date NULLS LAST, r.rid) AS k
      FROM pay p JOIN payroll r ON r.person_key = p.person_key
      WHERE {_paid("p")} AND NOT r.date_unread AND ({employed})) t
    WHERE k = 1"""


# Tables several rules share, built once per run by the engine when a rule needs them.
# ``person_year``: a row per person and year, with how many times it was paid (``n``:
# the rows that paid something less the reversals) and the total of all its rows. The
# files are counted (a DISTINCT aggregate, costly over millions of groups) only for the
# few paid more than once.
PREPARED = {
    "person_year": f"""
    WITH g AS (
        SELECT person_key, pay_year, sum({_payments_net("pay")}) AS n,
            sum(amount) AS total, max(tier_rank) AS tier_rank
        FROM pay WHERE person_key IS NOT NULL AND pay_year IS NOT NULL GROUP BY person_key, pay_year),
    f AS (
        SELECT p.person_key, p.pay_year, count(DISTINCT p.src) AS files
        FROM pay p JOIN g ON g.person_key = p.person_key AND g.pay_year = p.pay_year AND g.n > 1
        WHERE {_listed("p")}
        GROUP BY p.person_key, p.pay_year)
    SELECT g.*, coalesce(f.files, 1) AS files
    FROM g LEFT JOIN f ON f.person_key = g.person_key AND f.pay_year = g.pay_year""",
}


def share_table(name: str, sql: str) -> None:
    """Add a shared table to :data:`PREPARED` (a program's own, declared with its rules):
    built once per run by the engine when a rule of the run names it in ``tables``."""
    if PREPARED.get(name, sql) != sql:
        raise ValueError(f"shared table {name} declared twice with different SQL")
    PREPARED[name] = sql


def _person_year_groups(condition: str, evidence: str, prefix: str, rows: str = "TRUE") -> str:
    """The payment rows (those meeting ``rows``) of the person-years meeting
    ``condition``, numbered as groups."""
    return f"""
    SELECT p.rid, CAST(NULL AS BIGINT) AS reg_rid,
        '{prefix}' || CAST(g.group_no AS STRING) AS group_key, g.tier_rank, {evidence} AS evidence
    FROM pay p JOIN (
        SELECT *, row_number() OVER (ORDER BY person_key, pay_year) AS group_no
        FROM person_year WHERE {condition}) g
      ON g.person_key = p.person_key AND g.pay_year = p.pay_year
    WHERE {rows}"""


def _duplicate(p: Params, d: DuckDBDialect) -> str:
    evidence = """'同一人 ' || CAST(g.pay_year AS STRING) || ' 年共发放 ' || CAST(g.n AS STRING) ||
        ' 次（涉及 ' || CAST(g.files AS STRING) || ' 个文件），合计 ' ||
        coalesce(CAST(g.total AS STRING), '?') || ' 元；同组编号 D' || CAST(g.group_no AS STRING)"""
    return _person_year_groups("n > 1", evidence, "D", _listed("p"))


def _over_standard(p: Params, d: DuckDBDialect) -> str:
    standard = d.param("standard")
    evidence = f"""'同一人 ' || CAST(g.pay_year AS STRING) || ' 年合计发放 ' || CAST(g.total AS STRING) ||
        ' 元，标准 ' || CAST({standard} AS STRING) || ' 元/人/年，超出 ' || CAST(g.total - {standard} AS STRING) ||
        ' 元；同组编号 O' || CAST(g.group_no AS STRING)"""
    return f"""{_person_year_groups(f"total > {standard}", evidence, "O")}
    UNION ALL{_unattributed_over(standard)}"""


UNATTRIBUTED_RANK = TIERS.index("unattributed")
"""``tier_rank`` of a row no person could be found for (the tier ``unattributed``,
labelled 无法归属到人, see :data:`.linking.TIERS`)."""


def _unattributed_over(standard: str) -> str:
    """Payment rows that belong to no known person (no ID number, or one damaged beyond
    a unique match: ``person_key`` is NULL) and pay more than the standard on their own.
    Whoever was paid, that person-year is over the standard; who it was is for the
    verifiers. Such rows are never added together (the same name alone is never the
    same person), so a row is judged on its own amount."""
    return f"""
    SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key,
        {UNATTRIBUTED_RANK} AS tier_rank,
        '无法归属到人：' || coalesce(id_problem, '身份证号码无法识别') ||
        '，不能确定领取人，本行不与其他行合计；本行一次发放 ' || CAST(amount AS STRING) ||
        ' 元，已超过标准 ' || CAST({standard} AS STRING) || ' 元/人/年，超出 ' ||
        CAST(amount - {standard} AS STRING) || ' 元，请核实领取人' AS evidence
    FROM pay WHERE person_key IS NULL AND amount > {standard}"""


def invalid_id_rows(view: str) -> str:
    """The rows of a payment list (its view) whose ID number is not valid, each with
    what is wrong with it (a program whose list is not ``pay`` reads its own view)."""
    return f"""
    SELECT rid, CAST(NULL AS BIGINT) AS reg_rid, CAST(NULL AS STRING) AS group_key, tier_rank,
        id_problem || CASE WHEN tier_rank IS NOT NULL
            THEN '；已按姓名唯一匹配到号码 ' || left(person_id18, 3) || '***********' || right(person_id18, 4)
            ELSE '' END AS evidence
    FROM {view} WHERE id_status IN ('damaged', 'invalid', 'missing')"""


def _invalid_id(p: Params, d: DuckDBDialect) -> str:
    return invalid_id_rows("pay")


RULES: tuple[Rule, ...] = (
    Rule(
        id="deceased_payee",
        title="死亡后仍领取",
        version=2,
        meaning="领取人在死亡人员名单中，且发放日期晚于死亡日期。",
        basis="补助对象死亡后应停止发放，已发放的应予追回。",
        inputs=("payments", "deaths"),
        params=(
            Param(
                "grace_days",
                "死亡后宽限天数",
                "days",
                0,
                "天",
                "补助对象死亡后应停止发放；宽限天数供各地按本地的停发时限设置（默认 0 天："
                "死亡次日起的发放都列出）。",
            ),
        ),
        build=_deceased,
    ),
    Rule(
        id="payroll_payee",
        title="财政供养人员领取",
        version=2,
        meaning="领取人在财政供养人员名单中，且发放日期在其在职期间（未填离职日期即仍在职；"
        "入职或离职日期写了但无法识别的名单行不参与比对，在运行清单中计数）。",
        basis="财政供养人员不属于该项补助的发放对象。",
        inputs=("payments", "payroll"),
        build=_payroll,
    ),
    Rule(
        id="duplicate_payment",
        title="重复领取",
        version=2,
        meaning="同一人同一年度被发放不止一次（同一文件内或跨文件；金额为 0 的行不算发放，"
        "负数的冲回行抵减一次）；同组每一行（金额为 0 的除外）都列出。",
        basis="同一补助每人每年只应发放一次。",
        inputs=("payments",),
        tables=("person_year",),
        build=_duplicate,
    ),
    Rule(
        id="over_standard",
        title="超标准发放",
        version=2,
        meaning="同一人一年内合计发放金额超过标准；该人该年的每一行都列出。"
        "没有身份证号码（或号码损坏、无法唯一匹配到人）的行无法归属到人，不与其他行合计，"
        "单行金额超过标准的也列出，匹配方式为“无法归属到人”。",
        basis="补助按规定标准发放，每人每年不得超过标准（标准由参数 standard 给出，见核查表汇总页）。",
        inputs=("payments",),
        params=(
            Param(
                "standard",
                "发放标准",
                "amount",
                Decimal("600"),
                "元/人/年",
                "《国务院关于完善大中型水库移民后期扶持政策的意见》（国发〔2006〕17号）："
                "每人每年补助 600 元。",
            ),
        ),
        tables=("person_year",),
        build=_over_standard,
    ),
    Rule(
        id="invalid_id",
        title="身份证号码无效",
        version=1,
        meaning="身份证号码本身无效（位数、出生日期、校验码），或已被表格数值格式损坏；"
        "去空格、全角转半角等无害清理不算，15位旧号码有效。",
        basis="GB 11643-1999《公民身份号码》。",
        inputs=("payments",),
        build=_invalid_id,
    ),
)

RULES_BY_ID = {r.id: r for r in RULES}

ENGINE_LABELS = {"duckdb": "DuckDB", "spark": "Spark SQL"}


def printed_sql(rule: Rule, dialect: DuckDBDialect | None = None) -> str:
    """The SQL a run executes for ``rule``, as ``xuncha rules --sql`` prints it and the
    golden files (tests/crosscheck/golden/) pin: the shared tables it reads (each built
    once per run, whichever rules read it), then its SELECT. Parameters stay markers;
    a header comment names each with its default."""
    d = dialect or DuckDBDialect()
    head = [
        f"-- {rule.title}（{rule.id}，第 {rule.version} 版），{ENGINE_LABELS[d.name]} 方言",
        f"-- 读取引擎准备的视图：{'、'.join(view_of(i) for i in rule.inputs)}"
        "（每行带 person_key 和 tier_rank）",
    ]
    head += [
        f"-- 参数 {d.param(p.name)}：{p.label}（{p.unit}），默认 {p.default}（运行时另行传入，不写进语句）"
        for p in rule.params
    ]
    parts = ["\n".join(head)]
    for table in rule.tables:
        parts.append(
            f"-- 共享表 {table}：每次运行只建一次，读它的规则共用\n"
            + d.create_table(table, _trimmed(PREPARED[table]))
            + ";"
        )
    parts.append("-- 规则查询：每行一个疑点\n" + _trimmed(rule.sql(dialect=d)) + ";")
    return "\n\n".join(parts) + "\n"


def view_of(dataset: str) -> str:
    """The view the engine prepares for an input (``pay`` for the payment lists, the
    input's own name for a register)."""
    return "pay" if dataset == "payments" else dataset


def _trimmed(sql: str) -> str:
    """``sql`` without its surrounding blank lines, trailing spaces and common indent
    (the text unchanged otherwise: the golden files show the SQL as it runs)."""
    return textwrap.dedent("\n".join(line.rstrip() for line in sql.strip("\n").splitlines()))
