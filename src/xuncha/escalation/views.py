"""联动巡察与重大问题呈报: the office manages, leaders read, everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.common.errors import ServiceError
from xuncha.findings.models import Finding
from xuncha.planning.models import Round

from . import bundle as fmt
from . import selectors, services
from .forms import (
    AcknowledgeForm,
    EscalateForm,
    ImportForm,
    LevelForm,
    MarkForm,
    OfficeForm,
    ReceiptForm,
    SenderForm,
)
from .keys import key_path, signing_key
from .models import Escalation, JointRound, Level, MajorFinding, ReceivedMajorFinding, TrustedSender

READ, MANAGE = "escalation.read", "escalation.manage"


def _require(request: HttpRequest, action: str) -> bool:
    """404 unless allowed; whether the user may also manage."""
    user = user_of(request)
    if not allowed(user, action):
        raise Http404
    return allowed(user, MANAGE)


def _form_errors(form: Any) -> str:
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    manage = _require(request, READ)
    majors = [(m, selectors.position_of(list(m.hops.all()))) for m in selectors.majors()]
    received = [
        (r, selectors.position_of(list(r.hops.all()), r.chain))
        for r in selectors.received_findings()
    ]
    joints = JointRound.objects.select_related("round").prefetch_related("levels")
    return render(request, "escalation/index.html", {
        "majors": majors, "received": received, "joints": joints, "manage": manage,
        "office": services.office(), "import_form": ImportForm() if manage else None,
    })  # fmt: skip


# ------------------------------------------------------------------ keys and senders


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    manage = _require(request, READ)
    office = services.office()
    form = OfficeForm(request.POST or None, initial={"name": office.name, "level": office.level})
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            try:
                services.office_set(by=user_of(request), **form.cleaned_data)
            except ServiceError as err:
                messages.error(request, str(err))
            else:
                messages.success(request, "已保存本单位名称和层级。")
                return redirect("escalation:keys")
    # A leader sees the key once the office made it; only the office's visit makes it.
    key = signing_key() if manage or key_path().exists() else None
    return render(request, "escalation/keys.html", {
        "office": office, "manage": manage, "office_form": form if manage else None,
        "fingerprint": fmt.spaced(fmt.fingerprint(fmt.public_raw(key))) if key else "",
        "public_text": fmt.public_key_text(key, office.name or "巡察办") if key else "",
        "senders": selectors.senders(), "sender_form": SenderForm() if manage else None,
        "spaced": fmt.spaced,
    })  # fmt: skip


@login_required
def public_key(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE)
    office = services.office()
    text = fmt.public_key_text(signing_key(), office.name or "巡察办")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{office.name or '巡察办'}.pub") or ""
    )
    return response


@login_required
@require_POST
def sender_register(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE)
    form = SenderForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("escalation:keys")
    try:
        sender = services.sender_register(
            text=form.cleaned_data["text"], name=form.cleaned_data["name"], by=user_of(request)
        )
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, f"已登记发送方「{sender.name}」，指纹 {fmt.spaced(sender.fingerprint)}。"
            "请与对方核对指纹（电话或纸面），不一致时立即停用。",
        )  # fmt: skip
    return redirect("escalation:keys")


@login_required
@require_POST
def sender_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    sender = get_object_or_404(TrustedSender, pk=pk)
    services.sender_revoke(sender=sender, by=user_of(request))
    messages.success(request, f"已停用发送方「{sender.name}」的公钥：此后其呈报包不予导入。")
    return redirect("escalation:keys")


# ------------------------------------------------------------------ joint rounds


def _level_forms(request: HttpRequest, rnd: Round, joint: JointRound | None) -> list[Any]:
    forms = []
    existing = {lv.level: lv for lv in joint.levels.all()} if joint else {}
    for level, label in Level.choices:
        lv = existing.get(level)
        initial = ({"organiser": lv.organiser, "units": lv.units.all(), "unit_names": lv.unit_names,
                    "teams": lv.teams.all(), "team_names": lv.team_names} if lv else {})  # fmt: skip
        form = LevelForm(request.POST if request.method == "POST" else None, prefix=level,
                         initial=initial, round=rnd)  # fmt: skip
        forms.append((level, label, form))
    return forms


@login_required
def joint_round(request: HttpRequest, pk: int) -> HttpResponse:
    manage = _require(request, READ)
    rnd = get_object_or_404(Round, pk=pk)
    joint = (
        JointRound.objects.filter(round=rnd)
        .prefetch_related("levels__units", "levels__teams")
        .first()
    )
    forms = _level_forms(request, rnd, joint)
    if request.method == "POST":
        if not manage:
            raise Http404
        if all(f.is_valid() for _, _, f in forms):
            levels = [
                services.LevelInput(level=level, **f.cleaned_data)
                for level, _, f in forms
                if f.cleaned_data["organiser"].strip()
            ]
            try:
                services.joint_round_set(round=rnd, note=request.POST.get("note", ""),
                                         levels=levels, by=user_of(request))  # fmt: skip
            except ServiceError as err:
                messages.error(request, f"未保存：{err}")
            else:
                messages.success(request, f"已将{rnd.name}设为联动巡察（{len(levels)} 个层级）。")
                return redirect("escalation:round", pk=rnd.pk)
    return render(request, "escalation/round.html", {
        "round": rnd, "joint": joint, "forms": forms, "manage": manage,
        "note": request.POST.get("note", "") if request.method == "POST" else (joint.note if joint else ""),
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


@login_required
@require_POST
def joint_round_clear(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    rnd = get_object_or_404(Round, pk=pk)
    services.joint_round_clear(round=rnd, by=user_of(request))
    messages.success(request, f"已取消{rnd.name}的联动设置。")
    return redirect("escalation:round", pk=rnd.pk)


# ------------------------------------------------------------------ major findings


@login_required
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    finding = get_object_or_404(Finding.objects.select_related("unit", "round"), pk=pk)
    if (major := MajorFinding.objects.filter(finding=finding).first()) is not None:
        return redirect("escalation:major", pk=major.pk)
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            major = services.major_mark(finding=finding, reason=form.cleaned_data["reason"],
                                        by=user_of(request))  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, "已标记为重大问题。")
            return redirect("escalation:major", pk=major.pk)
    return render(request, "escalation/mark.html", {"finding": finding, "form": form})


def _hop_forms(manage: bool) -> dict[str, Any]:
    return {"receipt_form": ReceiptForm(), "ack_form": AcknowledgeForm()} if manage else {}


@login_required
def major(request: HttpRequest, pk: int) -> HttpResponse:
    manage = _require(request, READ)
    found = get_object_or_404(selectors.majors(), pk=pk)
    hops = list(found.hops.all())
    return render(request, "escalation/major.html", {
        "major": found, "finding": found.finding, "hops": hops, "manage": manage,
        "position": selectors.position_of(hops), "office": services.office(),
        "escalate_form": _escalate_form(manage and not hops), **_hop_forms(manage),
    })  # fmt: skip


@login_required
def received(request: HttpRequest, pk: int) -> HttpResponse:
    manage = _require(request, READ)
    found = get_object_or_404(selectors.received_findings(), pk=pk)
    hops = list(found.hops.all())
    return render(request, "escalation/received.html", {
        "found": found, "hops": hops, "manage": manage, "levels": dict(Level.choices),
        "position": selectors.position_of(hops, found.chain), "office": services.office(),
        "escalate_form": _escalate_form(manage and not hops), **_hop_forms(manage),
    })  # fmt: skip


def _escalate_form(show: bool) -> EscalateForm | None:
    return EscalateForm(own_level=services.office().level) if show else None


@login_required
def received_file(request: HttpRequest, pk: int, att: int) -> FileResponse:
    _require(request, READ)
    found = get_object_or_404(ReceivedMajorFinding, pk=pk)
    attachment = get_object_or_404(found.attachments, pk=att)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type="application/octet-stream")  # fmt: skip


@login_required
@require_POST
def escalate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    if kind not in ("major", "received"):
        raise Http404
    origin: dict[str, Any] = (
        {"major": get_object_or_404(MajorFinding, pk=pk)}
        if kind == "major"
        else {"received": get_object_or_404(ReceivedMajorFinding, pk=pk)}
    )
    form = EscalateForm(request.POST, own_level=services.office().level)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            hop = services.escalate(by=user_of(request), **form.cleaned_data, **origin)
        except ServiceError as err:
            messages.error(request, f"未呈报：{err}")
        else:
            messages.success(
                request, f"已记录呈报至{hop.to_office}。请下载呈报包，按规定介质送达。"
            )
    return redirect(f"escalation:{kind}", pk=pk)


def _back(hop: Escalation) -> HttpResponse:
    if hop.major_id:
        return redirect("escalation:major", pk=hop.major_id)
    return redirect("escalation:received", pk=hop.received_id)


@login_required
def hop_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    hop = get_object_or_404(Escalation, pk=pk)
    try:
        name, data = services.bundle_export(hop=hop, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
        return _back(hop)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@login_required
@require_POST
def hop_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    hop = get_object_or_404(Escalation, pk=pk)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(hop)
    try:
        services.hop_receipt(hop=hop, by=user_of(request), **form.cleaned_data)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已登记{hop.to_office}签收。")
    return _back(hop)


@login_required
@require_POST
def hop_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MANAGE)
    hop = get_object_or_404(Escalation, pk=pk)
    try:
        services.hop_acknowledge(hop=hop, note=request.POST.get("note", ""), by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "已登记阅处。")
    return _back(hop)


# ------------------------------------------------------------------ import


@login_required
def bundle_import(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "呈报包"
        if upload.size is not None and upload.size > services.SIZES.bundle:
            messages.error(
                request,
                f"「{name}」未导入：文件过大（上限 {services.SIZES.bundle // fmt.MB} MB）。",
            )
            return redirect("escalation:import")
        try:
            result = services.bundle_import(data=upload.read(), file_name=name, by=user_of(request))
        except ServiceError as err:
            messages.error(request, str(err))
            return redirect("escalation:import")
        b = result.bundle
        if not result.created:
            messages.info(request, f"呈报包 {b.bundle_id} 已于 {b.received_at:%Y-%m-%d %H:%M} 由"
                                   f"{b.received_by.display_name}签收，本次未做任何改动。")  # fmt: skip
        else:
            messages.success(request, f"已核验并签收「{b.sender_name}」的呈报包：签名有效，"
                                      f"{len(result.findings)} 个重大问题，附件校验和全部相符。")  # fmt: skip
        first = b.findings.first()
        return (
            redirect("escalation:received", pk=first.pk) if first else redirect("escalation:index")
        )
    return render(request, "escalation/import.html", {"form": form})
