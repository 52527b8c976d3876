"""The six rules, each a function from the data to the groups it finds (:class:`Found`).

Every rule narrows the data in SQL first (duplicate hashes, dates, deadlines, amounts);
Python sees only candidates, except the two comparisons SQL cannot make portably: photos
whose perceptual hashes differ in a few bits, and texts whose MinHashes share an LSH band.
Thresholds are module constants, documented in docs/decisions/0018-sham-signals.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate

from xuncha.common.models import Evidence
from xuncha.findings.models import Finding
from xuncha.rectifications.models import ProgressReport, RectificationItem, Status

from .models import EvidencePrint, SignalKind, TextPrint, TextSource
from .prints import NUM_PERM

PHASH_DISTANCE = 4  # bits of 64: a resized or recompressed photo stays within it
PHASH_BANDS = (13, 13, 13, 13, 12)  # 5 bands: two hashes within 4 bits share one (pigeonhole)
TEXT_SIMILARITY = 0.8  # estimated Jaccard of two reports' word shingles
LSH_BANDS, LSH_ROWS = 16, 8  # 16 bands × 8 of the 128 MinHash values: a pair at 0.8 shares
# a band with probability 0.95, at 0.9 0.9999, at 0.5 0.06, at 0.3 0.001
STAR_BUCKET = 50  # a bigger bucket (boilerplate pasted by many) is checked against its first
RECUR_SIMILARITY = 0.5  # estimated Jaccard of two findings' descriptions
RUSH_DAYS = 3  # "just before the deadline": the deadline day and the 3 days before it
MONEY_VERBS = "追回|退回|收回|退还|清退|返还|追缴|收缴"
_MONEY = re.compile(
    rf"(?:{MONEY_VERBS})[^。；;，,\d]{{0,12}}?(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?\s*(万)?元"
)

Through = ProgressReport.evidence.through


@dataclass
class Found:
    kind: str
    key: str
    explanation: str
    item_ids: set[int]
    evidence_ids: set[int] = field(default_factory=set)
    report_ids: set[int] = field(default_factory=set)


class _Groups:
    """Union-find over ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]


def _chunked(rows: QuerySet[Any], field: str, ids: list[int], size: int = 5000) -> Iterator[Any]:
    """``rows`` whose ``field`` is in ``ids``, read in chunks (SQLite limits the number of
    values a query may carry)."""
    for i in range(0, len(ids), size):
        yield from rows.filter(**{f"{field}__in": ids[i : i + size]})


# ------------------------------------------------------------------ 1. the same file


def same_file() -> list[Found]:
    """Evidence files with the same SHA-256, or photos within PHASH_DISTANCE bits, behind
    the progress reports of two or more items."""
    used = Through.objects.filter(evidence_id=OuterRef("pk"))
    groups = _Groups()
    dup_sha = (
        Evidence.objects.filter(Exists(used)).values("sha256").annotate(n=Count("pk"))
        .filter(n__gt=1).values("sha256")
    )  # fmt: skip
    by_sha: dict[str, int] = {}
    for pk, sha in Evidence.objects.filter(sha256__in=dup_sha).filter(Exists(used)).values_list("pk", "sha256"):  # fmt: skip
        groups.join(by_sha.setdefault(sha, pk), pk)
    for a, b in _near_photos():
        groups.join(a, b)
    components = groups.groups()
    if not components:
        return []
    members = {e for g in components for e in g}
    links: dict[int, list[tuple[int, int]]] = defaultdict(list)
    unit_of: dict[int, int] = {}
    uses = Through.objects.values_list(
        "evidence_id", "progressreport_id", "progressreport__item_id",
        "progressreport__item__unit_id",
    )  # fmt: skip
    for ev, report, item, unit in _chunked(uses, "evidence_id", sorted(members)):
        links[ev].append((report, item))
        unit_of[item] = unit
    shas = dict(_chunked(Evidence.objects.values_list("pk", "sha256"), "pk", sorted(members)))
    found = []
    for group in components:
        items = {item for ev in group for _, item in links[ev]}
        if len(items) < 2:
            continue
        exact = len(group) - len({shas[e] for e in group})
        how = "内容完全相同" if exact == len(group) - 1 else "内容相同或图片感知哈希相近"
        found.append(Found(
            kind=SignalKind.SAME_FILE, key=f"file:{group[0]}", item_ids=items,
            evidence_ids=set(group), report_ids={r for ev in group for r, _ in links[ev]},
            explanation=(f"{len(group)} 份证据材料{how}，分别用于 {len(items)} 个整改事项"
                         f"（{len({unit_of[i] for i in items})} 个单位）的整改进展。"),
        ))  # fmt: skip
    return found


