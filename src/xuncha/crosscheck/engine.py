"""One cross-check run: ingest → normalise → link → rules → hits, on DuckDB.

Everything after ingest is SQL over whole tables; Python only orchestrates. The run
keeps what it needs for a manifest (inputs with SHA-256, rows read and skipped with
the reason, parameters, rule versions) so a result can be reproduced and defended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import queue
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .dialect import DuckDBDialect, lit
from .errors import InputError, NothingToCheck
from .ingest import (
    SKIP_REASONS,
    Mapping,
    Prepared,
    SourceReport,
    create_raw_table,
    identify_source,
    load_source,
    mark_duplicate,
    note_skipped_rows,
    prepare_source,
)
from .linking import UNLINKED, link_people, tier_name_sql
from .normalize import extra_columns, id18_sql, normalize_table
from .programs import DEFAULT_PROGRAM, Program, program_of
from .roles import KINDS
from .rules import PREPARED, Rule
from .spark import spark_stage
from .sqlsession import DuckDBSession, SqlSession
from .userrules import UserRule, compile_rules
from .workdir import work_folder

ENGINES = ("duckdb", "spark")

HIT_SCHEMA = pa.schema(
    [("rule", pa.string()), ("rule_title", pa.string()), ("file", pa.string()),
     ("sheet", pa.string()), ("row", pa.int64()), ("name", pa.string()),
     ("id_number", pa.string()), ("amount", pa.decimal128(18, 2)),
     ("payment_date", pa.date32()), ("payment_year", pa.int64()), ("match_tier", pa.string()),
     ("evidence", pa.string()), ("group_id", pa.string()), ("id_normalized", pa.string()),
     ("county", pa.string()), ("township", pa.string()), ("village", pa.string()),
     ("bank_account", pa.string()), ("register_file", pa.string()),
     ("register_sheet", pa.string()), ("register_row", pa.int64()),
     ("register_name", pa.string()), ("register_id_number", pa.string()),
     ("register_date", pa.date32()), ("register_end_date", pa.date32()),
     ("register_employer", pa.string())]
)  # fmt: skip
"""Columns and types of :attr:`CheckResult.hits`, whichever engine found them. The
``register_*`` columns describe the matched row of the death or payroll register (its
date of death, or employment start and end)."""


Progress = Callable[[float, str], None]
"""Called with the share of the run done (0–1) and what is being done, in Chinese."""


@dataclass
class CheckConfig:
    """What to check and how: a program (:mod:`.programs`), its input files by role,
    its rules' parameters. Saved whole in the manifest."""

    inputs: dict[str, list[Path]]
    program: str = DEFAULT_PROGRAM
    table_files: dict[str, list[Path]] = field(default_factory=dict)  # by the program's table_files
    params: dict[str, Any] = field(default_factory=dict)
    rules: tuple[str, ...] = ()  # none: all of the program's
    title: str = ""  # the report's title; the program's title when empty
    mapping: Mapping = field(default_factory=Mapping)
    memory_limit: str = "3GB"
    engine: str = "duckdb"  # or "spark": the linking and the rules run on Apache Spark
    spark_master: str = "local[*]"
    spark_stage: Path | None = None  # where the Parquet for Spark goes (shared on a cluster)
    spark_conf: dict[str, str] = field(default_factory=dict)
    # Rules users wrote (自定义比对模型): their TOML texts, compiled in the run (see
    # :mod:`.userrules`); each runs whatever ``rules`` says.
    user_rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        spec = self.spec
        self.user_rules = tuple(self.user_rules)
        added = tuple(r.id for r in self.compiled_user_rules)
        self.rules = tuple(dict.fromkeys((*(tuple(self.rules) or spec.rule_ids), *added)))
        self.title = self.title.strip() or spec.title
        self.inputs = {k: [Path(p) for p in v] for k, v in self.inputs.items() if v}

    @property
    def spec(self) -> Program:
        """The program declaration (an :class:`InputError` for an unknown one)."""
        return program_of(self.program)

    @property
    def compiled_user_rules(self) -> tuple[UserRule, ...]:
        """The user rules, compiled (an :class:`InputError` naming the line of a mistake)."""
        return compile_rules(self.user_rules, self.program)

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """The program's rules, then the user rules."""
        return (*self.spec.rules, *self.compiled_user_rules)

    def rule(self, rule_id: str) -> Rule:
        """A rule of the program or a user rule of the run."""
        for rule in self.compiled_user_rules:
            if rule.id == rule_id:
                return rule
        return self.spec.rule(rule_id)

    def files(self, dataset: str) -> list[Path]:
        return self.inputs.get(dataset, [])

    @property
    def all_files(self) -> list[Path]:
        return [p for files in self.inputs.values() for p in files]

    def validate(self) -> None:
        """Rules, inputs and parameters checked against the program; each parameter's
        value read as its type. Raises :class:`~.params.ParamError` (a parameter) or
        :class:`InputError` (a rule, input or parameter the program does not have)."""
        spec = self.spec
        for rule_id in self.rules:
            self.rule(rule_id)
        foreign = [d for d in self.inputs if d not in spec.labels] + [
            d for d in self.table_files if d not in {t.id for t in spec.table_files}
        ]
        if foreign:
            raise InputError(
                f"比对模型「{spec.title}」不读取 {'、'.join(foreign)}"
                f"（它读取：{'、'.join(f'{k}（{v}）' for k, v in spec.labels.items())}）。"
            )
        declared = {p.name: p for p in spec.params}
        unknown = [k for k in self.params if k not in declared]
        if unknown:
            names = "、".join(f"{p.name}（{p.label}）" for p in declared.values()) or "无"
            raise InputError(
                f"比对模型「{spec.title}」没有参数 {'、'.join(unknown)}（它的参数：{names}）。"
            )
        self.params = {k: declared[k].check(v) for k, v in self.params.items()}

    def params_for(self, rule_id: str) -> dict[str, Any]:
        """The values of the parameters ``rule_id`` declares (defaults filled in)."""
        rule = self.rule(rule_id)
        return {p.name: self.params.get(p.name, p.default) for p in rule.params}

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "title": self.title,
            "inputs": {k: [str(p) for p in v] for k, v in self.inputs.items()},
            **(
                {"table_files": {k: [str(p) for p in v] for k, v in self.table_files.items()}}
                if self.table_files
                else {}
            ),
            "params": {
                p.name: str(v)
                if isinstance(v := self.params.get(p.name, p.default), Decimal)
                else v
                for p in self.spec.params
            },
            "rules": list(self.rules),
            **(
                {
                    "user_rules": [
                        {"id": r.id, "sha256": r.sha256, "text": r.text}
                        for r in self.compiled_user_rules
                    ]
                }
                if self.user_rules
                else {}
            ),
            "mapping": {"columns": self.mapping.columns, "files": self.mapping.files},
            "engine": self.engine,
            **({"spark_master": self.spark_master} if self.engine == "spark" else {}),
        }


