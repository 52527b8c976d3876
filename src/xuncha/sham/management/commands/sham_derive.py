"""``xuncha manage sham_derive``: the daily sham-rectification signal derivation, on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xuncha.sham.derive import signals_derive


class Command(BaseCommand):
    help = (
        "读取新上传证据材料和整改进展的指纹，推导虚假整改疑点（每天由后台任务自动运行一次，"
        "此命令可随时手动运行）。例如：xuncha manage sham_derive --date 2025-03-01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="按哪一天记录（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, date: str = "", **_: Any) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，而不是「{date}」。") from None
        done = signals_derive(today)
        self.stdout.write(
            f"{today:%Y-%m-%d} 虚假整改疑点推导完成：新读取证据指纹 {done.fingerprinted} 份，"
            f"当前疑点 {done.found} 条，新发现 {done.opened} 条，更新 {done.changed} 条，"
            f"不再显示 {done.gone} 条。"
        )