def _near_photos() -> list[tuple[int, int]]:
    """Pairs of photos whose pHashes differ in at most PHASH_DISTANCE bits, found through
    bands of the hash (two such hashes agree on at least one band) then checked."""
    rows = list(EvidencePrint.objects.exclude(phash="").values_list("evidence_id", "phash"))
    if len(rows) < 2:
        return []
    ids = np.array([pk for pk, _ in rows], dtype=np.int64)
    hashes = np.array([int(h, 16) for _, h in rows], dtype=np.uint64)
    pairs: set[tuple[int, int]] = set()
    shift = 64
    for width in PHASH_BANDS:
        shift -= width
        band = (hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        for bucket in _buckets(band):
            for i, a in enumerate(bucket[:-1]):
                others = bucket[i + 1 :]
                diff = np.bitwise_xor(hashes[others], hashes[a])
                bits = np.unpackbits(diff.view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1)
                for b in others[bits <= PHASH_DISTANCE]:
                    pairs.add((int(ids[a]), int(ids[b])))
    return sorted(pairs)


# ------------------------------------------------------------------ 2. copied text


def _matrix(source: str, ids: QuerySet[Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The stored MinHashes of ``source`` (of ``ids``, a subquery, when given): their ids
    and an (n, NUM_PERM) uint32 matrix."""
    rows = TextPrint.objects.filter(source=source).exclude(minhash=b"")
    if ids is not None:
        rows = rows.filter(object_id__in=ids)
    pairs = list(rows.values_list("object_id", "minhash"))
    keys = np.array([pk for pk, _ in pairs], dtype=np.int64)
    if not pairs:
        return keys, np.zeros((0, NUM_PERM), dtype=np.uint32)
    raw = b"".join(bytes(mh) for _, mh in pairs)
    return keys, np.frombuffer(raw, dtype="<u4").reshape(len(pairs), NUM_PERM)


def _buckets(keys: np.ndarray) -> list[np.ndarray]:
    """Positions of equal values in ``keys``, for each value found more than once."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    # Slices of the runs longer than one only: np.split makes an array of every run, and
    # nearly all of them (a band of a text that has no near copy) are alone.
    return [order[starts[i] : ends[i]] for i in np.flatnonzero(ends - starts > 1)]


def _lsh_pairs(values: np.ndarray) -> set[tuple[int, int]]:
    """Row pairs that agree on all LSH_ROWS values of at least one of LSH_BANDS bands. A
    bucket of more than STAR_BUCKET rows gives the pairs of its first row with each other
    (linear, not quadratic: the rows that pass join one group through the first)."""
    pairs: set[tuple[int, int]] = set()
    for b in range(LSH_BANDS):
        band = np.ascontiguousarray(values[:, b * LSH_ROWS : (b + 1) * LSH_ROWS])
        _, inverse = np.unique(band, axis=0, return_inverse=True)
        for rows in _buckets(inverse.ravel()):
            if len(rows) > STAR_BUCKET:
                pairs.update((int(rows[0]), int(c)) for c in rows[1:])
            else:
                pairs.update((int(a), int(c)) for i, a in enumerate(rows) for c in rows[i + 1 :])
    return pairs


def copied_text() -> list[Found]:
    """Progress reports of different items whose texts are near-duplicates."""
    keys, values = _matrix(TextSource.REPORT)
    candidates = _lsh_pairs(values)
    if not candidates:
        return []
    involved = sorted({int(keys[i]) for pair in candidates for i in pair})
    item_of, unit_of = {}, {}
    rows = ProgressReport.objects.values_list("pk", "item_id", "item__unit_id")
    for report, item, unit in _chunked(rows, "pk", involved):
        item_of[report], unit_of[item] = item, unit
    groups = _Groups()
    for a, b in candidates:
        ra, rb = int(keys[a]), int(keys[b])
        if item_of[ra] != item_of[rb] and np.mean(values[a] == values[b]) >= TEXT_SIMILARITY:
            groups.join(ra, rb)
    found = []
    for group in groups.groups():
        items = {item_of[r] for r in group}
        found.append(Found(
            kind=SignalKind.COPIED_TEXT, key=f"text:{group[0]}", item_ids=items,
            report_ids=set(group),
            explanation=(f"{len(group)} 份整改进展的文字高度雷同（估计相似度不低于 "
                         f"{TEXT_SIMILARITY:.0%}），分属 {len(items)} 个整改事项"
                         f"（{len({unit_of[i] for i in items})} 个单位）。"),
        ))  # fmt: skip
    return found


# ------------------------------------------------------------------ 3. early evidence


def early_evidence() -> list[Found]:
    """Evidence whose capture or creation day is before its finding was fed back."""
    taken = EvidencePrint.objects.filter(evidence_id=OuterRef("evidence_id")).values("taken_on")
    rows = (
        Through.objects.annotate(taken=Subquery(taken[:1]))
        .filter(taken__lt=F("progressreport__item__finding__fed_back_on"))  # type: ignore[misc]
        .values_list("progressreport__item_id", "evidence_id", "progressreport_id", "taken",
                     "progressreport__item__finding__fed_back_on")
    )  # fmt: skip
    per_item: dict[int, Found] = {}
    for item, ev, report, day, fed in rows:
        f = per_item.setdefault(item, Found(
            kind=SignalKind.EARLY_EVIDENCE, key=f"early:{item}", item_ids={item},
            explanation=f"问题于 {fed:%Y-%m-%d} 反馈，但整改证据的拍摄或制作日期更早：",
        ))  # fmt: skip
        if ev not in f.evidence_ids:
            f.explanation += f"{'' if not f.evidence_ids else '；'}材料 {ev} 为 {day:%Y-%m-%d}"
        f.evidence_ids.add(ev)
        f.report_ids.add(report)
    for f in per_item.values():
        f.explanation += "。"
    return list(per_item.values())


# ------------------------------------------------------------------ 4. closed at the deadline


def deadline_rush() -> list[Found]:
    """Items whose first close-out request came on their deadline day or up to RUSH_DAYS
    before it, with no progress report before that request."""
    first_done = ProgressReport.objects.filter(item=OuterRef("pk"), done=True).order_by(
        "created_at", "pk"
    )
    earlier = ProgressReport.objects.filter(
        item=OuterRef("pk"), done=False, created_at__lt=OuterRef("first_done")
    )
    rows = (
        RectificationItem.objects.filter(
            status__in=[Status.CLOSE_REQUESTED, Status.CLOSED], deadline__isnull=False
        )
        .annotate(first_done=Subquery(first_done.values("created_at")[:1]),
                  first_report=Subquery(first_done.values("pk")[:1]))
        .annotate(done_day=TruncDate("first_done"))
        .filter(done_day__lte=F("deadline"),
                done_day__gte=F("deadline") - dt.timedelta(days=RUSH_DAYS))
        .exclude(Exists(earlier))
        .values_list("pk", "deadline", "done_day", "first_report")
    )  # fmt: skip
    return [
        Found(kind=SignalKind.DEADLINE_RUSH, key=f"rush:{pk}", item_ids={pk}, report_ids={report},
              explanation=(f"整改时限为 {deadline:%Y-%m-%d}，整改单位于 {day:%Y-%m-%d} 首次报告"
                           "即申请销号，此前没有任何整改进展报告。"))
        for pk, deadline, day, report in rows
    ]  # fmt: skip


# ------------------------------------------------------------------ 5. recurrence


def recurrence_candidates() -> QuerySet[Finding]:
    """Findings with a ledger item in a unit and subcategory that has one in another
    round too: the only descriptions :func:`recurrence` compares (and fingerprints)."""
    prior = Finding.objects.filter(
        unit_id=OuterRef("unit_id"), subcategory=OuterRef("subcategory"),
        round__start_date__lt=OuterRef("round__start_date"), rectification__status=Status.CLOSED,
    )  # fmt: skip
    after = Finding.objects.filter(
        unit_id=OuterRef("unit_id"), subcategory=OuterRef("subcategory"),
        round__start_date__gt=OuterRef("round__start_date"), rectification__isnull=False,
    )  # fmt: skip
    return Finding.objects.filter(rectification__isnull=False).filter(
        Exists(prior) | Q(Exists(after), rectification__status=Status.CLOSED)
    )


def recurrence() -> list[Found]:
    """A finding in a unit whose earlier round already had a finding of the same
    subcategory with a similar description, whose ledger item was closed (reported
    rectified): the problem came back after it was said to be fixed."""
    candidates = recurrence_candidates()
    rows = list(candidates.values_list(
        "pk", "unit_id", "subcategory", "round__start_date", "rectification__id",
        "rectification__status",
    ))  # fmt: skip
    if not rows:
        return []
    keys, values = _matrix(TextSource.FINDING, candidates.values("pk"))
    index = {int(k): i for i, k in enumerate(keys)}
    by_group: dict[tuple[int, str], list[tuple[int, dt.date, int, bool]]] = defaultdict(list)
    for pk, unit, sub, start, item, status in rows:
        by_group[(unit, sub)].append((pk, start, item, status == Status.CLOSED))
    found: dict[int, Found] = {}
    for members in by_group.values():
        for later, start, item, _ in members:
            for first, start0, item0, closed in members:
                if not closed or start0 >= start or later not in index or first not in index:
                    continue
                if np.mean(values[index[later]] == values[index[first]]) < RECUR_SIMILARITY:
                    continue
                f = found.setdefault(item, Found(
                    kind=SignalKind.RECURRENCE, key=f"recur:{item}", item_ids={item},
                    explanation="该单位在此前轮次已被反馈同类、描述相近的问题，且已销号：",
                ))  # fmt: skip
                f.item_ids.add(item0)
    for item, f in found.items():
        before = sorted(f.item_ids - {item})
        f.explanation += "、".join(f"整改事项 {pk}" for pk in before) + "，本轮再次发现。"
    return list(found.values())


# ------------------------------------------------------------------ 6. money


def stated_amounts(text: str) -> list[Decimal]:
    """Amounts a text says were recovered: 「追回资金 5,000 元」「退回 1.2 万元」."""
    out = []
    for whole, frac, wan in _MONEY.findall(text):
        value = Decimal(whole.replace(",", "") + (frac or ""))
        out.append(value * 10000 if wan else value)
    return out


def money() -> list[Found]:
    """Closed items where (a) the progress texts state recovered amounts and the recorded
    money recovered is neither their largest nor their sum (0 included), or (b) the
    recorded money recovered exceeds the finding's amount involved (when one is given)."""
    verbs = Q()
    for verb in MONEY_VERBS.split("|"):
        verbs |= Q(text__contains=verb)
    closed = Q(item__status=Status.CLOSED)
    stated: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    recorded: dict[int, Decimal] = {}
    for report, item, text, got in ProgressReport.objects.filter(
        closed, verbs, text__contains="元"
    ).values_list("pk", "item_id", "text", "item__money_recovered"):
        recorded[item] = got
        stated[item] += [(report, amount) for amount in stated_amounts(text)]
    found = {}
    for item, said in stated.items():
        amounts = [a for _, a in said]
        if not amounts or recorded[item] in (max(amounts), sum(amounts)):
            continue
        words = "、".join(f"{a:,.2f}" for a in amounts)
        found[item] = Found(
            kind=SignalKind.MONEY, key=f"money:{item}", item_ids={item},
            report_ids={r for r, _ in said},
            explanation=f"整改进展称追回（退回）{words} 元，销号时记录的追回金额为 {recorded[item]:,.2f} 元。",
        )  # fmt: skip
    over = RectificationItem.objects.filter(
        status=Status.CLOSED, finding__amount__gt=0, money_recovered__gt=F("finding__amount")
    ).values_list("pk", "money_recovered", "finding__amount")
    for item, got, amount in over:
        text = f"记录的追回金额 {got:,.2f} 元超过问题涉及金额 {amount:,.2f} 元。"
        if item in found:
            found[item].explanation += text
        else:
            found[item] = Found(kind=SignalKind.MONEY, key=f"money:{item}", item_ids={item},
                                explanation=text)  # fmt: skip
    return list(found.values())


RULES = {
    SignalKind.SAME_FILE: same_file,
    SignalKind.COPIED_TEXT: copied_text,
    SignalKind.EARLY_EVIDENCE: early_evidence,
    SignalKind.DEADLINE_RUSH: deadline_rush,
    SignalKind.RECURRENCE: recurrence,
    SignalKind.MONEY: money,
}
