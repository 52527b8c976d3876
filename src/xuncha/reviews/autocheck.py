"""The automatic checks of a report's content (pure functions: no database).

Each check reads ``Report.content`` (see :class:`xuncha.documents.models.Report`) and,
when it fires, explains itself naming the problems, leads, recommendations or numbers
concerned, numbered as the report lists them (问题 1 is ``problems[0]``). Content a
lower-level office submitted may lack keys or hold odd values; a check reads what is
there and never raises on it.

Numbers without a source: every Arabic number of the body's paragraphs, except what is
not a quantity (dates and years, 第N, 〔2026〕, enumerations such as "1." or "（1）" at
the start of a paragraph), must equal a value of ``figures``, a problem's amount or the
count of problems, leads or recommendations. Digits inside a name in 《》 or 「」 (a file,
a sheet, a regulation) are not numbers. 万 and 亿 scale a number (12.6万 = 126000),
in the text and in the figures alike; thousands separators are ignored. A submitted
report without figures (one read from its DOCX) has no data its numbers could come
from: they are not checked, and :func:`notes` says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from xuncha.findings.choices import Receiver, Subcategory

from .models import FlagKind

NAMED = 8  # items named in an explanation; the rest are counted
_NUMBER = re.compile(r"(?<![\d.．])(\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．](\d+))?\s*([%％]|万|亿)?")
_NOT_QUANTITY_AFTER = tuple("年月日号时届轮期〕]")
_NOT_QUANTITY_BEFORE = tuple("第〔[")
_SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# Names, not quantities: a file or document in 《》 or 「」 (《证据12.pdf》, 「Sheet1」).
_NAMES = re.compile(r"《[^》]*》|「[^」]*」")


@dataclass
class FlagSpec:
    kind: str
    explanation: str
    items: list[Any] = field(default_factory=list)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _short(text: Any, size: int = 24) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _named(parts: Sequence[str]) -> str:
    more = f"等 {len(parts)} 处" if len(parts) > NAMED else ""
    return "、".join(parts[:NAMED]) + more


def _problem(i: int, problems: list[Any]) -> str:
    p = problems[i] if isinstance(problems[i], Mapping) else {}
    return f"问题 {i + 1}「{_short(p.get('text'))}」"


def signed_paper(problem: Mapping[str, Any], signed: set[int] | None) -> bool:
    """A problem naming a finding reads the finding's working paper as it is now
    (``signed``: the signed finding ids; None when papers are not readable); otherwise
    the report's own ``paper_signed``."""
    finding = problem.get("finding")
    if signed is not None and isinstance(finding, int) and not isinstance(finding, bool):
        return finding in signed
    return problem.get("paper_signed") is True


def unsigned_papers(problems: list[Any], signed: set[int] | None) -> FlagSpec | None:
    bad = [
        i
        for i, p in enumerate(problems)
        if not signed_paper(p if isinstance(p, Mapping) else {}, signed)
    ]
    if not bad:
        return None
    return FlagSpec(FlagKind.UNSIGNED_PAPER, f"{len(problems)} 个问题中 {len(bad)} 个没有签批完成的"
                    f"问题底稿（承办人、副组长、组长三级签批）：{_named([_problem(i, problems) for i in bad])}。", bad)  # fmt: skip


def incomplete(problems: list[Any]) -> FlagSpec | None:
    parts, bad = [], []
    for i, p in enumerate(problems):
        p = p if isinstance(p, Mapping) else {}
        missing = [w for key, w in (("basis", "定性依据"), ("responsible", "责任指向"))
                   if not str(p.get(key) or "").strip()]  # fmt: skip
        if missing:
            bad.append(i)
            parts.append(f"{_problem(i, problems)}缺{'和'.join(missing)}")
    if not bad:
        return None
    return FlagSpec(FlagKind.INCOMPLETE, f"{len(bad)} 个问题未按“现象 + 定性依据 + 责任指向”"
                    f"三段式写全：{_named(parts)}。", bad)  # fmt: skip


