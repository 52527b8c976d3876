"""Survey pages for the office and supervisors: open one, its QR code (PNG, SVG, a
printable page), its results, close it. Other roles get 404 (the selectors decide)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError
from xuncha.common.files import sandboxed
from xuncha.common.pagination import paginate

from . import forms, qr, selectors, services
from .models import Survey

PAGE_SIZE = 50


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    surveys = selectors.survey_list(user=user)  # 404 for roles that do not run surveys
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey = services.survey_open(unit=d["unit"], round=d["round"], by=user, title=d["title"],
                                          opens_on=d["opens_on"], closes_on=d["closes_on"])  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, "满意度测评已发起，请下载二维码张贴或转发链接。")
            return redirect("surveys:detail", pk=survey.pk)
    today = timezone.localdate()
    listed = paginate(request, surveys, PAGE_SIZE)
    rows = [(s, s.state(today)) for s in listed["page"].object_list]
    context = {**listed, "surveys": rows, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/list.html", context, status=status)


def _public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys_public:answer", args=[survey.token]))


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_detail(user=user_of(request), pk=pk)
    context = {
        "survey": survey,
        "state": survey.state(timezone.localdate()),
        "url": _public_url(request, survey),
        "results": selectors.survey_results(survey),
        "comments": selectors.survey_comments(survey),
    }
    return render(request, "surveys/detail.html", context)


@login_required
def survey_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print and post: the code, the unit, the dates, what it asks."""
    survey = selectors.survey_detail(user=user_of(request), pk=pk)
    return render(
        request, "surveys/print.html", {"survey": survey, "url": _public_url(request, survey)}
    )


@login_required
def survey_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey = selectors.survey_detail(user=user_of(request), pk=pk)
    url = _public_url(request, survey)
    if fmt == "png":
        body, mime = qr.qr_png(url), "image/png"
    elif fmt == "svg":
        body, mime = qr.qr_svg(url), "image/svg+xml"
    else:
        raise Http404
    response = HttpResponse(body, content_type=mime)
    name = f"满意度测评-{survey.unit.name}-{survey.pk}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return sandboxed(response)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_detail(user=user_of(request), pk=pk)
    try:
        services.survey_close(survey=survey, by=user_of(request))
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "测评已关闭，不再接收答卷；已收答卷仍计入结果。")
    return redirect("surveys:detail", pk=survey.pk)
