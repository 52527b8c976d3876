from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "common/home.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, cookies off, replayed from elsewhere), in Chinese."""
    return render(request, "common/csrf_failure.html", status=403)
