"""The CLI's commands, each a name, a summary, an example, its arguments and a runner.

The arguments are defined in :mod:`xuncha.arguments`, the server processes run from
:mod:`xuncha.serving`, the demo from :mod:`xuncha.demo.command`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import arguments as a
from .demo.command import demo_run
from .deploy.command import config_args, config_run
from .runtime import EXIT_INTERRUPTED, EXIT_NOTHING_CHECKED, EXIT_OK, EXIT_USAGE, setup_django
from .serving import serve_run, worker_run


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    example: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _spark_conf(pairs: list[str]) -> dict[str, str]:
    conf = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise SystemExit(f"错误：--spark-conf 应写成 键=值，而不是「{pair}」。")
        conf[key.strip()] = value.strip()
    return conf


def _check_run(args: argparse.Namespace) -> int:
    from .crosscheck import InputError, check
    from .crosscheck.programs import all_file_inputs, all_params, program_of
    from .crosscheck.report import HITS_CSV, MANIFEST, WORKBOOK

    spec = program_of(args.program)

    def given(declared: Any) -> list[Any]:
        return [p for found in getattr(args, declared.dest) for p in found]

    inputs = {i.id: given(i) for i in spec.inputs if given(i)}
    tables = {t.id: given(t) for t in spec.table_files if given(t)}
    ours = {i.flag for i in (*spec.inputs, *spec.table_files)}
    foreign = sorted({i.flag for i in all_file_inputs() if i.flag not in ours and given(i)})
    missing = [i.flag for i in spec.inputs if i.required and i.id not in inputs] + [
        t.flag for t in spec.table_files if t.required and t.id not in tables
    ]
    if foreign or missing:
        why = (
            f"不读取 {'、'.join(foreign)}（它读取：{'、'.join(sorted(ours))}）"
            if foreign
            else f"缺少必需的选项：{'、'.join(missing)}"
        )
        print(f"错误：比对模型「{spec.title}」{why}", file=sys.stderr)
        return EXIT_USAGE
    params = {
        name: value
        for name in all_params()
        if (value := getattr(args, f"param_{name}")) is not None
    }
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)  # stopped (kill, a scheduler): as Ctrl+C
    _stopping.clear()
    try:
        try:
            result = check(
                inputs, program=spec.id, params=params, table_files=tables, out=args.out, rules=args.rules,
                mapping=args.mapping, unmask=args.unmask, title=args.title, engine=args.engine,
                spark_master=args.spark_master, spark_stage=args.spark_stage,
                spark_conf=_spark_conf(args.spark_conf), user_rules=_user_rules(args, spec.id),
            )  # fmt: skip
        except Exception:
            # A signal during a DuckDB query surfaces as DuckDB's own error ("Query
            # interrupted"), not KeyboardInterrupt: told as the stop it was.
            if _stopping.is_set():
                raise KeyboardInterrupt from None
            raise
    except KeyboardInterrupt:
        print(f"已中断，未生成结果（{args.out} 中没有留下这一次的任何文件）。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as err:  # scratch on a full disk and the like
        print(f"无法比对：读写文件时出错（{err}），未生成结果。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    except InputError as err:
        print(f"无法比对：{err}", file=sys.stderr)
        stale = [n for n in (HITS_CSV, WORKBOOK, MANIFEST) if (args.out / n).exists()]
        if stale:
            print(
                f"注意：{args.out} 中的 {'、'.join(stale)} 是以前的结果，不是这一次的。",
                file=sys.stderr,
            )
        return EXIT_NOTHING_CHECKED
    print_summary(result)
    unused = sorted(set(result.config.mapping.files) - {s.file for s in result.sources})
    if unused:
        print(f"\n注意：映射文件为「{'」「'.join(unused)}」指定了列，但本次没有这些文件。")
    print(f"\n结果已写入 {args.out}/：{HITS_CSV}、{WORKBOOK}、{MANIFEST}")
    return EXIT_OK


_stopping = threading.Event()
"""Set by Ctrl+C or SIGTERM during a check."""


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl+C or SIGTERM: stop the check. A second one while it stops is let pass: it
    would break off the removal of the run's files or the threads' shutdown."""
    if _stopping.is_set():
        return
    _stopping.set()
    raise KeyboardInterrupt


