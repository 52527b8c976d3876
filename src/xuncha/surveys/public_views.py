"""The public survey page: a phone page, no account, nothing about the respondent kept.

It takes the petition channel's protections as they are (docs/decisions/0019): the
``public`` headers (no caching, no referrer, a strict content policy), the one-use proof
of work (pow.js solves it before the button works; a replayed form is refused) and the
rate limit keyed by a salted hash of the address that lives only in the cache.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from xuncha.common import ratelimit
from xuncha.common.errors import ServiceError
from xuncha.petitions import pow
from xuncha.petitions.public_views import TOO_MANY, public

from . import forms, selectors, services
from .models import Answer, Group

# Answers per address and window. Looser than a petition's: a village meeting may answer
# from one office network; the proof of work still prices each answer.
RATE = settings.SURVEY_RATE_SUBMIT
REPLAYED = "该答卷已经提交过，请勿重复提交。"


@public
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_public(token=token)
    form = forms.ResponseForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if not ratelimit.hit("survey", ratelimit.client_key(request), RATE):
            error, status = TOO_MANY, 429
        elif not form.is_valid():
            error = "；".join(str(e) for errors in form.errors.values() for e in errors)
        else:
            d = form.cleaned_data
            try:
                pow.verify(d["pow_challenge"], d["pow_nonce"])
                services.response_submit(survey=survey, group=d["group"], answer=d["answer"],
                                         comment=d["comment"])  # fmt: skip
            except pow.Replayed:
                error = REPLAYED
            except (pow.WorkRefused, ServiceError) as err:
                error = str(err)
            else:
                return render(request, "surveys/public/thanks.html", {"survey": survey})
    form.initial.update(pow_challenge=pow.challenge())  # a fresh one on every page
    context = {
        "survey": survey, "form": form, "error": error, "groups": Group.choices,
        "answers": Answer.choices, "open": survey.is_open(timezone.localdate()),
        "state": survey.state(timezone.localdate()),
    }  # fmt: skip
    return render(request, "surveys/public/answer.html", context, status=status)
