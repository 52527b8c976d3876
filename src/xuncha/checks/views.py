"""Pages of the cross-check: a team's datasets and runs, a run's progress and results,
the suspects with their evidence, verification, and the roll-up into a finding.

Only the office and the team see any of it (:func:`restrict`); full ID numbers only
those :func:`can_unmask` allows, and each time it is logged (:class:`Unmasking`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from xuncha.accounts.access import allowed, can_unmask, user_of
from xuncha.common.errors import ServiceError
from xuncha.common.filters import list_query
from xuncha.common.middleware import no_store, upload_limit
from xuncha.common.pagination import paginate
from xuncha.crosscheck.linking import TIER_LABELS
from xuncha.crosscheck.programs import DEFAULT_PROGRAM, PROGRAMS, Program, all_inputs, all_rules
from xuncha.crosscheck.report import HITS_CSV, MANIFEST, WORKBOOK
from xuncha.crosscheck.roles import ROLES
from xuncha.planning.models import Team

from . import forms, selectors, services, workbook
from .models import CheckRun, Dataset, DatasetKind, RunStatus, Suspect, UserRuleFile

PAGE_SIZE = 50
REPORT_FILES = {"report": WORKBOOK, "hits": HITS_CSV, "manifest": MANIFEST}


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(selectors.teams_for(user_of(request)), pk=pk)


def _run(request: HttpRequest, pk: int) -> CheckRun:
    # A page view changes nothing: runs whose worker died are marked failed by the
    # worker itself, when it starts and every minute (tasks.reap_task).
    return get_object_or_404(selectors.visible_runs(user_of(request)), pk=pk)


def _dataset(request: HttpRequest, pk: int) -> Dataset:
    return get_object_or_404(selectors.visible_datasets(user_of(request)), pk=pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    teams = selectors.teams_for(user_of(request))
    if teams.count() == 1:
        return redirect("checks:team", pk=teams.get().pk)
    return render(request, "checks/index.html", {"teams": teams})


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The programs (比对模型) and their rules, as declared."""
    programs = []
    for program in PROGRAMS.values():
        described = program.describe()
        for rule in described["rules"]:
            rule["inputs_label"] = "、".join(program.labels[i] for i in rule["inputs"])
        programs.append(described)
    user = user_of(request)
    own = UserRuleFile.objects.filter(retired=False).select_related("uploaded_by")
    return render(request, "checks/rules.html", {
        "programs": programs, "user_rules": own,
        "can_write": allowed(user, "checks.user_rules"), "upload_form": forms.UserRuleForm(),
    })  # fmt: skip


@login_required
@require_POST
def user_rule_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择规则文件。")
    elif upload.size is not None and upload.size > services.userrules.MAX_RULE_BYTES:
        messages.error(request, "规则文件过大（上限 64 KB）。")
    else:
        try:
            made = services.user_rule_upload(by=user_of(request), data=upload.read(),
                                             name=upload.name or "规则.toml")  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            messages.success(request, f"已上传自定义规则「{made.title}」（{made.rule_id}），"
                             "可在该比对模型的运行表单中勾选。")  # fmt: skip
    return redirect("checks:rules")


@login_required
@require_POST
def user_rule_retire(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        done = services.user_rule_retire(by=user_of(request), pk=pk)
    except ServiceError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, f"已停用自定义规则「{done.title}」；用过它的比对仍保留其规则文件。"
        )
    return redirect("checks:rules")