@dataclass
class CheckResult:
    config: CheckConfig
    sources: list[SourceReport]
    hits: pa.Table
    rules_run: list[str]
    rules_skipped: dict[str, str]
    data_problems: dict[str, int]
    started: str
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = "duckdb"

    def count(self, rule: str) -> int:
        """How many hits a rule has."""
        return self.counts.get(rule, 0)

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        """Hits per rule. (Counted without a Python scalar in a pyarrow compute call,
        which would make pyarrow import pandas, a second's start-up, when installed.)"""
        return {
            v["values"]: v["counts"] for v in self.hits.column("rule").value_counts().to_pylist()
        }

    @functools.cached_property
    def unattributed(self) -> dict[str, int]:
        """Hits per rule whose payee could not be told (tier ``unattributed``, 无法归属到人).
        Counted by DuckDB: pyarrow's group_by or a filter on a Python value would import
        pandas too."""
        with duckdb.connect() as con:
            con.register("hits", self.hits)
            found = con.execute(
                "SELECT rule, count(*) FROM hits WHERE match_tier = 'unattributed' GROUP BY rule"
            ).fetchall()
        return dict(found)


def run_check(
    config: CheckConfig, workdir: Path | None = None, progress: Progress | None = None
) -> CheckResult:
    """Run the check and return the hits (nothing written to disk but scratch files, in a
    work folder in ``workdir``, or the system temp folder if None: see :mod:`.workdir`).

    ``progress``, if given, is told how far the run is after each file and each step.
    Raises :class:`~.params.ParamError` for a parameter out of range.
    """
    if config.engine not in ENGINES:
        raise ValueError(f"未知引擎：{config.engine}（可选 {'、'.join(ENGINES)}）")
    started, t0 = dt.datetime.now().astimezone().isoformat(timespec="seconds"), time.perf_counter()
    tell = progress or (lambda done, what: None)
    config.validate()
    with work_folder(workdir, "work") as tmp:
        con = duckdb.connect(
            config={"memory_limit": config.memory_limit, "temp_directory": str(tmp)}
        )
        db: SqlSession | None = None
        try:
            d = DuckDBDialect()
            timings: dict[str, float] = {}
            with _timed(timings, "ingest"):
                sources = _ingest(con, config, tmp, tell)
            tell(INGEST_SHARE, "规范化身份证号码、姓名、日期和金额")
            with _timed(timings, "normalize"):
                normalize_table(con, d, config.spec.roles)
            db = DuckDBSession(con)
            if config.engine == "spark":
                tell(0.7, "把规范化后的数据写成 Parquet，交给 Spark")
                with _timed(timings, "stage"):
                    db = spark_stage(con, config, tmp)
            tell(0.75, "按身份证号码和姓名关联人员")
            with _timed(timings, "link"):
                link_people(db, extra_columns(config.spec.roles))
                _views(db, config.spec)
                for name, data in config.spec.reference_tables(config.table_files).items():
                    db.load(name, data)
            tell(0.85, "运行比对规则")
            with _timed(timings, "rules"):
                run, skipped = _select_rules(db, config)
                hits = _hits(db, con, config, run)
                problems = _data_problems(db, config)
        finally:
            if db is not None:
                db.close()
            con.close()
    return CheckResult(
        config=config,
        sources=sources,
        hits=hits,
        rules_run=run,
        rules_skipped=skipped,
        data_problems=problems,
        started=started,
        seconds=round(time.perf_counter() - t0, 3),
        timings=timings,
        engine=config.engine,
    )


