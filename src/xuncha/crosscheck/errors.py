"""Errors the engine reports to people, in Chinese, naming where the problem is."""

from __future__ import annotations


class InputError(Exception):
    """A problem with an input file that a user can act on.

    ``message`` is Chinese and complete on its own; ``file``/``sheet``/``row`` say
    where. ``str(err)`` gives the whole sentence, ready to print.
    """

    def __init__(
        self, message: str, *, file: str = "", sheet: str = "", row: int | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        super().__init__(self.where() + message)

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件「{self.file}」")
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        return ("".join(parts) + "：") if parts else ""


class NothingToCheck(InputError):
    """No payment row could be read from any payment file: the run cannot go on."""
