"""The 督办函 as a GB/T 9704 DOCX (issue 19): the letter page's 「下载 Word」 gives the same
letter (number, unit, item, card, 督办 text, office and date) in the official format, to
the same readers as the page; an office's own 督办函 template replaces the shipped one."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import unquote

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from web.test_cards import in_progress
from xuncha.documents import store
from xuncha.documents.forms import TemplateForm
from xuncha.documents.jobs import document_kinds
from xuncha.documents.official.templates import shipped_template
from xuncha.documents.official.verify import verify
from xuncha.supervision.cards import card_supervise, cards_derive
from xuncha.supervision.models import Card, CardSupervision

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OFFICE = "中共湘南市委巡察工作领导小组办公室"
ROLES_WHO_SEE_THE_ITEM = ("office", "unit", "team", "supervisor", "leader")


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _letters(world: Any) -> tuple[Any, CardSupervision, CardSupervision]:
    """An overdue item of the world's unit with a yellow card and two 督办 on it."""
    today = timezone.localdate()
    item = in_progress(world, accepted=today, deadline=today - dt.timedelta(days=3))
    item.finding.description = "违规发放津补贴 12.6 万元，涉及 7 名干部"
    item.finding.save(update_fields=["description"])
    cards_derive(today)
    card = Card.objects.get(item=item)
    first = card_supervise(card=card, by=world.users["office"], text="限期十日内整改到位")
    second = card_supervise(
        card=card, by=world.users["office"], text="再次督办：逾期未报告\n请于五日内书面说明"
    )
    return item, first, second


def _docx_url(letter: CardSupervision) -> str:
    return reverse("cards:letter_docx", args=[letter.pk])


@pytest.fixture
def office_name(settings) -> str:
    settings.OFFICE_NAME = OFFICE
    return OFFICE


def test_the_letter_downloads_as_an_official_document(client, world, office_name) -> None:
    item, first, second = _letters(world)
    year = timezone.localtime(second.created_at).year
    day = timezone.localtime(second.created_at).date()
    client.force_login(world.users["office"])
    page = client.get(reverse("cards:letter", args=[second.pk])).content.decode()
    assert f'href="{_docx_url(second)}"' in page and "下载 Word" in page

    response = client.get(_docx_url(second))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment")
    assert f"督办函_督办〔{year}〕2号_东江街道.docx" in disposition
    data = response.content
    result = verify(data)
    assert result.ok, result.report()
    # The red masthead is the office's, the number the page's (the year's second letter).
    checks = {c.name: c.detail for c in result.checks}
    assert f"「{OFFICE}」红色" in checks["版头"] and f"督办〔{year}〕2号" in checks["版头"]
    assert "版记在文末" in checks["版记"]

    text = _text(data)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == OFFICE and lines[1] == f"督办〔{year}〕2号"
    assert "关于黄牌整改事项的督办函" in text and "东江街道：" in lines
    assert f"你单位整改事项#{item.pk}「违规发放津补贴 12.6 万元，涉及 7 名干部」" in text
    assert f"整改时限{item.deadline.year}年{item.deadline.month}月{item.deadline.day}日" in text
    assert "因已逾期" in text and "被亮黄牌" in text
    # This 督办's own text, line by line; not the first one's.
    assert "再次督办：逾期未报告。" in lines and "请于五日内书面说明。" in lines
    assert "限期十日内" not in text
    # Signed by the office on the day it was issued; the 版记 prints the same.
    signed = f"{day.year}年{day.month}月{day.day}日"
    assert lines[-3:-1] == [OFFICE, signed]
    assert lines[-1].split() == [OFFICE, f"{signed}印发"]

    # The first letter keeps its own number.
    first_text = _text(client.get(_docx_url(first)).content)
    assert f"督办〔{year}〕1号" in first_text and "限期十日内整改到位。" in first_text


def test_who_may_open_the_letter_may_download_it(client, world) -> None:
    _, _, second = _letters(world)
    year = timezone.localtime(second.created_at).year
    for role in ROLES_WHO_SEE_THE_ITEM:
        client.force_login(world.users[role])
        assert client.get(reverse("cards:letter", args=[second.pk])).status_code == 200, role
        response = client.get(_docx_url(second))
        assert response.status_code == 200, role
        assert f"督办〔{year}〕2号" in _text(response.content), role
    for role in ("other_unit", "other_team"):
        client.force_login(world.users[role])
        assert client.get(reverse("cards:letter", args=[second.pk])).status_code == 404, role
        assert client.get(_docx_url(second)).status_code == 404, role
    client.logout()
    response = client.get(_docx_url(second))
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(world.users["office"])
    assert client.get(reverse("cards:letter_docx", args=[second.pk + 1000])).status_code == 404


def test_an_office_template_for_the_letter_replaces_the_shipped_one(client, world) -> None:
    _, _, second = _letters(world)
    # The office may install one (the templates page offers 督办函); the round's unit's
    # documents page does not offer it: a letter is one 督办's, had from its page.
    assert ("supervision", "督办函") in TemplateForm().fields["kind"].choices
    assert "supervision" not in dict(document_kinds())
    mark = "湘南市委巡察办督办函模板"
    template = docx.Document(io.BytesIO(shipped_template()))
    template.paragraphs[0].insert_paragraph_before(mark)
    out = io.BytesIO()
    template.save(out)
    store.template_install(
        kind="supervision", data=out.getvalue(), name="督办函.docx", by=world.users["office"]
    )
    client.force_login(world.users["unit"])
    data = client.get(_docx_url(second)).content
    assert mark in _text(data) and "再次督办：逾期未报告。" in _text(data)

    store.template_revert(kind="supervision", by=world.users["office"])
    data = client.get(_docx_url(second)).content
    assert mark not in _text(data) and verify(data).ok


def test_a_template_that_cannot_render_the_letter_is_a_message(client, world) -> None:
    _, _, second = _letters(world)
    # Accepted (it uses every required field) but it asks for what a context never has.
    template = docx.Document(io.BytesIO(shipped_template()))
    template.paragraphs[0].insert_paragraph_before("{{ doc.stamp.image }}")
    out = io.BytesIO()
    template.save(out)
    store.template_install(
        kind="supervision", data=out.getvalue(), name="坏模板.docx", by=world.users["office"]
    )
    client.force_login(world.users["office"])
    response = client.get(_docx_url(second), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cards:letter", args=[second.pk])
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("督办函未能生成 Word 文件：模板渲染失败") for m in shown), shown
