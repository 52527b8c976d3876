"""A whole cross-check run in a child process with limits (:mod:`xuncha.sandbox`).

The run reads files from outside; a reader that aborts on a hostile file (or any part
of the run passing its memory or time limit) ends the child, not the CLI, the job
worker or the web server. The crash is then told as an :class:`InputError` naming the
file being read when it happened: the files the child had not yet reported as read.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

from .. import sandbox
from .engine import CheckConfig, CheckResult, Progress, run_check
from .errors import InputError
from .workdir import sweep

_READ = re.compile(r"已读取「(.*)」")


def run_check_isolated(
    config: CheckConfig, workdir: Path | None = None, progress: Progress | None = None
) -> CheckResult:
    """:func:`run_check` in a child under the "check" limits; the same result, or the
    same exception, or an InputError saying which file the child died reading."""
    limits = sandbox.limits("check")
    if config.engine == "spark":  # the JVM reserves far more address space than it uses
        limits = dataclasses.replace(limits, memory=0)
    files = [p.name for p in config.all_files]
    read: set[str] = set()
    step = ["开始"]

    def relay(share: float, what: str) -> None:
        if m := _READ.fullmatch(what):
            read.add(m.group(1))
        step[0] = what
        if progress is not None:
            progress(share, what)

    try:
        result: CheckResult = sandbox.run(
            run_check, config, workdir, file="、".join(files), limits=limits, progress=relay
        )
    except sandbox.FileCrashed as err:
        sweep(workdir or Path(tempfile.gettempdir()))  # the child's scratch, unlocked now
        reading = [f for f in files if f not in read]
        raise InputError(_told(err, limits, reading, step[0])) from err
    return result


def _told(err: sandbox.FileCrashed, limits: sandbox.Limits, reading: list[str], step: str) -> str:
    why = sandbox.describe(limits, err.reason)
    if len(reading) == 1:
        return sandbox.crash_message(reading[0], limits, err.reason)
    if reading:
        names = "」「".join(reading)
        return (
            f"比对在读取文件「{names}」（同时在读，其中之一出了问题）时{why}，已停止。"
            "请逐个检查这些文件，或分开比对以找出是哪一个。"
        )
    return f"比对在“{step}”这一步{why}，已停止，结果未生成。数据量过大时可调高上限（见使用说明）。"
