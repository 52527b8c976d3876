"""The one shipped docxtpl template, rendering, and the validation of an office's own template.

Every kind renders one template with the context of ``/work/notes/context.md`` (``doc``,
``intro``, ``sections``, ``table``, ``attachments``); masthead and 版记 are switched by data
(``doc.masthead``, ``doc.banji``), so one template serves every kind. An office replaces it
with its own DOCX (the shipped one edited in Word); :func:`validate_template` refuses one that
is not a DOCX, does not parse, or lacks a required field, naming what is wrong.

A template comes from outside: callers parsing an uploaded one run :func:`validate_template`
through ``xuncha.sandbox`` (``TemplateRefused`` pickles and is raised again in the caller).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateError, TemplateSyntaxError, nodes

from xuncha.documents.official import layout as L

# What every template must use; a kind with a table also needs TABLE_FIELDS.
REQUIRED_FIELDS: tuple[str, ...] = ("doc.title", "doc.date", "sections")
TABLE_FIELDS: tuple[str, ...] = ("table",)


class TemplateRefused(Exception):
    """A template that cannot be used; the message (Chinese) says what is wrong and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- the shipped template ------------------------------------------------------------------


@functools.cache
def shipped_template() -> bytes:
    """The generic template built from ``layout``: masthead, title, body levels, table, 版记."""
    doc = L.new_document()

    def p(text: str, style: str = L.BODY) -> Any:
        return L.add_paragraph(doc, text, style)

    def tag(text: str) -> None:
        p("{%p " + text + " %}")

    tag("if doc.masthead")
    p("{{ doc.issuer }}", L.MASTHEAD)
    p("", L.ADDRESSEE)
    p("{{ doc.number }}", L.NUMBER)
    p("", L.ADDRESSEE)
    p("", L.ADDRESSEE)
    tag("endif")
    p("{{ doc.title }}", L.TITLE)
    tag("if doc.addressee")
    p("", L.ADDRESSEE)
    p("{{ doc.addressee }}", L.ADDRESSEE)
    tag("endif")
    _paragraphs(tag, p, "intro")
    _level(tag, p, 1, "sections", "s1")
    _table(doc, tag, p)
    tag("if attachments")
    p("", L.ADDRESSEE)
    tag("for name in attachments")
    p(
        '{{ "附件：" if loop.first else "　　　" }}'
        '{{ loop.index ~ "." if attachments|length > 1 else "" }}{{ name }}',
        L.ATTACHMENT,
    )
    tag("endfor")
    tag("endif")
    p("", L.ADDRESSEE)
    tag("if doc.signer")
    p("{{ doc.signer }}", L.SIGNER)
    tag("endif")
    p("{{ doc.date }}", L.DATE)
    _banji(tag, p)
    doc.core_properties.title = "{{ doc.title|safe }}"  # docxtpl renders it, unescaped
    return L.to_bytes(doc)


_CHILDREN = {1: ("subsections", "s2"), 2: ("items", "s3"), 3: ("subitems", "s4")}


def _paragraphs(tag: Any, p: Any, source: str) -> None:
    tag(f"for text in {source}")
    p("{{ text }}")
    tag("endfor")


def _level(tag: Any, p: Any, level: int, source: str, var: str) -> None:
    tag(f"for {var} in {source}")
    tag(f"if {var}.heading")
    p(f"{{{{ {var}.heading }}}}", L.HEADINGS[level - 1])
    tag("endif")
    _paragraphs(tag, p, f'{var}["paragraphs"]')
    if level in _CHILDREN:
        child, child_var = _CHILDREN[level]
        _level(tag, p, level + 1, f'{var}["{child}"]', child_var)
    tag("endfor")


