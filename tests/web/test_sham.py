"""Sham-rectification signals (issue 18, item 5): how files and texts are read (dates,
hashes, a hostile file), fingerprints read once, a signal gone when its data is corrected,
the items the reverse check draws first, the pages (list, filters, a signal, the decision
with its history), the command and the daily job."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from huey.api import PeriodicTask

from xuncha.sham import fingerprint, prints
from xuncha.sham.derive import signals_derive
from xuncha.sham.models import EvidencePrint, Signal, SignalKind, SignalStatus
from xuncha.sham.planted import FED_BACK, City, exif_day, jpeg, pdf, photo
from xuncha.sham.rules import stated_amounts
from xuncha.sham.selectors import flagged_item_ids
from xuncha.sham.services import signal_decide

TODAY = dt.date(2024, 9, 1)


def test_stated_amounts() -> None:
    assert stated_amounts("已追回违规资金5,000元，退回1.2万元。") == [Decimal(5000), Decimal(12000)]
    assert stated_amounts("责任人已全额退还 300.50 元") == [Decimal("300.50")]
    # Households are not yuan; an amount without a verb is not said to be recovered.
    assert stated_amounts("清退不符合条件对象12户，涉及资金3000元") == []


def test_file_prints_read_capture_dates_only(tmp_path) -> None:
    import random

    rng = random.Random(1)
    day = dt.date(2023, 2, 3)
    files = {
        "original.jpg": jpeg(photo(rng), exif={0x9003: exif_day(day), 0x9004: exif_day(TODAY)}),
        "digitized.jpg": jpeg(photo(rng), exif={0x9004: exif_day(day)}),
        "saved.jpg": jpeg(photo(rng), main={0x0132: exif_day(day)}),  # last saved: not read
        "made.pdf": pdf(day, "x"),
        "undated.pdf": pdf(None, "y"),
        "broken.jpg": jpeg(photo(rng))[:300],
    }
    paths = []
    for i, (name, data) in enumerate(files.items()):
        (tmp_path / name).write_bytes(data)
        ctype = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
        paths.append((i, str(tmp_path / name), ctype))
    rows = {
        files_name: row for files_name, row in zip(files, prints.file_prints(paths), strict=True)
    }
    assert rows["original.jpg"][2:4] == (day, "exif_original")
    assert rows["digitized.jpg"][2:4] == (day, "exif_digitized")
    assert rows["saved.jpg"][2:4] == (None, "")
    assert rows["made.pdf"][1:4] == ("", day, "pdf_creation")
    assert rows["undated.pdf"][2:5] == (None, "", "")
    assert rows["broken.jpg"][4] and rows["broken.jpg"][1] == ""
    assert len(rows["original.jpg"][1]) == 16 and not rows["original.jpg"][4]


def test_near_copies_share_shingles() -> None:
    a = "组织村两委班子成员对全村5个组的惠民资金发放情况开展拉网式排查，逐户核对银行流水。"
    b = a.replace("5个组", "7个组")
    assert prints.shingles(a) == prints.shingles(b)  # numbers read as 0
    assert prints.minhash_bytes("已按要求完成整改。") == b""  # too short to compare
    assert len(prints.minhash_bytes(a)) == prints.NUM_PERM * 4


@pytest.mark.django_db
def test_fingerprints_read_once_in_the_sandbox(monkeypatch) -> None:
    calls = []
    run = fingerprint.sandbox.run

    def counting(fn, *args, **kwargs):
        calls.append(fn)
        return run(fn, *args, **kwargs)

    monkeypatch.setattr(fingerprint.sandbox, "run", counting)
    city = City(seed=31)
    city.honest(1, city.units[0])
    first = signals_derive(TODAY)
    assert first.fingerprinted == EvidencePrint.objects.count() == 2
    assert calls and all(fn is prints.file_prints for fn in calls)
    calls.clear()
    assert signals_derive(TODAY).fingerprinted == 0  # nothing new: no file read again
    assert not calls
    city.honest(1, city.units[1])
    assert signals_derive(TODAY + dt.timedelta(days=1)).fingerprinted == 2


@pytest.mark.django_db
def test_hostile_file_is_recorded_not_fatal() -> None:
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, "PNG")  # 144 megapixels in a few KB
    city = City(seed=32)
    item = city.honest(1, city.units[0], progress=("现场照片", [(bomb.getvalue(), "bomb.png")]))
    assert signals_derive(TODAY).fingerprinted == 2
    prints_ = {
        p.evidence.original_name: p for p in EvidencePrint.objects.select_related("evidence")
    }
    assert "DecompressionBomb" in prints_["bomb.png"].error
    assert prints_[f"完成{city.seq}.jpg"].phash and not prints_[f"完成{city.seq}.jpg"].error
    assert item.pk


@pytest.mark.django_db
def test_corrected_data_clears_a_signal_and_flags_follow_status(world) -> None:
    city = City(seed=33)
    said = (city.text() + "已追回违规资金5,000元。", [(city.own_photo(), "凭证.jpg")])
    item = city.honest(1, city.units[0], done=said, amount=Decimal(5000))
    other = city.honest(1, city.units[1], money=Decimal(900), amount=Decimal(300))
    signals_derive(TODAY)
    signal = Signal.objects.get(kind=SignalKind.MONEY, items=item)
    assert "5,000.00" in signal.explanation and "0.00 元" in signal.explanation
    assert flagged_item_ids() >= {item.pk, other.pk}
    assert flagged_item_ids([city.units[1].pk]) == {other.pk}
    # The office corrects the recorded amount: the signal is gone the next day, and the
    # item is no longer drawn first.
    type(item).objects.filter(pk=item.pk).update(money_recovered=Decimal(5000))
    done = signals_derive(TODAY + dt.timedelta(days=1))
    assert done.gone == 1
    signal.refresh_from_db()
    assert signal.gone_on == TODAY + dt.timedelta(days=1)
    assert item.pk not in flagged_item_ids()
    # A confirmed signal stays flagged even when gone; a dismissed one never is.
    signal_decide(signal=signal, by=world.users["supervisor"], status=SignalStatus.CONFIRMED,
                  note="现场核实：资金实际未追回。")  # fmt: skip
    assert item.pk in flagged_item_ids()
    other_signal = Signal.objects.get(kind=SignalKind.MONEY, items=other)
    signal_decide(signal=other_signal, by=world.users["office"], status=SignalStatus.DISMISSED,
                  note="追回金额含利息，属实。")  # fmt: skip
    assert other.pk not in flagged_item_ids()


@pytest.fixture
def signals(db):
    city = City(seed=34)
    same = city.own_photo()
    a = city.honest(1, city.units[0], done=(city.text(), [(same, "同一.jpg")]))
    b = city.honest(1, city.units[1], done=(city.text(), [(same, "同一.jpg")]))
    early = city.honest(1, city.units[2], done=(city.text(), [(city.own_photo(FED_BACK[1] - dt.timedelta(days=9)), "旧.jpg")]))  # fmt: skip
    signals_derive(TODAY)
    return city, a, b, early


def test_pages_for_office_and_supervisor_only(client, world, signals) -> None:
    same = Signal.objects.get(kind=SignalKind.SAME_FILE)
    for role, code in (
        ("office", 200),
        ("supervisor", 200),
        ("team", 404),
        ("unit", 404),
        ("leader", 404),
    ):
        client.force_login(world.users[role])
        assert client.get(reverse("sham:list")).status_code == code, role
        assert client.get(reverse("sham:detail", args=[same.pk])).status_code == code, role
    client.force_login(world.users["office"])
    assert 'href="/sham/"' in client.get("/").content.decode()  # the menu entry
    assert client.get(reverse("sham:detail", args=[same.pk + 1000])).status_code == 404


def test_list_filters(client, world, signals) -> None:
    city, a, _, _ = signals
    client.force_login(world.users["supervisor"])

    def listed(**query) -> set[int]:
        page = client.get(reverse("sham:list"), query)
        assert page.status_code == 200
        return {s.pk for s in page.context["page"].object_list}

    same = Signal.objects.get(kind=SignalKind.SAME_FILE).pk
    dated = Signal.objects.get(kind=SignalKind.EARLY_EVIDENCE).pk
    assert listed() == {same, dated}
    assert listed(kind=SignalKind.EARLY_EVIDENCE) == {dated}
    assert listed(unit=city.units[1].name) == {same}
    assert listed(unit=city.units[2].name) == {dated}
    assert listed(round_id=a.round_id) == {same, dated}
    assert listed(round_id=city.assignments[0][city.units[0].pk].round_id) == set()
    assert listed(status=SignalStatus.CONFIRMED) == set()
    page = client.get(reverse("sham:list"), {"round_id": "999999"})
    assert page.context["page"].paginator.count == 0 and "无权查看" in page.content.decode()


def test_signal_page_and_decision(client, world, signals) -> None:
    _, a, b, _ = signals
    same = Signal.objects.get(kind=SignalKind.SAME_FILE)
    client.force_login(world.users["supervisor"])
    url = reverse("sham:detail", args=[same.pk])
    html = client.get(url).content.decode()
    assert same.explanation in html and "2 个单位" in same.explanation
    for item in (a, b):
        assert reverse("rectifications:detail", args=[item.pk]) in html
    for ev in same.evidence.all():
        assert "同一.jpg" in html and f"/evidence/{ev.pk}/" in html
    # No note: refused beside the field, the choice kept, nothing saved.
    page = client.post(url, {"status": "confirmed", "note": " ", "was": "open"})
    assert page.status_code == 200 and "请填写核实意见" in page.content.decode()
    assert page.context["form"]["status"].value() == "confirmed"
    same.refresh_from_db()
    assert same.status == SignalStatus.OPEN
    assert (
        client.post(
            url, {"status": "confirmed", "note": "两村照片为同一张。", "was": "open"}
        ).status_code
        == 302
    )
    same.refresh_from_db()
    assert (same.status, same.note, same.decided_by) == (
        "confirmed",
        "两村照片为同一张。",
        world.users["supervisor"],
    )
    # Someone else decided meanwhile: the stale page's decision is refused.
    page = client.post(url, {"status": "dismissed", "note": "误报", "was": "open"})
    assert "已被他人改为「已确认」" in page.content.decode()
    same.refresh_from_db()
    assert same.status == SignalStatus.CONFIRMED
    html = client.get(url).content.decode()
    assert "两村照片为同一张。" in html and same.history.count() == 2


def test_command_and_daily_job(db, monkeypatch) -> None:
    from xuncha.common.jobs import TASK_MODULES
    from xuncha.sham import jobs

    city = City(seed=35)
    said = (city.text() + "退回1.2万元。", [(city.own_photo(), "凭证.jpg")])
    city.honest(1, city.units[0], done=said, money=Decimal(8000))
    out = io.StringIO()
    call_command("sham_derive", "--date", "2024-09-01", stdout=out)
    assert "新发现 1 条" in out.getvalue()
    assert Signal.objects.get().first_seen == TODAY
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("sham_derive", "--date", "9/1")
    assert "xuncha.sham.jobs" in TASK_MODULES
    task = jobs.signals_derive_task.task_class
    assert issubclass(task, PeriodicTask)
    assert task().validate_datetime(dt.datetime(2024, 9, 1, 0, 30))
    assert not task().validate_datetime(dt.datetime(2024, 9, 1, 1, 30))
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    jobs.signals_derive_task.call_local()
    assert Signal.objects.count() == 1  # a second run changes nothing


def test_batches_keep_every_core_busy(monkeypatch) -> None:
    monkeypatch.setattr(fingerprint, "_workers", lambda: 2)
    for n, size, batches in ((50000, 10000, 6), (111290, 30000, 4), (3, 10000, 2), (1, 5, 1)):
        chunks = fingerprint._chunks(list(range(n)), size)
        assert len(chunks) == batches and max(map(len, chunks)) <= size
        assert [x for c in chunks for x in c] == list(range(n))
