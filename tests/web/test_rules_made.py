"""建章立制: rules a unit made or revised for a ledger item, recorded with their file,
editable by the unit until the item is closed and by the office at any time (with
history), listed per unit and counted per unit and round."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import PDF, RoundFactory, TeamFactory, ledger_item, pdf
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.planning.services import assignment_add
from xuncha.rectifications import selectors, services
from xuncha.rectifications.models import RectificationItem, RuleKind, RuleMade, Status
from xuncha.rectifications.selectors import RuleCount

DAY = dt.date(2024, 5, 20)


def _record(
    world, item, *, by="unit", title="村级财务公开制度", kind=RuleKind.MADE, number="", file=None
):
    return services.rule_record(item=item, by=world.users[by], title=title, kind=kind, issued_on=DAY,
                                doc_number=number, file=file)  # fmt: skip


def _post(client, item, **fields):
    data = {"title": "惠民资金发放复核办法", "kind": "made", "issued_on": "2024-05-20", "doc_number": "",
            **fields}  # fmt: skip
    return client.post(reverse("rectifications:rule_add", args=[item.pk]), data)


def test_the_unit_records_a_rule_with_its_file_on_the_item_page(client, world):
    item = ledger_item(world)
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    assert "登记建章立制" in page and "尚未登记建章立制" in page
    upload = io.BytesIO(PDF)
    upload.name = "复核办法.pdf"
    response = _post(client, item, doc_number="东街党发〔2024〕7号", file=upload)
    assert response.status_code == 302
    rule = RuleMade.objects.get()
    assert (rule.item, rule.unit, rule.round_id) == (item, world.unit, item.round_id)
    assert (rule.kind, rule.doc_number, rule.recorded_by) == (
        "made",
        "东街党发〔2024〕7号",
        world.users["unit"],
    )
    assert (
        rule.evidence.original_name == "复核办法.pdf"
        and rule.evidence.content_type == "application/pdf"
    )
    page = client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    assert "惠民资金发放复核办法" in page and "东街党发〔2024〕7号" in page
    file = client.get(reverse("rectifications:rule_file", args=[rule.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "请填写制度名称。"),
        ({"issued_on": ""}, "issued_on", "请填写印发日期。"),
        ({"issued_on": "2024-13-40"}, "issued_on", "请按 2024-05-01 的格式填写日期。"),
        ({"kind": "abolished"}, "kind", "请选择类型（制定或修订）。"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_kept(client, world, fields, field, message):
    item = ledger_item(world)
    client.force_login(world.users["unit"])
    response = _post(client, item, doc_number="东街党发〔2024〕9号", **fields)
    assert response.status_code == 400 and not RuleMade.objects.exists()
    form = response.context["rule_form"]
    assert form.errors[field] == [message]
    assert 'value="东街党发〔2024〕9号"' in response.content.decode()  # the input is kept


def test_a_future_date_is_refused(client, world):
    item = ledger_item(world)
    client.force_login(world.users["unit"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post(client, item, issued_on=tomorrow.isoformat())
    assert response.context["rule_form"].errors["issued_on"] == ["印发日期不能晚于今天。"]
    with pytest.raises(services.RuleInvalid, match="不能晚于今天") as caught:
        services.rule_record(
            item=item, by=world.users["unit"], title="制度", kind="made", issued_on=tomorrow
        )
    assert caught.value.field == "issued_on"
    assert not RuleMade.objects.exists()


def test_a_document_number_is_unique_within_a_unit_only(client, world):
    first, second = ledger_item(world), ledger_item(world)
    _record(world, first, number="东街党发〔2024〕7号")
    client.force_login(world.users["unit"])
    response = _post(client, second, doc_number=" 东街党发〔2024〕7号 ", title="另一项制度")
    assert response.status_code == 400
    assert response.context["rule_form"].errors["doc_number"] == [
        "本单位已有文号为「东街党发〔2024〕7号」的制度。"
    ]
    assert RuleMade.objects.count() == 1
    # Blank numbers repeat freely; another unit may use the same number.
    _record(world, second, title="内部制度一")
    _record(world, second, title="内部制度二")
    elsewhere = ledger_item(world, unit=world.other_unit, team=world.other_team)
    _record(world, elsewhere, by="other_unit", number="东街党发〔2024〕7号")
    assert RuleMade.objects.count() == 4


def test_a_refused_file_keeps_nothing(world):
    item = ledger_item(world)
    bad = io.BytesIO(b"MZ\x90\x00 not a document")
    with pytest.raises(ServiceError, match="不是允许的证据格式"):
        _record(world, item, file=(bad, "制度.exe"))
    assert not RuleMade.objects.exists()


def test_the_unit_edits_until_the_item_is_closed_then_only_the_office(client, world):
    item = ledger_item(world)
    rule = _record(world, item, number="东街党发〔2024〕7号")
    client.force_login(world.users["unit"])
    edit = reverse("rectifications:rule_edit", args=[rule.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "村级财务公开办法（修订）", "kind": "revised",
                                  "issued_on": "2024-06-01", "doc_number": "东街党发〔2024〕8号"})  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.title, rule.kind, rule.doc_number) == (
        "村级财务公开办法（修订）",
        "revised",
        "东街党发〔2024〕8号",
    )
    RectificationItem.objects.filter(pk=item.pk).update(
        status=Status.CLOSED, closed_by=world.users["office"], closed_at=timezone.now())  # fmt: skip
    item.refresh_from_db()
    assert client.get(edit).status_code == 404
    assert (
        "登记建章立制"
        not in client.get(reverse("rectifications:detail", args=[item.pk])).content.decode()
    )
    with pytest.raises(ServiceError, match="已销号"):
        services.rule_update(
            rule=rule, by=world.users["unit"], title="改", kind="made", issued_on=DAY
        )
    with pytest.raises(ServiceError, match="已销号"):
        _record(world, item, title="销号后补登")
    client.force_login(world.users["office"])
    corrected = client.post(edit, {"title": "村级财务公开办法", "kind": "revised", "issued_on": "2024-06-01",
                                   "doc_number": "东街党发〔2024〕8号"})  # fmt: skip
    assert corrected.status_code == 302
    history = list(rule.history.order_by("history_date"))
    assert [h.history_user for h in history] == [
        world.users["unit"],
        world.users["unit"],
        world.users["office"],
    ]
    assert [h.title for h in history][-2:] == ["村级财务公开办法（修订）", "村级财务公开办法"]
    assert (
        "村级财务公开办法（修订）" in client.get(edit).content.decode()
    )  # shown in the change record


@pytest.mark.parametrize("role", ["team", "supervisor", "leader", "other_unit"])
def test_other_roles_cannot_record_or_edit(client, world, role):
    item = ledger_item(world)
    rule = _record(world, item)
    with pytest.raises(PermissionDenied):
        _record(world, item, by=role, title="越权登记")
    client.force_login(world.users[role])
    visible = role in ("team", "supervisor", "leader")
    detail = client.get(reverse("rectifications:detail", args=[item.pk]))
    assert detail.status_code == (200 if visible else 404)
    if visible:
        assert (
            "村级财务公开制度" in detail.content.decode()
            and "登记建章立制" not in detail.content.decode()
        )
    assert client.get(reverse("rectifications:rule_edit", args=[rule.pk])).status_code == 404
    refused = _post(client, item)
    assert refused.status_code in (400, 404) and RuleMade.objects.count() == 1


def test_a_forged_id_is_404(client, world):
    mine = _record(world, ledger_item(world))
    theirs = _record(
        world, ledger_item(world, unit=world.other_unit, team=world.other_team), by="other_unit"
    )
    client.force_login(world.users["unit"])
    assert client.get(reverse("rectifications:rule_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("rectifications:rule_file", args=[theirs.pk])).status_code == 404
    assert (
        client.get(reverse("rectifications:rule_file", args=[mine.pk])).status_code == 404
    )  # no file
    assert client.get(reverse("rectifications:rule_edit", args=[999999])).status_code == 404


def test_the_units_rules_list_and_counts_per_unit_and_round(client, world):
    later = TeamFactory(round=RoundFactory())
    assignment_add(team=later, unit=world.unit)
    a, b = ledger_item(world), ledger_item(world, team=later)
    other = ledger_item(world, unit=world.other_unit, team=world.other_team)
    _record(world, a, title="制度甲")
    _record(world, a, title="制度乙", kind=RuleKind.REVISED)
    _record(world, b, title="制度丙")
    _record(world, other, by="other_unit", title="外单位制度")
    office = world.users["office"]
    assert selectors.rules_made_counts(user=office) == {"overall": RuleCount(3, 1)}
    assert selectors.rules_made_counts(user=office, by="unit") == {
        world.unit.pk: RuleCount(2, 1), world.other_unit.pk: RuleCount(1, 0)}  # fmt: skip
    by_round = selectors.rules_made_counts(user=office, by="round")
    assert by_round[world.team.round_id] == RuleCount(1, 1) and by_round[
        later.round_id
    ] == RuleCount(1, 0)
    assert selectors.rules_made_counts(user=office, by="round", unit_id=world.other_unit.pk) == {
        world.other_team.round_id: RuleCount(1, 0)}  # fmt: skip
    # A unit counts its own; the leader every unit's.
    assert selectors.rules_made_counts(user=world.users["unit"])["overall"].total == 3
    assert selectors.rules_made_counts(user=world.users["leader"])["overall"].total == 4
    client.force_login(world.users["unit"])
    page = client.get(reverse("rectifications:rules")).content.decode()
    assert "制度甲" in page and "制度丙" in page and "外单位制度" not in page
    assert "共 3 项：制定 2 项，修订 1 项" in page
    client.force_login(office)
    page = client.get(
        reverse("rectifications:rules") + f"?unit_id={world.other_unit.pk}"
    ).content.decode()
    assert "外单位制度" in page and "制度甲" not in page and "共 1 项" in page
    assert client.get(reverse("rectifications:rules") + "?unit_id=x").status_code == 404


def test_counts_read_in_one_query(world, django_assert_num_queries):
    items = [ledger_item(world) for _ in range(3)]
    for n, item in enumerate(items):
        _record(world, item, title=f"制度{n}", number=f"文{n}", file=(pdf(), f"{n}.pdf"))
    with django_assert_num_queries(1):
        counts = selectors.rules_made_counts(user=world.users["unit"], by="unit")
    assert counts == {world.unit.pk: RuleCount(3, 0)}
