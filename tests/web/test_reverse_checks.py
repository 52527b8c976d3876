"""销号反向核查: a seeded per-unit sample that re-draws to the same ids, priority ids
first, the refusals, on-site results once, "not as reported" reopening the item and
pre-filling the veto, and the pages."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import ledger_item
from web.supervision_world import closed_item, small_system
from xuncha.common.errors import ConcurrentEdit, PermissionDenied, ServiceError
from xuncha.rectifications.models import RectificationItem, Status
from xuncha.rectifications.services import rectification_reopen
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.supervision import assessment as svc
from xuncha.supervision import reversecheck
from xuncha.supervision.models import CheckResult, ReverseCheckSample
from xuncha.supervision.selectors import assessment_results, reverse_check_units

TODAY = dt.date(2024, 7, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world):
    """5 closed items at the world's unit, 3 at the other unit (other team), and one
    item of the world's unit still open (never a candidate)."""
    ledger_item(world)
    own = [closed_item(world) for _ in range(5)]
    other = [closed_item(world, unit=world.other_unit, team=world.other_team) for _ in range(3)]
    return own, other


def _create(world, by="supervisor", **kwargs):
    kwargs.setdefault("units", [world.unit, world.other_unit])
    return reversecheck.reverse_check_create(
        name="2024 年销号反向核查", by=world.users[by], **kwargs
    )


def _ids(check) -> list[int]:
    return list(check.samples.order_by("id").values_list("item_id", flat=True))


def test_the_sample_is_drawn_as_documented_and_redrawn_the_same(world, closed) -> None:
    own, other = closed
    check = _create(world, share=Decimal(30), seed=20240701)
    # ceil(5 × 30%) = 2 of the unit's, ceil(3 × 30%) = 1 of the other's.
    assert reverse_check_units(check)[0].sampled + reverse_check_units(check)[1].sampled == 3
    rng = random.Random(20240701)
    first, second = sorted([world.unit.pk, world.other_unit.pk])
    by_unit = {world.unit.pk: [i.pk for i in own], world.other_unit.pk: [i.pk for i in other]}
    expected = rng.sample(by_unit[first], 2 if first == world.unit.pk else 1)
    expected += rng.sample(by_unit[second], 2 if second == world.unit.pk else 1)
    assert _ids(check) == expected
    assert reversecheck.redraw(check) == expected
    assert check.candidate_ids == sorted([[i.unit_id, i.pk] for i in own + other])
    again = _create(world, share=Decimal(30), seed=20240701)
    assert _ids(again) == expected  # the same seed over the same candidates, the same sample


def test_a_count_per_unit_and_a_random_seed_when_none_is_given(world, closed) -> None:
    check = _create(world, count=3)
    assert 0 <= check.seed < 2**48
    units = {u.unit_name: (u.candidates, u.sampled) for u in reverse_check_units(check)}
    assert units == {"东江街道": (5, 3), "五里牌镇": (3, 3)}
    assert reversecheck.redraw(check) == _ids(check)


def test_priority_items_come_first(world, closed) -> None:
    own, other = closed
    priority = {own[3].pk, own[4].pk, other[0].pk}
    check = _create(world, count=2, seed=7, priority_ids=priority | {999999})
    sampled = set(_ids(check))
    assert {own[3].pk, own[4].pk, other[0].pk} <= sampled and len(sampled) == 4
    flagged = set(check.samples.filter(priority=True).values_list("item_id", flat=True))
    assert flagged == priority
    # More priority items than the quota: the quota is drawn from them alone.
    only = _create(world, count=1, seed=7, units=[world.unit], priority_ids=[own[0].pk, own[1].pk])
    assert _ids(only)[0] in {own[0].pk, own[1].pk}
    assert reversecheck.redraw(only) == _ids(only)


