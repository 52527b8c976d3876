"""The GB/T 9704-2012 page and styles, built with python-docx.

Every parameter of the standard is named once here; ``verify`` reads them back from a DOCX
and checks them against these constants. Fonts are set through ``w:rFonts w:eastAsia`` (the
Chinese glyphs) with Times New Roman for Latin letters and digits; the document names the
GB2312 / 方正 fonts an office has and its font table gives each an ``altName`` fallback.

The 22 lines of 28 characters are realised so that Word and LibreOffice agree: exact line
spacing of one grid pitch (225 mm / 22, rounded down to whole twips) with a matching
``w:docGrid w:type="lines" w:linePitch``, and a character spacing that makes the pitch of a
full-width character 156 mm / 28 (again rounded down), so 28 fit a line and 29 do not.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

# --- the page (mm) -------------------------------------------------------------------------
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
TOP_MM = 37
LEFT_MM = 28
BLOCK_WIDTH_MM = 156  # 版心 width
BLOCK_HEIGHT_MM = 225  # 版心 height
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - BLOCK_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - BLOCK_HEIGHT_MM  # 35
# The page number's 一字线 sits 7 mm below the text block; Word measures the footer distance
# from the page's bottom edge to the footer's last line.
FOOTER_MM = 23
HEADER_MM = 15

TWIPS_PER_MM = 1440 / 25.4
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BLOCK_WIDTH_TWIPS = round(BLOCK_WIDTH_MM * TWIPS_PER_MM)  # 8844
BLOCK_HEIGHT_TWIPS = round(BLOCK_HEIGHT_MM * TWIPS_PER_MM)  # 12756
LINE_PITCH_TWIPS = int(BLOCK_HEIGHT_MM * TWIPS_PER_MM / LINES_PER_PAGE)  # 579: 22 fit, 23 don't

# --- type sizes (pt) -----------------------------------------------------------------------
SIZE_2 = 22  # 2号: the title
SIZE_3 = 16  # 3号: body and headings
SIZE_4 = 14  # 4号: page numbers, 版记, tables
SIZE_SMALL_4 = 12  # 小四: dense tables
SIZE_MASTHEAD = 36  # 小初: 发文机关标志 (the standard leaves its size to the office)
BODY_PT = SIZE_3
# Character pitch of a full-width 3号 character: 156 mm / 28, rounded down to whole twips
# (315), realised as character spacing on the body style (320 - 5 twips).
CHAR_PITCH_TWIPS = int(BLOCK_WIDTH_MM * TWIPS_PER_MM / CHARS_PER_LINE)
CHAR_SPACING_TWIPS = CHAR_PITCH_TWIPS - BODY_PT * 20  # -5
INDENT_TWIPS = 2 * CHAR_PITCH_TWIPS  # first-line indent: two characters

# --- fonts ---------------------------------------------------------------------------------
LATIN_FONT = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
# The font table's altName: what Word (and LibreOffice) use when the named font is missing.
FONT_FALLBACKS: dict[str, str] = {
    FANGSONG: "仿宋",
    KAITI: "楷体",
    HEITI: "黑体",
    SONGTI: "宋体",
    XIAOBIAOSONG: "宋体",
}
# Fonts the standard also accepts under their plain names (an office's template may use them).
FONT_ALIASES: dict[str, set[str]] = {
    FANGSONG: {FANGSONG, "仿宋", "FangSong_GB2312", "FangSong"},
    KAITI: {KAITI, "楷体", "KaiTi_GB2312", "KaiTi"},
    HEITI: {HEITI, "SimHei"},
    SONGTI: {SONGTI, "SimSun"},
    XIAOBIAOSONG: {XIAOBIAOSONG, "方正小标宋_GBK", "小标宋", "方正小标宋"},
}

RED = "FF0000"

# --- style names (w:name; Normal shows as 「正文」 in a Chinese Word) --------------------------
BODY = "Normal"
TITLE = "公文标题"
HEADINGS = ("一级标题", "二级标题", "三级标题", "四级标题")
HEADING_FONTS = (HEITI, KAITI, FANGSONG, FANGSONG)
MASTHEAD = "发文机关标志"
NUMBER = "发文字号"
ADDRESSEE = "主送机关"
SIGNER = "发文机关署名"
DATE = "成文日期"
ATTACHMENT = "附件说明"
CAPTION = "表格标题"
TABLE_HEADER = "表格表头"
TABLE_TEXT = "表格文字"
# 小四 variants for dense ledgers (styles, not direct formatting, so verify passes them)
TABLE_STYLES: dict[float, tuple[str, str]] = {
    SIZE_4: (TABLE_HEADER, TABLE_TEXT),
    SIZE_SMALL_4: ("表格表头（小四）", "表格文字（小四）"),
}
BANJI_CC = "版记抄送"
BANJI_PRINTER = "版记印发"
PAGE_NUMBER = "页码"
PAGE_DASH = "—"

# 版记 lines (eighths of a point): first and last 0.35 mm, middle 0.25 mm; the red line
BORDER_THICK = 8
BORDER_THIN = 6
BORDER_RED = 12  # 1.5 pt
RED_SPACE_PT = 4  # from the row's foot to the red line: about 4 mm below the 发文字号's glyphs


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def new_document() -> Any:
    """An empty document with the page, the styles, the page numbers and the font table."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _settings(doc)
    _footers(doc)
    _font_table(doc)
    _package(doc)
    _clear_body(doc)
    return doc


