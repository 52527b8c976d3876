"""A first run's backlog of texts (more than a day's: report texts and finding
descriptions together) goes to children and is stored like a day's, once."""

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


def test_each_text_keeps_its_own_least_length() -> None:
    texts = [*_texts(200, 1), "", "已按要求完成整改。"]
    mixed = [(t, 10 if i % 2 else 30) for i, t in enumerate(texts)]
    got = prints.minhashes_each(mixed)
    assert got == [prints.minhash_bytes(t, n) for t, n in mixed]
    assert any(got) and not all(got)  # some long enough, some too short
    assert any(not g and prints.text_chars(t) >= 10 for g, (t, _) in zip(got, mixed, strict=True))


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
    assert calls == [(prints.minhashes_each, 3)] * 2  # two children, one per worker
    stored = dict(
        TextPrint.objects.filter(source=TextSource.FINDING).values_list("object_id", "minhash")
    )
    for f, text in zip(made, texts, strict=True):
        assert bytes(stored[f.pk]) == prints.minhash_bytes(text, prints.MIN_DESCRIPTION_CHARS)
    assert any(stored.values())
    calls.clear()
    assert fingerprint.finding_prints_update(ids) == 0 and not calls  # done once
