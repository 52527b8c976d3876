"""Near-duplicate grouping of Chinese finding texts: jieba words, MinHash LSH.

Pure Python over (id, unit, category, text) rows; imports no Django, so the grouping
can be measured alone (bench/bench_selfchecks.py) and reasoned about without a
database. See docs/decisions/0020-common-problems.md for the method and thresholds.

- Each text is cut into words by jieba (its dictionary loads once per process, on the
  first call, and its logger is kept quiet). Punctuation, digits, single characters and
  a short list of function words are dropped.
- A text's shingles are its words and its word pairs (bigrams): the words catch two
  units that wrote the same problem in a different order, the pairs keep "未 公开"
  apart from a text that only shares the words.
- MinHash signatures (:data:`NUM_PERM` permutations) go into a MinHash LSH index at
  :data:`THRESHOLD` estimated Jaccard similarity; each LSH candidate pair is kept only
  if its estimated similarity reaches the threshold, then pairs are joined into groups
  (union-find). Only texts of the same category are compared.
- A group is kept when its findings come from at least two units.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xuncha.common.chinese import tokenizer

NUM_PERM = 64
THRESHOLD = 0.4
TOP_WORDS = 6
MIN_UNITS = 2
REPRESENTATIVE_SIMILARITY = 0.8
MAX_REPRESENTATIVES = 8

# Function words and the inspection reports' boilerplate: shared by nearly every
# finding, they would make unrelated findings look alike.
_STOPWORDS = """的 了 和 与 及 或 等 在 对 为 由 将 把 被 中 有 是 未 不 无 没有 存在 问题 情况 部分 个别
    一些 相关 有关 工作 方面 进行 开展 落实 不够 不到位 不规范 仍然 一是 二是 三是 其中 以及 并 且
    其 该 此 这 那 我们 他们 单位 同志 年度 年 月 日 元 万元 个 次 项 名 人 笔 份"""
STOPWORDS = frozenset(_STOPWORDS.split())
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def words(text: str) -> list[str]:
    """The text's content words in order (jieba, precise mode; no HMM so the same text
    always cuts the same way whatever was cut before)."""
    cut = tokenizer().lcut(text, HMM=False)
    return [
        w for w in (w.strip() for w in cut)
        if len(w) > 1 and _KEEP.search(w) and w not in STOPWORDS
    ]  # fmt: skip


def shingles(tokens: Sequence[str]) -> set[str]:
    """Words and word pairs (the pairs joined by a space, which no word contains)."""
    return {*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))}


@dataclass(frozen=True)
class Text:
    id: int
    unit_id: int
    category: str
    text: str


@dataclass
class Group:
    category: str
    ids: list[int]
    unit_ids: list[int]
    top_words: list[str]


def group_texts(
    texts: Iterable[Text], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM,
    min_units: int = MIN_UNITS,
) -> list[Group]:  # fmt: skip
    """Groups of near-duplicate texts of one category spanning ``min_units`` units or
    more, largest first; each with the words most of its texts share."""
    by_category: dict[str, list[tuple[Text, list[str]]]] = {}
    for t in texts:
        by_category.setdefault(t.category, []).append((t, words(t.text)))
    groups: list[Group] = []
    for category, rows in sorted(by_category.items()):
        groups.extend(_group_category(category, rows, threshold, num_perm, min_units))
    groups.sort(key=lambda g: (-len(g.unit_ids), -len(g.ids), g.ids[0]))
    return groups


def _group_category(
    category: str, rows: list[tuple[Text, list[str]]], threshold: float, num_perm: int,
    min_units: int,
) -> list[Group]:  # fmt: skip
    from datasketch import MinHash, MinHashLSH

    sets = [shingles(tokens) for _, tokens in rows]
    keep = [i for i, s in enumerate(sets) if s]
    hashes = MinHash.generator(
        ([s.encode("utf-8") for s in sets[i]] for i in keep), num_perm=num_perm, seed=1
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    signatures: dict[int, Any] = {}
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only representatives go into the index (a group's first text, and texts of it less
    # alike than REPRESENTATIVE_SIMILARITY, up to MAX_REPRESENTATIVES a group): a query
    # then returns a few texts per similar group, not every text of a large one, so the
    # pass stays linear when thousands of units wrote the same problem.
    reps: Counter[int] = Counter()
    for i, m in zip(keep, hashes, strict=True):
        best = 0.0
        for j in lsh.query(m):
            similarity = m.jaccard(signatures[j])
            if similarity >= threshold:
                parent[root(i)] = root(j)
                best = max(best, similarity)
        group = root(i)
        if best < REPRESENTATIVE_SIMILARITY and reps[group] < MAX_REPRESENTATIVES:
            lsh.insert(i, m)
            signatures[i] = m
            reps[group] += 1
    members: dict[int, list[int]] = {}
    for i in keep:
        members.setdefault(root(i), []).append(i)
    out = []
    for idx in members.values():
        units = sorted({rows[i][0].unit_id for i in idx})
        if len(units) < min_units:
            continue
        out.append(Group(category, sorted(rows[i][0].id for i in idx), units,
                         shared_words([rows[i][1] for i in idx])))  # fmt: skip
    return out


def shared_words(token_lists: Sequence[Sequence[str]], top: int = TOP_WORDS) -> list[str]:
    """The words found in the most texts of a group (ties: the more frequent overall,
    then first seen), at most ``top`` of them, each in at least two texts."""
    docs = Counter(w for tokens in token_lists for w in set(tokens))
    total = Counter(w for tokens in token_lists for w in tokens)
    order = {w: n for n, w in enumerate(dict.fromkeys(w for t in token_lists for w in t))}
    ranked = sorted(docs, key=lambda w: (-docs[w], -total[w], order[w]))
    return [w for w in ranked if docs[w] >= 2][:top]
