"""Hostile uploads through the web: refused with a Chinese message naming the file,
nothing kept, and the server process (this one: the test client runs in it) answers
the next request. Previews are read in a child once per mapping, then kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bombs import bomb_xlsx, far_cell_within_guard_xlsx, far_cell_xlsx
from helpers import write_xlsx
from xuncha.checks import services
from xuncha.checks.models import CheckRun, Dataset, RunStatus
from xuncha.common.errors import ServiceError

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "姓名,身份证号码,金额,发放日期\n张三,43010219900101123X,600,2021-03-05\n".encode()

HOSTILE = {
    "xfd-dimension": (
        lambda p: far_cell_xlsx(p, dimension=True),
        "使用范围异常大（A1:XFD1048576）",
    ),
    "xfd-no-dimension": (lambda p: far_cell_xlsx(p, dimension=False), "A1:XFD1048576"),
    "bomb": (lambda p: bomb_xlsx(p, megabytes=64), "疑似压缩炸弹"),
}


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_workbook_upload_is_refused_and_the_server_answers(
    world, client, tmp_path, settings, case
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make, expected = HOSTILE[case]
    path = make(tmp_path / "恶意.xlsx")
    client.force_login(world.users["team"])
    response = client.post(
        reverse("checks:upload", args=[world.team.pk]),
        {"kind": "payments", "file": SimpleUploadedFile("恶意.xlsx", path.read_bytes())},
        follow=True,
    )
    text = _messages(response)
    assert "文件「恶意.xlsx」" in text and expected in text
    assert not Dataset.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert client.get(reverse("checks:team", args=[world.team.pk])).status_code == 200
    assert client.get(reverse("petitions_public:receipt")).status_code == 200


def test_a_reader_crash_past_the_guard_is_refused_and_removed(
    world, tmp_path, settings, monkeypatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_MEMORY_MB", "1500")
    data = far_cell_within_guard_xlsx(tmp_path / "远格.xlsx").read_bytes()
    with pytest.raises(ServiceError) as caught:
        services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(data),
                                name="远格.xlsx", by=world.users["team"])  # fmt: skip
    assert "文件「远格.xlsx」读取失败：所需内存超过上限（1.46 GB）" in str(caught.value)
    assert not Dataset.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_the_preview_is_read_once_per_mapping_and_kept(world, client, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    d = services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(CSV),
                                name="发放.csv", by=world.users["team"])  # fmt: skip
    kept = Path(d.file.path).parent / services.PREVIEW_CACHE
    assert json.loads(kept.read_text(encoding="utf-8"))["preview"]["file"] == "发放.csv"
    # The page shows the kept preview: it does not read the file again.
    Path(d.file.path).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:dataset", args=[d.pk])).content.decode()
    assert "身份证号码" in page and "不是表格文件" not in page
    # A new mapping is a new reading (of what is now there).
    d.mapping = {"header_row": 1}
    assert services.dataset_preview(d).error is not None


def test_a_run_whose_reader_crashes_fails_with_the_file_named(
    world, tmp_path, settings, monkeypatch
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"

    def sheet(wb, ws):
        ws.write_row(0, 0, ["姓名", "身份证号码", "金额", "发放日期"])
        ws.write_row(1, 0, ["张三", "43010219900101123X", 600, "2021-03-05"])

    good = write_xlsx(tmp_path / "发放.xlsx", {"发放": sheet}).read_bytes()
    d = services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(good),
                                name="发放.xlsx", by=world.users["team"])  # fmt: skip
    run = services.run_start(team=world.team, by=world.users["team"], datasets=[d],
                             params=services.RunParams())  # fmt: skip
    # Between the upload and the run the file on disk becomes one that crashes its reader.
    far_cell_within_guard_xlsx(Path(d.file.path))
    monkeypatch.setenv("XUNCHA_SANDBOX_CHECK_MEMORY_MB", "1500")
    services.run_execute(run.pk)  # the worker's function, in this process
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "文件「发放.xlsx」读取失败：所需内存超过上限（1.46 GB）" in run.error
    assert CheckRun.objects.filter(status=RunStatus.RUNNING).count() == 0


def test_imported_workbooks_are_read_in_the_child_and_refused_by_name(world, tmp_path) -> None:
    from xuncha.checks import workbook
    from xuncha.units.workbook import units_import

    far = far_cell_xlsx(tmp_path / "单位.xlsx", dimension=False).read_bytes()
    with pytest.raises(ServiceError, match=r"文件「单位\.xlsx」.*使用范围异常大"):
        units_import(far, name="单位.xlsx")
    bomb = bomb_xlsx(tmp_path / "核查表.xlsx", megabytes=64)
    with pytest.raises(ServiceError, match=r"文件「核查表\.xlsx」.*疑似压缩炸弹"):
        workbook.read(bomb, "核查表.xlsx")
