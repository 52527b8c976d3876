"""Refuse, in Chinese and before anything else reads it, a request body that is too
large or not a well-formed form (the CSRF check would otherwise parse it first); set the
staff pages' Content-Security-Policy; keep sensitive pages out of every cache."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

from . import ratelimit

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def upload_limit(setting: str) -> Callable[[Any], Any]:
    """Mark a view as taking bodies up to ``settings.<setting>`` instead of
    ``REQUEST_MAX_BYTES`` (dataset uploads); put it outermost, on the URL's view."""

    def mark(view: Any) -> Any:
        view.upload_limit_setting = setting
        return view

    return mark


def no_store(view: V) -> V:
    """For a page or file showing petition content, a person's identity or full ID
    numbers: ``Cache-Control: no-store`` (and private, max-age=0), so neither the browser's
    disk cache nor a proxy keeps a copy for the next user of a shared office computer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    setattr(wrapped, "no_store", True)  # noqa: B010 (read by tests over the URL map)
    return cast(V, wrapped)


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """``settings.CONTENT_SECURITY_POLICY`` on every page that sets no policy of its own,
    so an injected script or style would not run even if escaping failed somewhere."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestGuardMiddleware(MiddlewareMixin):
    """Runs as a view middleware placed before CSRF's, so it knows the view: a view
    marked with ``upload_limit_setting`` (dataset uploads) takes bodies up to that
    setting instead of ``REQUEST_MAX_BYTES``."""

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        name = getattr(view, "upload_limit_setting", "REQUEST_MAX_BYTES")
        response = self.refused(request, int(getattr(settings, name)))
        if response is not None:
            ratelimit.count_refused(request)
        return response

    @staticmethod
    def refused(request: HttpRequest, limit: int) -> HttpResponse | None:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain("请求格式不对（内容长度无效）。", 400)
        if size > limit:
            return _plain(f"提交的内容共 {size // (1024 * 1024)} MB，超过 {limit // (1024 * 1024)} MB 的上限，"
                          "请减少或压缩附件后重试。", 413)  # fmt: skip
        try:
            request.POST, request.FILES  # noqa: B018 (parse here, inside the guard)
        except (
            MultiPartParserError,
            RequestDataTooBig,
            TooManyFieldsSent,
            TooManyFilesSent,
            ValueError,
        ):
            return _plain("提交的表单不完整或格式不对，请返回页面重新提交。", 400)
        return None
