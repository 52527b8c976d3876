"""Command-line commands of this app (issue 21), appended to xuncha.commands.COMMANDS."""

from __future__ import annotations

from xuncha.commands import Command

COMMANDS: list[Command] = []
