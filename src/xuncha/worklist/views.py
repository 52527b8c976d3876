"""Pages of the monthly task lists. The office manages (``worklist.manage``); leaders read
(``worklist.read``) and decide the extension requests of their own items; everyone else
gets a 404. Views parse input and call selectors and services only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuncha.accounts.access import allowed, user_of
from xuncha.accounts.models import User
from xuncha.common.errors import ServiceError
from xuncha.common.exports import file_name, xlsx_response
from xuncha.common.pagination import paginate

from . import exports, forms, selectors, services
from .models import ExtensionRequest, ItemStatus, Milestone, Reminder, TaskItem, TaskList


def _manager(request: HttpRequest) -> User:
    user = user_of(request)
    if not allowed(user, "worklist.manage"):
        raise Http404
    return user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    found = selectors.lists(user=user, today=today)  # 404 unless worklist.read
    form = forms.ListForm(initial={"month": today.strftime("%Y-%m")})
    return render(request, "worklist/index.html", {
        "lists": found, "form": form, "today": today,
        "pending": selectors.pending_extensions(user=user),
    })  # fmt: skip


@login_required
@require_POST
def list_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    today = timezone.localdate()
    form = forms.ListForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.list_create(
                by=user, month=data["month"], today=today, report_day=data["report_day"],
                title=data["title"],
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, f"已新建「{made.title}」，请添加任务事项后印发。")
            return redirect("worklist:list", made.pk)
    return render(request, "worklist/index.html", {
        "lists": selectors.lists(user=user, today=today), "form": form, "today": today,
        "pending": selectors.pending_extensions(user=user),
    }, status=400)  # fmt: skip


def _filtered(request: HttpRequest, task_list: TaskList, today: dt.date) -> tuple[Any, Any]:
    user = user_of(request)
    form = forms.ItemFilterForm(
        request.GET, responsible=selectors.people(field="responsible"),
        leaders=selectors.people(field="lead_leader"),
    )  # fmt: skip
    if form.is_bound and not form.is_valid():
        return form, TaskItem.objects.none()
    data = form.cleaned_data if form.is_bound else {}
    found = selectors.items(
        user=user, task_list=task_list, today=today, status=data.get("status", ""),
        responsible_id=data.get("responsible"), lead_leader_id=data.get("lead_leader"),
        overdue=bool(data.get("overdue")),
    )  # fmt: skip
    return form, found


def _with_details(items: Any) -> Any:
    return items.select_related("carried_from__task_list").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due", "id")), "reports"
    )


@login_required
def list_detail(request: HttpRequest, pk: int, item_form: Any = None) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    task_list = selectors.task_list(user=user, pk=pk)
    form, found = _filtered(request, task_list, today)
    manage = allowed(user, "worklist.manage")
    earlier = TaskList.objects.filter(month__lt=task_list.month).order_by("-month")
    return render(request, "worklist/list_detail.html", {
        "task_list": task_list, "form": form, "today": today, "manage": manage,
        "rows": [(i, i.is_overdue(today)) for i in _with_details(found)],
        "item_form": item_form or (forms.ItemForm() if manage else None),
        "carry_form": forms.CarryForm(sources=earlier) if manage and earlier else None,
        "query": request.GET.urlencode(),
    }, status=400 if item_form is not None else 200)  # fmt: skip


@login_required
def list_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    task_list = selectors.task_list(user=user, pk=pk)
    found = selectors.items(user=user, task_list=task_list, today=today)
    return render(request, "worklist/list_print.html", {
        "task_list": task_list, "today": today,
        "rows": [(i, i.is_overdue(today)) for i in _with_details(found)],
    })  # fmt: skip


@login_required
def list_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    task_list = selectors.task_list(user=user, pk=pk)
    form, found = _filtered(request, task_list, today)
    if form.errors or not found.exists():
        messages.error(request, "筛选条件有误或当前筛选下没有任务事项，未生成导出文件。")
        back = reverse("worklist:list", args=[pk])
        return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)
    data = exports.list_workbook(_with_details(found), today)
    return xlsx_response(data, file_name("月度任务清单", today, task_list.month_label))


@login_required
@require_POST
def list_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    task_list = get_object_or_404(TaskList, pk=pk)
    _run(request, lambda: services.list_issue(task_list=task_list, by=user), "已印发任务清单。")
    return redirect("worklist:list", pk)


@login_required
@require_POST
def list_carry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    target = get_object_or_404(TaskList, pk=pk)
    form = forms.CarryForm(request.POST, sources=TaskList.objects.filter(month__lt=target.month))
    if not form.is_valid():
        messages.error(request, "请选择要延续的清单（应早于本月）。")
        return redirect("worklist:list", pk)
    source = get_object_or_404(TaskList, pk=form.cleaned_data["source"])
    try:
        n = services.carry_over(source=source, target=target, by=user)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, f"已从「{source.title}」延续 {n} 项未完成事项。" if n
                         else f"「{source.title}」没有需要延续的未完成事项。")  # fmt: skip
    return redirect("worklist:list", pk)


@login_required
@require_POST
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    task_list = get_object_or_404(TaskList, pk=pk)
    form = forms.ItemForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            item = services.item_add(
                task_list=task_list, by=user, what=d["what"], lead_leader=d["lead_leader"],
                lead_department=d["lead_department"], responsible=d["responsible"],
                deadline=d["deadline"], today=timezone.localdate(),
            )  # fmt: skip
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, f"已添加第 {item.number} 项任务。")
            return redirect("worklist:item", item.pk)
    return list_detail(request, pk, item_form=form)


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    try:
        call()
    except ServiceError as err:
        messages.error(request, str(err))
        return False
    messages.success(request, done)
    return True


# --------------------------------------------------------------------------- the item


def _item_forms(user: User, item: TaskItem, pending: ExtensionRequest | None) -> dict[str, Any]:
    """The forms this user may submit on this item now, by name."""
    out: dict[str, Any] = {}
    unfinished = item.status in (ItemStatus.OPEN, ItemStatus.IN_PROGRESS, ItemStatus.REPORTED,
                                 ItemStatus.RETURNED)  # fmt: skip
    if services.may_report(user, item) and unfinished:
        if item.status != ItemStatus.REPORTED:
            out["report"] = forms.ReportForm()
        out["milestone"] = forms.MilestoneForm()
        if pending is None:
            out["extend"] = forms.ExtensionForm()
    if pending is not None and unfinished and services.may_decide(user, pending):
        out["decide"] = forms.DecideForm()
    if allowed(user, "worklist.manage") and unfinished:
        out["remind"] = forms.ReminderForm()
        out["close"] = forms.CloseForm()
        if item.status == ItemStatus.REPORTED:
            out["return"] = forms.ReturnForm()
    return out


TITLES = {"report": "报送本月进展", "milestone": "添加时间节点", "extend": "申请延期",
          "decide": "审批延期申请", "remind": "催办", "close": "审结", "return": "退回"}  # fmt: skip


@login_required
def item_detail(
    request: HttpRequest, pk: int, bound: tuple[str, Any] | None = None
) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    item = selectors.item_detail(user=user, pk=pk)
    pending = item.extensions.filter(decided_at__isnull=True).select_related("requested_by").first()
    item_forms = _item_forms(user, item, pending)
    if bound is not None:
        item_forms[bound[0]] = bound[1]
    chain = selectors.chain(item)
    return render(request, "worklist/item_detail.html", {
        "item": item, "today": today, "overdue": item.is_overdue(today), "pending": pending,
        "chain": [
            (i, i.reports.select_related("by"), i.reminders.select_related("by"),
             i.extensions.select_related("requested_by", "decided_by"))
            for i in reversed(chain)
        ],
        "later": selectors.later(item), "milestones": item.milestones.all(),
        "forms": [(name, TITLES[name], f) for name, f in item_forms.items()],
        "may_report": services.may_report(user, item),
    }, status=400 if bound is not None else 200)  # fmt: skip


def _item_action(user: User, item: TaskItem, action: str, data: dict[str, Any]) -> str:
    """Carry out ``action`` (a cleaned form); returns the message of success."""
    today = timezone.localdate()
    if action == "report":
        services.progress_report(item=item, by=user, today=today, **data)
        return "已报送进展。" if data["percent"] < 100 else "已报结，待巡察办审结。"
    if action == "milestone":
        services.milestone_add(item=item, by=user, today=today, **data)
        return "已添加时间节点。"
    if action == "extend":
        services.extension_request(item=item, by=user, today=today, **data)
        return "已提交延期申请，待牵头领导或巡察办审批。"
    if action == "decide":
        pending = item.extensions.filter(decided_at__isnull=True).first()
        if pending is None:
            raise ServiceError("该事项没有待审批的延期申请。")
        services.extension_decide(request=pending, by=user, **data)
        return "已同意延期，完成时限已更新。" if data["approved"] else "已不同意延期。"
    if action == "remind":
        services.reminder_add(item=item, by=user, today=today, **data)
        return "已催办。"
    if action == "close":
        services.item_close(item=item, by=user, **data)
        return "已审结。"
    services.item_return(item=item, by=user, **data)
    return "已退回，责任人将看到退回原因。"


FORMS: dict[str, type[django_forms.Form]] = {
    "report": forms.ReportForm, "milestone": forms.MilestoneForm, "extend": forms.ExtensionForm,
    "decide": forms.DecideForm, "remind": forms.ReminderForm, "close": forms.CloseForm,
    "return": forms.ReturnForm,
}  # fmt: skip


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = user_of(request)
    item = selectors.item_detail(user=user, pk=pk)  # 404 unless worklist.read
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST)
    if form.is_valid():
        try:
            done = _item_action(user, item, action, form.cleaned_data)
        except ServiceError as err:
            form.add_error(None, str(err))
        else:
            messages.success(request, done)
            return redirect("worklist:item", pk)
    return item_detail(request, pk, bound=(action, form))


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    milestone = get_object_or_404(Milestone.objects.select_related("item"), pk=pk)
    selectors.item_detail(user=user, pk=milestone.item_id)  # 404 unless worklist.read
    _run(request, lambda: services.milestone_done(milestone=milestone, by=user,
                                                  today=timezone.localdate()), "已标记完成。")  # fmt: skip
    return redirect("worklist:item", milestone.item_id)


# --------------------------------------------------------------------------- views across lists


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The user's unfinished items; the home page's links narrow it: ?overdue=1,
    ?reminded=1 (today), ?pending=1 (an extension request waiting on the user) and, for
    the office, ?reported=1 (every item waiting for 审结, whoever is responsible)."""
    user = user_of(request)
    today = timezone.localdate()
    found = selectors.my_items(user=user)
    title = MINE
    if request.GET.get("overdue") == "1":
        found, title = found.filter(selectors.overdue_q(today)), "我负责的已逾期事项"
    elif request.GET.get("reminded") == "1":
        today_ids = Reminder.objects.filter(day=today).values("item_id")
        found, title = found.filter(id__in=today_ids), "今天被催办的事项"
    elif request.GET.get("pending") == "1":
        asked = selectors.pending_extensions(user=user).values("item_id")
        found = selectors.items(user=user, task_list=None, today=today).filter(id__in=asked)
        title = "有延期申请待我审批的事项"
    elif request.GET.get("reported") == "1" and allowed(user, "worklist.manage"):
        found = selectors.items(user=user, task_list=None, today=today, status=ItemStatus.REPORTED)
        title = "已报结待审结的事项"
    paged = paginate(request, found.prefetch_related("reminders"), PAGE_SIZE)
    return render(request, "worklist/mine.html", {
        "rows": [(i, i.is_overdue(today), list(i.reminders.all())[:3]) for i in paged["page"]],
        "pending": selectors.pending_extensions(user=user), "today": today, "title": title,
        "mine": MINE, **paged,
    })  # fmt: skip


