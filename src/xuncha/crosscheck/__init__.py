"""The cross-check engine (数据比对): find improper subsidy payments in messy files.

Public API — the CLI and the web app are thin layers over it::

    from xuncha.crosscheck import check
    result = check({"payments": ["2021年发放表.xlsx"], "deaths": ["死亡名单.csv"],
                    "payroll": ["财政供养.csv"]}, params={"standard": 600}, out="结果")
    result.hits          # a pyarrow Table, one row per (rule, payment row)
    result.count("deceased_payee")

The programs (比对模型) are in :data:`PROGRAMS`: each declares its inputs by role, its
rules (each with an id, a Chinese title, its parameters and meaning) and its outputs.
The reservoir program's rules are also :data:`RULES`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from collections.abc import Mapping as Mapping_
from pathlib import Path
from typing import NoReturn

from .engine import CheckConfig, CheckResult, run_check
from .errors import InputError, NothingToCheck
from .ingest import Mapping
from .isolated import run_check_isolated
from .params import Param, ParamError
from .programs import DEFAULT_PROGRAM, PROGRAMS, Program, program_of
from .roles import ROLES
from .rules import RULES, RULES_BY_ID, Rule
from .userrules import compile_isolated
from .workdir import remove_made, sweep, writable_folder

__all__ = [
    "PROGRAMS",
    "RULES",
    "RULES_BY_ID",
    "CheckConfig",
    "CheckResult",
    "InputError",
    "Mapping",
    "NothingToCheck",
    "Param",
    "ParamError",
    "Program",
    "Rule",
    "check",
    "load_mapping",
    "program_of",
    "run_check",
]


def check(
    inputs: Mapping_[str, Iterable[str | Path]],
    *,
    program: str = DEFAULT_PROGRAM,
    params: dict[str, object] | None = None,
    table_files: Mapping_[str, Iterable[str | Path]] | None = None,
    out: str | Path | None = None,
    rules: Iterable[str] | None = None,
    mapping: Mapping | str | Path | None = None,
    unmask: bool = False,
    title: str | None = None,
    engine: str = "duckdb",
    spark_master: str = "local[*]",
    spark_stage: str | Path | None = None,
    spark_conf: dict[str, str] | None = None,
    isolate: bool = True,
    user_rules: Iterable[str] = (),
) -> CheckResult:
    """Check a program's payment lists against its registers (``inputs``: files by the
    program's input roles, e.g. ``{"payments": [...], "deaths": [...]}``); write the
    report to ``out`` if given. ``params`` are the values of the program's rule
    parameters (``xuncha programs`` lists them), the rest keep their defaults;
    ``table_files`` the files of its reference tables (the land-compensation
    program's zone prices), by the program's ``table_files`` ids.

    ``engine="spark"`` runs the linking and the rules on Apache Spark (``spark_master``:
    ``local[*]``, ``spark://host:7077``, ``yarn`` …; ``spark_stage``: a folder every
    executor can read, for the normalised rows as Parquet; see docs/spark.md). The hits
    are the same as DuckDB's.

    Raises :class:`NothingToCheck` when no payment row could be read at all; problems
    with single files are reported in ``result.sources`` (and the manifest) instead.
    Raises :class:`ParamError` (a ``ValueError``) for a parameter out of range, and
    :class:`InputError` for a program, rule, input or parameter the program does not
    have, or when ``out`` cannot be written, all before any work.

    Scratch files (they hold full ID numbers) go in a hidden work folder inside ``out``,
    or the system temp folder when there is no ``out``; what a killed run left there is
    removed by the next run (see :mod:`.workdir`).

    The files are untrusted: the run happens in a child process with memory and time
    limits (:mod:`.isolated`; ``isolate=False`` runs it here, for tests that patch the
    engine), so a file that crashes a reader ends in an InputError naming it.

    ``user_rules``: the texts (TOML) of rules users wrote for the program (自定义比对模型,
    docs/user-rules.md); each is checked before any work (an :class:`InputError` naming
    the line of a mistake) and runs beside the program's rules.
    """
    user_rules = tuple(user_rules)
    for n, text in enumerate(user_rules, start=1):  # texts from outside: in the sandbox first
        compile_isolated(text, f"第 {n} 个自定义规则")
    config = CheckConfig(
        inputs={k: [Path(p) for p in v] for k, v in inputs.items()},
        program=program,
        table_files={k: [Path(p) for p in v] for k, v in (table_files or {}).items()},
        params=dict(params or {}),
        rules=tuple(rules or ()),
        title=title or "",
        mapping=mapping if isinstance(mapping, Mapping) else load_mapping(mapping),
        engine=engine,
        spark_master=spark_master,
        spark_stage=Path(spark_stage) if spark_stage else None,
        spark_conf=dict(spark_conf or {}),
        user_rules=user_rules,
    )
    config.validate()
    run = run_check_isolated if isolate else run_check
    if out is None:
        return run(config)
    made = writable_folder(Path(out))
    threading.Thread(target=_import_report_writer, daemon=True).start()  # loads meanwhile
    try:
        result = run(config, Path(out))
        from .report import write_outputs

        try:
            write_outputs(result, Path(out), unmask=unmask)
        except OSError as err:  # the disk filled up, the folder went away …
            raise InputError(f"结果无法写入输出目录「{out}」（{err.strerror or err}），"
                             "未留下不完整的结果。") from err  # fmt: skip
    except BaseException:  # Ctrl+C too: nothing of this run stays in ``out``
        sweep(Path(out))  # the (ended) child's work folder, unlocked now
        remove_made(made)
        raise
    return result


def _import_report_writer() -> None:
    import xlsxwriter.utility  # noqa: F401

    from . import report  # noqa: F401


def _check_mapping(data: object, name: str) -> None:
    """The mapping file's shape (docs/user-guide.md), each mistake named in Chinese."""

    def fail(message: str) -> NoReturn:
        raise InputError(f"映射文件格式不对：{message}", file=name)

    def text_map(value: object, where: str) -> None:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            fail(f'{where}应是“列名: 角色”的对象，如 {{"收款人": "name"}}。')

    if not isinstance(data, dict):
        fail("应是一个 JSON 对象。")
    unknown = sorted(set(data) - {"columns", "files"})
    if unknown:
        fail(f"有未知的键 {'、'.join(unknown)}（可用的键：columns、files）。")
    text_map(data.get("columns", {}), "columns ")
    files = data.get("files", {})
    if not isinstance(files, dict):
        fail("files 应是“文件名: 设置”的对象。")
    for file, spec in files.items():
        if not isinstance(spec, dict):
            fail(f"files 中「{file}」的设置应是一个对象。")
        extra = sorted(set(spec) - {"columns", "header_row"})
        if extra:
            fail(
                f"files 中「{file}」有未知的键 {'、'.join(extra)}（可用的键：columns、header_row）。"
            )
        text_map(spec.get("columns", {}), f"files 中「{file}」的 columns ")
        row = spec.get("header_row")
        if row is not None and (isinstance(row, bool) or not isinstance(row, int) or row < 1):
            fail(f"files 中「{file}」的 header_row 应是表头最后一行的行号（从 1 起的整数）。")


def load_mapping(path: str | Path | None) -> Mapping:
    """Read a column-mapping file (JSON); see docs/user-guide.md for its form."""
    if path is None:
        return Mapping()
    name = Path(path).name
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"映射文件无法读取或不是有效的 JSON（{err}）。", file=name) from err
    _check_mapping(data, name)
    columns = data.get("columns", {})
    files = data.get("files", {})
    roles = [*columns.values(), *(r for f in files.values() for r in f.get("columns", {}).values())]
    unknown = sorted({r for r in roles if r not in ROLES and r != "ignore"})
    if unknown:
        known = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
        raise InputError(
            f"映射文件中有未知的列角色：{', '.join(unknown)}。可用的角色：{known}。", file=name
        )
    from .roles import normalise_header

    return Mapping(columns={normalise_header(k): v for k, v in columns.items()}, files=files)