def _package(doc: Any) -> None:
    """No trace of python-docx's own sample: its thumbnail, author and comment, and its
    stylesWithEffects part (a stale copy of the sample's styles Word 2010 may read)."""
    for rels, reltype in (
        (doc.part.package.rels, RT.THUMBNAIL),
        (doc.part.rels, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"),
    ):
        for rid, rel in list(rels.items()):
            if rel.reltype == reltype:
                rels.pop(rid)
    props = doc.core_properties
    props.author = ""
    props.comments = ""
    props.last_modified_by = ""
    props.language = "zh-CN"
    props.created = dt.datetime.now(dt.UTC).replace(microsecond=0)


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _clear_body(doc: Any) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(TOP_MM)
    section.bottom_margin = Mm(BOTTOM_MM)
    section.left_margin = Mm(LEFT_MM)
    section.right_margin = Mm(RIGHT_MM)
    section.footer_distance = Mm(FOOTER_MM)
    section.header_distance = Mm(HEADER_MM)
    section.gutter = 0
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    sect_pr.append(
        parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{LINE_PITCH_TWIPS}"/>')
    )


def _fonts_xml(east_asia: str, latin: str = LATIN_FONT) -> str:
    return (
        f'<w:rFonts {nsdecls("w")} w:ascii="{latin}" w:hAnsi="{latin}" '
        f'w:eastAsia="{east_asia}" w:cs="{latin}" w:hint="eastAsia"/>'
    )


def set_fonts(rpr: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style: Chinese through eastAsia, Latin through ascii/hAnsi."""
    old = rpr.find(qn("w:rFonts"))
    new = parse_xml(_fonts_xml(east_asia, latin))
    if old is not None:
        old.addprevious(new)
        rpr.remove(old)
    else:
        rpr.insert(0, new)


# Word refuses a document whose property children are out of the schema's order.
_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect "
    "bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
    "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
}


def _set_child(parent: Any, tag: str, xml: str) -> None:
    """Replace ``tag`` under ``parent`` with ``xml``, in its schema position."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    new = parse_xml(xml)
    local = parent.tag.split("}")[1]
    order = _ORDER.get(local, "").split()
    name = tag.split(":")[1]
    if name in order:
        later = {qn(f"w:{t}") for t in order[order.index(name) + 1 :]}
        for child in parent:
            if child.tag in later:
                child.addprevious(new)
                return
    parent.append(new)


def _style(doc: Any, name: str, *, base: str | None = BODY, kind: Any = None) -> Any:
    styles = doc.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, kind or WD_STYLE_TYPE.PARAGRAPH)
    if base is not None:
        style.base_style = styles[base]
    style.quick_style = True
    return style


def _text_style(
    doc: Any,
    name: str,
    *,
    east_asia: str,
    size: float,
    align: Any = None,
    indent: int | None = None,
    rows: int = 1,
    spacing: int | None = None,
    latin: str = LATIN_FONT,
    color: str | None = None,
    base: str | None = BODY,
) -> Any:
    """A paragraph style with its fonts, size, alignment and indent; ``rows`` whole grid rows
    of exact line spacing (0: single spacing, off the grid); ``spacing`` in twips between
    characters (None: inherited from the body)."""
    style = _style(doc, name, base=base)
    font = style.font
    font.size = Pt(size)
    font.bold = False
    rpr = style.element.get_or_add_rPr()
    set_fonts(rpr, east_asia, latin)
    _set_child(rpr, "w:szCs", f'<w:szCs {nsdecls("w")} w:val="{round(size * 2)}"/>')
    if spacing is not None:
        _set_child(rpr, "w:spacing", f'<w:spacing {nsdecls("w")} w:val="{spacing}"/>')
    if color:
        _set_child(rpr, "w:color", f'<w:color {nsdecls("w")} w:val="{color}"/>')
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Twips(indent)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if rows:  # on the grid: exact spacing of whole grid rows
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Twips(rows * LINE_PITCH_TWIPS)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    return style


def _styles(doc: Any) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, FANGSONG)
    _set_child(
        rpr, "w:lang", f'<w:lang {nsdecls("w")} w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    )
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _set_child(
        ppr, "w:spacing", f'<w:spacing {nsdecls("w")} w:after="0" w:line="240" w:lineRule="auto"/>'
    )

    body = _text_style(
        doc,
        BODY,
        east_asia=FANGSONG,
        size=BODY_PT,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent=INDENT_TWIPS,
        spacing=CHAR_SPACING_TWIPS,
        base=None,
    )
    ind = body.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), "200")
    body.paragraph_format.widow_control = False

    _text_style(
        doc,
        TITLE,
        east_asia=XIAOBIAOSONG,
        size=SIZE_2,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=0,
        spacing=0,
    )
    _no_chars_indent(doc, TITLE)
    for name, font in zip(HEADINGS, HEADING_FONTS, strict=True):
        style = _text_style(doc, name, east_asia=font, size=BODY_PT)
        style.paragraph_format.keep_with_next = True
    _text_style(
        doc,
        MASTHEAD,
        east_asia=XIAOBIAOSONG,
        size=SIZE_MASTHEAD,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=0,
        rows=2,  # 小初 takes two grid rows, so the body below stays on the grid
        spacing=0,
        color=RED,
    )
    _no_chars_indent(doc, MASTHEAD)
    number = _text_style(
        doc, NUMBER, east_asia=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0
    )
    _no_chars_indent(doc, NUMBER)
    # The red separator line, the text block's width, 4 mm below the 发文字号. A bottom border
    # adds its space and width to the paragraph; the line spacing gives them back, so the
    # paragraph is still one grid row (Word and LibreOffice alike) and what follows stays on
    # the grid.
    _borders(number.element.get_or_add_pPr(), bottom=(BORDER_RED, RED, RED_SPACE_PT))
    number.paragraph_format.line_spacing = Twips(
        LINE_PITCH_TWIPS - RED_SPACE_PT * 20 - BORDER_RED * 20 // 8
    )
    # LibreOffice would round the shortened line up to a whole grid row: keep it off the grid.
    _set_child(
        number.element.get_or_add_pPr(), "w:snapToGrid", f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'
    )
    _text_style(
        doc, ADDRESSEE, east_asia=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0
    )
    _no_chars_indent(doc, ADDRESSEE)
    for name in (SIGNER, DATE):
        style = _text_style(
            doc, name, east_asia=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0
        )
        _no_chars_indent(doc, name)
        style.paragraph_format.right_indent = Twips(4 * CHAR_PITCH_TWIPS)
    attachment = _text_style(
        doc, ATTACHMENT, east_asia=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT
    )
    attachment.paragraph_format.keep_with_next = True
    _text_style(
        doc, CAPTION, east_asia=HEITI, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0
    )
    _no_chars_indent(doc, CAPTION)
    table_styles = [
        (name, font, size, align)
        for size, names in TABLE_STYLES.items()
        for name, font, align in zip(
            names,
            (HEITI, FANGSONG),
            (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT),
            strict=True,
        )
    ]
    for name, font, size, align in table_styles:
        _text_style(
            doc,
            name,
            east_asia=font,
            size=size,
            align=align,
            indent=0,
            rows=0,
            spacing=0,
        )
        _no_chars_indent(doc, name)
        _set_child(
            doc.styles[name].element.get_or_add_pPr(),
            "w:snapToGrid",
            f'<w:snapToGrid {nsdecls("w")} w:val="0"/>',
        )
    # Paragraph borders run between the indents, so the 版记 keeps none (its lines are the text
    # block's width) and places its text one character in by tab stops.
    one_char = twips(SIZE_4 * 25.4 / 72)
    for name in (BANJI_CC, BANJI_PRINTER):
        style = _text_style(
            doc,
            name,
            east_asia=FANGSONG,
            size=SIZE_4,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            indent=0,
            spacing=0,
        )
        _no_chars_indent(doc, name)
        style.paragraph_format.keep_with_next = True
        _set_child(
            style.element.get_or_add_pPr(),
            "w:tabs",
            f'<w:tabs {nsdecls("w")}><w:tab w:val="left" w:pos="{one_char}"/>'
            f'<w:tab w:val="right" w:pos="{BLOCK_WIDTH_TWIPS - one_char}"/></w:tabs>',
        )
    _text_style(
        doc,
        PAGE_NUMBER,
        east_asia=SONGTI,
        latin=SONGTI,
        size=SIZE_4,
        indent=0,
        rows=0,
        spacing=0,
        base=None,
    )