def _walk(sections: list[Any]) -> Iterator[tuple[str, str]]:
    """(heading, paragraph) for every paragraph of the body, at every level."""
    for s in sections:
        if not isinstance(s, Mapping):
            continue
        heading = str(s.get("heading") or "")
        for p in _list(s.get("paragraphs")):
            yield heading, str(p)
        for key in ("subsections", "items", "subitems"):
            yield from _walk(_list(s.get(key)))


def headings(sections: Any) -> list[str]:
    """Every heading of the body, in order (the sections a comment may be anchored to)."""
    found: list[str] = []
    for s in _list(sections):
        if isinstance(s, Mapping):
            if str(s.get("heading") or "").strip():
                found.append(str(s["heading"]).strip())
            for key in ("subsections", "items", "subitems"):
                found += headings(_list(s.get(key)))
    return found


def outline(sections: Any, depth: int = 1) -> list[tuple[int, str, list[str]]]:
    """The body as (level, heading, paragraphs), in reading order (for the page)."""
    found: list[tuple[int, str, list[str]]] = []
    for s in _list(sections):
        if isinstance(s, Mapping):
            found.append(
                (depth, str(s.get("heading") or ""), [str(p) for p in _list(s.get("paragraphs"))])
            )
            for key in ("subsections", "items", "subitems"):
                found += outline(_list(s.get(key)), depth + 1)
    return found


def _value(whole: str, fraction: str | None, unit: str | None) -> Decimal | None:
    try:
        value = Decimal(
            whole.replace(",", "").replace("，", "") + (f".{fraction}" if fraction else "")
        )
    except InvalidOperation:
        return None
    return value * _SCALE.get(unit or "", Decimal(1))


def quantities(text: str, *, all_numbers: bool = False) -> Iterator[tuple[str, Decimal]]:
    """(as written, value) for each number of ``text`` that is a quantity."""
    for m in _NUMBER.finditer(text):
        before, after = text[: m.start()].rstrip()[-1:], text[m.end() :].lstrip()[:1]
        if not all_numbers:
            if before in _NOT_QUANTITY_BEFORE or (not m.group(3) and after in _NOT_QUANTITY_AFTER):
                continue
            if (m.start() == 0 and after in (".", "．", "、")) or (
                before in "（(" and before and after in "）)"
            ):
                continue
        value = _value(m.group(1), m.group(2), m.group(3))
        if value is not None:
            yield m.group(0).strip(), value


def sources(content: Mapping[str, Any]) -> set[Decimal]:
    """Every value the body's numbers may come from (see the module's docstring)."""
    found: set[Decimal] = set()
    figures = content.get("figures")
    for fig in figures.values() if isinstance(figures, Mapping) else []:
        text = str(fig.get("value", "")) if isinstance(fig, Mapping) else str(fig)
        for _, value in quantities(text, all_numbers=True):
            found.add(value)
    problems = _list(content.get("problems"))
    for p in problems:
        amount = p.get("amount") if isinstance(p, Mapping) else None
        for _, value in quantities(str(amount or ""), all_numbers=True):
            found.add(value)
    for key in ("problems", "leads", "recommendations"):
        found.add(Decimal(len(_list(content.get(key)))))
    return found


def unsourced(content: Mapping[str, Any]) -> FlagSpec | None:
    known, bad = sources(content), []
    for heading, paragraph in _walk(_list(content.get("sections"))):
        for written, value in quantities(_NAMES.sub("", paragraph)):
            if value not in known:
                bad.append({"number": written, "section": heading})
    if not bad:
        return None
    parts = [f"“{b['number']}”（{_short(b['section'], 16) or '正文'}）" for b in bad]
    return FlagSpec(FlagKind.UNSOURCED, f"正文中 {len(bad)} 个数字在报告数据（数据表、问题金额）"
                    f"中找不到出处：{_named(parts)}。", bad)  # fmt: skip


