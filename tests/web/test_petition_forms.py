"""The petition page's action forms (issue 16, item 13): a refused submit shows the page
again with what the team typed, the Chinese reason beside the field (status 400); a done
one redirects (POST/redirect/GET); 具体类别 follows 问题类别 and a mismatched pair is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse
from django.utils import timezone

from web.chromium import Page, pick_unit
from web.factories import pdf
from web.test_petitions import _fresh_cache, make_petition  # noqa: F401  (autouse fixture)
from xuncha.findings.choices import Category, Subcategory
from xuncha.findings.models import Lead
from xuncha.petitions import services
from xuncha.petitions.models import Channel, Petition
from xuncha.petitions.services import Content

# ------------------------------------------------------------------ reading the page


def _walk(el: Element):
    yield el
    for child in el.children:
        if isinstance(child, Element):
            yield from _walk(child)


def _attr(el: Element, name: str) -> str | None:
    return dict(el.attributes).get(name)


def _text(el: Element | str) -> str:
    return el if isinstance(el, str) else "".join(_text(c) for c in el.children)


def action_form(page: str, action: str) -> Element:
    """The page's form that posts to ``action``."""
    forms = [el for el in _walk(parse_html(page)) if el.name == "form"
             and (_attr(el, "action") or "").endswith(f"/{action}/")]  # fmt: skip
    assert len(forms) == 1, f"{len(forms)} forms for {action}"
    return forms[0]


def field_box(page: str, action: str, name: str) -> Element:
    """The box (label, control, errors) of field ``name`` in the ``action`` form."""
    boxes = [el for el in _walk(action_form(page, action)) if el.name == "div"
             and "field" in (_attr(el, "class") or "").split()
             and any(_attr(c, "name") == name for c in _walk(el))]  # fmt: skip
    assert len(boxes) == 1, f"{len(boxes)} boxes for {action}.{name}"
    return boxes[0]


def error_beside(page: str, action: str, name: str) -> str:
    box = field_box(page, action, name)
    assert "has-error" in (_attr(box, "class") or "")
    errors = [el for el in _walk(box) if "errorlist" in (_attr(el, "class") or "")]
    return " ".join(_text(e) for e in errors)


def control(page: str, action: str, name: str) -> Element:
    found = [el for el in _walk(action_form(page, action)) if _attr(el, "name") == name]
    assert found, name
    return found[0]


def kept(page: str, action: str, name: str) -> str:
    """What the control holds: a text box's value, a textarea's text, a select's choice."""
    el = control(page, action, name)
    if el.name == "textarea":
        return _text(el).strip()
    if el.name == "select":
        chosen = [o for o in _walk(el) if o.name == "option" and "selected" in dict(o.attributes)]
        return ",".join(_attr(o, "value") or "" for o in chosen)
    return _attr(el, "value") or ""


def non_field_errors(page: str, action: str) -> str:
    form = action_form(page, action)
    return " ".join(_text(el) for el in _walk(form) if "form-errors" in (_attr(el, "class") or ""))


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def team(client, world):
    client.force_login(world.users["team"])
    return client


def post(client, petition: Petition, action: str, data: dict):
    return client.post(reverse("petitions:action", args=[petition.pk, action]), data)


