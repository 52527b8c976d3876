"""The CLI's arguments: each command's options, and the checks on their values that
argparse makes before any work is done (a file that is not there, a folder that cannot
be written)."""

from __future__ import annotations

import argparse
import glob
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _param(param: Any) -> Callable[[str], Any]:
    """A rule parameter's option type: checked as the Python API checks it."""

    def read(text: str) -> Any:
        from .crosscheck.params import ParamError

        try:
            return param.check(text)
        except ParamError as err:
            raise argparse.ArgumentTypeError(err.message) from None

    read.__name__ = param.name  # argparse names the type in its own messages
    return read


def _file_list(text: str) -> list[Path]:
    """A file, or the files a wildcard matches (where the shell has not expanded it, as
    Windows' cmd never does)."""
    if not Path(text).exists() and any(c in text for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(text))
        if not found:
            raise argparse.ArgumentTypeError(f"没有与「{text}」匹配的文件")
        return [_files(str(p)) for p in found]
    return [_files(text)]


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


def check_args(p: argparse.ArgumentParser) -> None:
    """The check's options, built from the program declarations: an option for every
    input and every rule parameter of any program (``xuncha programs`` says which
    program reads which); the run refuses those its program does not have."""
    from .crosscheck.programs import (
        DEFAULT_PROGRAM,
        PROGRAMS,
        all_file_inputs,
        all_params,
        all_rules,
    )

    p.add_argument(
        "--program",
        choices=list(PROGRAMS),
        default=DEFAULT_PROGRAM,
        metavar="模型",
        help=f"比对模型（默认 {DEFAULT_PROGRAM}；可选：{'、'.join(PROGRAMS)}，见 xuncha programs）",
    )
    options: dict[tuple[str, str], list[str]] = {}
    for spec in all_file_inputs():
        options.setdefault((spec.flag, spec.dest), []).append(
            spec.help or f"{spec.label}（可多个）"
        )
    for (flag, dest), helps in options.items():
        p.add_argument(
            flag,
            dest=dest,
            nargs="+",
            type=_file_list,
            default=[],
            metavar="文件",
            help="；".join(dict.fromkeys(helps)),
        )
    for param in all_params().values():
        unit = f"，{param.unit}" if param.unit else ""
        p.add_argument(
            f"--{param.name.replace('_', '-')}",
            dest=f"param_{param.name}",
            type=_param(param),
            metavar=param.unit or "值",
            help=f"{param.label}{unit}（默认 {param.default}）",
        )
    p.add_argument(
        "--rules",
        nargs="+",
        choices=list(all_rules()),
        metavar="规则",
        help="只运行这些规则（默认该模型的全部规则；见 xuncha programs）",
    )
    p.add_argument(
        "--user-rule",
        action="append",
        type=_files,
        metavar="TOML",
        help="自定义比对规则文件（TOML，见 docs/user-rules.md），可多次使用",
    )
    p.add_argument("--mapping", type=_files, metavar="JSON", help="列映射文件，覆盖自动识别的列")
    p.add_argument(
        "--title", metavar="名称", help="资金项目名称，用于报告标题（默认为比对模型的名称）"
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


def programs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json", action="store_true", help="以 JSON 输出全部声明（输入、列角色、规则、参数、输出）"
    )


def rules_args(p: argparse.ArgumentParser) -> None:
    from .crosscheck.programs import all_rules

    p.add_argument(
        "--sql",
        choices=list(all_rules()),
        metavar="规则",
        help="打印这条规则运行时的 SQL（含它读取的共享表），规则编号见不带选项的 xuncha rules",
    )
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        help="与 --sql 一起用：按哪个引擎的 SQL 方言打印，duckdb（默认）或 spark",
    )


def datagen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, metavar="目录", help="输出目录")
    p.add_argument(
        "--payments", type=int, default=5000, metavar="行数", help="发放记录总行数（默认 5000）"
    )
    from .crosscheck.programs import DEFAULT_PROGRAM, PROGRAMS

    p.add_argument("--seed", type=int, default=20231001, help="随机种子（同一种子生成相同数据）")
    p.add_argument(
        "--program",
        choices=[p.id for p in PROGRAMS.values() if p.datagen],
        default=DEFAULT_PROGRAM,
        metavar="模型",
        help=f"为哪个比对模型生成数据（默认 {DEFAULT_PROGRAM}；见 xuncha programs）",
    )
    p.add_argument(
        "--csv-only",
        action="store_true",
        help="只生成 CSV（UTF-8 与 GBK 混合），用于大规模基准测试",
    )


def demo_args(p: argparse.ArgumentParser) -> None:
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


def serve_args(p: argparse.ArgumentParser) -> None:
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


def worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=int, default=1,
                   help="同时运行的任务数（默认 1；每次比对可能占用数 GB 内存）")  # fmt: skip


def backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=_out_file, required=True, metavar="文件",
                   help="备份文件（tar），含数据库、附件和密钥，请像保管密钥一样保管")  # fmt: skip


def restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("archive", type=_files, metavar="文件", help="xuncha backup 生成的备份文件")
    p.add_argument("--force", action="store_true",
                   help="当前安装中已有数据时仍然恢复（覆盖现有数据库、附件和密钥）")  # fmt: skip
    p.add_argument("--check", action="store_true", help="只检查备份文件是否完整，不恢复")


def manage_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="Django 管理命令及其参数")
