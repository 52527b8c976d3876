"""The QR code of a team's petition channel (PNG, SVG) and the printable A4 notice
(巡察公告, PDF) that carries it. Imports no Django.

Chinese text in the PDF uses reportlab's built-in CID font STSong-Light, which PDF
readers supply (no Chinese TrueType font ships with the package; see decision 0006).
The QR code is drawn as vector squares, so it prints sharp at any size.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


@dataclass(frozen=True)
class Notice:
    url: str
    issuer: str
    team: str
    unit: str | None
    start: dt.date
    end: dt.date
    scope: str
    phone: str
    address: str
    issued_on: dt.date


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=10, border=4, xmldecl=True, svgns=True, nl=True)
    return out.getvalue()


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most ``width`` points; Chinese wraps between any two characters,
    but closing punctuation never starts a line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if (
                pdfmetrics.stringWidth(line + ch, _font(), size) > width
                and line
                and ch not in NO_LINE_START
            ):
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def notice_pdf(notice: Notice) -> bytes:
    """One A4 page: title, stay, scope, contacts, the code, confidentiality, issuer."""
    font = _font()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{notice.team}巡察公告")
    pdf.setAuthor(notice.issuer)
    width, height = A4
    left, right = 22 * mm, width - 22 * mm
    y = height - 28 * mm

    pdf.setFillColorRGB(0.70, 0.15, 0.12)
    pdf.setFont(font, 24)
    pdf.drawCentredString(width / 2, y, f"{notice.team}巡察公告")
    y -= 10 * mm
    pdf.setFont(font, 15)
    pdf.drawCentredString(width / 2, y, "码上巡察 · 扫码反映问题")
    pdf.setStrokeColorRGB(0.70, 0.15, 0.12)
    pdf.setLineWidth(1.5)
    pdf.line(left, y - 4 * mm, right, y - 4 * mm)
    y -= 14 * mm

    pdf.setFillColorRGB(0, 0, 0)
    target = f"对{notice.unit}" if notice.unit else ""
    paragraphs = [
        f"根据巡察工作统一部署，{notice.team}于{_date(notice.start)}至{_date(notice.end)}{target}开展巡察。"
        f"巡察期间受理来信、来电、来访和网络反映。",
        f"受理范围：{notice.scope}",
        f"联系电话：{notice.phone}" + (f"　　邮政信箱：{notice.address}" if notice.address else ""),
        f"受理时间：{_date(notice.start)}至{_date(notice.end)}",
    ]
    size, leading = 12, 19
    bottom_of_text = 150 * mm  # the code and its captions take the lower part of the page
    for text in paragraphs:
        lines = wrap(text, right - left - 24, size)
        if y - leading * len(lines) < bottom_of_text:  # a long scope: smaller type, same page
            size, leading = 10, 15
            lines = wrap(text, right - left - 24, size)
        pdf.setFont(font, size)
        for i, line in enumerate(lines):
            pdf.drawString(left + (24 if i == 0 else 0), y, line)
            y -= leading
        y -= 4

    side = 70 * mm
    y = min(y, bottom_of_text) - 6 * mm - side
    _draw_qr(pdf, notice.url, (width - side) / 2, y, side)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, y - 9 * mm, "扫码反映问题（可匿名）")
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(width / 2, y - 15 * mm, notice.url)
    pdf.setFont(font, 11)
    pdf.drawCentredString(
        width / 2,
        y - 23 * mm,
        "巡察组依纪依法保护反映人，可匿名反映；提交后凭回执码查询办理情况、与巡察组留言沟通。",
    )

    pdf.setFont(font, 12)
    pdf.drawRightString(right, 32 * mm, notice.issuer)
    pdf.drawRightString(right, 25 * mm, _date(notice.issued_on))
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _draw_qr(pdf: Canvas, url: str, x: float, y: float, side: float) -> None:
    """The code as filled squares, quiet zone of four modules included in ``side``."""
    qr = _qr(url)
    border = 4
    count = qr.symbol_size(scale=1, border=border)[0]
    module = side / count
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for row, bits in enumerate(qr.matrix):
        for col, dark in enumerate(bits):
            if dark:
                path.rect(
                    x + (col + border) * module,
                    y + side - (row + border + 1) * module,
                    module,
                    module,
                )
    pdf.drawPath(path, stroke=0, fill=1)