def _user_rules(args: argparse.Namespace, program: str) -> tuple[str, ...]:
    """The texts of the --user-rule files, each checked here so that a mistake is told
    with the file's name and line (an InputError)."""
    from .crosscheck.errors import InputError
    from .crosscheck.userrules import compile_isolated

    texts = []
    for path in getattr(args, "user_rule", None) or []:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(
                f"自定义规则文件无法读取或不是 UTF-8 文字（{err}）。", file=path.name
            ) from err
        rule = compile_isolated(text, path.name)
        if rule.program != program:
            raise InputError(f"这个自定义规则是为比对模型 {rule.program} 写的，本次运行的是 {program}。",
                             file=path.name)  # fmt: skip
        texts.append(text)
    return tuple(texts)


def print_summary(result: Any) -> None:
    config = result.config
    for s in result.sources:
        used = sum(sh.rows_used for sh in s.sheets)
        skipped = {k: v for sh in s.sheets for k, v in sh.rows_skipped.items()}
        note = "；".join(f"{k} {v}" for k, v in skipped.items())
        status = (
            f"跳过：{s.error}" if s.error else f"{used} 行" + (f"（另略过 {note}）" if note else "")
        )
        print(f"  读取 {s.file}：{status}")
        for sh in s.sheets:
            if sh.error and not s.error:
                print(f"    跳过：{sh.error}")
            elif sh.hidden and not sh.error:
                print(f"    注意：工作表「{sh.sheet}」是隐藏的，已一并读取（{sh.rows_used} 行）")
            for note in sh.problem_notes() if not s.error else ():
                print(f"    注意：{note}")
    for what, n in result.data_problems.items():
        list_name, reason = what.split("：", 1)
        print(f"  注意：{list_name}中{reason.removesuffix('的行')} {n} 行（不能完整参与比对）")
    print(f"\n比对完成，用时 {result.seconds} 秒。疑点：")
    for rule_id in result.rules_run:
        n = result.unattributed.get(rule_id)
        print(f"  {config.rule(rule_id).title:　<8} {result.count(rule_id):>8} 条"
              + (f"（其中无法归属到人 {n} 条）" if n else ""))  # fmt: skip
    for rule_id, why in result.rules_skipped.items():
        print(f"  {config.rule(rule_id).title:　<8} {why}")


# --------------------------------------------------------------------------- rules


def _rules_run(args: argparse.Namespace) -> int:
    from .crosscheck.dialect import DIALECTS
    from .crosscheck.programs import PROGRAMS, all_rules
    from .crosscheck.rules import printed_sql

    if args.sql:
        print(printed_sql(all_rules()[args.sql], DIALECTS[args.engine or "duckdb"]), end="")
        return EXIT_OK
    if args.engine:
        print("错误：--engine 只与 --sql 一起使用，例如：xuncha rules --sql over_standard "
              "--engine spark", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    for program in PROGRAMS.values():
        print(f"【{program.title}】（--program {program.id}）")
        for rule in program.rules:
            print(
                f"{rule.id}  {rule.title}（第 {rule.version} 版）\n  {rule.meaning}\n  依据：{rule.basis}"
            )
            if rule.params:
                print(f"  参数：{_params_line(rule.params)}")
        print()
    print("查看某条规则运行时的 SQL：xuncha rules --sql 规则编号 [--engine spark]")
    return EXIT_OK


def _params_line(params: Any) -> str:
    return "，".join(
        f"{p.label}（--{p.name.replace('_', '-')}，默认 {p.default} {p.unit}）" for p in params
    )


def _landcomp_args(p: argparse.ArgumentParser) -> None:
    from .policy.cli import calc_args

    calc_args(p)


def _landcomp_run(args: argparse.Namespace) -> int:
    from .policy.cli import calc_run

    return calc_run(args)


def _programs_run(args: argparse.Namespace) -> int:
    """The program declarations: what each reads, recognises, checks and writes."""
    import json

    from .crosscheck.programs import PROGRAMS
    from .crosscheck.roles import ROLES

    if args.json:
        print(json.dumps([p.describe() for p in PROGRAMS.values()], ensure_ascii=False, indent=2))
        return EXIT_OK
    for program in PROGRAMS.values():
        print(f"{program.id}  {program.title}\n  {program.summary}")
        for i in program.inputs:
            need = "必需" if i.required else "可选"
            roles = "、".join(ROLES[r] for r in i.roles)
            print(f"  输入 {i.flag}：{i.label}（{need}）；识别的列：{roles}")
        print(f"  规则：{'、'.join(f'{r.id}（{r.title}）' for r in program.rules)}")
        if program.params:
            print(f"  参数：{_params_line(program.params)}")
        print(f"  输出：{'、'.join(program.outputs)}　说明：{program.guide}\n")
    print("运行：xuncha check --program 模型 … --out 目录；规则的含义和依据：xuncha rules")
    return EXIT_OK


def _datagen_run(args: argparse.Namespace) -> int:
    from .crosscheck.programs import program_of, table_files_of

    spec = program_of(args.program)
    out = spec.generate(args.out, payments=args.payments, seed=args.seed, xlsx=not args.csv_only)
    print(f"已为「{spec.title}」生成到 {args.out}/：")
    tables = table_files_of(out)
    given = {**{spec.input(k): v for k, v in out.files().items()},
             **{t: tables[t.id] for t in spec.table_files if t.id in tables}}  # fmt: skip
    for declared, files in given.items():
        print(f"  {declared.label}（{declared.flag}）：{'、'.join(f.name for f in files)}")
    print(f"  标准答案：{out.truth.name}")
    values = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in out.params.items())
    print(f"  比对时使用参数：{values or '默认值'}")
    return EXIT_OK


