"""督办 on a red or yellow card (the card panel is on the ledger item's page) and its
督办函: a printable page and a GB/T 9704 DOCX."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError
from xuncha.common.files import sandboxed
from xuncha.rectifications.list_views import item_url

from . import cards


class SuperviseForm(forms.Form):
    text = forms.CharField(label="督办内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                           error_messages={"required": "请填写督办内容。"})  # fmt: skip


@login_required
@require_POST
def card_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    card = cards.card_for_supervision(user=user, pk=pk)
    form = SuperviseForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("；".join(str(e) for errors in form.errors.values() for e in errors))
        cards.card_supervise(card=card, by=user, text=form.cleaned_data["text"])
    except ServiceError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已对该{card.get_colour_display()}记录督办。")
    return redirect(item_url(request, card.item_id) + "#cards")


@login_required
def supervision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The 督办函 of one 督办 record, for printing: whoever may see the item (the office
    that issued it, the unit it is addressed to, the inspecting side) reads the same."""
    letter, number = cards.supervision_letter(user=user_of(request), pk=pk)
    context = {"letter": letter, "number": number, "office": settings.OFFICE_NAME,
               "card": letter.card, "item": letter.card.item}  # fmt: skip
    return render(request, "supervision/supervision_letter.html", context)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def supervision_letter_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same 督办函 as a GB/T 9704 DOCX (「下载 Word」), for the same readers as the
    page; rendered with the office's 督办函 template when it installed one."""
    from xuncha.documents.kinds.supervision import render_letter
    from xuncha.documents.official.templates import TemplateRefused

    letter, number = cards.supervision_letter(user=user_of(request), pk=pk)
    try:
        name, data = render_letter(letter, number, office=settings.OFFICE_NAME)
    except TemplateRefused as err:
        messages.error(request, f"督办函未能生成 Word 文件：{err}")
        return redirect("cards:letter", pk=letter.pk)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return sandboxed(response)
