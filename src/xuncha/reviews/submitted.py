"""Reading an inspection report a lower-level office submitted (下级报送的巡察报告) from
its DOCX into ``Report.content`` (see :class:`xuncha.documents.models.Report`). Pure: no
Django, so :func:`read_report` runs in a child process under :mod:`xuncha.sandbox`.

The heuristics, and where they stop:

- Paragraphs of the body only (tables, headers, footers, text boxes are not read; a note
  says how many tables were left out). Empty paragraphs are skipped.
- Headings are recognised by their numbering, whatever the style: ``一、`` level 1,
  ``（一）`` level 2, ``1.`` / ``1、`` level 3, ``（1）`` level 4 (full- or half-width
  brackets, dots and digits). A numbered paragraph that goes on after its first sentence
  is split: the first sentence is the heading, the rest a paragraph under it.
  Paragraphs numbered otherwise (一是、二是, 第一) stay body text.
- Title: the first paragraphs before the first heading that look like a 公文 title
  (a style named 标题/Title, centred, or 18 pt and larger), skipping the masthead (…文件),
  the document number and a date line; else the first such paragraph at all. The number
  is the first 〔YYYY〕N号 before the body. Trailing signature, date and 版记 lines
  (抄送, …印发) are not body.
- Problems: the first top-level section whose heading names 问题 (发现的主要问题,
  存在的问题; not 线索, 意见/建议 or 整改). Under it, a （一） heading with items below is
  a group (its heading decides the category) and each item a problem; any other heading
  is one problem. Without headings, each paragraph is one (a summary such as 共N个 is
  not). A problem's text is its heading; ``basis`` the first sentence labelled 定性依据,
  else the first citing a rule (违反, 不符合, 第…条, 《…条例/规定/办法…》);
  ``responsible`` the first labelled 责任指向, else the first naming responsibility
  (负有…责任, 责任人, 主体责任…); ``amount`` the first 涉及金额…元. Category and
  subcategory are guessed by keywords (:data:`CATEGORY_WORDS`, :data:`SUBCATEGORY_WORDS`);
  a problem no keyword fits has none. Working papers are not in a DOCX: ``paper_signed``
  is False.
- Leads: the items (or, without items, the paragraphs that are not a summary) of the
  section naming 线索; ``handed_to`` from 纪委/纪检/监委 (discipline) or 组织部
  (organisation) in the lead or the headings above it; ``receiver`` the body named.
- Recommendations: the items (or paragraphs not ending in a colon) of the section naming
  意见 or 建议. Each is matched to problems by shared words (jieba's search mode,
  without generic words such as 加强、规范、问题): the problems sharing the most words,
  and those sharing at least half as many. Synonyms are missed and a shared word may
  be a coincidence: the reviewer reads the matches as a hint.
- ``figures`` is empty: a submitted report has no data behind its numbers.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_BYTES = 20 * 2**20  # a report with some pictures is a few MB
MAX_UNPACKED = 100 * 2**20  # what the zip directory may unpack to; more is a zip bomb
MAX_CHARS = 500_000  # body text; a long report is some 50,000 characters

# Category codes (xuncha.findings.choices.Category) and the words that suggest each.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "corruption": ("不正之风", "腐败", "群众身边", "惠民惠农", "三资", "侵占", "挪用",
                   "贪污", "冒领", "截留", "吃拿卡要", "优亲厚友", "工程项目"),
    "organisation": ("党组织", "软弱涣散", "组织力", "组织生活", "党建", "干部队伍",
                     "三会一课", "党员", "支部", "主题党日", "选人用人"),
    "policy": ("决策部署", "乡村振兴", "政策落实", "政策", "民生", "产业", "防返贫",
               "耕地", "人居环境"),
}  # fmt: skip
# Subcategory codes (xuncha.findings.choices.Subcategory), each starting with its category.
SUBCATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "corruption.funds": ("惠民惠农", "低保", "补贴", "补助", "救助", "冒领", "养老金", "特困"),
    "corruption.assets": ("三资", "集体资产", "集体资金", "集体资源", "集体土地", "发包", "租赁"),
    "corruption.projects": ("工程", "招投标", "招标", "工程款"),
    "corruption.style": ("作风", "公务接待", "公车", "吃喝", "八项规定", "形式主义", "官僚主义"),
    "organisation.weak": ("软弱涣散", "战斗堡垒", "凝聚力"),
    "organisation.life": ("组织生活", "三会一课", "主题党日", "民主生活会", "民主评议", "党费"),
    "organisation.cadres": ("干部队伍", "选人用人", "后备干部", "干部管理"),
    "policy.delivery": ("政策落实", "决策部署", "落实不到位", "贯彻"),
    "policy.industry": ("产业", "合作社", "扶贫项目"),
    "policy.livelihood": ("民生", "危房", "医保", "饮水", "住房", "养老"),
}  # fmt: skip
# Words too common in reports to tie a recommendation to a problem.
_GENERIC_WORDS = (
    "加强 规范 严格 进一步 完善 建立 健全 落实 问题 工作 情况 制度 机制 管理 责任 有关 相关 开展 推动 "
    "推进 切实 认真 深入 持续 全面 坚持 提高 提升 强化 确保 坚决 及时 依法 依规 监督 整改 意见 建议 "
    "巡察 单位 部门 存在 发现 违反 规定 条例 办法 负有 主要 领导 直接 要求 方面 不到位 不规范 "
    "不严格 不力 到位 加大 力度 党委 党组"
)
GENERIC = frozenset(_GENERIC_WORDS.split(" "))

_CN = "一二三四五六七八九十百零〇两"
_LEVELS = (
    (1, re.compile(rf"^[{_CN}]{{1,3}}[、,]")),
    (2, re.compile(rf"^\([{_CN}]{{1,3}}\)")),
    # "1.2023年以来" is a heading; "3.5万元" a decimal.
    (3, re.compile(r"^\d{1,3}(?:[、,]|\.(?!\d{1,3}(?!\d)))")),
    (4, re.compile(r"^\(\d{1,3}\)")),
)
_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,12}[〔\[［][12]\d{3}[〕\]］]\s*\d{1,4}\s*号")
_DATE = re.compile(rf"^[（(]?(?:\d{{4}}|[{_CN}]{{4}})年[\d{_CN}]{{1,3}}月[\d{_CN}]{{1,3}}日[）)]?$")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_SUMMARY = re.compile(r"(?:共|合计|总计)[^。]{0,16}?\d+\s*[件条个]|未发现|没有发现|分述如下")
_BASIS_LABEL = re.compile(r"^(?:定性依据|定性)[:：]\s*")
_BASIS = re.compile(
    rf"违反|违背|不符合|有悖|第[{_CN}\d]+条|《[^》]*(?:规定|条例|准则|办法|规则|意见|通知|法|制度)》"
)
_RESP_LABEL = re.compile(r"^(?:责任指向|责任认定|责任)[:：]\s*")
_RESP = re.compile(
    r"负有[^。；]*责任|负[^。；，]{0,8}责任|责任人|主体责任|监管责任|领导责任|直接责任"
)
_MATERIAL = re.compile(r"^(?:佐证材料|证据材料|证据)[:：]")
_AMOUNT = re.compile(
    r"(?:涉及金额|涉及资金|金额)(?:共计|合计|共|达|约)?\s*(\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.(\d+))?\s*(万|亿)?元"
)
_DISCIPLINE = re.compile(r"纪委|纪检|监委(?!会)|监察委")
_ORGANISATION = re.compile(r"组织部")
_RECEIVER = re.compile(
    r"(?:纪委监委|纪检监察组|纪检监察室|纪委|监委(?!会)|监察委员会|组织部)"
    rf"(?:第[{_CN}]{{1,3}}(?:监督检查室|纪检监察室|审查调查室))?"
)
# The place before a receiver (县纪委监委, 中共某县委组织部), without the verb before it.
_PLACE = re.compile(r"(?:中共)?[^\s，。、；：,;:移交送转由向到给至]{0,5}?(?:省|市|县|区|旗)委?")


class ReportRefused(Exception):
    """A file that is not a report this module can read; the message (Chinese) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class _Node:
    level: int
    heading: str
    title: str  # the heading without its number
    paragraphs: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def texts(self) -> Iterator[str]:
        """Its title, its paragraphs and its descendants', in reading order."""
        if self.title:
            yield self.title
        yield from self.paragraphs
        for c in self.children:
            yield from c.texts()