def _no_chars_indent(doc: Any, name: str) -> None:
    """Styles based on the body drop its 2-character first-line indent explicitly."""
    ppr = doc.styles[name].element.get_or_add_pPr()
    _set_child(ppr, "w:ind", f'<w:ind {nsdecls("w")} w:firstLine="0" w:firstLineChars="0"/>')


def _border(side: str, spec: tuple[int, str, int]) -> str:
    size, color, space = spec
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


def _borders(
    ppr: Any, *, top: tuple[int, str, int] | None = None, bottom: tuple[int, str, int] | None = None
) -> None:
    inner = (_border("top", top) if top else "") + (_border("bottom", bottom) if bottom else "")
    _set_child(ppr, "w:pBdr", f"<w:pBdr {nsdecls('w')}>{inner}</w:pBdr>")


def _settings(doc: Any) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _page_field() -> str:
    def run(inner: str) -> str:
        return f"<w:r>{inner}</w:r>"

    return (
        run(f'<w:t xml:space="preserve">{PAGE_DASH} </w:t>')
        + run('<w:fldChar w:fldCharType="begin"/>')
        + run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
        + run('<w:fldChar w:fldCharType="separate"/>')
        + run("<w:t>1</w:t>")
        + run('<w:fldChar w:fldCharType="end"/>')
        + run(f'<w:t xml:space="preserve"> {PAGE_DASH}</w:t>')
    )


