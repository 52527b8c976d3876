"""The CLI's commands, each a name, a summary, an example, its arguments and a runner."""

from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .deploy.command import config_args, config_run

EXIT_OK, EXIT_NOTHING_CHECKED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl+C


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    example: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _decimal(text: str) -> Decimal:
    """--standard: checked as the Python API checks it (finite, above 0, to the 分)."""
    from .crosscheck.params import ParamError, valid_standard

    try:
        return valid_standard(text)
    except ParamError as err:
        raise argparse.ArgumentTypeError(err.message) from None


def _file_list(text: str) -> list[Path]:
    """A file, or the files a wildcard matches (where the shell has not expanded it, as
    Windows' cmd never does)."""
    if not Path(text).exists() and any(c in text for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(text))
        if not found:
            raise argparse.ArgumentTypeError(f"没有与「{text}」匹配的文件")
        return [_files(str(p)) for p in found]
    return [_files(text)]


def _grace_days(text: str) -> int:
    from .crosscheck.params import ParamError, valid_grace_days

    try:
        return valid_grace_days(text)
    except ParamError as err:
        raise argparse.ArgumentTypeError(err.message) from None


def _out_dir(text: str) -> Path:
    """An output folder that exists or can be made (checked before any work is done)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"已有同名的文件，不能作为输出目录：{text}")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"「{parent}」是文件，不能在其中建立输出目录：{text}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"没有权限在「{parent}」中写入：{text}")
    return path


def _files(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"文件不存在：{text}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"这是一个文件夹，不是文件：{text}")
    if not path.is_file():  # a named pipe or device would block or never end
        raise argparse.ArgumentTypeError(f"这不是普通文件（管道、设备等不能读取）：{text}")
    return path


# --------------------------------------------------------------------------- check


def _check_args(p: argparse.ArgumentParser) -> None:
    from .crosscheck import RULES

    p.add_argument(
        "--payments",
        nargs="+",
        type=_file_list,
        required=True,
        metavar="文件",
        help="发放名单（xlsx/xls/csv，可多个，支持通配符）",
    )
    p.add_argument(
        "--deaths",
        nargs="+",
        type=_file_list,
        default=[],
        metavar="文件",
        help="死亡人员名单（可多个）",
    )
    p.add_argument(
        "--payroll",
        nargs="+",
        type=_file_list,
        default=[],
        metavar="文件",
        help="财政供养人员名单（可多个）",
    )
    p.add_argument(
        "--standard",
        type=_decimal,
        default=Decimal("600"),
        metavar="元",
        help="发放标准，元/人/年（默认 600）",
    )
    p.add_argument(
        "--grace-days", type=_grace_days, default=0, metavar="天", help="死亡后宽限天数（默认 0）"
    )
    p.add_argument(
        "--rules",
        nargs="+",
        choices=[r.id for r in RULES],
        metavar="规则",
        help="只运行这些规则（默认全部；见 xuncha rules）",
    )
    p.add_argument("--mapping", type=_files, metavar="JSON", help="列映射文件，覆盖自动识别的列")
    p.add_argument(
        "--program",
        metavar="名称",
        help="补助项目名称，用于报告标题（默认“大中型水库移民后期扶持直补资金”）",
    )
    p.add_argument("--unmask", action="store_true", help="核查表中显示完整身份证号码（默认遮蔽）")
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="比对引擎：duckdb（默认，单机内置）或 spark（Apache Spark，本地或集群）",
    )
    p.add_argument(
        "--spark-master",
        default="local[*]",
        metavar="URL",
        help="Spark 主节点，如 local[*]（默认，本机）、spark://主机:7077、yarn",
    )
    p.add_argument(
        "--spark-stage",
        type=Path,
        metavar="目录",
        help="规范化数据（Parquet）的存放目录，集群各节点须能读取（默认本机临时目录）",
    )
    p.add_argument("--spark-conf", action="append", default=[], metavar="键=值",
                   help="Spark 配置，可多次使用，如 --spark-conf spark.executor.memory=8g")  # fmt: skip
    p.add_argument(
        "--out",
        type=_out_dir,
        required=True,
        metavar="目录",
        help="输出目录：hits.csv、疑点核查表.xlsx、manifest.json",
    )


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
    from .crosscheck.report import HITS_CSV, MANIFEST, WORKBOOK

    payments, deaths, payroll = (
        [p for found in files for p in found]
        for files in (args.payments, args.deaths, args.payroll)
    )
    signal.signal(signal.SIGTERM, _interrupt)  # stopped (kill, a scheduler): as Ctrl+C
    try:
        result = check(
            payments, deaths, payroll, out=args.out, standard=args.standard,
            grace_days=args.grace_days, rules=args.rules, mapping=args.mapping,
            unmask=args.unmask, program=args.program, engine=args.engine,
            spark_master=args.spark_master, spark_stage=args.spark_stage,
            spark_conf=_spark_conf(args.spark_conf),
        )  # fmt: skip
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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def print_summary(result: Any) -> None:
    from .crosscheck import RULES_BY_ID

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
        print(f"  {RULES_BY_ID[rule_id].title:　<8} {result.count(rule_id):>8} 条")
    for rule_id, why in result.rules_skipped.items():
        print(f"  {RULES_BY_ID[rule_id].title:　<8} {why}")


# --------------------------------------------------------------------------- rules


def _rules_run(args: argparse.Namespace) -> int:
    from .crosscheck import RULES

    for rule in RULES:
        params = "，".join(f"{p.label}（{p.name}，默认 {p.default}）" for p in rule.params)
        print(
            f"{rule.id}  {rule.title}（第 {rule.version} 版）\n  {rule.meaning}\n  依据：{rule.basis}"
        )
        if params:
            print(f"  参数：{params}")
    return EXIT_OK


# --------------------------------------------------------------------------- datagen


def _datagen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, metavar="目录", help="输出目录")
    p.add_argument(
        "--payments", type=int, default=5000, metavar="行数", help="发放记录总行数（默认 5000）"
    )
    p.add_argument("--seed", type=int, default=20231001, help="随机种子（同一种子生成相同数据）")
    p.add_argument(
        "--csv-only",
        action="store_true",
        help="只生成 CSV（UTF-8 与 GBK 混合），用于大规模基准测试",
    )


def _datagen_run(args: argparse.Namespace) -> int:
    from .crosscheck.datagen import DatagenConfig, generate

    out = generate(
        args.out, DatagenConfig(payments=args.payments, seed=args.seed, xlsx=not args.csv_only)
    )
    print(f"已生成到 {out.out_dir}/：")
    for label, files in (
        ("发放名单", out.payments),
        ("死亡人员名单", out.deaths),
        ("财政供养人员名单", out.payroll),
    ):
        print(f"  {label}：{'、'.join(f.name for f in files)}")
    print(f"  标准答案：{out.truth.name}")
    return EXIT_OK


# --------------------------------------------------------------------------- demo


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        type=Path,
        default=Path("demo-output"),
        metavar="目录",
        help="输出目录（默认 demo-output）；演示工作台的数据放在 XUNCHA_DATA_DIR 指定的目录"
        "（须是新的），未设置时放在输出目录下的 workbench",
    )
    p.add_argument(
        "--payments", type=int, default=5000, metavar="行数", help="生成的发放记录行数（默认 5000）"
    )
    p.add_argument(
        "--no-serve", action="store_true", help="只生成演示数据，不启动巡察工作台网页服务"
    )
    p.add_argument("--host", default="127.0.0.1", help="网页服务监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="网页服务端口（默认 8000）")


def _demo_run(args: argparse.Namespace) -> int:
    from .crosscheck import check
    from .crosscheck.datagen import DatagenConfig, generate
    from .crosscheck.evaluate import evaluate, format_scores

    print("1/4 生成带标准答案的模拟数据（郴州市水库移民直补资金，含各种脏数据）……")
    data = generate(args.out / "data", DatagenConfig(payments=args.payments))
    print("2/4 比对：发放名单 × 死亡人员名单 × 财政供养人员名单……")
    report_dir = args.out / "report"
    result = check(data.payments, data.deaths, data.payroll, out=report_dir, standard=data.standard)
    print_summary(result)
    print("3/4 与标准答案对照（精确率 / 召回率）：")
    print(format_scores(evaluate(result.hits, data.truth)))
    print(f"\n报告在：{report_dir.resolve()}/疑点核查表.xlsx（另有 hits.csv、manifest.json）")
    print("\n4/4 巡察工作台：生成演示城市（湘南市）……")
    token = _demo_workbench(args.out / "workbench")
    if token is None:
        return EXIT_NOTHING_CHECKED
    print(
        f"   码上巡察（群众扫码页面，可用手机浏览器打开）：http://{args.host}:{args.port}/p/{token}/"
    )
    if args.no_serve:
        return EXIT_OK
    return _serve_run(argparse.Namespace(host=args.host, port=args.port, threads=8))


def _demo_workbench(folder: Path) -> str | None:
    """The demo city seeded into the data folder XUNCHA_DATA_DIR names, as ``serve``
    would use it, or else into a fresh ``folder``; returns the token of the QR code
    open today, or None (said why) when that installation already has users."""
    import datetime as dt
    import os
    import shutil

    if not os.environ.get("XUNCHA_DATA_DIR"):
        shutil.rmtree(folder, ignore_errors=True)
        os.environ["XUNCHA_DATA_DIR"] = str(folder.resolve())
    _django()
    from django.conf import settings as conf
    from django.core.management import call_command

    from .accounts.models import User
    from .demo.city import seed_city
    from .demo.petitions import seed_petitions

    folder = Path(conf.DATA_DIR)
    call_command("migrate", interactive=False, verbosity=0)
    if User.objects.exists():
        print(f"错误：XUNCHA_DATA_DIR（{folder}）的数据库中已有账户，演示不会写入已有的数据。"
              "请把 XUNCHA_DATA_DIR 设为一个新的空目录，或不设置它。", file=sys.stderr)  # fmt: skip
        return None
    city = seed_city(today=dt.date.today())

    users = {u.username: u for u in User.objects.filter(username__in=["office", "team"])}
    petitions = seed_petitions(
        today=dt.date.today(), office=users["office"], team_user=users["team"]
    )
    from .demo.crosscheck import seed_crosscheck

    chain = seed_crosscheck(folder=folder / "crosscheck-data", team_user=users["team"],
                            today=dt.date.today())  # fmt: skip
    from .checks.selectors import verified_totals
    from .findings.models import Finding
    from .rectifications.models import RectificationItem

    t = verified_totals([chain.run])
    print(f"   数据比对：疑点 {t['total']} 条 → 核实属实 {t['confirmed']} 条、违规金额 {t['improper']:,.0f} 元"
          f" → 已追回 {t['recovered']:,.0f} 元（已形成问题并反馈整改）")  # fmt: skip

    print(
        f"   {city.units} 个被巡察单位，{Finding.objects.count()} 个问题，"
        f"{RectificationItem.objects.count()} 项整改事项，{petitions.petitions} 件信访举报（数据在 {folder.resolve()}）"
    )
    print(f"   演示账户（密码均为 {city.password}）：")
    labels = {"office": "巡察办", "team": "巡察组", "unit": "被巡察单位", "supervisor": "整改督查",
              "leader": "领导", "admin": "系统管理员"}  # fmt: skip
    for role, username in city.accounts.items():
        print(f"     {labels.get(role, role)}：{username}")
    return petitions.open_token


def _django() -> None:
    import os

    import django
    from django.core.exceptions import ImproperlyConfigured

    from .config import settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
    try:
        django.setup()
    except ImproperlyConfigured as err:
        raise SystemExit(f"错误：配置有误：{err}") from None
    from django.conf import settings as conf

    for folder in (conf.DATA_DIR, conf.MEDIA_ROOT, conf.STATIC_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；内网服务用 0.0.0.0）"
    )
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--threads", type=int, default=8, help="每个进程的工作线程数（默认 8）")
    p.add_argument(
        "--workers", type=int, default=1,
        help="服务进程数（默认 1；多核服务器可设为核数，此时须设置 XUNCHA_CACHE_URL 使用 Redis）",
    )  # fmt: skip
    p.add_argument(
        "--no-jobs", action="store_true",
        help="不启动后台任务进程（另用 xuncha worker 在本机或其他服务器上运行时）",
    )  # fmt: skip


def _serve_run(args: argparse.Namespace) -> int:
    """Apply migrations, then serve with waitress (a production WSGI server that runs on
    Linux and Windows alike), never Django's development server."""
    _django()
    from django.core.management import call_command
    from django.db import DatabaseError

    from .config.wsgi import application
    from .deploy import server

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as err:
        print(f"错误：无法连接或迁移数据库（{err}）。请检查 XUNCHA_DATABASE_URL。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    from .petitions.orphans import attachment_orphans_sweep

    attachment_orphans_sweep()  # what a server killed mid-submission left
    print(f"巡察工作台已启动：http://{args.host}:{args.port}/（按 Ctrl+C 停止）", flush=True)
    if note := server.startup_note():
        print(note, flush=True)
    server.raise_file_limit(server.CONNECTION_LIMIT)
    jobs = None if getattr(args, "no_jobs", False) else _start_job_worker()  # supervised
    if jobs is not None:  # stopping the server (SIGTERM) stops its worker too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        workers = getattr(args, "workers", 1)
        if workers <= 1:
            opts = server.options(threads=args.threads)
            server.run(application, host=args.host, port=args.port, **opts)
            return EXIT_OK
        return _serve_workers(application, args, workers)
    finally:
        if jobs is not None:
            jobs.stop()


def _start_job_worker() -> Any:
    """The background-job worker as a child process (`xuncha worker`), so cross-checks
    run beside the web server without sharing its interpreter; started isolated from
    the current folder and started again when it dies (see :mod:`xuncha.supervise`)."""
    from django.conf import settings as conf

    from .supervise import start_worker

    print("后台任务进程已启动（数据比对等长任务在此运行）。", flush=True)
    return start_worker(str(conf.DATA_DIR))


def _worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=int, default=1,
                   help="同时运行的任务数（默认 1；每次比对可能占用数 GB 内存）")  # fmt: skip