@login_required
def user_rule_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The rule file as uploaded (any user of the cross-check may read what a rule does)."""
    found = get_object_or_404(UserRuleFile, pk=pk)
    response = HttpResponse(found.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, found.name) or ""
    return response


def _program(request: HttpRequest) -> Program:
    """The program the page is for (``?program=``, or the form's), the first by default."""
    chosen = request.POST.get("program") or request.GET.get("program") or DEFAULT_PROGRAM
    return PROGRAMS.get(chosen) or PROGRAMS[DEFAULT_PROGRAM]


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    t = _team(request, pk)
    datasets = selectors.datasets(user=user_of(request), team=t)
    return _team_page(request, t, forms.RunForm(datasets=datasets, program=_program(request)))


def _team_page(request: HttpRequest, t: Team, run_form: forms.RunForm, *,
               status: int = 200) -> HttpResponse:  # fmt: skip
    """The team's cross-check page; ``run_form`` bound and with its errors when a run
    could not start, so what was ticked and typed stays."""
    user = user_of(request)
    last = selectors.last_done_run(user=user, team=t)
    return render(request, "checks/team.html", {
        "team": t, "datasets": selectors.datasets(user=user, team=t),
        "runs": selectors.runs(user=user, team=t)[:20], "upload_form": forms.UploadForm(program=run_form.spec),
        "run_form": run_form, "programs": PROGRAMS.values(),
        "last": last, "last_params": forms.params_text(last), "busy": selectors.busy_run(user=user, team=t),
        "RunStatus": RunStatus,
    }, status=status)  # fmt: skip


@upload_limit("DATASET_MAX_BYTES")
@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    t = _team(request, pk)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择数据类别和文件。")
        return redirect("checks:team", pk=t.pk)
    f = form.cleaned_data["file"]
    try:
        dataset = services.dataset_upload(team=t, kind=form.cleaned_data["kind"], data=f,
                                          name=f.name or "", by=user_of(request))  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("checks:team", pk=t.pk)
    messages.success(request, f"已上传「{dataset.name}」，请核对识别出的列。")
    return redirect("checks:dataset", pk=dataset.pk)


def _letters(n: int) -> list[str]:
    from xlsxwriter.utility import xl_col_to_name

    return [xl_col_to_name(i) for i in range(n)]


@no_store
@login_required
def dataset(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    d = _dataset(request, pk)
    if d.retired:
        raise Http404
    status = 200
    if request.method == "POST":
        if "retire" in request.POST:
            services.dataset_retire(dataset=d, by=user)
            messages.success(request, f"「{d.name}」已停用，以后的比对不再使用。")
            return redirect("checks:team", pk=d.team_id)
        columns = {
            k.removeprefix("col_"): request.POST[k] for k in request.POST if k.startswith("col_")
        }
        header = request.POST.get("header_row", "").strip()
        try:
            services.dataset_map(dataset=d, by=user, columns=columns,
                                 header_row=int(header) if header.isdigit() else None)  # fmt: skip
        except ServiceError as err:
            messages.error(request, str(err))
            status = 400
        else:
            messages.success(request, "列映射已保存。")
            return redirect("checks:dataset", pk=d.pk)
    preview = services.dataset_preview(d)
    errors, warnings = preview.problems(d.kind)
    chosen = d.mapping.get("columns", {})
    sheets = []
    for sheet in preview.sheets:
        letters = _letters(max(len(sheet.headers), max((len(r) for r in sheet.sample), default=0)))
        roles = sheet.role_of_column()
        sheets.append({"sheet": sheet, "columns": [
            {"letter": letter, "header": sheet.headers[i] if i < len(sheet.headers) else "",
             "role": chosen.get(letter) or roles.get(i, ""), "picked": letter in chosen,
             "label": ROLES.get(chosen.get(letter) or roles.get(i, ""), "")}
            for i, letter in enumerate(letters)
        ]})  # fmt: skip
    context = {"dataset": d, "preview": preview, "sheets": sheets, "errors": errors,
               "warnings": warnings, "roles": ROLES, "required": [ROLES[r] for r in all_inputs()[d.kind].needs],
               "wanted": [ROLES[r] for r in all_inputs()[d.kind].wants]}  # fmt: skip
    return render(request, "checks/dataset.html", context, status=status)


@login_required
@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    t = _team(request, pk)
    form = forms.RunForm(
        request.POST, datasets=selectors.datasets(user=user, team=t), program=_program(request)
    )
    if not form.is_valid():
        return _team_page(request, t, form, status=400)
    try:
        run = services.run_start(team=t, by=user, datasets=list(form.cleaned_data["datasets"]),
                                 params=form.run_params())  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("checks:team", pk=t.pk)
    return redirect("checks:run", pk=run.pk)


@login_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    r = _run(request, pk)
    context: dict[str, Any] = {"run": r, "can_unmask": can_unmask(user, r.team_id),
                               "RunStatus": RunStatus}  # fmt: skip
    if r.status == RunStatus.DONE:
        per_rule = r.summary.get("per_rule", {})
        ran = r.manifest.get("rules", [])  # the program's rules and the office's own
        context["per_rule"] = [(x["title"], per_rule[x["id"]]) for x in ran if x["id"] in per_rule]
        context["rows"] = selectors.run_rows(r)
        kinds = dict(DatasetKind.choices)
        context["inputs"] = [i | {"kind": kinds.get(i["dataset"], i["dataset"])}
                             for i in r.manifest.get("inputs", [])]  # fmt: skip
        context["totals"] = selectors.verified_totals([r])
        context["finding_form"] = forms.FindingForm(assignments=selectors.team_assignments(r))
        context["import_form"] = forms.ImportForm()
        context["reading"] = selectors.reading_notes(r)
    return render(request, "checks/run.html", context)


@login_required
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.run_progress(_run(request, pk)))


@no_store
@login_required
@require_http_methods(["GET", "POST"])
def run_file(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """A run's report files; hits.csv, which holds full ID numbers, only on a POST (the
    run page's button), logged each time: a GET of it, prefetched or shared, writes nothing."""
    user = user_of(request)
    r = _run(request, pk)
    if which not in REPORT_FILES or r.status != RunStatus.DONE:
        raise Http404
    if which == "hits":
        if request.method != "POST":
            messages.error(
                request, "含完整身份证号码的 hits.csv 请在比对页点击下载按钮获取（将留痕）。"
            )
            return redirect("checks:run", pk=r.pk)
        try:
            services.unmasking_log(run=r, by=user, what="下载 hits.csv（完整身份证号码）")
        except ServiceError as err:
            raise Http404(str(err)) from err
    path = Path(settings.MEDIA_ROOT) / r.folder / REPORT_FILES[which]
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"第{r.number}次比对-{REPORT_FILES[which]}")  # fmt: skip


def _filters(request: HttpRequest, r: CheckRun) -> tuple[forms.FilterForm, dict[str, Any]]:
    form = forms.FilterForm(request.GET or None, counties=selectors.choices(r, "county"),
                            files=selectors.choices(r, "file"))  # fmt: skip
    return form, (form.cleaned_data if form.is_valid() else {})


@no_store
@login_required
@require_http_methods(["GET", "POST"])
def suspects(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's suspects, filtered and paged by the query string, ID numbers masked.

    Full numbers only on a POST of the "显示完整身份证号码" button: it is logged once and
    that one response shows them. A GET never logs nor unmasks (``?unmask=1`` from an
    old link is ignored), so a prefetched or shared link writes nothing."""
    user = user_of(request)
    r = _run(request, pk)
    if r.status != RunStatus.DONE:
        return redirect("checks:run", pk=r.pk)
    form, filters = _filters(request, r)
    qs = selectors.suspect_list(user=user, run=r, **filters)
    page = paginate(request, qs, PAGE_SIZE)
    unmask = False
    if request.method == "POST" and "unmask" in request.POST:
        try:
            services.unmasking_log(run=r, by=user, what=f"疑点清单第 {page['page'].number} 页")
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            unmask = True
    return render(request, "checks/suspects.html", {
        "run": r, "form": form, "unmask": unmask, "can_unmask": can_unmask(user, r.team_id),
        "totals": selectors.verified_totals([r]), "nav_query": list_query(request.GET), **page,
    })  # fmt: skip


@no_store
@login_required
def suspect(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    s = get_object_or_404(selectors.visible_suspects(user), pk=pk)
    form = forms.VerifyForm(request.POST or None, initial={
        "verdict": s.verdict, "improper_amount": s.improper_amount,
        "recovered_amount": s.recovered_amount, "note": s.note, "version": s.version})  # fmt: skip
    status = 200
    if request.method == "POST" and "unmask" in request.POST:
        try:
            services.unmasking_log(run=s.run, by=user, what="疑点详情", suspect=s)
        except ServiceError as err:
            messages.error(request, str(err))
        else:
            return _suspect_page(request, s, form, unmask=True)
    elif request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.suspect_verify(suspect=s, by=user, verdict=c["verdict"],
                                        improper_amount=c["improper_amount"],
                                        recovered_amount=c["recovered_amount"], note=c["note"],
                                        version=c["version"])  # fmt: skip
            except ServiceError as err:
                form.add_error(None, str(err))
            else:
                messages.success(request, f"疑点 {s.number} 的核查结果已保存。")
                return redirect(_after_verify(request, s))
        status = 400
    return _suspect_page(request, s, form, unmask=False, status=status)


def _suspect_page(request: HttpRequest, s: Suspect, form: forms.VerifyForm, *, unmask: bool,
                  status: int = 200) -> HttpResponse:  # fmt: skip
    user = user_of(request)
    rule = all_rules().get(s.rule)
    return render(request, "checks/suspect.html", {
        "s": s, "run": s.run, "form": form, "unmask": unmask, "rule": rule,
        "death_register": rule is not None and DatasetKind.DEATHS in rule.inputs,
        "tier": TIER_LABELS.get(s.match_tier, s.match_tier), "group": selectors.suspect_group(s),
        "log": selectors.unmasking_log(s), "records": selectors.verification_history(s),
        "can_unmask": can_unmask(user, s.run.team_id), "later": (later := selectors.later_occurrence(s)),
        "nav": selectors.suspect_neighbours(user=user, suspect=s, data=request.GET, save_form="" if later else "verify-form"),
    }, status=status)  # fmt: skip


def _after_verify(request: HttpRequest, s: Suspect) -> str:
    """Back to the suspect, within the list's filter; or, asked "save, then next", on to
    the next suspect of that filter (the list when there is none left)."""
    nav = selectors.suspect_neighbours(user=user_of(request), suspect=s, data=request.GET)
    if request.POST.get("then") == "next" and not nav.invalid:
        if nav.next:
            return nav.next_url
        messages.info(request, "当前筛选中已没有下一条疑点。")
        return nav.back_url
    return reverse("checks:suspect", args=[s.pk]) + nav.suffix


@no_store
@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The verification workbook of the suspects as filtered by the query string, ID
    numbers masked; with full numbers only on a POST of the run page's button, logged
    (a GET with ``?unmask=1`` from an old link exports masked and logs nothing)."""
    user = user_of(request)
    r = _run(request, pk)
    if r.status != RunStatus.DONE:
        raise Http404
    _, filters = _filters(request, r)
    unmask = request.method == "POST" and "unmask" in request.POST
    if unmask:
        try:
            services.unmasking_log(run=r, by=user, what="导出疑点核查表（完整身份证号码）")
        except ServiceError as err:
            messages.error(request, str(err))
            return redirect("checks:run", pk=r.pk)
    data = workbook.export(r, selectors.suspect_list(user=user, run=r, **filters), unmask=unmask)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        content_disposition_header(True, f"第{r.number}次比对-疑点核查表.xlsx") or ""
    )
    return response


@login_required
@require_POST
def verification_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    r = _run(request, pk)
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择填好的疑点核查表。")
        return redirect("checks:run", pk=r.pk)
    f = form.cleaned_data["file"]
    with tempfile.NamedTemporaryFile(suffix=".xlsx", dir=settings.DATA_DIR) as tmp:
        for chunk in f.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            rows = workbook.read(Path(tmp.name), f.name or "核查表")
            report = services.verification_import(run=r, by=user, rows=rows)
        except ServiceError as err:
            messages.error(request, str(err))
            return redirect("checks:run", pk=r.pk)
    messages.success(request, f"已导入核查结果：更新 {report.applied} 条，未变 {report.unchanged} 条，"
                              f"冲突 {len(report.conflicts)} 条。")  # fmt: skip
    for conflict in report.conflicts[:50]:
        messages.warning(request, conflict)
    return redirect("checks:run", pk=r.pk)


@login_required
@require_POST
def to_finding(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    r = _run(request, pk)
    form = forms.FindingForm(request.POST, assignments=selectors.team_assignments(r))
    if not form.is_valid():
        messages.error(request, "请选择问题所在单位。")
        return redirect("checks:run", pk=r.pk)
    try:
        finding = services.suspects_to_finding(run=r, by=user, assignment=form.cleaned_data["assignment"],
                                               description=form.cleaned_data["description"])  # fmt: skip
    except ServiceError as err:
        messages.error(request, str(err))
        return redirect("checks:run", pk=r.pk)
    messages.success(request, f"已形成问题并反馈整改：涉及金额 {finding.amount:,.2f} 元。")
    return redirect("findings:detail", pk=finding.pk)
