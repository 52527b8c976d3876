"""Reading declarations (indicator systems, review rubrics) from workbook rows: points,
the header row, and every problem named with its sheet, row and column, then refused
whole."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import ServiceError

MAX_PROBLEMS = 50  # problems named in one refusal; the rest are counted


def points(text: str) -> Decimal | None:
    """A non-negative amount of points with at most two decimals, else None."""
    try:
        value = Decimal(text.replace("分", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


class Problems(list[str]):
    def at(self, sheet: str, row: int, column: str, what: str) -> None:
        self.append(f"「{sheet}」表第 {row} 行“{column}”列：{what}")


def letter(c: int) -> str:
    """Excel's column letter for a 0-based index (0 → A, 26 → AA)."""
    text = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        text = chr(65 + r) + text
    return text


def header(rows: list[list[str]], sheet: str, need: tuple[str, ...]) -> tuple[int, list[str]]:
    """The first of the first 10 rows holding every ``need`` column, and its index."""
    for i, row in enumerate(rows[:10]):
        if set(need) <= set(row):
            return i, row
    raise ServiceError(f"「{sheet}」表前 10 行中找不到表头（需要“{'”“'.join(need)}”列）。")


def refuse(bad: list[str]) -> None:
    """Refuse the whole workbook if it has any problem, naming them."""
    if bad:
        more = f"……等共 {len(bad)} 处问题" if len(bad) > MAX_PROBLEMS else ""
        raise ServiceError("导入失败，未写入任何数据：" + "；".join(bad[:MAX_PROBLEMS]) + more)
