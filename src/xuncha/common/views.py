from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_BAD_ORIGIN, REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils import timezone

from xuncha.accounts.access import user_of
from xuncha.common.errors import ServiceError

from .home import home_sections


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台首页: the day's to-do numbers of the user's role, each a link to its list."""
    sections = home_sections(user=user_of(request), today=timezone.localdate())
    return render(request, "common/home.html", {"sections": sections})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form, in Chinese, with its cause: an expired page, cookies off, or a
    deployment whose HTTPS or origin settings do not match how the site is reached (the
    administrator is told which setting to change)."""
    why, admin = "页面打开太久已失效。请返回上一页，刷新后重新提交。", ""
    if reason == REASON_NO_CSRF_COOKIE:
        why = "浏览器没有发送本站的 Cookie（可能禁用了 Cookie）。请启用 Cookie，返回上一页刷新后重新提交。"
        if settings.CSRF_COOKIE_SECURE and not request.is_secure():
            why = "本站设置为只通过 HTTPS 访问，而这次是用 http:// 打开的，浏览器因此没有保存和发送登录所需的 Cookie。"
            admin = ("服务器设置了 XUNCHA_HTTPS=1，却以普通 HTTP 提供网页。请按 docs/deploy.md 经 HTTPS "
                     "反向代理访问（并设置 XUNCHA_TRUSTED_PROXY）；内网只用 HTTP 时设置 XUNCHA_HTTPS=0。")  # fmt: skip
    elif reason.startswith(REASON_BAD_ORIGIN.split("%")[0]):
        why = "表单来自与本站地址不符的来源，已拒绝。请从本站页面重新打开后提交。"
        admin = (f"浏览器来源为 {request.META.get('HTTP_ORIGIN', '（无）')}，而服务器认为本站是 "
                 f"{request.scheme}://{request.get_host()}。经反向代理访问时请设置 XUNCHA_TRUSTED_PROXY，"
                 "或在 XUNCHA_TRUSTED_ORIGINS 中列出对外地址。")  # fmt: skip
    return render(request, "common/csrf_failure.html", {"why": why, "admin": admin}, status=403)


# A declaration workbook (indicator system, rubric) is a few hundred rows: well under this.
MAX_DECLARATION_BYTES = 5 * 1024 * 1024


def version_import(
    request: HttpRequest,
    *,
    field: str,
    noun: str,
    short: str,
    read: Callable[[bytes, str], Any],
    create: Callable[[Any, str], Any],
    owner: Callable[[Any], object],
) -> None:
    """Import the uploaded declaration workbook (``request.FILES["file"]``) as a new
    version of the ``noun`` (指标体系, 评查标准) named in ``request.POST[field]``: a new
    one, or the next version of the one with that name. ``read(data, name)`` parses it
    (in the sandbox), ``create(spec, name)`` keeps it, ``owner(version)`` is what the
    message names; the outcome is said in a message."""
    upload, name = request.FILES.get("file"), request.POST.get(field, "").strip()
    if not name:
        messages.error(request, f"请填写{noun}名称（已有{short}的名称即导入为其新版本）。")
    elif upload is None:
        messages.error(request, "请选择要导入的 Excel 文件。")
    elif upload.size is not None and upload.size > MAX_DECLARATION_BYTES:
        messages.error(request, f"文件过大（上限 {MAX_DECLARATION_BYTES // 2**20} MB）。")
    else:
        try:
            version = create(read(upload.read(), upload.name or f"{noun}.xlsx"), name)
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, f"已导入「{owner(version)}」第 {version.number} 版。")
