"""What the list exports share: a text-only workbook, a Chinese dated file name."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header

from .filters import FILTER_ERROR, ListFilters, with_list_query

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
    # Printed (or converted to PDF): A4 landscape, every column on the page's width, the
    # header row on every page, 「第 N 页 共 M 页」 at the foot.
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_footer("&C第 &P 页 共 &N 页")
    wb.close()
    return out.getvalue()


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


def list_export(
    request: HttpRequest, form: ListFilters, items: QuerySet[Any], *, list_url: str,
    title: str, noun: str, make: Callable[[QuerySet[Any]], bytes],
) -> HttpResponse:  # fmt: skip
    """A filtered list (``items``, as ``form`` filtered it) as ``make`` writes it, named
    after ``title`` and the round filtered on. An invalid filter or an empty list goes
    back to the list (same filter) with a message saying why no file was made."""
    back = with_list_query(list_url, request.GET)
    if form.errors:
        messages.error(request, f"{FILTER_ERROR}未生成导出文件。")
        return redirect(back)
    if not items.exists():
        messages.error(
            request, f"当前筛选条件下没有{noun}，未生成导出文件。请放宽筛选条件后再导出。"
        )
        return redirect(back)
    name = file_name(title, timezone.localdate(), form.round_name())
    return xlsx_response(make(items), name)
