"""``xuncha manage cards_derive``: the daily red and yellow card derivation, on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xuncha.supervision.cards import cards_derive


class Command(BaseCommand):
    help = (
        "按整改时限和进展报告推导红黄牌（每天由后台任务自动运行一次，此命令可随时手动运行）。"
        "例如：xuncha manage cards_derive --date 2025-03-01"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="按哪一天推导（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, date: str = "", **_: Any) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，而不是「{date}」。") from None
        done = cards_derive(today)
        self.stdout.write(
            f"{today:%Y-%m-%d} 红黄牌推导完成：新亮牌 {done.opened} 张，撤牌 {done.cleared} 张。"
        )