def _footers(doc: Any) -> None:
    """「— N —」: odd pages right, even pages left, one character in from the text block."""
    section = doc.sections[0]
    one_char = Pt(SIZE_4)
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles[PAGE_NUMBER]
        paragraph.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = one_char
        else:
            paragraph.paragraph_format.left_indent = one_char
        for child in list(paragraph._p):
            if child.tag != qn("w:pPr"):
                paragraph._p.remove(child)
        runs = parse_xml(f"<w:p {nsdecls('w')}>{_page_field()}</w:p>")
        for r in list(runs):
            paragraph._p.append(r)


def _font_table(doc: Any) -> None:
    """Name every font with its altName fallback (Word uses it when the font is missing)."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    entries = [
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FONT_FALLBACKS.items()
    ]
    entries.append(
        f'<w:font w:name="{LATIN_FONT}"><w:charset w:val="00"/><w:family w:val="roman"/>'
        '<w:pitch w:val="variable"/></w:font>'
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:fonts {nsdecls('w')}>{''.join(entries)}</w:fonts>"
    )
    part._blob = xml.encode("utf-8")


# --- blocks --------------------------------------------------------------------------------


def add_paragraph(doc: Any, text: str, style: str = BODY) -> Any:
    return doc.add_paragraph(text, style=doc.styles[style])


def add_masthead(doc: Any, issuer: str, number: str) -> None:
    """发文机关标志 (red), an empty line, the 发文字号 over the red line, then two empty lines."""
    add_paragraph(doc, issuer, MASTHEAD)
    add_paragraph(doc, "", ADDRESSEE)
    add_paragraph(doc, number, NUMBER)
    add_paragraph(doc, "", ADDRESSEE)
    add_paragraph(doc, "", ADDRESSEE)


def add_heading(doc: Any, level: int, text: str) -> Any:
    return add_paragraph(doc, text, HEADINGS[level - 1])


def add_banji(doc: Any, cc: str, printer: str, printed_on: str) -> None:
    """版记: 抄送 and 印发 lines between separators (thick first and last, thin between)."""
    add_paragraph(doc, "", ADDRESSEE)
    if cc:
        banji_borders(add_paragraph(doc, f"\t抄送：{cc}", BANJI_CC), top=True, bottom=BORDER_THIN)
    line = add_paragraph(doc, f"\t{printer}\t{printed_on}", BANJI_PRINTER)
    banji_borders(line, top=not cc, bottom=BORDER_THICK)


def banji_borders(paragraph: Any, *, top: bool, bottom: int) -> None:
    """A 版记 line's separators: a thick one above when ``top``, ``bottom`` (eighths pt) below."""
    _borders(
        paragraph._p.get_or_add_pPr(),
        top=(BORDER_THICK, "000000", 1) if top else None,
        bottom=(bottom, "000000", 1),
    )


def add_table(
    doc: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str = "",
    size: float = SIZE_4,
) -> Any:
    """A ledger-like table: body font at 4号 (or 小四), the header row repeated on every page."""
    header_style, text_style = TABLE_STYLES[size]
    if caption:
        add_paragraph(doc, caption, CAPTION)
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"] if "Table Grid" in [s.name for s in doc.styles] else None
    _grid_borders(table)
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = doc.styles[header_style]
    repeat_header(table.rows[0])
    for r, row in enumerate(rows, start=1):
        for i, text in enumerate(row):
            cell = table.rows[r].cells[i]
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = doc.styles[text_style]
    return table


def repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    _set_child(trpr, "w:tblHeader", f"<w:tblHeader {nsdecls('w')}/>")


def _grid_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    inner = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    _set_child(tblpr, "w:tblBorders", f"<w:tblBorders {nsdecls('w')}>{inner}</w:tblBorders>")
    _set_child(tblpr, "w:tblW", f'<w:tblW {nsdecls("w")} w:w="5000" w:type="pct"/>')
    _set_child(tblpr, "w:jc", f'<w:jc {nsdecls("w")} w:val="center"/>')
