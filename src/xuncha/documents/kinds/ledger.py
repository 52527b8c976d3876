"""整改台账: the unit's ledger items of the round as the workbench's own Excel export
(:func:`xuncha.rectifications.exports.ledger_workbook`, the same layout)."""

from __future__ import annotations

from xuncha.documents import selectors as s
from xuncha.rectifications.exports import ledger_workbook

from .base import Built, Document, NothingToRender, Scope, safe_name


def build(scope: Scope) -> Built:
    a = scope.assignment
    items = s.ledger_items(a)
    if not items.exists():
        raise NothingToRender(f"{scope.where}没有整改事项，无法生成整改台账。")
    name = safe_name(a.round.name, a.unit.name, "整改台账", ext="xlsx")
    return Built([Document(name, data=ledger_workbook(items))])
