"""督办函: the office's letter on one 督办 of a red or yellow card, as a GB/T 9704 DOCX.

Not one of :data:`~xuncha.documents.kinds.KINDS` (those are a round's unit's): a letter
is one 督办 record's, had from its letter page (``cards:letter_docx``) by whoever may
open that page. It says what the page says (:func:`xuncha.supervision.cards.supervision_letter`
gives the record and its number 督办〔年〕N号) under the office's red masthead, and renders
with the office's own template for 督办函 when it installed one.

The body is one section without a heading, not ``intro``: every accepted template prints
``sections`` (a required field), so an office's template cannot drop the letter's body.
"""

from __future__ import annotations

from django.utils import timezone

from xuncha.documents.models import DocumentKind
from xuncha.supervision.models import CardSupervision

from .base import Document, blank, cn_date, safe_name, section
from .problems import sentence

KIND = DocumentKind.SUPERVISION.value
CLOSING = "请抓紧整改，并在巡察工作台的整改台账中如实报告整改进展。"


def letter_number(letter: CardSupervision, number: int) -> str:
    """督办〔2026〕3号: the year the letter was issued (local time) and its order in it."""
    return f"督办〔{timezone.localtime(letter.created_at).year}〕{number}号"


def build(letter: CardSupervision, number: int, *, office: str) -> Document:
    """The letter's file name and context (context.md): the office's masthead and
    number, the unit addressed, the item and its card, the 督办 as written, the office
    signing on the day it was issued, the 版记."""
    card = letter.card
    item = card.item
    day = timezone.localtime(letter.created_at).date()
    colour = card.get_colour_display()
    ctx = blank(
        issuer=office, number=letter_number(letter, number), masthead=True,
        title=f"关于{colour}整改事项的督办函", addressee=f"{item.unit.name}：", signer=office,
        date=cn_date(day), printer=office, printed_on=f"{cn_date(day)}印发", banji=True,
    )  # fmt: skip
    what = " ".join(item.finding.description.split()).rstrip("。")
    deadline = f"（整改时限{cn_date(item.deadline)}）" if item.deadline else ""
    cleared = f"，已于{cn_date(card.cleared_on)}撤牌" if card.cleared_on else ""
    facts = (
        f"你单位整改事项#{item.pk}「{what}」{deadline}因{card.get_reason_display()}，"
        f"于{cn_date(card.first_seen)}被亮{colour}{cleared}。"
    )
    text = [sentence(line) for line in letter.text.splitlines() if line.strip()]
    by = letter.by.get_full_name() or letter.by.username
    ctx["sections"] = [section("", [facts, *text, CLOSING, f"（经办人：{by}）"])]
    name = safe_name("督办函", letter_number(letter, number), item.unit.name, ext="docx")
    return Document(name, ctx)


def render_letter(letter: CardSupervision, number: int, *, office: str) -> tuple[str, bytes]:
    """The letter as (file name, DOCX bytes), rendered with the 督办函 template in use
    (the office's installed one, else the shipped one)."""
    from xuncha.documents.official.templates import render
    from xuncha.documents.store import template_for

    document = build(letter, number, office=office)
    return document.filename, render(template_for(KIND), document.context or {})


__all__ = ["KIND", "build", "letter_number", "render_letter"]
