"""What the list exports share: a text-only workbook, a Chinese dated file name."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(title: str, today: dt.date, *qualifiers: str) -> str:
    """``整改台账_第一轮_2026-12-02.xlsx``: the title, what the filter names, the date."""
    parts = [title, *(q.replace("/", "／").replace("\\", "＼") for q in qualifiers if q)]
    return "_".join([*parts, today.isoformat()]) + ".xlsx"


def workbook(
    sheet: str, headers: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]
) -> bytes:
    """One sheet: bold headers with widths, then the rows. Strings are written as text,
    never as formulas, links or numbers (:data:`xuncha.crosscheck.report.TEXT_ONLY`)."""
    import xlsxwriter

    from xuncha.crosscheck.report import TEXT_ONLY

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **TEXT_ONLY})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.write_row(0, 0, [h for h, _ in headers], bold)
    for c, (_, width) in enumerate(headers):
        ws.set_column(c, c, width, wrap)
    ws.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(n, c, value, wrap)
            else:
                ws.write_number(n, c, value, wrap)
    ws.autofilter(0, 0, max(n, 1), len(headers) - 1)
    wb.close()
    return out.getvalue()


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response
