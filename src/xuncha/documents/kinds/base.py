"""What every kind shares: the scope it builds for, what it returns, the empty context
(context.md: every key present) and the ways figures and names are printed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.findings.choices import Category, Receiver
from xuncha.findings.models import Finding
from xuncha.planning.models import Assignment
from xuncha.planning.ordinals import chinese_number

Context = dict[str, Any]


class NothingToRender(ServiceError):
    """The data holds nothing for this document (no signed finding for a report, no
    lead for a transfer letter…): said instead of writing an empty document."""


@dataclass(frozen=True)
class Scope:
    """One inspected unit of a round (its assignment), who asks and the issuing office."""

    assignment: Assignment
    today: dt.date
    office: str  # 巡察工作领导小组办公室 as configured (settings.OFFICE_NAME)
    user: User | None = None

    @property
    def where(self) -> str:
        """「第3轮对某村」: how messages name the scope."""
        return f"{self.assignment.round.name}对{self.assignment.unit.name}"


@dataclass(frozen=True)
class Document:
    """One file: a DOCX context to render, or (the ledger) the file's bytes."""

    filename: str
    context: Context | None = None
    data: bytes | None = None


@dataclass
class Built:
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    build: Callable[[Scope], Built]


def blank(**doc: Any) -> Context:
    """A context with every key of context.md; ``doc`` fills the ``doc`` part."""
    base = {"issuer": "", "number": "", "masthead": False, "title": "", "addressee": "",
            "signer": "", "date": "", "cc": "", "printer": "", "printed_on": "",
            "banji": False}  # fmt: skip
    unknown = set(doc) - set(base)
    if unknown:
        raise TypeError(f"unknown doc keys: {sorted(unknown)}")
    return {"doc": {**base, **doc}, "intro": [], "sections": [], "table": None, "attachments": []}


def section(
    heading: str, paragraphs: Iterable[str] = (), subsections: Iterable[Context] = ()
) -> Context:
    return {"heading": heading, "paragraphs": list(paragraphs), "subsections": list(subsections)}


def subsection(
    heading: str, paragraphs: Iterable[str] = (), items: Iterable[Context] = ()
) -> Context:
    return {"heading": heading, "paragraphs": list(paragraphs), "items": list(items)}


def item(heading: str, paragraphs: Iterable[str] = ()) -> Context:
    return {"heading": heading, "paragraphs": list(paragraphs), "subitems": []}


def top(n: int) -> str:
    """一、 二、 … (the first heading level)."""
    return chinese_number(n) + "、"


def second(n: int) -> str:
    """（一） （二） … (the second heading level)."""
    return f"（{chinese_number(n)}）"


def cn_date(day: dt.date) -> str:
    """2026年12月4日 (Arabic digits, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: Decimal | int | None) -> str:
    """An exact amount in yuan: 246,500元, 1,234.56元."""
    value = Decimal(amount or 0).quantize(Decimal("0.01"))
    text = f"{value:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + "元"


def committee(office: str) -> str:
    """The party committee in the office's name: 中共湘南市委巡察工作领导小组办公室 →
    中共湘南市委 ("" when the name has none)."""
    match = re.match(r"中共.+?委", office.strip())
    return match.group(0) if match else ""


def team_issuer(scope: Scope) -> str:
    """The team's full name as it signs: 中共湘南市委第一巡察组."""
    name = scope.assignment.team.name.strip()
    if name.startswith("中共"):
        return name
    return committee(scope.office) + name


def leading_group(office: str) -> str:
    """The leading group the office serves: 中共湘南市委巡察工作领导小组."""
    return office.strip().removesuffix("办公室") or "巡察工作领导小组"


def short_committee(office: str) -> str:
    """湘南市委 from 中共湘南市委… ("" when there is none): 市委巡察办 and the like."""
    return committee(office).removeprefix("中共")


def receiver_body(receiver: str, office: str) -> str:
    """Who receives a lead, in full: 湘南市纪委监委, 湘南市委组织部 (纪委监委, 组织部 when
    the office's name has no committee)."""
    short = short_committee(office)
    if receiver == Receiver.DISCIPLINE:
        return f"{short.removesuffix('委')}纪委监委"
    return f"{short}组织部"


def grouped(findings: Iterable[Finding]) -> list[tuple[str, str, list[Finding]]]:
    """Findings by the three focuses, in their order: (code, label, findings), only
    the focuses that have some."""
    by: dict[str, list[Finding]] = {}
    for f in findings:
        by.setdefault(f.category, []).append(f)
    return [(code, label, by[code]) for code, label in Category.choices if code in by]


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(*parts: str, ext: str) -> str:
    """A Chinese file name safe on every system: no path separators or reserved
    characters, no leading dot, at most 120 characters before the extension."""
    name = "_".join(_UNSAFE.sub("－", p.strip()) for p in parts if p and p.strip())
    name = name.lstrip(". ")[:120] or "公文"
    return f"{name}.{ext}"


def base_name(scope: Scope, label: str, *more: str) -> str:
    a = scope.assignment
    return safe_name(a.round.name, a.unit.name, label, *more, ext="docx")


def common_doc(scope: Scope, *, title: str, date: dt.date, **doc: Any) -> Context:
    """The ``doc`` part every kind fills the same way (the 版记 by the office)."""
    return blank(
        issuer=doc.pop("issuer", team_issuer(scope)), title=title, date=cn_date(date),
        signer=doc.pop("signer", team_issuer(scope)), printer=scope.office,
        printed_on=f"{cn_date(date)}印发", **doc,
    )  # fmt: skip
