"""``xuncha manage selfchecks_group``: group findings into candidate common problems."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xuncha.selfchecks.services import grouping_build
from xuncha.selfchecks.similarity import THRESHOLD


class Command(BaseCommand):
    help = (
        "按问题类别和文字相似度（jieba 分词、MinHash LSH）把各单位的问题分组为候选共性问题"
        "（每天由后台任务自动运行一次，此命令可随时手动运行）。"
        "例如：xuncha manage selfchecks_group --threshold 0.5"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threshold", type=float, default=THRESHOLD,
                            help=f"相似度阈值（0—1 之间，默认 {THRESHOLD}）")  # fmt: skip

    def handle(self, *args: Any, threshold: float = THRESHOLD, **_: Any) -> None:
        if not 0 < threshold < 1:
            raise CommandError(f"--threshold 应在 0 和 1 之间，而不是 {threshold}。")
        done = grouping_build(threshold=threshold)
        self.stdout.write(
            f"分组完成：{done.findings_read} 个问题，候选共性问题 {done.groups.count()} 组，"
            f"用时 {done.seconds} 秒。"
        )