def leads_without_route(leads: list[Any]) -> FlagSpec | None:
    parts, bad = [], []
    for i, lead in enumerate(leads):
        lead = lead if isinstance(lead, Mapping) else {}
        to, receiver = str(lead.get("handed_to") or ""), str(lead.get("receiver") or "").strip()
        name = f"线索 {i + 1}「{_short(lead.get('text'))}」"
        if not to and not receiver:
            parts.append(f"{name}未写明移交对象和接收单位")
        elif to and to not in Receiver.values:
            parts.append(f"{name}的移交对象「{to}」无法识别（应为纪委监委或组织部）")
        else:
            continue
        bad.append(i)
    if not bad:
        return None
    return FlagSpec(
        FlagKind.LEAD_NO_ROUTE, f"{len(bad)} 条问题线索没有处置去向：{_named(parts)}。", bad
    )


def trivial(problems: list[Any], low_weight: Sequence[str]) -> FlagSpec | None:
    """More than half of the problems in the rubric's low-weight subcategories."""
    low = set(low_weight)
    subs = [str(p.get("subcategory") or "") if isinstance(p, Mapping) else "" for p in problems]
    bad = [i for i, s in enumerate(subs) if s in low]
    if not problems or len(bad) * 2 <= len(problems):
        return None
    labels = dict(Subcategory.choices)
    by = Counter(subs[i] for i in bad)
    kinds = "、".join(f"{labels.get(s, s)} {n} 个" for s, n in by.most_common())
    return FlagSpec(FlagKind.TRIVIAL, f"{len(problems)} 个问题中 {len(bad)} 个属于次要问题类别"
                    f"（{kinds}），超过一半，主要问题可能被淹没。", bad)  # fmt: skip


def unmatched(recommendations: list[Any], problems: list[Any]) -> FlagSpec | None:
    parts, bad = [], []
    for i, rec in enumerate(recommendations):
        rec = rec if isinstance(rec, Mapping) else {}
        refs = _list(rec.get("problems"))
        valid = [
            r
            for r in refs
            if isinstance(r, int) and not isinstance(r, bool) and 0 <= r < len(problems)
        ]
        if valid:
            continue
        name = f"建议 {i + 1}「{_short(rec.get('text'))}」"
        wrong = [str(r + 1 if isinstance(r, int) else r) for r in refs]
        parts.append(
            f"{name}所列问题 {'、'.join(wrong)} 不在报告中" if refs else f"{name}未对应任何问题"
        )
        bad.append(i)
    if not bad:
        return None
    return FlagSpec(
        FlagKind.UNMATCHED, f"{len(bad)} 条意见建议与报告所列问题对应不上：{_named(parts)}。", bad
    )


NUMBERS_UNCHECKED = "下级报送的报告没有数据出处，数字未核对。"


def numbers_unchecked(content: Any, *, submitted: bool) -> bool:
    """A submitted report without figures (one read from its DOCX): its numbers have no
    data to be checked against, so the numbers check does not run on it."""
    figures = content.get("figures") if isinstance(content, Mapping) else None
    return submitted and not figures


def notes(content: Any, *, submitted: bool) -> list[str]:
    """What the checks could not check on ``content``, explained (not findings)."""
    if numbers_unchecked(content, submitted=submitted):
        return [f"{FlagKind.UNSOURCED.label}：{NUMBERS_UNCHECKED}"]
    return []


def check_content(
    content: Mapping[str, Any], *, low_weight: Sequence[str], signed: set[int] | None,
    submitted: bool = False,
) -> list[FlagSpec]:  # fmt: skip
    """Every check that fires on ``content``, in :class:`FlagKind`'s order. The numbers
    of a submitted report without figures are not checked (:func:`notes` says so)."""
    content = content if isinstance(content, Mapping) else {}
    problems = _list(content.get("problems"))
    found = [
        unsigned_papers(problems, signed),
        incomplete(problems),
        None if numbers_unchecked(content, submitted=submitted) else unsourced(content),
        leads_without_route(_list(content.get("leads"))),
        trivial(problems, low_weight),
        unmatched(_list(content.get("recommendations")), problems),
    ]
    return [f for f in found if f is not None]


def finding_ids(content: Mapping[str, Any]) -> set[int]:
    """The finding ids the content's problems name."""
    problems = _list(content.get("problems")) if isinstance(content, Mapping) else []
    return {p["finding"] for p in problems
            if isinstance(p, Mapping) and isinstance(p.get("finding"), int) and not isinstance(p["finding"], bool)}  # fmt: skip