def _backup_run(args: argparse.Namespace) -> int:
    setup_django()
    from .backup import BackupError, create

    try:
        summary = create(args.out)
    except BackupError as err:
        print(f"备份失败：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    except OSError as err:
        print(
            f"备份失败：写入 {args.out} 时出错（{err}），未留下不完整的备份文件。", file=sys.stderr
        )
        return EXIT_NOTHING_CHECKED
    print(f"已备份到 {args.out}（{summary.size / 1024 / 1024:.1f} MB）：数据库（{summary.engine}）、"
          f"附件 {summary.files['media']} 个、密钥文件 {summary.key_files} 个。"
          "\n备份文件含密钥，只能由管理员保管。")  # fmt: skip
    return EXIT_OK


def _restore_run(args: argparse.Namespace) -> int:
    setup_django()
    from django.db import DatabaseError

    from .backup import BackupError
    from .restore import describe, restore

    try:
        if args.check:
            print("\n".join(["备份文件完整，校验和全部相符。", *describe(args.archive)]))
            return EXIT_OK
        summary = restore(args.archive, force=args.force)
    except BackupError as err:
        print(f"恢复失败（当前安装未作改动）：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    except (OSError, DatabaseError) as err:
        print(f"恢复失败（当前安装保持原样）：{err}。请检查磁盘空间、目录权限和 XUNCHA_DATABASE_URL。",
              file=sys.stderr)  # fmt: skip
        return EXIT_NOTHING_CHECKED
    print(f"已从 {args.archive} 恢复：数据库（{summary.engine}）、附件 {summary.files['media']} 个、"
          f"密钥文件 {summary.key_files} 个。请重新启动 xuncha serve。")  # fmt: skip
    for note in summary.notes:
        print(f"注意：{note}")
    return EXIT_OK


def _manage_run(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xuncha manage", *args.arguments])
    return EXIT_OK


# --------------------------------------------------------------------------- docs

# The kinds ``xuncha docs --kind`` offers (xuncha.documents.kinds.KINDS; a test keeps
# the two the same: the parser is built without Django).
DOC_KINDS = {
    "report": "巡察报告", "feedback": "反馈意见", "papers": "问题底稿（每个问题一份）",
    "leads": "线索移交函（每个接收单位一份）", "immediate": "立行立改交办单", "plan": "整改方案",
    "progress": "整改情况报告", "notice": "巡察公告", "ledger": "整改台账（Excel）",
}  # fmt: skip


def _docs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--round", type=int, metavar="N",
                   help="第几轮巡察（轮次编号；几届都有该轮次时取最新一届）")  # fmt: skip
    p.add_argument("--unit", metavar="单位",
                   help="被巡察单位的编码、编号或名称；不填时为本轮全部被巡察单位")  # fmt: skip
    p.add_argument("--kind", choices=list(DOC_KINDS), metavar="种类",
                   help="公文种类：" + "，".join(f"{k} {v}" for k, v in DOC_KINDS.items()))  # fmt: skip
    p.add_argument("--out", type=a._out_dir, metavar="目录", help="输出目录（不存在时自动建立）")
    p.add_argument("--verify", type=a._files, nargs="+", metavar="文件",
                   help="检查 DOCX 文件是否符合 GB/T 9704-2012 版式（逐项列出 ✓/✗；有不符合的，退出码为 1）")  # fmt: skip


def _docs_run(args: argparse.Namespace) -> int:
    if args.verify:
        if args.round or args.kind or args.unit or args.out:
            print(
                "错误：--verify 不能与 --round、--unit、--kind、--out 同时使用。", file=sys.stderr
            )
            return EXIT_USAGE
        return _docs_verify(args.verify)
    missing = [o for o, v in (("--round", args.round), ("--kind", args.kind), ("--out", args.out))
               if v is None]  # fmt: skip
    if missing:
        print(f"错误：缺少必需的选项：{'、'.join(missing)}（或用 --verify 文件 检查版式）。",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    setup_django()
    return _docs_generate(args)


def _docs_verify(files: list[Any]) -> int:
    from .documents.official.verify import verify

    failed = 0
    for path in files:
        result = verify(path.read_bytes())
        print(f"{path}：{'符合' if result.ok else '不符合'} GB/T 9704 版式检查")
        print("\n".join("  " + line for line in result.report().splitlines()))
        failed += not result.ok
    if len(files) > 1:
        print(f"\n共 {len(files)} 个文件，{len(files) - failed} 个符合，{failed} 个不符合。")
    return EXIT_NOTHING_CHECKED if failed else EXIT_OK


def _docs_generate(args: argparse.Namespace) -> int:
    from .common.errors import ServiceError
    from .documents.official.fonts import missing_fonts_message
    from .documents.selectors import round_by_number, unit_by_key
    from .documents.services import render_documents

    rnd = round_by_number(args.round)
    if rnd is None:
        print(f"错误：没有第{args.round}轮巡察。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    unit = None
    if args.unit is not None and (unit := unit_by_key(args.unit)) is None:
        print(f"错误：没有编码、编号或名称为「{args.unit}」的被巡察单位（名称重复时请用编码）。",
              file=sys.stderr)  # fmt: skip
        return EXIT_NOTHING_CHECKED
    try:
        rendered = render_documents(kind=args.kind, round=rnd, unit=unit)
    except ServiceError as err:
        print(f"未生成：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    written = write_files(args.out, rendered.files)
    print(f"已生成 {len(written)} 个文件：")
    for path in written:
        print(f"  {path}")
    for warning in rendered.warnings:
        print(f"注意：{warning}")
    if fonts := missing_fonts_message():
        print(f"字体：{fonts}（Word 文件中仍按规定字体标注，装有这些字体的电脑上显示正常）。")
    return EXIT_OK


def write_files(out: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    """Each file written whole or not at all (a temporary file renamed into place)."""
    import os
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files:
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".docs-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, out / name)
        except BaseException:
            os.unlink(tmp)
            raise
        written.append(out / name)
    return written


COMMANDS = [
    Command(
        "check",
        "数据比对：按比对模型（xuncha programs）找出违规发放的记录，如死亡后仍领取、财政供养人员领取、"
        "重复领取、超标准发放和身份证号码无效。",
        "例如：xuncha check --payments 2021*.xlsx 苏仙区*.csv --deaths 死亡人员名单.xlsx "
        "--payroll 财政供养人员.csv --standard 600 --out 比对结果",
        a.check_args,
        _check_run,
    ),
    Command(
        "programs",
        "列出比对模型（比对模型库）：每个模型读取的名单、识别的列、规则及其参数、输出。",
        "例如：xuncha programs；xuncha programs --json",
        a.programs_args,
        _programs_run,
    ),
    Command(
        "landcomp",
        "征地补偿计算：按湖南省征地补偿标准算出一块地的应补偿金额、土地补偿费和安置补助费，"
        "并说明适用的标准和系数。",
        "例如：xuncha landcomp --county 长沙市区 --zone 1区 --land-class 旱地 --area 2.5 "
        "--basic-farmland --announced 2024-03-01 --coefficients 地类系数.xlsx",
        _landcomp_args,
        _landcomp_run,
    ),
    Command(
        "rules",
        "列出全部比对规则及其含义、参数；加 --sql 打印一条规则运行时的 SQL。",
        "例如：xuncha rules；xuncha rules --sql over_standard --engine spark",
        a.rules_args,
        _rules_run,
    ),
    Command(
        "datagen",
        "生成逼真的“脏”模拟数据（含标准答案 truth.csv），用于演示、测试和基准。",
        "例如：xuncha datagen --out 模拟数据 --payments 20000",
        a.datagen_args,
        _datagen_run,
    ),
    Command(
        "demo",
        "演示：生成模拟数据 → 比对 → 输出核查表，并与标准答案对照。",
        "例如：xuncha demo --out demo-output",
        a.demo_args,
        demo_run,
    ),
    Command(
        "serve",
        "启动巡察工作台网页服务（先自动迁移数据库）。",
        "例如：xuncha serve --host 0.0.0.0 --port 8000",
        a.serve_args,
        serve_run,
    ),
    Command(
        "worker",
        "运行后台任务进程（数据比对等长任务）；xuncha serve 会自动启动一个。",
        "例如：xuncha worker --processes 2（使用 Redis 队列时先设置 XUNCHA_QUEUE_URL=redis://…）",
        a.worker_args,
        worker_run,
    ),
    Command(
        "manage",
        "运行 Django 管理命令（迁移数据库、创建管理员等）。",
        "例如：xuncha manage createsuperuser\n"
        "巡察工作台自己的命令（后台任务每天也会运行）：\n"
        "  cards_derive [--date YYYY-MM-DD]       推导当天的红黄牌\n"
        "  sham_derive [--date YYYY-MM-DD]        推导虚假整改疑点\n"
        "  selfchecks_group [--threshold 0.4]     重新把问题按相似度分组（共性问题候选）\n"
        "  worklist_remind [--date YYYY-MM-DD]    任务清单每日催办：逾期未完成、未按时报送进展\n"
        "  petition_keys [--rotate] [--reencrypt]  信访加密密钥：生成新密钥、用当前密钥重新加密",
        a.manage_args,
        _manage_run,
    ),
    Command(
        "backup",
        "备份：数据库、附件和密钥打包为一个文件（含校验和清单），可在服务运行时进行。",
        "例如：xuncha backup --out /backup/xuncha-2024-05-01.tar",
        a.backup_args,
        _backup_run,
    ),
    Command(
        "restore",
        "从备份文件恢复到本安装（先核对全部校验和；已有数据时须加 --force）。",
        "例如：xuncha restore /backup/xuncha-2024-05-01.tar",
        a.restore_args,
        _restore_run,
    ),
    Command(
        "deploy-config",
        "生成部署配置：放在 xuncha serve 前面的 nginx（HTTPS、请求大小、超时与连接数限制）。",
        "例如：xuncha deploy-config nginx --server-name xuncha.example.gov.cn "
        "--cert /etc/ssl/xuncha.pem --key /etc/ssl/xuncha.key --out /etc/nginx/conf.d/xuncha.conf",
        config_args,
        config_run,
    ),
    Command(
        "docs",
        "公文：按 GB/T 9704-2012 版式从巡察数据生成巡察报告、反馈意见、问题底稿、线索移交函等；"
        "或检查 DOCX 文件的版式。",
        "例如：xuncha docs --round 3 --unit 东江街道 --kind report --out 公文；"
        "xuncha docs --verify 公文/第3轮巡察_东江街道_巡察报告.docx",
        _docs_args,
        _docs_run,
    ),
]

# Each app's own commands (declared next to the code they run).
from .escalation.cli import COMMANDS as _ESCALATION  # noqa: E402
from .risk.cli import COMMANDS as _RISK  # noqa: E402

COMMANDS += [*_RISK, *_ESCALATION]
