"""The team's inbox: petitions from every channel, their handling, and the QR codes.

Opening a petition, its petitioner's identity or an attachment is logged before the
content is decrypted (:func:`services.petition_read`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, is_inspecting_side, user_of
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.common.files import sandboxed
from xuncha.common.filters import FILTER_ERROR
from xuncha.common.middleware import no_store
from xuncha.common.pagination import paginate

from . import forms, notice, selectors, services
from .models import AccessAction, Petition

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> None:
    """Petitions are for the office and the teams only (not even supervisors)."""
    if not allowed(user_of(request), "petitions.open"):
        raise Forbidden


@no_store
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user = user_of(request)
    form = forms.FilterForm(request.GET or None)
    # A filter that does not parse lists nothing (not everything), with the reason shown.
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    petitions = selectors.petition_list(user=user, **filters)
    if form.errors:  # none when unbound
        petitions = petitions.none()
    context = {"form": form, "counts": selectors.inbox_counts(user=user),
               "filter_error": FILTER_ERROR if form.errors else "", "period": form.period_label(),
               "to_finding": filters.get("to_finding", False),
               "can_record": selectors.teams_for(user).exists(), **paginate(request, petitions, PAGE_SIZE)}  # fmt: skip
    return render(request, "petitions/inbox.html", context)


@no_store
@login_required
def petition_new(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user = user_of(request)
    form = forms.StaffPetitionForm(request.POST or None, request.FILES or None, teams=selectors.teams_for(user),
                                   initial={"received_on": timezone.localdate()})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            petition, receipt = services.petition_record(
                team=d["team"], by=user, channel=d["channel"], received_on=d["received_on"],
                content=form.content(), identity=form.identity(), files=form.uploads(),
                issue_receipt=d["issue_receipt"],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            if receipt:
                grouped = services.receipt_shown(receipt)
                return render(
                    request,
                    "petitions/receipt_issued.html",
                    {"petition": petition, "receipt": grouped},
                )
            messages.success(request, f"信访件 {petition.number} 已登记。")
            return redirect("petitions:detail", pk=petition.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "petitions/new.html", {"form": form}, status=status)


# Each action's form: the context name the detail page renders it under.
FORM_NAMES = {
    "assign": "assign_form", "classify": "classify_form", "dispose": "dispose_form",
    "finding": "finding_form", "evidence": "evidence_form", "lead": "lead_form",
    "reply": "message_form", "link": "link_form",
}  # fmt: skip


def _action_form(action: str, petition: Petition, data: Any = None,
                 evidence: tuple[Any, dict[int, str]] | None = None) -> Any:  # fmt: skip
    """The form of one action on the petition, bound to ``data`` when posted; ``evidence``
    is :func:`selectors.evidence_choices` when the caller has it. Each form has its own
    element ids (``id_<action>_<field>``): several share field names."""
    ids = f"id_{action}_%s"
    if action == "assign":
        return forms.AssignForm(data, handlers=selectors.handlers(petition),
                                initial={"handler": petition.handler_id}, auto_id=ids)  # fmt: skip
    if action == "classify":
        return forms.ClassifyForm(data, units=selectors.team_units(petition), initial={
            "category": petition.category, "subcategory": petition.subcategory,
            "unit": petition.unit_id}, auto_id=ids)  # fmt: skip
    if action == "dispose":
        return forms.DisposeForm(data, has_finding=petition.finding_id is not None, auto_id=ids)
    if action in ("finding", "evidence"):
        choices, labels = evidence or selectors.evidence_choices(
            petition, selectors.attachments(petition)
        )
        if action == "evidence":
            return forms.EvidenceForm(data, choices=choices, labels=labels, auto_id=ids)
        return forms.ToFindingForm(data, choices=choices, labels=labels, initial={
            "category": petition.category, "subcategory": petition.subcategory}, auto_id=ids)  # fmt: skip
    if action == "lead":
        today = timezone.localdate()
        return forms.ToLeadForm(data, initial={"handed_on": today, "due_on": today}, auto_id=ids)
    if action == "reply":
        return forms.MessageForm(data, auto_id=ids)
    if action == "link":
        return forms.LinkForm(data, auto_id=ids)
    raise Http404


def _detail(request: HttpRequest, petition: Petition, *, bound: dict[str, Any] | None = None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    """The petition's page; ``bound`` holds a failed action's form (input and errors kept)."""
    user = user_of(request)
    services.petition_read(petition=petition, user=user, action=AccessAction.VIEW)
    show_identity = request.GET.get("identity") == "1" and not petition.anonymous
    if show_identity:
        services.petition_read(petition=petition, user=user, action=AccessAction.IDENTITY)
    rows = selectors.attachments(petition)
    evidence = selectors.evidence_choices(petition, rows)
    labels = evidence[1]
    names = {r.attachment.pk: r.evidence_name for r in rows}  # reads name the file as the list does
    inspecting = is_inspecting_side(user, petition.team_id)
    context: dict[str, Any] = {
        "p": petition, "content": selectors.content(petition),
        "identity": selectors.identity(petition) if show_identity else None,
        "attachments": rows, "thread": selectors.thread(petition),
        "related": selectors.related(petition), "duplicates": selectors.duplicates(petition),
        "reads": [(a, names.get(a.attachment_id or 0, "")) for a in selectors.reads(petition)[:50]],
        "can_edit": inspecting and not petition.disposition,
        "can_reply": inspecting and petition.receipt_hash is not None,
        "can_attach": inspecting and petition.finding_id is not None and bool(labels),
    }  # fmt: skip
    shown = {"reply": context["can_reply"], "evidence": context["can_attach"],
             "finding": context["can_edit"] and petition.finding_id is None}  # fmt: skip
    for action, form in (bound or {}).items():
        if not shown.get(action, context["can_edit"]):  # its form is not on the page (any more)
            messages.error(
                request,
                "提交的内容有误："
                + "；".join(str(e) for errs in form.errors.values() for e in errs),
            )
            return redirect("petitions:detail", pk=petition.pk)
    for action, name in FORM_NAMES.items():
        context[name] = (bound or {}).get(action) or _action_form(action, petition, None, evidence)
    context["media"] = context["classify_form"].media + context["finding_form"].media
    return render(request, "petitions/detail.html", context, status=status)


@no_store
@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _detail(request, selectors.petition_detail(user=user_of(request), pk=pk))


def _act(action: str, form: Any, petition: Petition, user: Any) -> str:
    """Carry out a valid action form through its service; the message to show."""
    d = form.cleaned_data
    if action == "assign":
        services.petition_assign(petition=petition, by=user, handler=d["handler"])
        return "已分办。"
    if action == "classify":
        services.petition_classify(petition=petition, by=user, category=d["category"],
                                   subcategory=d["subcategory"], unit_id=d["unit"].pk if d["unit"] else None)  # fmt: skip
        return "分类已保存。"
    if action == "dispose":
        services.petition_dispose(petition=petition, by=user, **d)
        return "已办结，反映人凭回执码查询将看到“已办结”。"
    if action == "finding":
        services.petition_to_finding(petition=petition, by=user, category=d["category"],
                                     subcategory=d["subcategory"], description=d["description"],
                                     amount=d["amount"], attachments=list(d["attachments"]))  # fmt: skip
        attached = f"，{len(d['attachments'])} 个附件已附为证据" if d["attachments"] else ""
        return f"已转为巡察发现问题{attached}。信访件仍为“办理中”，办结后反映人才会看到“已办结”。"
    if action == "evidence":
        made = services.petition_evidence_attach(
            petition=petition, by=user, attachments=list(d["attachments"])
        )
        return f"{len(made)} 个附件已附为该问题的证据材料。"
    if action == "lead":
        services.petition_to_lead(petition=petition, by=user, **d)
        return "已作为问题线索移交。"
    if action == "reply":
        services.message_from_team(petition=petition, by=user, body=d["body"])
        return "答复已发送，反映人凭回执码可以看到。"
    if action == "link":
        other = selectors.related_choice(petition, user, d["other"])
        if other is None:
            form.add_error("other", "没有找到该编号的本组信访件。")
            raise ServiceError("没有找到该编号的本组信访件。")
        services.petition_link(petition=petition, other=other, by=user, duplicate=d["duplicate"])
        return "已关联。"
    raise Http404


@no_store
@login_required
@require_POST
def petition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on the petition. Done: back to its page (POST/redirect/GET). Refused by
    the form or the service: the page again with that form as typed, the reason beside it."""
    _staff(request)
    user = user_of(request)
    petition = selectors.petition_detail(user=user, pk=pk)
    if action not in FORM_NAMES:
        raise Http404
    form = _action_form(action, petition, request.POST)
    if form.is_valid():
        try:
            messages.success(request, _act(action, form, petition, user))
            return redirect("petitions:detail", pk=pk)
        except PermissionDenied as err:  # not this user's to handle: their page has no forms
            messages.error(request, str(err))
            return redirect("petitions:detail", pk=pk)
        except ServiceError as err:
            if not form.errors:
                form.add_error(None, str(err))
        petition = selectors.petition_detail(user=user, pk=pk)  # as it is now, not half-changed
    return _detail(request, petition, bound={action: form}, status=400)