def refused(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.content.decode()


# ------------------------------------------------------------------ each action form


def test_assign_refuses_a_handler_outside_the_team_beside_the_field(team, world):
    petition = make_petition(world)
    page = refused(post(team, petition, "assign", {"handler": world.users["unit"].pk}))
    assert "所选承办人不是本巡察组成员或巡察办工作人员" in error_beside(page, "assign", "handler")
    assert "请选择承办人" in error_beside(refused(post(team, petition, "assign", {})),
                                         "assign", "handler")  # fmt: skip
    petition.refresh_from_db()
    assert petition.handler_id is None
    response = post(team, petition, "assign", {"handler": world.users["team"].pk})
    assert response.status_code == 302 and response.url == reverse("petitions:detail", args=[petition.pk])  # fmt: skip
    petition.refresh_from_db()
    assert petition.handler_id == world.users["team"].pk


def test_classify_refuses_a_subcategory_of_another_category(team, world):
    petition = make_petition(world)
    data = {"category": Category.POLICY, "subcategory": Subcategory.BENEFIT_FUNDS,
            "unit": world.unit.pk}  # fmt: skip
    page = refused(post(team, petition, "classify", data))
    assert "“惠民惠农资金”不属于“党中央决策部署和乡村振兴政策落实问题”" in error_beside(
        page, "classify", "subcategory"
    )
    assert kept(page, "classify", "category") == Category.POLICY
    assert kept(page, "classify", "unit") == str(world.unit.pk)
    assert "has-error" not in (_attr(field_box(page, "classify", "category"), "class") or "")
    # A 具体类别 with no 问题类别 is refused too.
    page = refused(post(team, petition, "classify", {"subcategory": Subcategory.BENEFIT_FUNDS}))
    assert "请先选择问题类别" in error_beside(page, "classify", "subcategory")
    petition.refresh_from_db()
    assert petition.category == "" and petition.subcategory == ""

    data["category"] = Category.CORRUPTION
    assert post(team, petition, "classify", data).status_code == 302
    petition.refresh_from_db()
    assert (petition.category, petition.subcategory) == (Category.CORRUPTION, Subcategory.BENEFIT_FUNDS)  # fmt: skip


def test_classify_refuses_a_unit_outside_the_team(team, world):
    petition = make_petition(world)
    page = refused(post(team, petition, "classify", {"category": Category.CORRUPTION,
                                                     "unit": world.other_unit.pk}))  # fmt: skip
    assert "所选单位不是本巡察组的巡察对象" in error_beside(page, "classify", "unit")
    assert kept(page, "classify", "category") == Category.CORRUPTION
    assert world.other_unit.name not in _text(control(page, "classify", "unit"))


def test_classify_offers_the_team_units_in_the_picker_and_follows_the_category(team, world):
    petition = make_petition(world)
    page = team.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    unit = control(page, "classify", "unit")
    assert _attr(unit, "data-unit-picker") is not None
    values = {_attr(o, "value") for o in _walk(unit) if o.name == "option"}
    assert values == {"", str(world.unit.pk)}
    for action in ("classify", "finding"):
        sub = control(page, action, "subcategory")
        assert _attr(sub, "data-follows") == "category"
        parents = {
            _attr(o, "value"): _attr(o, "data-parent") for o in _walk(sub) if o.name == "option"
        }
        assert parents[Subcategory.INDUSTRY] == Category.POLICY
    # Each script once, in the page's content (not in its title or breadcrumbs).
    assert page.count("xuncha/follow.js") == 1 and page.count("xuncha/unit-picker.js") == 1


def test_dispose_refuses_as_finding_before_there_is_one(team, world):
    petition = make_petition(world)
    page = refused(post(team, petition, "dispose", {"disposition": "finding"}))
    assert "请从列表中选择处理方式" in error_beside(page, "dispose", "disposition")
    petition.refresh_from_db()
    assert petition.disposition == ""


def test_to_finding_keeps_the_text_and_refuses_a_mismatched_pair(team, world):
    petition = make_petition(world)
    typed = "村会计虚报移民补助三万元，已核对花名册。"
    data = {"category": Category.ORGANISATION, "subcategory": Subcategory.BENEFIT_FUNDS,
            "description": typed, "amount": "30000"}  # fmt: skip
    page = refused(post(team, petition, "finding", data))
    assert "“惠民惠农资金”不属于“基层党组织软弱涣散、组织力欠缺问题”" in error_beside(
        page, "finding", "subcategory"
    )
    assert kept(page, "finding", "description") == typed
    assert kept(page, "finding", "amount") == "30000"
    assert kept(page, "finding", "category") == Category.ORGANISATION
    page = refused(post(team, petition, "finding", {**data, "category": Category.CORRUPTION,
                                                    "amount": "三万", "description": ""}))  # fmt: skip
    assert "涉及金额须为数字" in error_beside(page, "finding", "amount")
    assert "请填写问题描述" in error_beside(page, "finding", "description")
    assert kept(page, "finding", "amount") == "三万"
    petition.refresh_from_db()
    assert petition.finding_id is None

    response = post(team, petition, "finding", {**data, "category": Category.CORRUPTION})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.finding.amount == Decimal("30000") and petition.finding.description == typed


def test_to_finding_service_refusal_shows_on_the_form_with_the_text_kept(team, world):
    # No unit: the service refuses to make a finding.
    petition, _ = services.petition_record(
        team=world.team, by=world.users["team"], channel=Channel.LETTER,
        received_on=timezone.localdate(), content=Content(what="反映村干部优亲厚友。"), identity=None,
    )  # fmt: skip
    typed = "优亲厚友，低保评定不公开。"
    page = refused(post(team, petition, "finding", {
        "category": Category.CORRUPTION, "subcategory": Subcategory.WORK_STYLE,
        "description": typed, "amount": "0"}))  # fmt: skip
    assert "请先为信访件指定反映对象单位" in non_field_errors(page, "finding")
    assert kept(page, "finding", "description") == typed
    assert kept(page, "finding", "subcategory") == Subcategory.WORK_STYLE
    petition.refresh_from_db()
    assert petition.finding_id is None


def test_evidence_refuses_a_forged_attachment_beside_the_field(team, world):
    petition = make_petition(world, files=[(pdf(), "来信.pdf")])
    other = make_petition(world, files=[(pdf(), "另一封.pdf")])
    petition = services.petition_to_finding(petition=petition, by=world.users["team"], category=Category.CORRUPTION,
                                            subcategory=Subcategory.WORK_STYLE, description="优亲厚友")  # fmt: skip
    page = refused(post(team, petition, "evidence", {"attachments": [other.attachments.get().pk]}))
    assert "有效" in error_beside(page, "evidence", "attachments")  # Django's 选择一个有效的选项
    page = refused(post(team, petition, "evidence", {}))
    assert "请选择要附为证据的附件" in non_field_errors(page, "evidence")
    assert not petition.finding.evidence.exists()
    response = post(team, petition, "evidence", {"attachments": [petition.attachments.get().pk]})
    assert response.status_code == 302 and petition.finding.evidence.count() == 1


def test_lead_keeps_the_text_and_shows_each_error_beside_its_field(team, world):
    petition = make_petition(world)
    typed = "村支书涉嫌挪用集体资金，移交纪委。"
    data = {"description": typed, "handed_to": "discipline", "handed_on": "2026-05-10",
            "receiver": "", "due_on": "2026-05-01"}  # fmt: skip
    page = refused(post(team, petition, "lead", data))
    assert "请填写接收人" in error_beside(page, "lead", "receiver")
    assert "办结期限不能早于移交日期" in error_beside(page, "lead", "due_on")
    assert kept(page, "lead", "description") == typed
    assert kept(page, "lead", "handed_on") == "2026-05-10"
    assert not Lead.objects.exists()
    data.update(receiver="王纪检", due_on="2026-06-10")
    assert post(team, petition, "lead", data).status_code == 302
    assert Lead.objects.get().description == typed


def test_reply_keeps_a_too_long_answer(team, world):
    petition, _ = services.petition_record(
        team=world.team, by=world.users["team"], channel=Channel.VISIT, received_on=timezone.localdate(),
        content=Content(what="反映村干部优亲厚友。"), identity=None, unit_id=world.unit.pk, issue_receipt=True,
    )  # fmt: skip
    typed = "您反映的问题已收悉。" * 501  # 5,010 characters: over the limit
    page = refused(post(team, petition, "reply", {"body": typed}))
    assert "5000" in error_beside(page, "reply", "body")
    assert kept(page, "reply", "body") == typed
    assert "请填写留言内容" in error_beside(refused(post(team, petition, "reply", {"body": ""})),
                                           "reply", "body")  # fmt: skip
    assert not petition.messages.exists()
    assert post(team, petition, "reply", {"body": "已收悉。"}).status_code == 302
    assert petition.messages.count() == 1


def test_reply_without_a_receipt_says_why_on_the_page(team, world):
    """No receipt: the page shows no reply form, so the refusal comes as a message."""
    petition = make_petition(world)
    response = team.post(reverse("petitions:action", args=[petition.pk, "reply"]),
                         {"body": "已收悉。"}, follow=True)  # fmt: skip
    assert "该信访件没有回执码" in response.content.decode()
    assert not petition.messages.exists()


def test_link_refuses_an_unknown_number_beside_the_field_and_keeps_the_choice(team, world):
    petition = make_petition(world)
    page = refused(post(team, petition, "link", {"other": "999999", "duplicate": "on"}))
    assert "没有找到该编号的本组信访件" in error_beside(page, "link", "other")
    assert kept(page, "link", "other") == "999999"
    assert "checked" in dict(control(page, "link", "duplicate").attributes)
    page = refused(post(team, petition, "link", {"other": "第一件"}))
    assert "编号须为数字" in error_beside(page, "link", "other")
    other = make_petition(world)
    assert post(team, petition, "link", {"other": other.pk}).status_code == 302
    assert petition.related.filter(pk=other.pk).exists()


def test_a_refused_form_leaves_the_other_forms_fresh_and_ids_apart(team, world):
    petition = make_petition(world)
    page = refused(post(team, petition, "lead", {"description": "线索正文"}))
    assert kept(page, "finding", "description") == ""  # the other form is not refilled
    ids = [_attr(el, "id") for el in _walk(parse_html(page)) if _attr(el, "id")]
    assert len(ids) == len(set(ids))


def test_another_team_cannot_post_a_refused_form(client, world):
    petition = make_petition(world)
    client.force_login(world.users["other_team"])
    assert post(client, petition, "finding", {"description": "x"}).status_code == 404


# ------------------------------------------------------------------ in a browser


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_subcategories_follow_and_a_refused_lead_keeps_its_text(
    live_server,
    browser,
    world,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    petition = make_petition(world)
    page = Page(browser, live_server.url)
    page.login(world.users["team"].username)
    page.go(reverse("petitions:detail", args=[petition.pk]))
    form = page.form("/classify/")
    Select(form.find_element(By.NAME, "category")).select_by_visible_text(Category.POLICY.label)
    sub = Select(form.find_element(By.NAME, "subcategory"))
    policy = [label for value, label in Subcategory.choices if value.startswith("policy.")]
    assert [o.text for o in sub.options] == ["未分类", *policy]
    pick_unit(browser, "unit", world.unit.name, within=form)
    page.fill(form, subcategory=Subcategory.INDUSTRY.label)
    assert "分类已保存" in page.text()
    petition.refresh_from_db()
    assert (petition.subcategory, petition.unit_id) == (Subcategory.INDUSTRY, world.unit.pk)

    typed = "村支书涉嫌挪用集体资金。"
    page.fill(page.form("/lead/"), description=typed)  # no receiver
    box = browser.find_element(By.CSS_SELECTOR, "form[action$='/lead/'] .field.has-error")
    assert "请填写接收人" in box.text
    lead = page.form("/lead/")
    assert lead.find_element(By.NAME, "description").get_attribute("value") == typed
