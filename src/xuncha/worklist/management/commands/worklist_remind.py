"""``xuncha manage worklist_remind``: the daily 催办 of the task lists, on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xuncha.worklist.services import reminders_derive


class Command(BaseCommand):
    help = (
        "为逾期未完成、到报送日仍未报送本月进展的任务事项生成催办记录（每天由后台任务自动运行一次，"
        "同一天重复运行不会重复催办）。例如：xuncha manage worklist_remind --date 2026-12-26"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="按哪一天催办（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, date: str = "", **_: Any) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，而不是「{date}」。") from None
        done = reminders_derive(today)
        self.stdout.write(
            f"{today:%Y-%m-%d} 任务清单催办完成：逾期催办 {done.overdue} 条，"
            f"未报进展催办 {done.no_report} 条。"
        )
