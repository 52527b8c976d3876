"""The QR code of a team's petition channel (PNG, SVG) and the printable A4 notice
(巡察公告, PDF) that carries it. Imports no Django.

Chinese text in the PDF uses reportlab's built-in CID font STSong-Light: the font is
not embedded, PDF readers supply the glyphs (see decision 0006). The QR code is drawn
as vector squares, so it prints sharp at any size.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from xuncha.common.qr import QUIET_ZONE, qr_code
from xuncha.common.qr import qr_png as qr_png  # re-exported: the intake code as PNG
from xuncha.common.qr import qr_svg as common_qr_svg

CJK = "STSong-Light"
LINK_FONT = "Courier"  # fixed width: 0/O and 1/l are easier to tell apart when typed by hand
RED = (0.78, 0.09, 0.11)

# Closing punctuation never starts a line; opening punctuation never ends one.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—·％%,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
# Units that are not broken across lines: a run of Latin letters, digits and signs
# (phone numbers, mailbox numbers, links) with the unit after a number ("2024年",
# "31日", "A001号"), a dash or ellipsis pair; anything else breaks after any character.
_TOKEN = re.compile(r"[!-~]+[年月日号]?|—+|…+|.", re.S)

PAGE_W, PAGE_H = A4
MARGIN = 25 * mm
TEXT_W = PAGE_W - 2 * MARGIN
# Body type from 13 pt down to 7.5 pt, the code as large as the space left allows, up to
# 70 mm; type is made smaller only when the code would otherwise shrink below 55 mm
# (below 40 mm: not printed, the scope is too long).
BODY_SIZES = [13 - step / 4 for step in range(23)]
CODE_MAX, CODE_COMFORT, CODE_MIN, COMFORT_SIZE = 70 * mm, 55 * mm, 40 * mm, 10.5


@dataclass(frozen=True)
class Notice:
    """What the notice says; ``unit`` is None for a team-wide code."""

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


def qr_svg(url: str) -> bytes:
    """The intake code as a standalone SVG (:func:`xuncha.common.qr.qr_svg`)."""
    return common_qr_svg(url, title="码上巡察")


@cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _width(text: str, size: float, font: str = CJK) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Lines of at most ``width`` points (the first ``indent`` narrower). Chinese breaks
    between any two characters; dates and Latin runs stay whole unless wider than a
    line; closing punctuation never starts a line, opening punctuation never ends one."""
    _font()
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        limit = width - indent
        for token in _TOKEN.findall(paragraph):
            for piece in _split_wide(token, width, size):
                if not line and piece.isspace():
                    continue
                if line and not piece.isspace() and _width("".join(line) + piece, size) > limit:
                    carried: list[str] = []
                    while len(line) > 1 and (carried or [piece])[0][0] in NO_LINE_START:
                        carried.insert(0, line.pop())
                    while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                        carried.insert(0, line.pop())
                    lines.append("".join(line).rstrip())
                    line, limit = carried, width
                line.append(piece)
        lines.append("".join(line).rstrip())
    return lines


def _split_wide(token: str, width: float, size: float, font: str = CJK) -> list[str]:
    """``token`` cut into pieces no wider than ``width`` (only long links need this)."""
    if len(token) == 1 or _width(token, size, font) <= width:
        return [token]
    pieces, piece = [], ""
    for ch in token:
        if piece and _width(piece + ch, size, font) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece]


@dataclass
class _Block:
    """Wrapped lines of one paragraph, ready to draw."""

    lines: list[str]
    size: float
    leading: float
    indent: float = 0.0
    justify: bool = True  # body text; False: each line centred on the page
    font: str = CJK
    bold: bool = False
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _paragraphs(notice: Notice, size: float) -> list[_Block]:
    team = _team(notice).removeprefix("中共")
    stay = f"{_date(notice.start)}至{_date(notice.end)}"
    where = f"进驻{notice.unit}开展巡察" if notice.unit else "开展巡察"
    texts = [
        f"根据巡察工作统一部署，{team}于{stay}{where}。巡察期间开通“码上巡察”反映渠道，"
        "受理干部群众扫码反映以及来电、来信反映的问题。",
        f"受理范围：{notice.scope.strip()}",
        f"联系电话：{notice.phone}",
        *([f"来信请寄：{notice.address}"] if notice.address.strip() else []),
        f"受理时间：{stay}。",
    ]
    indent = 2 * size
    return [_Block(wrap(t, TEXT_W, size, indent), size, 1.65 * size, indent) for t in texts]


