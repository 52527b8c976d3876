"""The cross-check in the workbench: datasets, mapping, runs, suspects, verification,
findings. Jobs run here by calling the worker's function (run_execute); the queue and
worker processes are tested in test_check_jobs.py."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuncha.checks import services, workbook
from xuncha.checks.models import CheckRun, Dataset, RunStatus, Suspect, Unmasking, Verdict
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.crosscheck import RULES, check
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.planning.models import MemberRole, TeamMember
from xuncha.rectifications.models import RectificationItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory):
    return generate(tmp_path_factory.mktemp("checkdata"), DatagenConfig(payments=1500, seed=7))


def _upload(world, data, user="team"):
    return services.dataset_upload_files(team=world.team, by=world.users[user], files=data.files())


def _run(world, datasets, **params):
    run = services.run_start(team=world.team, by=world.users["team"], datasets=datasets,
                             params=services.RunParams(**params))  # fmt: skip
    services.run_execute(run.pk)
    run.refresh_from_db()
    return run


def _leader(world):
    TeamMember.objects.filter(cadre__user=world.users["team"]).update(role=MemberRole.LEADER)


def test_a_run_finds_what_the_cli_finds_with_evidence_and_manifest(world, data, tmp_path):
    datasets = _upload(world, data)
    run = _run(world, datasets)
    assert run.status == RunStatus.DONE, run.error
    cli = check(
        {"payments": data.payments, "deaths": data.deaths, "payroll": data.payroll},
        params={"standard": 600},
    )
    assert run.summary["total"] == cli.hits.num_rows == Suspect.objects.filter(run=run).count()
    for rule in (r.id for r in RULES):
        assert run.summary["per_rule"].get(rule, {"count": 0})["count"] == cli.count(rule)
    # Evidence points back to the file, sheet and row, and to the register row.
    dead = Suspect.objects.filter(run=run, rule="deceased_payee").first()
    assert dead is not None and dead.register_file and dead.register_row and dead.register_date
    assert dead.payment_date > dead.register_date
    hits = cli.hits.to_pylist()
    assert any(
        h["rule"] == "deceased_payee" and h["file"] == dead.file and (h["sheet"] or "") == dead.sheet
        and h["row"] == dead.row for h in hits
    )  # fmt: skip
    assert [i["sha256"] for i in run.manifest["inputs"]] == [d.sha256 for d in datasets]
    assert run.progress == 1.0 and run.seconds and run.folder


def test_a_rerun_reports_changes_and_keeps_verification(world, data, tmp_path):
    datasets = _upload(world, data)
    first = _run(world, datasets)
    some = list(Suspect.objects.filter(run=first).order_by("number")[:3])
    services.suspect_verify(suspect=some[0], by=world.users["team"], verdict=Verdict.CONFIRMED,
                            improper_amount=Decimal(600), recovered_amount=Decimal(600))  # fmt: skip
    services.suspect_verify(suspect=some[1], by=world.users["team"], verdict=Verdict.REJECTED,
                            note="已核实为同名不同人")  # fmt: skip
    # New data: one payment file arrives corrected (its first data rows removed).
    payments = next(d for d in datasets if d.kind == "payments" and d.name.endswith(".csv"))
    lines = Path(payments.file.path).read_bytes().splitlines(keepends=True)
    fixed = tmp_path / payments.name
    fixed.write_bytes(b"".join(lines[:1] + lines[400:]))
    with fixed.open("rb") as f:
        replacement = services.dataset_upload(team=world.team, kind="payments", data=f,
                                              name=payments.name, by=world.users["team"])  # fmt: skip
    payments.refresh_from_db()
    assert payments.retired and not replacement.retired
    active = list(Dataset.objects.filter(team=world.team, retired=False))
    second = _run(world, active)
    changes = second.summary["changes"]
    assert changes["previous"] == first.number
    assert changes["gone"] > 0
    assert changes["new"] + changes["same"] == second.summary["total"]
    assert changes["same"] + changes["gone"] == first.summary["total"]
    carried = Suspect.objects.get(run=second, key=some[0].key)
    assert (carried.verdict, carried.recovered_amount) == (Verdict.CONFIRMED, Decimal("600.00"))
    assert Suspect.objects.get(run=second, key=some[1].key).note == "已核实为同名不同人"


def test_mapping_without_id_column_is_refused_and_a_run_cannot_start(world, data):
    payments = _upload(world, data)[0]
    preview = services.dataset_preview(payments)
    id_col = preview.sheets[0].columns["id_number"]
    letter = chr(ord("A") + id_col)
    with pytest.raises(ServiceError, match="身份证号码"):
        services.dataset_map(dataset=payments, by=world.users["team"], columns={letter: "ignore"})
    payments.refresh_from_db()
    assert payments.mapping == {}
    # A mapping that corrects a column is kept and used by the preview.
    services.dataset_map(dataset=payments, by=world.users["team"], columns={letter: "id_number"})
    payments.refresh_from_db()
    assert payments.mapping == {"columns": {letter: "id_number"}}


def test_uploads_that_are_not_tables_are_refused_and_nothing_is_kept(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    by = world.users["team"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    cases = {
        "照片.csv": (png, "不是表格文件"),
        "空.csv": (b"", "空文件"),
        "坏.xlsx": (b"PK\x03\x04" + b"garbage" * 50, "无法打开工作簿"),
        "乱码.csv": (b"a,b\n\xc3\x28\xff\x80" * 3000 + b"\n", "编码"),
    }
    for name, (content, message) in cases.items():
        with pytest.raises(ServiceError, match=message):
            services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(content),
                                    name=name, by=by)  # fmt: skip
    assert not Dataset.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    with pytest.raises(PermissionDenied):
        services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(b"a,b\n"),
                                name="x.csv", by=world.users["other_team"])  # fmt: skip


def test_a_failed_run_keeps_its_reason_and_writes_nothing(world, data, settings):
    datasets = _upload(world, data)
    run = services.run_start(team=world.team, by=world.users["team"], datasets=datasets,
                             params=services.RunParams())  # fmt: skip
    payments = [d for d in datasets if d.kind == "payments"]
    for d in payments:  # the files vanish from the disk between upload and run
        Path(d.file.path).write_bytes(b"")
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "发放名单中没有可比对的记录" in run.error
    assert not Suspect.objects.filter(run=run).exists()
    assert not (Path(settings.MEDIA_ROOT) / "checks" / "runs" / str(run.pk)).exists()
    # Running it again once the data is back works.
    for d, src in zip(payments, data.payments, strict=True):
        shutil.copyfile(src, d.file.path)
    again = _run(world, datasets)
    assert again.status == RunStatus.DONE and again.previous is None


def test_verification_export_import_is_idempotent_and_reports_conflicts(world, data, tmp_path):
    run = _run(world, _upload(world, data))
    exported = tmp_path / "核查表.xlsx"
    exported.write_bytes(workbook.export(run, Suspect.objects.filter(run=run), unmask=False))
    filled = _fill(exported, tmp_path / "filled.xlsx", {1: ("属实", "600", "300", "已追回一半"),
                                                        2: ("不属实", "", "", "同名"),
                                                        3: ("属实", "600", "", "")})  # fmt: skip
    # Someone edits suspect 3 on screen after the export: a conflict, not overwritten.
    s3 = Suspect.objects.get(run=run, number=3)
    services.suspect_verify(suspect=s3, by=world.users["office"], verdict=Verdict.REJECTED)
    rows = workbook.read(filled, "filled.xlsx")
    first = services.verification_import(run=run, by=world.users["team"], rows=rows)
    assert (first.applied, len(first.conflicts)) == (2, 1)
    assert "疑点 3" in first.conflicts[0]
    again = services.verification_import(run=run, by=world.users["team"], rows=rows)
    assert (again.applied, again.unchanged, len(again.conflicts)) == (0, rows.__len__() - 1, 1)
    s1 = Suspect.objects.get(run=run, number=1)
    assert (s1.verdict, s1.improper_amount, s1.recovered_amount) == (
        Verdict.CONFIRMED, Decimal("600.00"), Decimal("300.00"))  # fmt: skip
    assert Suspect.objects.get(run=run, number=3).verdict == Verdict.REJECTED


def test_a_bad_returned_workbook_is_refused_whole(world, data, tmp_path):
    run = _run(world, _upload(world, data))
    exported = tmp_path / "核查表.xlsx"
    exported.write_bytes(workbook.export(run, Suspect.objects.filter(run=run), unmask=False))
    bad = _fill(exported, tmp_path / "bad.xlsx", {1: ("属实", "600", "", ""),
                                                  2: ("大概吧", "", "", ""),
                                                  3: ("属实", "六百", "", ""),
                                                  4: ("不属实", "600", "", "")})  # fmt: skip
    with pytest.raises(ServiceError) as err:
        workbook.read(bad, "bad.xlsx")
    message = str(err.value)
    assert "未导入任何内容" in message and "第 5 行" in message and "第 6 行" in message
    assert "第 7 行" in message
    assert not Suspect.objects.filter(run=run).exclude(verdict=Verdict.PENDING).exists()
    not_ours = tmp_path / "other.xlsx"
    not_ours.write_bytes(Path(data.payments[0]).read_bytes())
    with pytest.raises(ServiceError, match="不是本系统导出的疑点核查表"):
        workbook.read(not_ours, "other.xlsx")


def test_confirmed_suspects_roll_up_into_a_finding_and_money_recovered(world, data):
    run = _run(world, _upload(world, data))
    team = world.users["team"]
    picked = list(Suspect.objects.filter(run=run).order_by("number")[:4])
    for s, (improper, recovered) in zip(
        picked[:3], [(600, 600), (600, 0), (500, 200)], strict=True
    ):
        services.suspect_verify(suspect=s, by=team, verdict=Verdict.CONFIRMED,
                                improper_amount=Decimal(improper), recovered_amount=Decimal(recovered))  # fmt: skip
    services.suspect_verify(suspect=picked[3], by=team, verdict=Verdict.REJECTED)
    assignment = world.team.assignments.get()
    finding = services.suspects_to_finding(run=run, by=team, assignment=assignment)
    assert finding.amount == Decimal("1700.00") and finding.source == "crosscheck"
    item = RectificationItem.objects.get(finding=finding)
    assert item.money_recovered == Decimal("800.00")
    # Money recovered later on a suspect reaches the ledger item.
    services.suspect_verify(suspect=picked[1], by=team, verdict=Verdict.CONFIRMED,
                            improper_amount=Decimal(600), recovered_amount=Decimal(600),
                            version=picked[1].version + 1)  # fmt: skip
    item.refresh_from_db()
    assert item.money_recovered == Decimal("1400.00")
    with pytest.raises(ServiceError, match="没有尚未汇入问题"):
        services.suspects_to_finding(run=run, by=team, assignment=assignment)
    with pytest.raises(ServiceError, match="不能改为非属实"):
        services.suspect_verify(suspect=picked[0], by=team, verdict=Verdict.REJECTED)


def test_verification_values_must_fit_together(world, data):
    run = _run(world, _upload(world, data))
    s = Suspect.objects.filter(run=run).first()
    by = world.users["team"]
    for kwargs, message in [
        ({"verdict": Verdict.CONFIRMED}, "须填写应追回金额"),
        ({"verdict": Verdict.CONFIRMED, "improper_amount": Decimal(100),
          "recovered_amount": Decimal(200)}, "不能大于"),
        ({"verdict": Verdict.REJECTED, "improper_amount": Decimal(100)}, "只有核查属实"),
        ({"verdict": Verdict.CONFIRMED, "improper_amount": Decimal(-1)}, "负数"),
    ]:  # fmt: skip
        with pytest.raises(ServiceError, match=message):
            services.suspect_verify(suspect=s, by=by, **kwargs)
    services.suspect_verify(suspect=s, by=by, verdict=Verdict.PENDING, note="已联系村委")
    with pytest.raises(ServiceError, match="已被他人修改"):
        services.suspect_verify(suspect=s, by=by, verdict=Verdict.PENDING, version=0)


def test_only_the_team_and_office_see_it_and_unmasking_is_logged(world, data, client):
    run = _run(world, _upload(world, data))
    s = Suspect.objects.filter(run=run).first()
    for key in ("other_team", "unit", "supervisor", "leader"):
        client.force_login(world.users[key])
        for url in (reverse("checks:run", args=[run.pk]), reverse("checks:suspects", args=[run.pk]),
                    reverse("checks:suspect", args=[s.pk]), reverse("checks:export", args=[run.pk]),
                    reverse("checks:team", args=[world.team.pk])):  # fmt: skip
            assert client.get(url).status_code == 404, (key, url)
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:suspects", args=[run.pk]))
    assert page.status_code == 200 and s.id_number not in page.content.decode()
    # A plain member may not unmask; nothing is shown or logged, and no button offered.
    listing = reverse("checks:suspects", args=[run.pk])
    page = client.post(listing, {"unmask": "1"})
    assert (
        s.id_number not in page.content.decode()
        and "只有巡察办和巡察组组长" in page.content.decode()
    )
    assert 'id="unmask-button"' not in page.content.decode()
    assert not Unmasking.objects.exists()
    assert client.post(reverse("checks:run_file", args=[run.pk, "hits"])).status_code == 404
    _leader(world)
    # A GET never unmasks nor logs, even with the old ?unmask=1 (a prefetch, a shared link).
    page = client.get(listing + "?unmask=1")
    assert s.id_number not in page.content.decode() and not Unmasking.objects.exists()
    assert 'id="unmask-button"' in page.content.decode()
    # The button POSTs to the list as filtered: logged once, shown for that response only.
    page = client.post(f"{listing}?rule={s.rule}", {"unmask": "1"})
    assert (
        s.id_number in page.content.decode() and 'id="unmask-button"' not in page.content.decode()
    )
    assert list(Unmasking.objects.values_list("what", "user")) == [
        ("疑点清单第 1 页", world.users["team"].pk)
    ]
    assert s.id_number not in client.get(f"{listing}?rule={s.rule}").content.decode()
    page = client.post(reverse("checks:suspect", args=[s.pk]), {"unmask": "1"})
    assert s.id_number in page.content.decode()
    assert client.post(reverse("checks:run_file", args=[run.pk, "hits"])).status_code == 200
    logged = list(Unmasking.objects.values_list("what", flat=True))
    assert len(logged) == 3 and any("hits.csv" in w for w in logged)


def test_downloads_with_full_ids_need_the_buttons_post_and_each_is_logged(world, data, client):
    """The unmasked workbook and hits.csv come from the run page's buttons (POST, logged);
    a GET of either, prefetched or from a shared link, gives nothing unmasked and logs
    nothing."""
    import openpyxl

    run = _run(world, _upload(world, data))
    s = Suspect.objects.filter(run=run).exclude(id_number="").first()
    _leader(world)
    client.force_login(world.users["team"])

    def cells(response) -> str:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))[workbook.SHEET]
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row)

    export = reverse("checks:export", args=[run.pk])
    hits = reverse("checks:run_file", args=[run.pk, "hits"])
    page = client.get(reverse("checks:run", args=[run.pk])).content.decode()
    assert (
        'id="export-unmasked-form"' in page and 'id="hits-form"' in page and "?unmask=1" not in page
    )
    masked = client.get(export + "?unmask=1")
    assert masked.status_code == 200 and s.id_number not in cells(masked)
    refused = client.get(hits, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("checks:run", args=[run.pk])
    assert "请在比对页点击下载按钮" in refused.content.decode()
    assert not Unmasking.objects.exists()

    assert s.id_number in cells(client.post(export, {"unmask": "1"}))
    assert s.id_number in b"".join(client.post(hits).streaming_content).decode()
    assert sorted(Unmasking.objects.values_list("what", flat=True)) == [
        "下载 hits.csv（完整身份证号码）",
        "导出疑点核查表（完整身份证号码）",
    ]


def _fill(src: Path, dst: Path, values: dict[int, tuple[str, str, str, str]]) -> Path:
    """A returned workbook: the export with the verifier's columns filled in (openpyxl,
    as a unit's Excel or WPS would save it)."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb[workbook.SHEET]
    head = [c.value for c in ws[workbook.HEADER_ROW + 1]]
    cols = [head.index(h) + 1 for h, _ in workbook.VERIFY]
    for row in ws.iter_rows(min_row=workbook.HEADER_ROW + 2):
        number = row[0].value
        if number in values:
            for col, value in zip(cols, values[number], strict=True):
                ws.cell(row=row[0].row, column=col, value=value or None)
    wb.save(dst)
    return dst


