"""Policy pages: the calculator for the office and team members (nobody else), the
standards page listing versions and loads, and the office's table upload with its
refusals (nothing half-loaded)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuncha.policy.models import CoefficientRow, StandardVersion, ZonePriceRow
from xuncha.policy.selectors import stored_standards

CALC = {"county": "长沙市区", "zone": "一区", "land_class": "旱地", "area": "2",
        "basic_farmland": "on", "reference": "2025-06-01"}  # fmt: skip
ZONES = "县市区,区片,区片综合地价（元/亩）,施行日期\n长沙市区,1区,130000,2024-01-01\n长沙市区,2区,110000,2024-01-01\n"
COEFS = "地类,系数,施行日期\n旱地,0.9,2024-01-01\n"


def upload(client, kind: str, text: str, name: str, encoding: str = "utf-8"):
    data = {"kind": kind, "name": "", "file": SimpleUploadedFile(name, text.encode(encoding))}
    return client.post(reverse("policy:load"), data, follow=True)


@pytest.mark.parametrize(("role", "status"), [
    ("office", 200), ("team", 200), ("unit", 404), ("supervisor", 404), ("leader", 404)])  # fmt: skip
def test_who_sees_the_calculator_and_the_standards(client, world, role: str, status: int) -> None:
    client.force_login(world.users[role])
    assert client.get(reverse("policy:calculator")).status_code == status
    assert client.get(reverse("policy:standards")).status_code == status


def test_anonymous_goes_to_login(client, db) -> None:
    page = client.get(reverse("policy:calculator"))
    assert page.status_code == 302 and "/login" in page["Location"]


def test_the_calculator_page_gives_the_parts_and_reasons(client, world) -> None:
    client.force_login(world.users["team"])
    page = client.get(
        reverse("policy:calculator"), {**CALC, "land_class": "水田", "basic_farmland": ""}
    )
    assert page.status_code == 200
    assert "应补偿 249,600.00 元" in page.text
    assert (
        "49,920.00" not in page.text
        and "99,840.00 元" in page.text
        and "149,760.00 元" in page.text
    )
    assert "湖南省征地补偿标准（2024-01-01 施行）" in page.text and "地类「水田」×1" in page.text
    unchecked = client.get(reverse("policy:calculator"), CALC)
    assert "无法核算" in unchecked.text and "地类「旱地」没有系数" in unchecked.text
    bad = client.get(reverse("policy:calculator"), {**CALC, "area": "-1"})
    assert bad.status_code == 400 and "应补偿" not in bad.text


def test_the_office_loads_tables_and_the_calculator_uses_them(client, world) -> None:
    client.force_login(world.users["office"])
    page = upload(client, "coefficients", COEFS, "系数.csv", "gbk")
    assert "已导入「系数.csv」：地类系数表 1 行。" in page.text
    page = upload(client, "zones", ZONES, "长沙.csv")
    assert "已导入「长沙.csv」：区片综合地价表 2 行。" in page.text
    version = StandardVersion.objects.get(file_name="长沙.csv")
    assert version.sha256 == hashlib.sha256(ZONES.encode()).hexdigest()
    assert version.loaded_by == world.users["office"]
    assert version.sha256 in page.text and "长沙市区（2 个区片）" in page.text
    (std,) = stored_standards().versions
    assert std.sources == ("系数.csv", "长沙.csv")
    client.force_login(world.users["team"])
    calc = client.get(reverse("policy:calculator"), CALC)
    # 2 mu × 130000 × 1.68 (permanent basic farmland, above dry land × 0.9)
    assert (
        "应补偿 436,800.00 元" in calc.text
        and "永久基本农田 ×1.68（高于地类「旱地」×0.9）" in calc.text
    )
    standards = client.get(reverse("policy:standards"))
    assert "长沙.csv" in standards.text and 'id="load-form"' not in standards.text


def test_refusals_name_the_row_and_store_nothing(client, world) -> None:
    client.force_login(world.users["office"])
    lower = "县市区,区片,区片综合地价（元/亩）,施行日期\n株洲市区,1区,130000,2024-01-01\n长沙市区,1区,120000,2024-01-01\n"
    page = upload(client, "zones", lower, "低价.csv")
    assert "低价.csv 第3行：长沙市区 1区 的区片综合地价 120000 元/亩低于" in page.text
    bad = "县市区,区片,区片综合地价（元/亩）,施行日期\n长沙市区,1区,abc,2024-01-01\n"
    page = upload(client, "zones", bad, "坏.csv")
    assert "第 2 行：区片综合地价「abc」不是大于 0 的金额" in page.text
    page = upload(client, "coefficients", ZONES, "错列.csv")
    assert "找不到表头" in page.text
    assert not StandardVersion.objects.exists() and not ZonePriceRow.objects.exists()
    assert not CoefficientRow.objects.exists()
    upload(client, "coefficients", COEFS, "系数.csv")
    page = upload(client, "coefficients", COEFS, "系数副本.csv")
    assert "内容相同，未重复导入" in page.text and StandardVersion.objects.count() == 1


def test_only_the_office_loads(client, world) -> None:
    client.force_login(world.users["team"])
    page = client.post(reverse("policy:load"), {"kind": "coefficients",
                       "file": SimpleUploadedFile("系数.csv", COEFS.encode())})  # fmt: skip
    assert page.status_code == 404 and not StandardVersion.objects.exists()
