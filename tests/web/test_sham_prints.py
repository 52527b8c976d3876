"""The vectorised MinHash gives datasketch's values exactly, and a first run's backlog of
texts (more than a day's) goes to children and is stored like a day's."""

from __future__ import annotations

import random

import pytest

from web.factories import FindingFactory
from xuncha.findings.models import Finding
from xuncha.sham import fingerprint, prints
from xuncha.sham.models import TextPrint, TextSource

WORDS = "整改 资金 发放 核对 银行 流水 村委 会议 记录 公示 台账 清退 追回 违规 补助 项目 工程 验收 2024 年 5 个 组 。 ，"


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = WORDS.split()
    return ["".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def test_vectorised_minhash_equals_datasketch() -> None:
    texts = [*_texts(1300, 1), "", "。。。", "_" * 40, "已按要求完成整改。"]  # over 2 chunks
    for least in (prints.MIN_TEXT_CHARS, prints.MIN_DESCRIPTION_CHARS, 0):
        got = prints.minhashes(texts, least)
        want = [prints.minhash_bytes_datasketch(t, least) for t in texts]
        assert got == want
        assert any(got) and (least == 0 or not all(got))  # some too short to compare
    mixed = [(t, 10 if i % 2 else 30) for i, t in enumerate(texts[:200])]
    assert prints.minhashes_each(mixed) == [prints.minhash_bytes_datasketch(t, n) for t, n in mixed]


def test_a_text_without_words_gets_datasketchs_empty_values() -> None:
    assert prints.minhashes(["。，", "abc"], 0)[0] == prints.minhash_bytes_datasketch("。，", 0)
    assert prints.minhashes(["。，", "abc"], 0)[1] == prints.minhash_bytes_datasketch("abc", 0)


@pytest.mark.django_db
def test_backlog_goes_to_children_and_is_stored(monkeypatch) -> None:
    calls = []
    run = fingerprint.sandbox.run

    def counting(fn, *args, **kwargs):
        calls.append((fn, len(args[0])))
        return run(fn, *args, **kwargs)

    monkeypatch.setattr(fingerprint.sandbox, "run", counting)
    monkeypatch.setattr(fingerprint, "IN_PROCESS_TEXTS", 3)
    monkeypatch.setattr(fingerprint, "_workers", lambda: 2)
    texts = [*_texts(5, 2), "村委会对违规发放的补助资金逐户核对，已全部清退并公示。"]
    made = [FindingFactory(description=t) for t in texts]
    ids = Finding.objects.filter(pk__in=[f.pk for f in made])
    assert fingerprint.prints_update(ids) == 0  # no evidence file
    assert [fn for fn, _ in calls] == [prints.minhashes_each] * 2
    stored = dict(
        TextPrint.objects.filter(source=TextSource.FINDING).values_list("object_id", "minhash")
    )
    for f, text in zip(made, texts, strict=True):
        want = prints.minhash_bytes_datasketch(text, prints.MIN_DESCRIPTION_CHARS)
        assert bytes(stored[f.pk]) == want
    calls.clear()
    assert fingerprint.finding_prints_update(ids) == 0 and not calls  # done once