def _team(notice: Notice) -> str:
    """The team's full name for the title: a bare "第一巡察组" gets the party committee
    from the issuer ("中共湘南市委巡察工作领导小组办公室" → "中共湘南市委第一巡察组")."""
    team = notice.team.strip()
    if team.startswith("中共"):
        return team
    if "委" in team:
        return "中共" + team
    committee = re.match(r"中共.+?委", notice.issuer.strip())
    return committee.group(0) + team if committee else team


def _captions(notice: Notice) -> list[_Block]:
    """What goes under the code: the call to scan, the link, the promise of confidentiality."""
    link_size = 10.0
    while link_size > 7 and _width(notice.url, link_size, LINK_FONT) > TEXT_W:
        link_size -= 0.5
    link_lines = _split_wide(notice.url, TEXT_W, link_size, LINK_FONT) if notice.url else []
    grey = (0.35, 0.35, 0.35)
    return [
        _Block(["扫码反映问题（可匿名）"], 17, 24, justify=False, bold=True),
        _Block(["无法扫码的，可在浏览器中输入以下网址："], 9, 13, justify=False, color=grey),
        _Block(link_lines, link_size, 1.3 * link_size, justify=False, font=LINK_FONT, color=grey),
        _Block(["巡察组依纪依法保护反映人，可匿名反映。"], 12, 18, justify=False, bold=True),
        _Block(
            ["提交后请妥善保存回执码，凭回执码查询办理情况、与巡察组留言沟通。"],
            11,
            16,
            justify=False,
        ),
    ]


def _height(blocks: list[_Block], gap: float) -> float:
    return sum(b.leading * len(b.lines) for b in blocks) + gap * (len(blocks) - 1)