def test_upload_and_mapping_pages(world, data, client):
    client.force_login(world.users["team"])
    path = data.payroll[0]
    response = client.post(reverse("checks:upload", args=[world.team.pk]), {
        "kind": "payroll", "file": SimpleUploadedFile(path.name, path.read_bytes())})  # fmt: skip
    d = Dataset.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "checks:dataset", args=[d.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "身份证号码" in page and "col_A" in page
    preview = services.dataset_preview(d)
    letter = chr(ord("A") + preview.sheets[0].columns["id_number"])
    response = client.post(reverse("checks:dataset", args=[d.pk]), {f"col_{letter}": "ignore"})
    assert response.status_code == 400 and "身份证号码" in response.content.decode()
    response = client.post(reverse("checks:upload", args=[world.team.pk]), {
        "kind": "payments", "file": SimpleUploadedFile("图.csv", b"\x89PNG\r\n\x1a\n" + bytes(100))})  # fmt: skip
    assert "不是表格文件" in client.get(response["Location"]).content.decode()
    assert CheckRun.objects.count() == 0


def test_every_verification_change_is_kept_with_who_and_when(world, data, client):
    run = _run(world, _upload(world, data))
    s = Suspect.objects.filter(run=run).first()
    services.suspect_verify(suspect=s, by=world.users["team"], verdict=Verdict.CONFIRMED,
                            improper_amount=Decimal(600), note="村里核实")  # fmt: skip
    services.suspect_verify(suspect=s, by=world.users["office"], verdict=Verdict.CONFIRMED,
                            improper_amount=Decimal(600), recovered_amount=Decimal(600))  # fmt: skip
    records = list(s.history.order_by("history_date"))
    assert [(r.history_user, r.recovered_amount) for r in records] == [
        (world.users["team"], None), (world.users["office"], Decimal("600.00"))]  # fmt: skip
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:suspect", args=[s.pk])).content.decode()
    assert "核查记录" in page and "村里核实" in page


def test_the_run_page_accounts_for_repaired_and_skipped_rows(world, data, client):
    """A stray quote on line 51 and a 合计 row: the run page names both, as the CLI does."""
    lines = ["姓名,身份证号码,发放金额,发放日期"]
    lines += [f"人{i},43010219800101{i:04d},600,2021-01-01" for i in range(1, 201)]
    lines[50] = lines[50].replace(f"人{50}", '"人50', 1)
    lines.append(",,120000,")
    upload = io.BytesIO(("\n".join(lines) + "\n").encode())
    dataset = services.dataset_upload(team=world.team, kind="payments", data=upload,
                                      name="苏仙区.csv", by=world.users["team"])  # fmt: skip
    run = _run(world, [dataset])
    assert run.status == RunStatus.DONE, run.error
    (sheet,) = run.manifest["inputs"][0]["sheets"]
    assert sheet["rows_used"] == 200
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:run", args=[run.pk])).content.decode()
    notes = page[page.index('id="run-reading"') :]
    (problem,) = sheet["problems"]
    assert problem["rows"] == [51] and f"数据问题 · {problem['reason']} 1 行（第 51 行）" in notes
    (reason,) = sheet["rows_skipped"]
    assert f"未计入 · {reason} 1 行（第 202 行）" in notes