MINE = "我负责的未完成事项"
PAGE_SIZE = 50


def _day(request: HttpRequest, today: dt.date) -> tuple[dt.date, str]:
    raw = request.GET.get("date", "")
    if not raw:
        return today, ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return today, f"日期「{raw}」不是 YYYY-MM-DD 格式，已显示本周。"


@login_required
def week(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    day, error = _day(request, today)
    found = selectors.week(user=user, day=day)
    return render(request, "worklist/week.html", {
        "week": found, "error": error, "day": day,
        "prev": found.monday - dt.timedelta(days=7), "next": found.monday + dt.timedelta(days=7),
        "parts": [("本周新增", found.new), ("推进中", found.in_progress), ("本周审结", found.closed)],
    }, status=400 if error else 200)  # fmt: skip


def _breakdown_list(request: HttpRequest, user: User, today: dt.date) -> TaskList | None:
    raw = request.GET.get("list", "")
    if raw == "all":
        return None
    if raw.isdigit():
        return selectors.task_list(user=user, pk=int(raw))
    return selectors.current_list(user=user, today=today)


@login_required
def breakdown(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    chosen = _breakdown_list(request, user, today)
    return render(request, "worklist/breakdown.html", {
        "chosen": chosen, "lines": selectors.breakdown(user=user, task_list=chosen, today=today),
        "lists": TaskList.objects.order_by("-month"), "query": request.GET.urlencode(),
    })  # fmt: skip


@login_required
def breakdown_export(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    chosen = _breakdown_list(request, user, today)
    lines = selectors.breakdown(user=user, task_list=chosen, today=today)
    name = file_name("责任分解", today, chosen.month_label if chosen else "全部清单")
    return xlsx_response(exports.breakdown_workbook(lines), name)