@contextlib.contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - t0, 3)


INGEST_SHARE = 0.6  # of a run's time, roughly, goes to reading the files
LOADERS = max(1, min(4, os.cpu_count() or 1))  # files inserted at once


def _ingest(
    con: duckdb.DuckDBPyConnection, config: CheckConfig, tmp: Path, tell: Progress
) -> list[SourceReport]:
    """Read every file into ``raw``, several at once.

    Files are first identified together (kind, SHA-256, encoding, and a UTF-8 file's
    lines, in one read each), so duplicates are decided in the order given. DuckDB
    reads a CSV with its line numbers on one thread, so LOADERS files are inserted at
    once, each through a cursor of its own, largest first. GBK files are transcoded
    meanwhile on one helper thread (Python holds the GIL while it decodes), hashed in
    the same pass, and inserted when ready. They are transcoded in the order given, so
    a GBK file's duplicate is still decided in that order (a GBK file's bytes can only
    equal another GBK file's: equal bytes are detected as the same encoding).
    """
    create_raw_table(con)
    sources = [
        SourceReport(src=0, path=str(path), file=Path(path).name, dataset=dataset)
        for dataset in config.spec.labels
        for path in config.files(dataset)
    ]
    for src, report in enumerate(sources, start=1):
        report.src = src
    with ThreadPoolExecutor(LOADERS) as pool:
        prepared = list(pool.map(identify_source, sources))
    seen: dict[str, str] = {}
    for report, prep in zip(sources, prepared, strict=True):
        mark_duplicate(report, prep, seen)
    cursors: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
    for _ in range(LOADERS):
        cursors.put(con.cursor())

    def load(report: SourceReport, prep: Prepared, ready: Future[None] | None) -> None:
        if ready is not None:
            ready.result()
        cur = cursors.get()
        try:
            load_source(cur, report, config.mapping, tmp, prep, note_skipped=False)
        finally:
            cursors.put(cur)

    def transcode(report: SourceReport, prep: Prepared) -> None:
        prepare_source(report, tmp, prep)
        mark_duplicate(report, prep, seen)

    # Largest first; the files ready now before those the helper must transcode.
    order = sorted(
        zip(sources, prepared, strict=True), key=lambda sp: (sp[1].transcode, -sp[0].size)
    )
    total, done = sum(r.size for r in sources) or 1, 0
    try:
        with ThreadPoolExecutor(1) as helper, ThreadPoolExecutor(LOADERS) as loaders:
            ready = {
                r.src: helper.submit(transcode, r, p)
                for r, p in zip(sources, prepared, strict=True)
                if p.transcode
            }
            loads = {loaders.submit(load, r, p, ready.get(r.src)): r for r, p in order}
            for loading in as_completed(loads):
                loading.result()
                done += loads[loading].size
                tell(INGEST_SHARE * done / total, f"已读取「{loads[loading].file}」")
    finally:
        while not cursors.empty():
            cursors.get().close()
    note_skipped_rows(con, [s for s in sources if s.error is None])
    main = config.spec.inputs[0]  # the payment list: without a row of it, nothing to check
    _count_rows(con, sources)
    if not any(
        s.dataset == main.id and s.error is None and any(sh.rows_used for sh in s.sheets)
        for s in sources
    ):
        reasons = "；".join(s.error for s in sources if s.dataset == main.id and s.error)
        raise NothingToCheck(f"{main.label}中没有可比对的记录。{reasons}")
    return sources