def _table(doc: Any, tag: Any, p: Any) -> None:
    tag("if table")
    tag("if table.caption")
    p("{{ table.caption }}", L.CAPTION)
    tag("endif")
    table = L.add_table(
        doc,
        ["{%tc for h in table.header %}", "{{ h }}", "{%tc endfor %}"],
        [
            ["{%tr for row in table.rows %}", "", ""],
            ["{%tc for cell in row %}", "{{ cell }}", "{%tc endfor %}"],
            ["{%tr endfor %}", "", ""],
        ],
    )
    for row in table.rows:
        for cell in row.cells:
            tcpr = cell._tc.get_or_add_tcPr()
            for old in list(tcpr):
                tcpr.remove(old)
            tcpr.append(parse_xml(f'<w:tcW {nsdecls("w")} w:w="0" w:type="auto"/>'))
    # An empty paragraph keeps the table from touching what follows.
    p("", L.ADDRESSEE)
    tag("endif")


def _banji(tag: Any, p: Any) -> None:
    tag("if doc.banji")
    p("", L.ADDRESSEE)
    tag("if doc.cc")
    cc = p("\t抄送：{{ doc.cc }}", L.BANJI_CC)
    L.banji_borders(cc, top=True, bottom=L.BORDER_THIN)
    printer = p("\t{{ doc.printer }}\t{{ doc.printed_on }}", L.BANJI_PRINTER)
    L.banji_borders(printer, top=False, bottom=L.BORDER_THICK)
    tag("else")
    printer = p("\t{{ doc.printer }}\t{{ doc.printed_on }}", L.BANJI_PRINTER)
    L.banji_borders(printer, top=True, bottom=L.BORDER_THICK)
    tag("endif")
    tag("endif")


# --- rendering -----------------------------------------------------------------------------


def render(template: bytes, context: dict[str, Any]) -> bytes:
    """Render a template (bytes of a DOCX) with a context; autoescape is on.

    Raises ``TemplateRefused`` when the template cannot be rendered (the message names where).
    """
    _open(template)
    tpl = DocxTemplate(io.BytesIO(template))
    try:
        tpl.render(context, autoescape=True)
    except (TemplateError, TypeError, ValueError, AttributeError) as err:
        raise TemplateRefused(f"模板渲染失败：{_where(err, _body_lines(template))}") from err
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# --- validation ----------------------------------------------------------------------------


# What a template may unpack to, by its zip directory: a Word template with its styles and a
# few pictures is well under this; more is a zip bomb (the sandbox's memory limit backs it up).
MAX_UNPACKED = 64 * 2**20


