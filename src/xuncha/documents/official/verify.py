"""Read a DOCX and check it against GB/T 9704-2012 (the parameters named in ``layout``).

Used by the tests and by ``xuncha docs --verify FILE``. Each check is a (name, passed,
detail) triple with a Chinese detail that says what was found and, on failure, what it
should be. Values are resolved the way Word does: direct formatting, then the paragraph's
style and the styles it is based on, then the document defaults.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from docx import Document
from docx.oxml.ns import qn

from xuncha.documents.official import layout as L

TOLERANCE_MM = 0.5
NUMBER_PATTERN = re.compile(r"〔\d{4}〕\d+号$")


class Check(NamedTuple):
    name: str
    passed: bool
    detail: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))

    def report(self) -> str:
        """One line per check: 「✓ 名称：说明」 or 「✗ 名称：说明」."""
        return "\n".join(f"{'✓' if c.passed else '✗'} {c.name}：{c.detail}" for c in self.checks)


def verify(data: bytes) -> Verification:
    """Check every format parameter of a DOCX; a file that is not a DOCX fails one check."""
    result = Verification()
    try:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ValueError("不是 ZIP 压缩包")
        doc = Document(io.BytesIO(data))
    except Exception as err:
        result.add("文件", False, f"不是可以打开的 DOCX 文件（{err}）")
        return result
    styles = _Styles(doc)
    _page(doc, result)
    _body(doc, styles, result)
    _titles(styles, result)
    _page_numbers(doc, styles, result)
    _masthead(doc, styles, result)
    _banji(doc, styles, result)
    _direct(doc, styles, result)
    return result


# --- styles --------------------------------------------------------------------------------


class _Styles:
    """Style lookup by id and name, and property resolution along ``w:basedOn``."""

    def __init__(self, doc: Any) -> None:
        root = doc.styles.element
        self.by_id: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.default_paragraph: Any = None
        for style in root.findall(qn("w:style")):
            sid = style.get(qn("w:styleId"))
            self.by_id[sid] = style
            name = style.find(qn("w:name"))
            if name is not None:
                self.by_name[name.get(qn("w:val"))] = style
            if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in (
                "1",
                "true",
            ):
                self.default_paragraph = style
        defaults = root.find(qn("w:docDefaults"))
        self.rpr_default = _path(defaults, "w:rPrDefault", "w:rPr")
        self.ppr_default = _path(defaults, "w:pPrDefault", "w:pPr")

    def chain(self, style: Any) -> Iterator[Any]:
        seen: set[str] = set()
        while style is not None and style.get(qn("w:styleId")) not in seen:
            seen.add(style.get(qn("w:styleId")))
            yield style
            based = style.find(qn("w:basedOn"))
            style = None if based is None else self.by_id.get(based.get(qn("w:val")))

    def of_paragraph(self, p: Any) -> Any:
        ppr = p.find(qn("w:pPr"))
        sid = _val(_path(ppr, "w:pStyle"))
        return self.by_id.get(sid) if sid else self.default_paragraph

    def run_attr(self, style: Any, tag: str, attr: str = "w:val") -> str | None:
        """A run property of a paragraph style (``w:sz``, ``w:rFonts@w:eastAsia``...)."""
        for s in self.chain(style):
            value = _attr(_path(s, "w:rPr", tag), attr)
            if value is not None:
                return value
        return _attr(_path(self.rpr_default, tag), attr)

    def para_attr(self, style: Any, tag: str, attr: str) -> str | None:
        for s in self.chain(style):
            value = _attr(_path(s, "w:pPr", tag), attr)
            if value is not None:
                return value
        return _attr(_path(self.ppr_default, tag), attr)

    def font(self, style: Any) -> str | None:
        theme = self.run_attr(style, "w:rFonts", "w:eastAsiaTheme")
        named = self.run_attr(style, "w:rFonts", "w:eastAsia")
        return named if named is not None else (f"主题字体 {theme}" if theme else None)


def _path(node: Any, *tags: str) -> Any:
    for tag in tags:
        if node is None:
            return None
        node = node.find(qn(tag))
    return node


def _attr(node: Any, attr: str) -> str | None:
    return None if node is None else node.get(qn(attr))


def _val(node: Any) -> str | None:
    return _attr(node, "w:val")


def _mm(twips_value: int | float | None) -> float:
    return 0.0 if twips_value is None else twips_value / L.TWIPS_PER_MM


def _pt(half_points: str | None) -> str:
    return "未设置" if half_points is None else f"{int(half_points) / 2:g} 磅"


# --- page ----------------------------------------------------------------------------------


def _page(doc: Any, result: Verification) -> None:
    size, margins, block = [], [], []
    for number, section in enumerate(doc.sections, start=1):
        sect = f"第 {number} 节" if len(doc.sections) > 1 else ""
        w, h = section.page_width.mm, section.page_height.mm
        if abs(w - L.PAGE_WIDTH_MM) > TOLERANCE_MM or abs(h - L.PAGE_HEIGHT_MM) > TOLERANCE_MM:
            size.append(f"{sect}纸张 {w:.1f}×{h:.1f} mm，应为 A4 210×297 mm")
        for label, got, want in (
            ("上", section.top_margin, L.TOP_MM),
            ("下", section.bottom_margin, L.BOTTOM_MM),
            ("左", section.left_margin, L.LEFT_MM),
            ("右", section.right_margin, L.RIGHT_MM),
        ):
            got_mm = got.mm if got is not None else 0.0
            if abs(got_mm - want) > TOLERANCE_MM:
                margins.append(f"{sect}{label}边距 {got_mm:.1f} mm，应为 {want} mm")
        bw = w - section.left_margin.mm - section.right_margin.mm
        bh = h - section.top_margin.mm - section.bottom_margin.mm
        if abs(bw - L.BLOCK_WIDTH_MM) > TOLERANCE_MM or abs(bh - L.BLOCK_HEIGHT_MM) > TOLERANCE_MM:
            block.append(f"{sect}版心 {bw:.1f}×{bh:.1f} mm，应为 156×225 mm")
    result.add("纸张", not size, "；".join(size) or "A4 210×297 mm")
    result.add(
        "页边距", not margins, "；".join(margins) or "上 37 mm、下 35 mm、左 28 mm、右 26 mm"
    )
    result.add("版心", not block, "；".join(block) or "156×225 mm")


# --- body: font, size, lines and characters ------------------------------------------------


def _grid(doc: Any) -> tuple[str | None, int | None, int]:
    grid = _path(doc.sections[0]._sectPr, "w:docGrid")
    pitch = _attr(grid, "w:linePitch")
    chars = _attr(grid, "w:charSpace")
    return _attr(grid, "w:type"), int(pitch) if pitch else None, int(chars) if chars else 0


def _body(doc: Any, styles: _Styles, result: Verification) -> None:
    body = styles.default_paragraph
    if body is None:
        result.add("正文样式", False, "文档没有默认段落样式（「正文」）")
        return
    font = styles.font(body)
    result.add(
        "正文字体",
        font in L.FONT_ALIASES[L.FANGSONG],
        f"中文字体（w:eastAsia）{font or '未设置'}"
        + ("" if font in L.FONT_ALIASES[L.FANGSONG] else f"，应为 {L.FANGSONG}"),
    )
    size = styles.run_attr(body, "w:sz")
    result.add(
        "正文字号",
        size == str(L.BODY_PT * 2),
        f"{_pt(size)}" + ("（3号）" if size == str(L.BODY_PT * 2) else "，应为 16 磅（3号）"),
    )
    _lines(doc, styles, body, result)
    _chars(doc, styles, body, int(size) / 2 if size else L.BODY_PT, result)


def _block(doc: Any) -> tuple[int, int]:
    s = doc.sections[0]
    return (
        s.page_width.twips - s.left_margin.twips - s.right_margin.twips,
        s.page_height.twips - s.top_margin.twips - s.bottom_margin.twips,
    )


def _lines(doc: Any, styles: _Styles, body: Any, result: Verification) -> None:
    grid_type, pitch, _ = _grid(doc)
    rule = styles.para_attr(body, "w:spacing", "w:lineRule")
    line = styles.para_attr(body, "w:spacing", "w:line")
    _, height = _block(doc)
    problems = []
    if rule != "exact" or line is None:
        problems.append(f"正文行距不是固定值（{rule or 'auto'}）")
    if pitch is None or grid_type not in ("lines", "linesAndChars", "snapToChars"):
        problems.append("未设置文档网格（w:docGrid linePitch）")
    elif line is not None and abs(int(line) - pitch) > 1:
        problems.append(f"行距 {int(line) / 20:g} 磅与网格 {pitch / 20:g} 磅不一致")
    lines = height // int(line) if line else 0
    if lines != L.LINES_PER_PAGE:
        problems.append(f"每页 {lines} 行，应为 22 行")
    detail = f"行距 {int(line) / 20:g} 磅，每页 {lines} 行" if line else "未设置行距"
    result.add("每页行数", not problems, "；".join(problems) or detail)


def _chars(doc: Any, styles: _Styles, body: Any, size: float, result: Verification) -> None:
    grid_type, _, char_space = _grid(doc)
    spacing = int(styles.run_attr(body, "w:spacing") or 0)
    pitch = size * 20 + spacing
    if grid_type in ("linesAndChars", "snapToChars"):
        pitch += char_space * 20 / 4096
    width, _ = _block(doc)
    chars = int(width // pitch)
    result.add(
        "每行字数",
        chars == L.CHARS_PER_LINE,
        f"字距 {pitch / 20:.2f} 磅，每行 {chars} 字"
        + ("" if chars == L.CHARS_PER_LINE else "，应为 28 字"),
    )


# --- title and headings --------------------------------------------------------------------


def _titles(styles: _Styles, result: Verification) -> None:
    wanted = [(L.TITLE, L.XIAOBIAOSONG, L.SIZE_2)] + [
        (name, font, L.BODY_PT) for name, font in zip(L.HEADINGS, L.HEADING_FONTS, strict=True)
    ]
    for name, font, size in wanted:
        style = styles.by_name.get(name)
        if style is None:
            result.add(name, False, f"缺少样式「{name}」")
            continue
        got_font = styles.font(style)
        got_size = styles.run_attr(style, "w:sz")
        problems = []
        if got_font not in L.FONT_ALIASES[font]:
            problems.append(f"字体 {got_font or '未设置'}，应为 {font}")
        if got_size != str(size * 2):
            problems.append(f"字号 {_pt(got_size)}，应为 {size} 磅")
        if name == L.TITLE and styles.para_attr(style, "w:jc", "w:val") != "center":
            problems.append("未居中")
        result.add(name, not problems, "；".join(problems) or f"{got_font} {size} 磅")


# --- page numbers --------------------------------------------------------------------------


def _align(styles: _Styles, p: Any) -> str:
    jc = _val(_path(p, "w:pPr", "w:jc"))
    return jc or styles.para_attr(styles.of_paragraph(p), "w:jc", "w:val") or "left"


def _footer_number(styles: _Styles, footer: Any, side: str, label: str) -> str | None:
    """None when the footer holds 「— PAGE —」 on ``side``; otherwise what is wrong."""
    if footer is None or footer.is_linked_to_previous:
        return f"{label}没有页脚"
    for p in footer._element.iter(qn("w:p")):
        instr = "".join(t.text or "" for t in p.iter(qn("w:instrText")))
        instr += "".join(f.get(qn("w:instr")) or "" for f in p.iter(qn("w:fldSimple")))
        if "PAGE" not in instr.upper():
            continue
        text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
        if not (text.startswith(L.PAGE_DASH) and text.endswith(L.PAGE_DASH)):
            return f"{label}页码「{text}」两侧应有一字线「— N —」"
        align = _align(styles, p)
        if align not in ({"right", "end"} if side == "right" else {"left", "start", "both"}):
            names = {"right": "居右", "end": "居右", "center": "居中"}
            return (
                f"{label}页码{names.get(align, '居左')}，应{'居右' if side == 'right' else '居左'}"
            )
        style_size = styles.run_attr(styles.of_paragraph(p), "w:sz")
        sizes = {
            _val(_path(r, "w:rPr", "w:sz")) or style_size for r in p.iter(qn("w:r")) if _text(r)
        }
        if sizes != {str(L.SIZE_4 * 2)}:
            got = "、".join(_pt(s) for s in sorted(sizes, key=str))
            return f"{label}页码字号 {got}，应为 14 磅（4号）"
        return None
    return f"{label}页脚没有页码域（PAGE）"


def _page_numbers(doc: Any, styles: _Styles, result: Verification) -> None:
    settings = doc.settings.element.find(qn("w:evenAndOddHeaders"))
    even_odd = settings is not None and settings.get(qn("w:val")) not in ("0", "false")
    result.add(
        "奇偶页不同",
        even_odd,
        "页眉页脚奇偶页不同" if even_odd else "未设置奇偶页不同（w:evenAndOddHeaders）",
    )
    section = doc.sections[0]
    problems = [
        problem
        for problem in (
            _footer_number(styles, section.footer, "right", "单页"),
            _footer_number(styles, section.even_page_footer if even_odd else None, "left", "双页"),
        )
        if problem
    ]
    result.add("页码", not problems, "；".join(problems) or "「— N —」单页居右、双页居左")


# --- masthead, 版记 ------------------------------------------------------------------------


def _paragraphs(doc: Any) -> list[Any]:
    return list(doc.element.body.iter(qn("w:p")))


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()


def _snippet(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _style_name(styles: _Styles, p: Any) -> str:
    style = styles.of_paragraph(p)
    return _val(_path(style, "w:name")) or ""


def _masthead(doc: Any, styles: _Styles, result: Verification) -> None:
    heads = [p for p in _paragraphs(doc) if _style_name(styles, p) == L.MASTHEAD and _text(p)]
    if not heads:
        result.add("版头", True, "无版头（本文种不用）")
        return
    problems = []
    head = heads[0]
    colors = {_val(_path(r, "w:rPr", "w:color")) for r in head.iter(qn("w:r")) if _text(r)}
    style_color = styles.run_attr(styles.of_paragraph(head), "w:color")
    colors = {c or style_color for c in colors} or {style_color}
    if {str(c).upper() for c in colors} != {L.RED}:
        problems.append(f"发文机关标志「{_text(head)}」不是红色")
    numbers = [
        _text(p) for p in _paragraphs(doc) if _style_name(styles, p) == L.NUMBER and _text(p)
    ]
    for number in numbers:
        if not NUMBER_PATTERN.search(number):
            problems.append(f"发文字号「{number}」应形如「〔2026〕3号」")
    detail = f"「{_text(head)}」红色" + (f"，发文字号「{numbers[0]}」" if numbers else "")
    result.add("版头", not problems, "；".join(problems) or detail)


def _banji(doc: Any, styles: _Styles, result: Verification) -> None:
    names = {L.BANJI_CC, L.BANJI_PRINTER}
    filled = [p for p in _paragraphs(doc) if _text(p)]
    marks = [i for i, p in enumerate(filled) if _style_name(styles, p) in names]
    if not marks:
        result.add("版记", True, "无版记（本文种不用）")
        return
    after = [_text(p) for p in filled[marks[-1] + 1 :]]
    inside = [_text(filled[i]) for i in range(marks[0], marks[-1] + 1) if i not in marks]
    problems = []
    if after or inside:
        problems.append(f"版记之后还有内容「{(after or inside)[0][:20]}」，版记应在文末")
    last = filled[marks[-1]]
    if _path(last, "w:pPr", "w:pBdr", "w:bottom") is None:
        problems.append("版记末条分隔线缺失")
    result.add("版记", not problems, "；".join(problems) or "版记在文末，分隔线齐全")


# --- direct formatting ---------------------------------------------------------------------


def _direct(doc: Any, styles: _Styles, result: Verification) -> None:
    """Runs whose own font or size overrides their paragraph style (named by paragraph)."""
    problems: list[str] = []
    for number, p in enumerate(_paragraphs(doc), start=1):
        style = styles.of_paragraph(p)
        want_size = styles.run_attr(style, "w:sz")
        want_font = styles.font(style)
        aliases = next((a for a in L.FONT_ALIASES.values() if want_font in a), {want_font})
        what = set()
        line = _attr(_path(p, "w:pPr", "w:spacing"), "w:line")
        if line is not None and line != styles.para_attr(style, "w:spacing", "w:line"):
            what.add(f"行距 {int(line) / 20:g} 磅")
        for run in p.iter(qn("w:r")):
            rpr = run.find(qn("w:rPr"))
            if rpr is None or not _text(run):
                continue
            size = _val(rpr.find(qn("w:sz")))
            if size is not None and size != want_size:
                what.add(f"字号 {_pt(size)}")
            font = _attr(rpr.find(qn("w:rFonts")), "w:eastAsia")
            if font is not None and font not in aliases:
                what.add(f"字体 {font}")
        if what:
            problems.append(f"第 {number} 段「{_snippet(_text(p))}」{'、'.join(sorted(what))}")
    shown = "；".join(problems[:5]) + (f"；等 {len(problems)} 段" if len(problems) > 5 else "")
    result.add(
        "直接格式",
        not problems,
        f"覆盖样式的直接格式：{shown}" if problems else "没有覆盖样式的字体、字号或行距",
    )