def notice_pdf(notice: Notice) -> bytes:
    """The notice as a one-page A4 PDF: title, stay, scope, contacts, time window, the
    code with its captions, and the issuer with the date. Type and code shrink (within
    readable, scannable limits) so that a long scope still fits; ValueError otherwise."""
    _font()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    title = f"{_team(notice)}巡察公告"
    pdf.setTitle(title)
    pdf.setSubject("码上巡察")
    pdf.setAuthor(notice.issuer)

    # Title, subtitle and the double red rule of an official notice.
    y = PAGE_H - 30 * mm
    title_size = 22.0
    while _width(title, title_size) > TEXT_W and title_size > 12:
        title_size -= 1
    _draw(pdf, PAGE_W / 2, y, title, title_size, color=RED, bold=True, align="center")
    y -= 12 * mm
    _draw(pdf, PAGE_W / 2, y, "码上巡察", 18, color=RED, bold=True, align="center", char_space=9)
    y -= 6 * mm
    pdf.setStrokeColorRGB(*RED)
    pdf.setLineWidth(2)
    pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
    pdf.setLineWidth(0.6)
    pdf.line(MARGIN, y - 3, PAGE_W - MARGIN, y - 3)
    top = y - 3 - 10 * mm  # first body baseline sits one line below this

    # Issuer and date, bottom right, the date centred under the issuer.
    footer_size = 13.0
    issued = _date(notice.issued_on)
    footer_w = max(_width(notice.issuer, footer_size), _width(issued, footer_size))
    footer_x = PAGE_W - MARGIN - 2 * footer_size - footer_w / 2
    footer_x = max(footer_x, MARGIN + footer_w / 2)
    date_y = 22 * mm
    issuer_y = date_y + 1.7 * footer_size
    bottom = issuer_y + footer_size + 8 * mm  # nothing above the footer comes lower

    captions = _captions(notice)
    caption_gap = 4.0
    code_space = 7 * mm + 5 * mm + _height(captions, caption_gap)  # all but the code itself
    for size in BODY_SIZES:
        body = _paragraphs(notice, size)
        body_gap = 0.35 * size
        side = min(CODE_MAX, top - bottom - _height(body, body_gap) - code_space)
        if side >= (CODE_COMFORT if size >= COMFORT_SIZE else CODE_MIN):
            break
    else:
        raise ValueError("公告内容过长，一页A4纸排不下，请精简受理范围")

    y = top
    for block in body:
        y = _draw_block(pdf, block, MARGIN, y)
        y -= body_gap

    # The code and its captions, centred in the space left between body and footer.
    spare = (y + body_gap) - bottom - code_space - side
    code_top = y + body_gap - 7 * mm - spare / 2
    _draw_qr(pdf, qr_code(notice.url), (PAGE_W - side) / 2, code_top - side, side)
    y = code_top - side - 5 * mm
    for block in captions:
        y = _draw_block(pdf, block, MARGIN, y) - caption_gap

    _draw(pdf, footer_x, issuer_y, notice.issuer, footer_size, align="center")
    _draw(pdf, footer_x, date_y, issued, footer_size, align="center")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _draw_block(pdf: Canvas, block: _Block, x: float, top: float) -> float:
    """Draw ``block`` in lines below ``top``; return the top of what comes next. Body
    lines are justified (all but a paragraph's last), captions centred on the page."""
    style: dict[str, Any] = {"font": block.font, "bold": block.bold, "color": block.color}
    for i, line in enumerate(block.lines):
        baseline = top - block.size
        top -= block.leading
        if not block.justify:
            _draw(pdf, PAGE_W / 2, baseline, line, block.size, align="center", **style)
            continue
        indent = block.indent if i == 0 else 0.0
        space = 0.0
        if i < len(block.lines) - 1 and len(line) > 1:
            space = (TEXT_W - indent - _width(line, block.size)) / (len(line) - 1)
            if not 0 <= space <= 0.3 * block.size:  # a line cut short by a long word stays ragged
                space = 0.0
        _draw(pdf, x + indent, baseline, line, block.size, char_space=space, **style)
    return top


def _draw(
    pdf: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    font: str = CJK,
    color: tuple[float, float, float] = (0.0, 0.0, 0.0),
    bold: bool = False,
    align: str = "left",
    char_space: float = 0.0,
) -> None:
    """One line of text at baseline ``y``. STSong-Light has no bold face: bold is the
    glyph outline stroked over its fill."""
    width = _width(text, size, font) + char_space * max(len(text) - 1, 0)
    if align == "center":
        x -= width / 2
    pdf.saveState()
    pdf.setFillColorRGB(*color)
    pdf.setStrokeColorRGB(*color)
    pdf.setLineWidth(size * 0.035)
    obj = pdf.beginText(x, y)
    obj.setFont(font, size)
    obj.setCharSpace(char_space)
    obj.setTextRenderMode(2 if bold else 0)
    obj.textOut(text)
    pdf.drawText(obj)
    pdf.restoreState()


def _draw_qr(pdf: Canvas, qr: segno.QRCode, x: float, y: float, side: float) -> None:
    """The code as filled unit squares in a coordinate system of one unit per module,
    lower left corner at (``x``, ``y``); ``side`` includes the quiet zone."""
    count = qr.symbol_size(scale=1, border=QUIET_ZONE)[0]
    pdf.saveState()
    pdf.translate(x, y)
    pdf.scale(side / count, side / count)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for row, bits in enumerate(qr.matrix):
        for col, dark in enumerate(bits):
            if dark:
                path.rect(QUIET_ZONE + col, count - QUIET_ZONE - 1 - row, 1, 1)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