def _file(data: bytes, mime: str, filename: str, inline: bool) -> HttpResponse:
    """Served so that nothing runs in the browser: images we re-encoded inline, the rest
    as downloads, all under a sandboxing content policy."""
    response = HttpResponse(data, content_type=mime if inline else "application/octet-stream")
    response["Content-Disposition"] = (
        content_disposition_header(not inline, filename) or "attachment"
    )
    return sandboxed(response)  # not stored: its view is no_store


@no_store
@login_required
def attachment(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    _staff(request)
    user = user_of(request)
    att = selectors.attachment_detail(user=user, pk=pk)
    meta = services.attachment_meta(att)
    kind = services.cleaning.kind_of(att.mime)
    if which == "original":
        services.petition_read(
            petition=att.petition, user=user, action=AccessAction.ORIGINAL, attachment=att
        )
        return _file(services.attachment_original(att), att.mime, meta["name"], inline=False)
    if which != "copy":
        raise Http404
    services.petition_read(
        petition=att.petition, user=user, action=AccessAction.COPY, attachment=att
    )
    try:
        data = services.attachment_copy(att)
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("petitions:detail", pk=att.petition_id)
    stem = meta["name"].rsplit(".", 1)[0] or "附件"
    return _file(data, att.mime, f"{stem}（副本）.{kind.extension}", inline=kind.inline)


# ------------------------------------------------------------------ QR codes


@login_required
def intake_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    user = user_of(request)
    teams = selectors.teams_for(user)
    assignments = selectors.intake_assignments(user)
    form = forms.IntakeForm(request.POST or None, teams=teams, assignments=assignments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        a = d["assignment"]
        try:
            if a is not None and a.team_id != d["team"].pk:
                raise ServiceError("所选单位不是该巡察组的巡察对象。")
            code = services.intake_create(team=d["team"], by=user, opens_on=d["opens_on"], closes_on=d["closes_on"],
                                          scope=d["scope"], phone=d["phone"], address=d["address"],
                                          unit_id=a.unit_id if a else None)  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "二维码已生成。")
            return redirect("petitions:intake", pk=code.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "codes": selectors.intake_list(user=user),
        "form": form,
        "can_create": teams.exists(),
    }
    return render(request, "petitions/intake_list.html", context, status=status)


def _public_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("petitions_public:intake", args=[token]))


@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    code = selectors.intake_detail(user=user_of(request), pk=pk)
    return render(
        request,
        "petitions/intake_detail.html",
        {"code": code, "url": _public_url(request, code.token)},
    )


@login_required
def intake_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _staff(request)
    code = selectors.intake_detail(user=user_of(request), pk=pk)
    url = _public_url(request, code.token)
    name = f"码上巡察-{code.team.name}{'-' + code.unit.name if code.unit else ''}"
    if fmt == "png":
        body, mime = notice.qr_png(url), "image/png"
    elif fmt == "svg":
        body, mime = notice.qr_svg(url), "image/svg+xml"
    elif fmt == "pdf":
        body, mime = notice.notice_pdf(notice.Notice(
            url=url, issuer=settings.OFFICE_NAME,
            team=code.team.name, unit=code.unit.name if code.unit else None, start=code.opens_on, end=code.closes_on,
            scope=code.scope, phone=code.phone, address=code.address, issued_on=timezone.localdate(),
        )), "application/pdf"  # fmt: skip
    else:
        raise Http404
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{name}.{fmt}") or "attachment"
    )
    return sandboxed(response)