def _worker_run(args: argparse.Namespace) -> int:
    """Work the background-job queue (the embedded one in the data directory, or Redis
    given XUNCHA_QUEUE_URL) until stopped. First, what a killed worker left: its runs
    are failed, their folders and scratch files removed."""
    _django()
    from .checks.services import runs_reap
    from .common.jobs import run_worker

    runs_reap()
    run_worker(max(1, args.processes))
    return EXIT_OK


def _serve_workers(application: object, args: argparse.Namespace, workers: int) -> int:
    """Several waitress processes accepting on one listening socket (Python's GIL keeps
    one process to one core). Each process opens its own database connections."""
    import multiprocessing
    import socket

    from django.conf import settings as conf
    from django.db import connections

    from .deploy import server

    if sys.platform == "win32":
        print("错误：Windows 上只能以单进程运行（去掉 --workers）。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    if "locmem" in conf.CACHES["default"]["BACKEND"]:
        print("错误：多进程运行需要共享缓存，请设置 XUNCHA_CACHE_URL=redis://…", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    connections.close_all()
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    context = multiprocessing.get_context("fork")
    procs = [
        context.Process(target=server.run, args=(application,),
                        kwargs={"sockets": [sock], **server.options(threads=args.threads)})
        for _ in range(workers)
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopping the parent stops all
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            proc.terminate()
    return EXIT_OK


def _out_file(text: str) -> Path:
    """A file to write whose folder exists and is writable (checked before any work)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"这是一个文件夹，请给出备份文件名：{text}")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"文件夹「{folder}」不存在：{text}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"没有权限在「{folder}」中写入：{text}")
    return path


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=_out_file, required=True, metavar="文件",
                   help="备份文件（tar），含数据库、附件和密钥，请像保管密钥一样保管")  # fmt: skip


def _backup_run(args: argparse.Namespace) -> int:
    _django()
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
          f"附件 {summary.files['media']} 个、密钥文件 {summary.files['keys'] + summary.files['petition-key']} 个。"
          "\n备份文件含密钥，只能由管理员保管。")  # fmt: skip
    return EXIT_OK


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("archive", type=_files, metavar="文件", help="xuncha backup 生成的备份文件")
    p.add_argument("--force", action="store_true",
                   help="当前安装中已有数据时仍然恢复（覆盖现有数据库、附件和密钥）")  # fmt: skip
    p.add_argument("--check", action="store_true", help="只检查备份文件是否完整，不恢复")


def _restore_run(args: argparse.Namespace) -> int:
    _django()
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
          f"密钥文件 {summary.files['keys'] + summary.files['petition-key']} 个。请重新启动 xuncha serve。")  # fmt: skip
    for note in summary.notes:
        print(f"注意：{note}")
    return EXIT_OK


def _manage_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="Django 管理命令及其参数")


def _manage_run(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["xuncha manage", *args.arguments])
    return EXIT_OK


COMMANDS = [
    Command(
        "check",
        "数据比对：找出死亡后仍领取、财政供养人员领取、重复领取、超标准发放和身份证号码无效的发放记录。",
        "例如：xuncha check --payments 2021*.xlsx 苏仙区*.csv --deaths 死亡人员名单.xlsx "
        "--payroll 财政供养人员.csv --standard 600 --out 比对结果",
        _check_args,
        _check_run,
    ),
    Command(
        "rules",
        "列出全部比对规则及其含义、参数。",
        "例如：xuncha rules",
        lambda p: None,
        _rules_run,
    ),
    Command(
        "datagen",
        "生成逼真的“脏”模拟数据（含标准答案 truth.csv），用于演示、测试和基准。",
        "例如：xuncha datagen --out 模拟数据 --payments 20000",
        _datagen_args,
        _datagen_run,
    ),
    Command(
        "demo",
        "演示：生成模拟数据 → 比对 → 输出核查表，并与标准答案对照。",
        "例如：xuncha demo --out demo-output",
        _demo_args,
        _demo_run,
    ),
    Command(
        "serve",
        "启动巡察工作台网页服务（先自动迁移数据库）。",
        "例如：xuncha serve --host 0.0.0.0 --port 8000",
        _serve_args,
        _serve_run,
    ),
    Command(
        "worker",
        "运行后台任务进程（数据比对等长任务）；xuncha serve 会自动启动一个。",
        "例如：xuncha worker --processes 2（使用 Redis 队列时先设置 XUNCHA_QUEUE_URL=redis://…）",
        _worker_args,
        _worker_run,
    ),
    Command(
        "manage",
        "运行 Django 管理命令（迁移数据库、创建管理员等）。",
        "例如：xuncha manage createsuperuser",
        _manage_args,
        _manage_run,
    ),
    Command(
        "backup",
        "备份：数据库、附件和密钥打包为一个文件（含校验和清单），可在服务运行时进行。",
        "例如：xuncha backup --out /backup/xuncha-2024-05-01.tar",
        _backup_args,
        _backup_run,
    ),
    Command(
        "restore",
        "从备份文件恢复到本安装（先核对全部校验和；已有数据时须加 --force）。",
        "例如：xuncha restore /backup/xuncha-2024-05-01.tar",
        _restore_args,
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
]