# --- the file ------------------------------------------------------------------------------


def _open(data: bytes) -> Any:
    if not data:
        raise ReportRefused("文件是空的（0 字节），不是 DOCX 文件")
    if len(data) > MAX_BYTES:
        raise ReportRefused(f"文件有 {len(data) / 2**20:.1f} MB，超过上限 {MAX_BYTES // 2**20} MB")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReportRefused(
            "是旧版 Word（.doc）或其他 Office 97 格式文件，不是 DOCX；请在 Word 中另存为 .docx"
        )
    if data[:5] == b"%PDF-":
        raise ReportRefused("是 PDF 文件，不是 DOCX；请提交 Word 文档（.docx）")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReportRefused("不是 DOCX 文件（不是 ZIP 压缩包；请用 Word 另存为 .docx）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ReportRefused(f"不是 DOCX 文件（ZIP 压缩包已损坏：{err}）") from err
    if "word/document.xml" not in names:
        raise ReportRefused("不是 DOCX 文件（压缩包中没有 word/document.xml）")
    if unpacked > MAX_UNPACKED:
        raise ReportRefused(
            f"解压后有 {unpacked / 2**20:,.0f} MB，超过上限 {MAX_UNPACKED // 2**20} MB"
            "（巡察报告通常解压后不足 10 MB；可能是压缩炸弹），已拒收"
        )
    from docx import Document

    try:
        return Document(io.BytesIO(data))
    except MemoryError:
        raise  # the sandbox reports its memory limit (a package that lied about its sizes)
    except Exception as err:  # python-docx raises many kinds on a broken package
        raise ReportRefused(f"DOCX 无法打开：{err}") from err


def _style_chain(p: Any) -> Iterator[Any]:
    style = p.style
    seen = 0
    while style is not None and seen < 10:
        yield style
        style, seen = style.base_style, seen + 1


def _title_like(p: Any) -> bool:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    names = " ".join(str(s.name or "") for s in _style_chain(p))
    if "Title" in names or ("标题" in names and "级标题" not in names):
        return True
    align = p.paragraph_format.alignment
    for s in _style_chain(p):
        if align is not None:
            break
        align = s.paragraph_format.alignment
    if align == WD_ALIGN_PARAGRAPH.CENTER:
        return True
    sizes = [r.font.size.pt for r in p.runs if r.font.size is not None and r.text.strip()]
    if not sizes:
        sizes = [s.font.size.pt for s in _style_chain(p) if s.font.size is not None][:1]
    return bool(sizes) and max(sizes) >= 18


def _clean(text: str) -> str:
    return " ".join(text.split())


# --- the body ------------------------------------------------------------------------------


def heading_level(text: str) -> int:
    """1–4 for a paragraph numbered 一、/（一）/1./（1）, else 0."""
    head = unicodedata.normalize("NFKC", text[:8])
    for level, pattern in _LEVELS:
        if pattern.match(head):
            return level
    return 0


def _split_heading(text: str, level: int) -> tuple[str, str, str]:
    """(heading, title, rest): a numbered paragraph going on after its first sentence
    is split there."""
    head = unicodedata.normalize("NFKC", text[:8])
    pattern = dict(_LEVELS)[level]
    m = pattern.match(head)
    # The number's length in the original text: NFKC keeps one character per character here.
    cut = len(m.group(0)) if m else 0
    first = _SENTENCE.match(text, cut)
    heading, rest = text, ""
    if first and first.end() < len(text) and first.group(0)[-1:] in "。！？!?":
        heading, rest = text[: first.end()], text[first.end() :].strip()
    return heading, heading[cut:].strip().rstrip("。"), rest


def _tree(paragraphs: list[str]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    intro = _Node(0, "", "")
    for text in paragraphs:
        level = heading_level(text)
        if level:
            heading, title, rest = _split_heading(text, level)
            node = _Node(level, heading, title, [rest] if rest else [])
            while stack and stack[-1].level >= level:
                stack.pop()
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        else:
            (stack[-1] if stack else intro).paragraphs.append(text)
    return ([intro] if intro.paragraphs else []) + roots


def _section(node: _Node, depth: int = 1) -> dict[str, Any]:
    key = {1: "subsections", 2: "items"}.get(depth, "subitems")
    return {"heading": node.heading, "paragraphs": list(node.paragraphs),
            key: [_section(c, depth + 1) for c in node.children]}  # fmt: skip


def _walk(nodes: list[_Node]) -> Iterator[_Node]:
    for n in nodes:
        yield n
        yield from _walk(n.children)


def _find(roots: list[_Node], test: Any) -> _Node | None:
    """The first top-level section passing ``test``, else the first at any depth."""
    return next((n for n in roots if test(n.title)), None) or next(
        (n for n in _walk(roots) if n.level and test(n.title)), None
    )


def _is_problems(title: str) -> bool:
    return "问题" in title and not re.search("线索|意见|建议|整改", title)


def _items(section: _Node) -> list[tuple[_Node | None, _Node | str]]:
    """(group heading or None, item) for the section's items: a （一） heading with
    items below is a group of them; without headings, its paragraphs that are not a
    summary."""
    if not section.children:
        return [(None, p) for p in section.paragraphs if not _SUMMARY.search(p)
                and not p.rstrip().endswith(("：", ":"))]  # fmt: skip
    found: list[tuple[_Node | None, _Node | str]] = []
    for child in section.children:
        if child.level == 2 and child.children:
            found += [(child, c) for c in child.children]
        else:
            found.append((None, child))
    return found


def _sentences(texts: Iterable[str]) -> list[str]:
    return [s.strip() for t in texts for s in _SENTENCE.findall(t) if s.strip()]


def _first(sentences: list[str], label: re.Pattern[str], pattern: re.Pattern[str]) -> str:
    for s in sentences:
        if label.match(s):
            return label.sub("", s, count=1).strip()
    for s in sentences:
        if not _MATERIAL.match(s) and pattern.search(s):
            return s
    return ""


def _guess(text: str, words: dict[str, tuple[str, ...]], prefix: str = "") -> str:
    scores = {code: sum(text.count(w) for w in ws) for code, ws in words.items()
              if code.startswith(prefix)}  # fmt: skip
    best = max(scores.values(), default=0)
    return next((c for c, n in scores.items() if n == best), "") if best else ""


def _amount(sentences: list[str]) -> str:
    for s in sentences:
        m = _AMOUNT.search(s)
        if m:
            try:
                value = Decimal(
                    re.sub("[,，]", "", m.group(1)) + (f".{m.group(2)}" if m.group(2) else "")
                )
            except InvalidOperation:
                continue
            value *= {"万": 10_000, "亿": 100_000_000}.get(m.group(3) or "", 1)
            return f"{value:.2f}"
    return ""


def _problem(group: _Node | None, item: _Node | str) -> dict[str, Any]:
    own = list(item.texts()) if isinstance(item, _Node) else [item]
    sentences = _sentences(own)
    text = item.title if isinstance(item, _Node) and item.title else (sentences[:1] or [""])[0]
    words = " ".join(own)
    category = _guess(group.title, CATEGORY_WORDS) if group is not None else ""
    category = category or _guess(words, CATEGORY_WORDS)
    sub = _guess(words, SUBCATEGORY_WORDS, category + "." if category else "")
    basis = _first(sentences, _BASIS_LABEL, _BASIS)
    responsible = _first(sentences, _RESP_LABEL, _RESP)
    described = [s for s in sentences if s not in (basis, responsible) and not _MATERIAL.match(s)
                 and not _BASIS_LABEL.match(s) and not _RESP_LABEL.match(s)]  # fmt: skip
    return {"finding": None, "category": category, "subcategory": sub or "", "text": text.rstrip("。"),
            "basis": basis, "responsible": responsible, "paper_signed": False,
            "amount": _amount(sentences),
            "_words": " ".join([*described, group.title if group is not None else ""])}  # fmt: skip


def _receiver(text: str) -> str:
    m = _RECEIVER.search(text)
    if m is None:
        return ""
    before = text[max(0, m.start() - 8) : m.start()]
    place = next((before[i:] for i in range(len(before)) if _PLACE.fullmatch(before[i:])), "")
    return place + m.group(0)


def _lead(group: _Node | None, item: _Node | str, above: str) -> dict[str, Any]:
    own = " ".join(item.texts()) if isinstance(item, _Node) else item
    text = item.title if isinstance(item, _Node) and item.title else own
    handed_to, receiver = "", ""
    for where in (own, group.title if group is not None else "", above):
        d, o = _DISCIPLINE.search(where), _ORGANISATION.search(where)
        if d or o:
            handed_to = "discipline" if d and (not o or d.start() < o.start()) else "organisation"
            receiver = _receiver(where)
            break
    return {"lead": None, "text": text.rstrip("。"), "handed_to": handed_to, "receiver": receiver}


def read_report(data: bytes) -> dict[str, Any]:
    """``{"title", "number", "content", "notes"}`` read from a DOCX (recommendations not
    yet matched to problems: see :func:`match`); raises :class:`ReportRefused`."""
    doc = _open(data)
    paragraphs = [(p, _clean(p.text)) for p in doc.paragraphs]
    paragraphs = [(p, t) for p, t in paragraphs if t]
    notes: list[str] = []
    first_heading = next(
        (i for i, (_, t) in enumerate(paragraphs) if heading_level(t)), len(paragraphs)
    )
    head = paragraphs[:first_heading]
    number = next((m.group(0) for _, t in head if (m := _NUMBER.search(t))), "")
    number = re.sub(r"\s+", "", number).translate(str.maketrans("[]［］", "〔〕〔〕"))

    def masthead(t: str) -> bool:
        return t.endswith("文件") or bool(_NUMBER.fullmatch(t)) or bool(_DATE.match(t))

    title_at: list[int] = []
    for i, (p, t) in enumerate(head):
        if masthead(t):
            if title_at:
                break
            continue
        if _title_like(p) and len(title_at) < 3:
            title_at.append(i)
        elif title_at:
            break
    if not title_at:
        first = next((i for i, (_, t) in enumerate(head) if not masthead(t)), None)
        title_at = [first] if first is not None else []
    title = "".join(head[i][1] for i in title_at)[:200]
    if not title:
        notes.append("未找到报告标题（正文前居中或大号字的一段）。")
    body_head = [t for i, (_, t) in enumerate(head) if i not in title_at and not masthead(t)
                 and not (t.endswith(("：", ":")) and len(t) <= 40)]  # fmt: skip
    body = body_head + [t for _, t in paragraphs[first_heading:]]
    while body and (_DATE.match(body[-1]) or body[-1].endswith("印发")
                    or body[-1].startswith(("抄送", "抄报", "（此件", "(此件"))):  # fmt: skip
        dated = bool(_DATE.match(body.pop()))
        if dated and body and len(body[-1]) <= 30 and not re.search("[。，；,]", body[-1]):
            body.pop()  # the signature above the date
    if not body:
        raise ReportRefused("文件中没有正文（只有标题或空白），不像一份巡察报告")
    if sum(len(t) for t in body) > MAX_CHARS:
        raise ReportRefused(f"正文超过 {MAX_CHARS:,} 字，不像一份巡察报告")
    if doc.tables:
        notes.append(f"文件中有 {len(doc.tables)} 个表格，表格内容未读取。")
    roots = _tree(body)
    problems: list[dict[str, Any]] = []
    section = _find(roots, _is_problems)
    if section is None:
        notes.append("未找到标题含“问题”的部分（如“二、发现的主要问题”），未识别出问题。")
    else:
        problems = [_problem(g, item) for g, item in _items(section)]
    leads: list[dict[str, Any]] = []
    section = _find(roots, lambda t: "线索" in t)
    if section is not None:
        leads = [_lead(g, item, section.title) for g, item in _items(section)]
    recommendations: list[dict[str, Any]] = []
    section = _find(roots, lambda t: bool(re.search("意见|建议", t)) and "线索" not in t)
    if section is None:
        notes.append("未找到标题含“意见”或“建议”的部分，未识别出意见建议。")
    else:
        for _, item in _items(section):
            own = list(item.texts()) if isinstance(item, _Node) else [item]
            text = item.title if isinstance(item, _Node) and len(item.title) >= 4 else " ".join(own)
            recommendations.append(
                {"text": text.rstrip("。"), "problems": [], "_words": " ".join(own)}
            )
    unknown = [str(i) for i, p in enumerate(problems, 1) if not p["category"]]
    if unknown:
        notes.append(f"问题 {'、'.join(unknown)} 未能判断所属类别（“三个聚焦”）。")
    content = {"sections": [_section(n) for n in roots], "problems": problems, "leads": leads,
               "recommendations": recommendations, "figures": {}}  # fmt: skip
    return {"title": title, "number": number, "content": content, "notes": notes}


# --- recommendations to problems -----------------------------------------------------------


def _words(text: str) -> set[str]:
    from xuncha.common.chinese import tokenizer

    return {w for w in tokenizer().cut_for_search(text)
            if len(w) > 1 and w not in GENERIC and not re.search(r"\d", w)
            and re.search(r"[\u4e00-\u9fff]", w)}  # fmt: skip


def match(parsed: dict[str, Any]) -> dict[str, Any]:
    """Match each recommendation of :func:`read_report`'s result to the problems sharing
    the most words with it (and those sharing at least half as many); drops the working
    keys. Returns ``parsed``, changed in place."""
    content = parsed["content"]
    problems = [_words(p.pop("_words", "") + " " + p["text"]) for p in content["problems"]]
    for rec in content["recommendations"]:
        mine = _words(rec.pop("_words", "") + " " + rec["text"])
        shared = [len(mine & p) for p in problems]
        best = max(shared, default=0)
        if best:
            floor = max(1, math.ceil(best / 2))
            rec["problems"] = [i for i, n in enumerate(shared) if n >= floor]
    unmatched = [str(i) for i, r in enumerate(content["recommendations"], 1) if not r["problems"]]
    if unmatched and content["problems"]:
        parsed["notes"].append(
            f"意见建议 {'、'.join(unmatched)} 与所列问题没有共同的词语，未能对应到问题。"
        )
    return parsed


def parse_report(data: bytes) -> dict[str, Any]:
    """``{"title", "number", "content", "notes"}``: the report's title, its number
    (〔YYYY〕N号 or ""), its content per ``Report``'s docstring, and notes (Chinese) on
    what could not be read; raises :class:`ReportRefused` (Chinese) for a file that is
    not a readable report."""
    return match(read_report(data))