def _open(data: bytes) -> Any:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateRefused("模板不是 DOCX 文件（不是 ZIP 压缩包；请用 Word 另存为 .docx）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        raise TemplateRefused(f"模板不是 DOCX 文件（ZIP 压缩包已损坏：{err}）") from err
    if "word/document.xml" not in names:
        raise TemplateRefused("模板不是 DOCX 文件（压缩包中没有 word/document.xml）")
    if unpacked > MAX_UNPACKED:
        raise TemplateRefused(
            f"模板解压后有 {unpacked / 2**20:,.0f} MB，超过上限 {MAX_UNPACKED // 2**20} MB"
            "（公文模板通常不足 1 MB；可能是压缩炸弹），不予安装"
        )
    try:
        return Document(io.BytesIO(data))
    except MemoryError:
        raise  # the sandbox reports its memory limit (a package that lied about its sizes)
    except Exception as err:  # python-docx raises many kinds on a broken package
        raise TemplateRefused(f"模板 DOCX 无法打开：{err}") from err


def _sources(data: bytes) -> list[str]:
    """The template's Jinja source: the body, then headers and footers (as docxtpl sees them)."""
    tpl = DocxTemplate(io.BytesIO(data))
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return [re.sub(r"<w:p([ >])", r"\n<w:p\1", xml) for xml in parts]


def _body_lines(data: bytes) -> list[str]:
    try:
        return _sources(data)[0].splitlines()
    except Exception:
        return []


def _where(err: Exception, lines: list[str]) -> str:
    """「在「text」附近：message」 from a Jinja error (the source has one line per paragraph;
    docxtpl's {%p %} tags join their neighbours, so the text may span a few paragraphs)."""
    lineno = getattr(err, "lineno", None)
    message = str(err) or type(err).__name__
    if not lineno or lineno > len(lines):
        return message
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
    if len(text) > 60:
        text = text[:59] + "…"
    return f"在「{text}」附近：{message}"


def _parse(data: bytes) -> list[nodes.Template]:
    env = Environment()
    trees = []
    for index, source in enumerate(_sources(data)):
        try:
            tree = env.parse(source)
            env.compile(tree)  # unknown filters and tests fail here, not at rendering
            trees.append(tree)
        except TemplateSyntaxError as err:
            where = _where(err, source.splitlines())
            part = "正文" if index == 0 else "页眉页脚"
            raise TemplateRefused(f"模板语法错误（{part}）：{where}") from err
    return trees


def _dotted(node: nodes.Node) -> list[str] | None:
    """['doc', 'title'] for ``doc.title`` / ``doc["title"]``; None for anything else."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, str(node.arg.value)]
    return None


def _fields(tree: nodes.Template) -> set[str]:
    bound = {"loop"}
    for target in tree.find_all((nodes.For, nodes.Assign, nodes.With, nodes.Macro)):
        for name in target.find_all(nodes.Name):
            if name.ctx in ("store", "param"):
                bound.add(name.name)
    fields: set[str] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        path = _dotted(node)
        if path and path[0] not in bound:
            fields.update(".".join(path[: i + 1]) for i in range(len(path)))
    return fields


def template_fields(data: bytes) -> set[str]:
    """Every context field a template uses, dotted (``doc``, ``doc.title``, ``sections``...)."""
    _open(data)
    fields: set[str] = set()
    for tree in _parse(data):
        fields |= _fields(tree)
    return fields


def validate_template(data: bytes, *, required: Iterable[str] = REQUIRED_FIELDS) -> None:
    """Refuse (``TemplateRefused``) a template that is not a DOCX, does not parse, or lacks a
    required field; the message names each missing one (「模板缺少必需字段：doc.title、sections」)."""
    fields = template_fields(data)
    missing = [name for name in required if name not in fields]
    if missing:
        raise TemplateRefused("模板缺少必需字段：" + "、".join(missing))


__all__ = [
    "REQUIRED_FIELDS",
    "TABLE_FIELDS",
    "TemplateRefused",
    "render",
    "sample_context",
    "shipped_template",
    "template_fields",
    "validate_template",
]


def sample_context(*, paragraphs: int = 2, table: bool = True) -> dict[str, Any]:
    """A complete context of made-up text: previews of a template, and the tests.

    ``paragraphs`` is the number of body paragraphs under each heading (more makes a long
    document for the visual check).
    """
    text = (
        "根据市委巡察工作统一部署，市委第一巡察组于2026年9月至11月对某某局党组开展了常规巡察，"
        "通过个别谈话、受理信访、调阅资料、数据比对等方式，深入了解掌握有关情况。"
    )
    body = [text] * paragraphs
    return {
        "doc": {
            "issuer": "中共某某市委第一巡察组",
            "number": "市巡一〔2026〕3号",
            "masthead": True,
            "title": "关于巡察某某局党组的情况报告",
            "addressee": "市委巡察工作领导小组：",
            "signer": "中共某某市委第一巡察组",
            "date": "2026年12月4日",
            "cc": "市纪委监委，市委组织部。",
            "printer": "中共某某市委巡察工作领导小组办公室",
            "printed_on": "2026年12月4日印发",
            "banji": True,
        },
        "intro": [text],
        "sections": [
            {
                "heading": f"{number}、{name}",
                "paragraphs": body,
                "subsections": [
                    {
                        "heading": "（一）贯彻落实党中央决策部署不到位",
                        "paragraphs": body,
                        "items": [
                            {
                                "heading": "1.落实惠民政策有差距",
                                "paragraphs": body,
                                "subitems": [
                                    {"heading": "（1）补贴发放不精准", "paragraphs": body}
                                ],
                            }
                        ],
                    }
                ],
            }
            for number, name in (("一", "主要问题"), ("二", "意见建议"), ("三", "问题线索"))
        ],
        "table": (
            {
                "caption": "问题清单",
                "header": ["序号", "问题", "金额（元）", "依据"],
                "rows": [
                    [str(i), "违规发放补贴 <超标准> & 重复", "12,300.00", "审计资料"]
                    for i in range(1, 4)
                ],
            }
            if table
            else None
        ),
        "attachments": ["问题清单", "问题线索移交情况"],
    }