def test_items_sham_signals_flag_are_drawn_first_by_default(world, closed) -> None:
    own, _ = closed
    flagged = Signal.objects.create(kind=SignalKind.DEADLINE_RUSH, key="t1", explanation="临期销号",
                                    first_seen=TODAY)  # fmt: skip
    flagged.items.add(own[2])
    dismissed = Signal.objects.create(kind=SignalKind.MONEY, key="t2", explanation="金额",
                                      first_seen=TODAY, status=SignalStatus.DISMISSED,
                                      decided_by=world.users["office"], decided_at=timezone.now())  # fmt: skip
    dismissed.items.add(own[4])
    check = _create(world, count=1, seed=11, units=[world.unit])
    assert check.priority_ids == [own[2].pk]  # stored: a later signal leaves a re-draw alone
    assert _ids(check) == [own[2].pk] and check.samples.get().priority
    flagged.items.add(own[0])
    assert reversecheck.redraw(check) == [own[2].pk]


def test_bad_sizes_are_refused_with_the_numbers(world, closed) -> None:
    with pytest.raises(ServiceError, match="抽取比例须大于 0% 且不超过 100%，收到 0%"):
        _create(world, share=Decimal(0))
    with pytest.raises(ServiceError, match="收到 120%"):
        _create(world, share=Decimal(120))
    with pytest.raises(ServiceError, match="每单位抽取数量至少为 1，收到 0"):
        _create(world, count=0)
    with pytest.raises(ServiceError, match="二选一"):
        _create(world, count=2, share=Decimal(10))
    with pytest.raises(ServiceError, match="每单位抽取 4 项，但「五里牌镇」只有 3 项"):
        _create(world, count=4)
    with pytest.raises(ServiceError, match="请选择一个轮次，或选择要核查的单位"):
        _create(world, count=1, units=None)
    with pytest.raises(ServiceError, match="没有已销号的整改事项"):
        _create(world, count=1, round=world.team.round, units=[world.other_unit])
    with pytest.raises(PermissionDenied):
        _create(world, by="leader", count=1)
    assert not ReverseCheckSample.objects.exists()


def test_a_round_alone_samples_its_closed_items(world, closed) -> None:
    check = _create(world, count=1, round=world.team.round, units=None)
    assert [u.unit_name for u in reverse_check_units(check)] == ["东江街道"]
    assert list(check.units.all()) == [world.unit]


def _record(sample, by, result, note="", version=None):
    return reversecheck.sample_record(sample=sample, by=by, result=result, note=note,
                                      version=sample.version if version is None else version)  # fmt: skip


def test_a_result_is_recorded_once(world, closed) -> None:
    check = _create(world, count=1, units=[world.unit], seed=1)
    sample, sup = check.samples.get(), world.users["supervisor"]
    with pytest.raises(ServiceError, match="须写明核查情况"):
        _record(sample, sup, CheckResult.NOT_AS_REPORTED, note=" ")
    with pytest.raises(ConcurrentEdit):
        _record(sample, sup, CheckResult.CONFIRMED, version=sample.version + 1)
    done = _record(sample, sup, CheckResult.CONFIRMED, note="现场查看属实")
    assert done.result == CheckResult.CONFIRMED and done.recorded_by == sup
    with pytest.raises(ServiceError, match="已记录核查结果（属实），不能重复记录"):
        _record(
            sample,
            world.users["office"],
            CheckResult.NOT_AS_REPORTED,
            note="x",
            version=done.version,
        )
    assert RectificationItem.objects.get(pk=sample.item_id).status == Status.CLOSED


def test_not_as_reported_reopens_the_item_and_feeds_the_veto(world, closed) -> None:
    check = _create(world, count=2, units=[world.unit], seed=3)
    first, second = check.samples.order_by("id")
    office, sup = world.users["office"], world.users["supervisor"]
    _record(first, office, CheckResult.NOT_AS_REPORTED, note="群众反映补助未退还")
    item = RectificationItem.objects.get(pk=first.item_id)
    assert item.status == Status.IN_PROGRESS
    assert (
        item.close_note
        == "重新打开：销号反向核查「2024 年销号反向核查」认定与报告不符：群众反映补助未退还"
    )
    assert item.history.order_by("-history_date").first().history_user == office
    # Recorded by a supervisor (who may not reopen ledger items by hand), the check's
    # result reopens it all the same, in the supervisor's name.
    reopened = _record(second, sup, CheckResult.NOT_AS_REPORTED, note="整改台账与现场不符")
    assert reopened.reopened_at is not None
    item = RectificationItem.objects.get(pk=second.item_id)
    assert item.status == Status.IN_PROGRESS
    assert item.history.order_by("-history_date").first().history_user == sup
    with pytest.raises(PermissionDenied):
        rectification_reopen(
            item=item, by=sup, reason="x"
        )  # the ledger's reopen stays the office's
    # The veto item of an assessment opened now is pre-filled with the 2 items.
    a = svc.assessment_create(name="评估", version=small_system(world), by=sup, today=TODAY,
                              units=[world.unit])  # fmt: skip
    veto = a.scores.get(indicator__name="整改报告与事实不符")
    assert veto.contradicted == veto.prefilled_contradicted == 2
    assert veto.prefill_source == "销号反向核查认定与报告不符的事项 2 项（截至 2024-07-01）"
    assert assessment_results(a)[0].vetoed


