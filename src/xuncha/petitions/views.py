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
from xuncha.common.errors import ServiceError
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
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = selectors.petition_list(user=user, **filters)
    context = {"form": form, "counts": selectors.inbox_counts(user=user),
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


@no_store
@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = user_of(request)
    petition = selectors.petition_detail(user=user, pk=pk)
    services.petition_read(petition=petition, user=user, action=AccessAction.VIEW)
    show_identity = request.GET.get("identity") == "1" and not petition.anonymous
    if show_identity:
        services.petition_read(petition=petition, user=user, action=AccessAction.IDENTITY)
    today = timezone.localdate()
    rows = selectors.attachments(petition)
    choices, labels = selectors.evidence_choices(petition, rows)
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
        "assign_form": forms.AssignForm(handlers=selectors.handlers(petition),
                                        initial={"handler": petition.handler_id}),
        "classify_form": forms.ClassifyForm(units=selectors.team_units(petition), initial={
            "category": petition.category, "subcategory": petition.subcategory, "unit": petition.unit_id}),
        "dispose_form": forms.DisposeForm(has_finding=petition.finding_id is not None),
        "message_form": forms.MessageForm(), "link_form": forms.LinkForm(),
        "finding_form": forms.ToFindingForm(choices=choices, labels=labels, initial={
            "category": petition.category, "subcategory": petition.subcategory}),
        "evidence_form": forms.EvidenceForm(choices=choices, labels=labels),
        "lead_form": forms.ToLeadForm(initial={"handed_on": today, "due_on": today}),
    }  # fmt: skip
    return render(request, "petitions/detail.html", context)


def _evidence_form(petition: Petition, post: Any, cls: type[forms.EvidenceForm]) -> Any:
    choices, labels = selectors.evidence_choices(petition, selectors.attachments(petition))
    return cls(post, choices=choices, labels=labels)


def _act(action: str, petition: Petition, request: HttpRequest) -> str:
    user = user_of(request)
    post = request.POST
    if action == "assign":
        form: Any = forms.AssignForm(post, handlers=selectors.handlers(petition))
        if form.is_valid():
            services.petition_assign(
                petition=petition, by=user, handler=form.cleaned_data["handler"]
            )
            return "已分办。"
    elif action == "classify":
        form = forms.ClassifyForm(post, units=selectors.team_units(petition))
        if form.is_valid():
            d = form.cleaned_data
            services.petition_classify(petition=petition, by=user, category=d["category"],
                                       subcategory=d["subcategory"], unit_id=d["unit"].pk if d["unit"] else None)  # fmt: skip
            return "分类已保存。"
    elif action == "dispose":
        form = forms.DisposeForm(post, has_finding=petition.finding_id is not None)
        if form.is_valid():
            services.petition_dispose(petition=petition, by=user, **form.cleaned_data)
            return "已办结，反映人凭回执码查询将看到“已办结”。"
    elif action == "finding":
        form = _evidence_form(petition, post, forms.ToFindingForm)
        if form.is_valid():
            d = form.cleaned_data
            services.petition_to_finding(petition=petition, by=user, category=d["category"],
                                         subcategory=d["subcategory"], description=d["description"],
                                         amount=d["amount"], attachments=list(d["attachments"]))  # fmt: skip
            attached = f"，{len(d['attachments'])} 个附件已附为证据" if d["attachments"] else ""
            return (
                f"已转为巡察发现问题{attached}。信访件仍为“办理中”，办结后反映人才会看到“已办结”。"
            )
    elif action == "evidence":
        form = _evidence_form(petition, post, forms.EvidenceForm)
        if form.is_valid():
            made = services.petition_evidence_attach(
                petition=petition, by=user, attachments=list(form.cleaned_data["attachments"])
            )
            return f"{len(made)} 个附件已附为该问题的证据材料。"
    elif action == "lead":
        form = forms.ToLeadForm(post)
        if form.is_valid():
            services.petition_to_lead(petition=petition, by=user, **form.cleaned_data)
            return "已作为问题线索移交。"
    elif action == "reply":
        form = forms.MessageForm(post)
        if form.is_valid():
            services.message_from_team(petition=petition, by=user, body=form.cleaned_data["body"])
            return "答复已发送，反映人凭回执码可以看到。"
    elif action == "link":
        form = forms.LinkForm(post)
        if form.is_valid():
            other = selectors.related_choice(petition, user, form.cleaned_data["other"])
            if other is None:
                raise ServiceError("没有找到该编号的本组信访件。")
            services.petition_link(petition=petition, other=other, by=user,
                                   duplicate=form.cleaned_data["duplicate"])  # fmt: skip
            return "已关联。"
    else:
        raise Http404
    errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
    raise ServiceError(f"提交的内容有误：{errors}")


@no_store
@login_required
@require_POST
def petition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _staff(request)
    petition = selectors.petition_detail(user=user_of(request), pk=pk)
    try:
        messages.success(request, _act(action, petition, request))
    except ServiceError as err:
        messages.error(request, str(err))
    return redirect("petitions:detail", pk=pk)


def _file(data: bytes, mime: str, filename: str, inline: bool) -> HttpResponse:
    """Served so that nothing runs in the browser: images we re-encoded inline, the rest
    as downloads, all under a sandboxing content policy."""
    response = HttpResponse(data, content_type=mime if inline else "application/octet-stream")
    response["Content-Disposition"] = (
        content_disposition_header(not inline, filename) or "attachment"
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


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
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