def _count_rows(con: duckdb.DuckDBPyConnection, sources: list[SourceReport]) -> None:
    """Rows read, used and skipped per sheet; a table with no data row under its header
    is reported as skipped (a list that says nothing is worth a word, not silence)."""
    counts = con.execute("SELECT src, sheet, kind, count(*) FROM raw GROUP BY ALL").fetchall()
    by_src = {s.src: s for s in sources}
    for src, sheet_name, kind, n in counts:
        for sheet in by_src[src].sheets:
            if sheet.sheet == sheet_name:
                sheet.rows_read += n
                if kind == "data":
                    sheet.rows_used += n
                else:
                    sheet.rows_skipped[SKIP_REASONS[kind]] = n
    for source in sources:
        for sheet in source.sheets:
            if source.error is None and sheet.error is None and not sheet.rows_used:
                skipped = "、".join(sheet.rows_skipped)
                sheet.error = str(
                    InputError(
                        "表头下没有数据行" + (f"（只有{skipped}）" if skipped else "") + "。",
                        file=source.file,
                        sheet=sheet.sheet,
                    )
                )
        if source.sheets and all(sheet.error for sheet in source.sheets) and not source.error:
            source.error = (
                source.sheets[0].error
                if len(source.sheets) == 1
                else str(InputError("没有一个工作表有数据行。", file=source.file))
            )


def _views(db: SqlSession, spec: Program) -> None:
    """A view per input: ``pay`` for the payment lists, an input's own name for the
    others. A payment list (a program's first input) holds every row; a register of
    people, only its rows linked to a person."""
    db.view("pay", "SELECT * FROM linked WHERE dataset = 'payments'")
    for i in spec.inputs:
        if i.id != "payments":
            linked = " AND person_key IS NOT NULL" if i.people and i is not spec.inputs[0] else ""
            db.view(i.id, f"SELECT * FROM linked WHERE dataset = '{i.id}'{linked}")


def _select_rules(db: SqlSession, config: CheckConfig) -> tuple[list[str], dict[str, str]]:
    present = {row[0] for row in db.rows("SELECT DISTINCT dataset FROM norm")}
    run, skipped = [], {}
    spec = config.spec
    for rule_id in config.rules:
        missing = [spec.labels[i] for i in config.rule(rule_id).inputs if i not in present]
        if missing:
            skipped[rule_id] = "缺少" + "、".join(missing) + "，未运行"
        else:
            run.append(rule_id)
    return run, skipped


def _hits(
    db: SqlSession, con: duckdb.DuckDBPyConnection, config: CheckConfig, run: list[str]
) -> pa.Table:
    """The hits of the rules in ``run``, in :data:`HIT_SCHEMA` and report order.

    The engine (DuckDB or Spark) finds them with the rule columns of ``linked``; the
    cells shown beside them (name and ID as written, county, township, village, bank
    account) are then taken from DuckDB's ``raw`` by row: ``norm`` does not carry
    them through normalisation and linking (nor to Spark's Parquet)."""
    d = db.dialect
    for table in dict.fromkeys(t for rule_id in run for t in config.rule(rule_id).tables):
        db.table(table, PREPARED[table])
    parts = [  # rule ids are identifiers (a user rule's is checked: see .userrules)
        f"SELECT '{rule_id}' AS rule, * FROM ({config.rule(rule_id).sql(config.params_for(rule_id), d)})"
        for rule_id in run
    ]
    bound = {
        k: v
        for rule_id in run
        for k, v in config.rule(rule_id).bind(config.params_for(rule_id)).items()
    }
    if not parts:
        parts = [
            "SELECT CAST(NULL AS STRING) AS rule, CAST(NULL AS BIGINT) AS rid, CAST(NULL AS BIGINT) AS reg_rid, "
            "CAST(NULL AS STRING) AS group_key, CAST(NULL AS INT) AS tier_rank, CAST(NULL AS STRING) AS evidence "
            "FROM (SELECT 1 AS one) t WHERE 1 = 0"
        ]
    found = db.arrow(
        f"""
    SELECT h.rule, h.rid, h.reg_rid, p.src, p.sheet, p.row_no AS row, p.amount,
        p.pay_date AS payment_date, p.pay_year AS payment_year,
        {tier_name_sql("h.tier_rank")} AS match_tier, h.evidence, h.group_key AS group_id,
        p.person_key,
        r.file AS register_file, r.sheet AS register_sheet, r.row_no AS register_row,
        {register_columns(config.spec.roles)}
    FROM ({" UNION ALL ".join(parts)}) h
    JOIN linked p ON p.rid = h.rid
    LEFT JOIN linked r ON r.rid = h.reg_rid""",
        bound,
    )
    every = config.all_rules
    titles = " ".join(f"WHEN {lit(r.id)} THEN {lit(r.title)}" for r in every)
    rule_order = " ".join(f"WHEN {lit(r.id)} THEN {i}" for i, r in enumerate(every))
    con.register("_found", found)
    try:
        return conform(
            con.sql(f"""
            SELECT h.*, CASE h.rule {titles} END AS rule_title, n.file,
                {", ".join(f"{_shown('n.' + c)} AS {c}" for c in ("name", "id_number", "county", "township", "village", "bank_account"))},
                CASE WHEN h.person_key < {UNLINKED} THEN {id18_sql(DuckDBDialect(), "h.person_key")}
                END AS id_normalized,
                {_shown("rn.name")} AS register_name, {_shown("rn.id_number")} AS register_id_number
            FROM _found h
            JOIN raw n ON n.rid = h.rid
            LEFT JOIN raw rn ON rn.rid = h.reg_rid
            ORDER BY CASE h.rule {rule_order} END, h.src, h.sheet NULLS LAST, h.row""").to_arrow_table()
        )
    finally:
        con.unregister("_found")