# Pages


def test_a_check_is_drawn_from_its_page_with_errors_beside_the_field(client, world, closed) -> None:
    client.force_login(world.users["supervisor"])
    url = reverse("supervision:reverse_checks")
    base = {"name": "核查", "units": [world.unit.pk], "mode": "share"}
    bad = client.post(url, {**base, "size": "150"})
    assert (
        bad.status_code == 400
        and "抽取比例须大于 0% 且不超过 100%，收到 150" in bad.content.decode()
    )
    zero = client.post(url, {**base, "mode": "count", "size": "0"})
    assert "每单位抽取数量须为不小于 1 的整数" in zero.content.decode()
    many = client.post(url, {**base, "mode": "count", "size": "9"})
    assert many.status_code == 400 and "「东江街道」只有 5 项" in many.content.decode()
    assert 'value="核查"' in many.content.decode()
    done = client.post(url, {**base, "size": "40", "seed": "99"}, follow=True)
    text = done.content.decode()
    assert "已抽取 2 个已销号事项（随机种子 99）" in text and "结果与本次抽样一致" in text


def test_results_are_recorded_from_the_sample_page(client, world, closed) -> None:
    check = _create(world, count=1, units=[world.unit], seed=5)
    sample = check.samples.get()
    client.force_login(world.users["office"])
    url = reverse("supervision:sample_result", args=[sample.pk])
    p = f"r{sample.pk}-"
    bad = client.post(
        url, {p + "result": "not_as_reported", p + "note": "", p + "version": sample.version}
    )
    assert bad.status_code == 400 and "与报告不符须写明核查情况" in bad.content.decode()
    ok = client.post(url, {p + "result": "not_as_reported", p + "note": "未整改",
                           p + "version": sample.version}, follow=True)  # fmt: skip
    assert "核查结果已记录：与报告不符。该事项已重新打开" in ok.content.decode()
    twice = client.post(
        url, {p + "result": "confirmed", p + "note": "", p + "version": sample.version + 1}
    )
    assert twice.status_code == 400 and "不能重复记录" in twice.content.decode()
    assert (
        client.post(reverse("supervision:sample_result", args=[sample.pk + 999])).status_code == 404
    )
    client.force_login(world.users["leader"])
    assert client.get(reverse("supervision:reverse_check", args=[check.pk])).status_code == 404
    assert client.get(reverse("supervision:reverse_checks")).status_code == 404


def test_on_site_evidence_is_kept_and_opened_by_those_who_see_the_check(
    client, world, closed
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from web.factories import PDF

    check = _create(world, count=1, units=[world.unit], seed=11)
    sample = check.samples.get()
    client.force_login(world.users["supervisor"])
    p = f"r{sample.pk}-"
    upload = SimpleUploadedFile("走访记录.pdf", PDF, content_type="application/pdf")
    page = client.post(reverse("supervision:sample_result", args=[sample.pk]),
                       {p + "result": "confirmed", p + "note": "走访属实", p + "version": sample.version,
                        p + "evidence": upload}, follow=True).content.decode()  # fmt: skip
    assert "核查结果已记录：属实" in page and "走访记录.pdf" in page
    evidence = sample.evidence.get()
    url = reverse("supervision:sample_evidence", args=[sample.pk, evidence.pk])
    opened = client.get(url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF-")
    assert (
        client.get(
            reverse("supervision:sample_evidence", args=[sample.pk, evidence.pk + 1])
        ).status_code
        == 404
    )
    client.force_login(world.users["unit"])
    assert client.get(url).status_code == 404
