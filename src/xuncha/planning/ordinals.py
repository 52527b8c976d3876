"""Chinese ordinals of teams and rounds: 第一、第二…第十二 (written and read back)."""

from __future__ import annotations

import re

NUMERALS = "一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (team and round ordinals up to 99)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def number_in_name(name: str) -> int | None:
    """The ordinal in a name such as 第三巡察组, 第十二组 or 第3组 (None if there is none)."""
    match = re.search(r"第([0-9]+|[一二三四五六七八九十]+)", name)
    if match is None:
        return None
    text = match.group(1)
    if text.isdigit():
        return int(text)
    digits = {c: i + 1 for i, c in enumerate(NUMERALS)}
    if "十" not in text:
        return digits.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)