def register_columns(roles: tuple[str, ...]) -> str:
    """The matched register row's date, end date and employer, from the columns the
    program's registers have (a death or employment date, a registration date; a
    leaving or cancellation date; an employer or a company)."""

    def first(*columns: str) -> str:
        have = [f"r.{c}" for c in columns if c in _BASE_COLUMNS or c in roles]
        return have[0] if len(have) == 1 else f"coalesce({', '.join(have)})"

    return (
        f"{first('death_date', 'start_date', 'register_date')} AS register_date, "
        f"{first('end_date', 'cancel_date')} AS register_end_date, "
        f"{first('employer', 'company')} AS register_employer"
    )


_BASE_COLUMNS = ("death_date", "start_date", "end_date", "employer")


def _shown(cell: str) -> str:
    """A cell of ``raw`` as a hit shows it (stored as written, spaces around it too)."""
    return f"nullif(trim({cell}), '')"


def conform(hits: pa.Table) -> pa.Table:
    """The hits in :data:`HIT_SCHEMA` (column order and types)."""
    return hits.select(HIT_SCHEMA.names).cast(HIT_SCHEMA)


def _data_problems(db: SqlSession, config: CheckConfig) -> dict[str, int]:
    """Rows that could not take full part, by list and reason (the counts that are not
    zero): register rows whose ID links to no one or whose date cannot be read, and
    payment rows whose date or amount cannot be read (the rules then use the year a
    title, column or file name gives, or leave the amount out of the totals)."""
    labels = config.spec.labels
    things = ", ".join(f"'{i.id}'" for i in config.spec.inputs if not i.people) or "''"
    added = [r for r in config.spec.roles if r in KINDS and KINDS[r] != "date"]
    unread_added = " OR ".join(f"{r}_unread" for r in added) or "false"
    rows = db.rows(
        f"""SELECT dataset,
            count(*) FILTER (WHERE dataset NOT IN ('payments', {things})
                             AND (person_key IS NULL OR person_key >= {UNLINKED})),
            count(*) FILTER (WHERE dataset = 'deaths' AND death_date IS NULL),
            count(*) FILTER (WHERE date_unread), count(*) FILTER (WHERE amount_unread),
            count(*) FILTER (WHERE {unread_added})
           FROM linked GROUP BY dataset ORDER BY dataset"""
    )
    date_of = {"payments": "发放日期", "deaths": "死亡日期", "payroll": "入职或离职日期"}
    out: dict[str, int] = {}
    for dataset, unlinked, no_death_date, dates, amounts, others in rows:
        name = labels[dataset]
        counts = {
            "身份证号码无法识别的行": unlinked,
            "死亡日期缺失或无法识别的行": no_death_date,
            f"{date_of.get(dataset, '日期')}无法识别的行": 0 if dataset == "deaths" else dates,
            "金额无法识别的行": amounts if dataset == "payments" else 0,
            "面积、价值或是否等栏目无法识别的行": others,
        }
        out.update({f"{name}：{k}": v for k, v in counts.items() if v})
    return out
