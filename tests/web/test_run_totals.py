"""The run page's figures: the total counts each payment row's amount once, as the
workbook's 合计 does (a row hit by two rules is one row), and an over-standard row no
person can be found for shows under its own reason, 无法归属到人."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from web.test_check_pages import finished_run
from xuncha.checks import selectors
from xuncha.checks.models import Suspect
from xuncha.crosscheck.idnumber import make_id

pytestmark = pytest.mark.django_db(transaction=True)

TWICE = make_id("431081", dt.date(1970, 7, 8), 789)
LINES = [
    "序号,姓名,身份证号码,发放金额,发放日期",
    f"1,王五,{TWICE},600,2021-03-05",  # paid twice: duplicate_payment and over_standard
    f"2,王五,{TWICE},700,2021-06-05",
    "3,李四,,1200,2021-03-05",  # no ID: invalid_id and over_standard (无法归属到人)
    f"4,赵六,{make_id('431081', dt.date(1971, 7, 8), 781)},600,2021-03-05",  # no hit
]


@pytest.fixture
def run(world):
    return finished_run(world, ("\n".join(LINES) + "\n").encode(), "2021年发放表.csv")


def _row(page: str, marker: str) -> str:
    start = page.index(marker)
    return page[start : page.index("</tr>", start)]


def test_a_row_hit_by_two_rules_counts_once_in_the_total(world, run, client) -> None:
    hits = Suspect.objects.filter(run=run)
    by_rule = {
        r: hits.filter(rule=r).count() for r in ("duplicate_payment", "over_standard", "invalid_id")
    }
    assert by_rule == {"duplicate_payment": 2, "over_standard": 3, "invalid_id": 1}
    # Per rule: 1300 + 2500 + 1200 = 5000; the three rows paid 600 + 700 + 1200 = 2500.
    assert sum(Decimal(v["amount"]) for v in run.summary["per_rule"].values()) == 5000
    assert selectors.run_rows(run) == {"rows": 3, "amount": Decimal("2500.00")}
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:run", args=[run.pk])).content.decode()
    total = _row(page, 'id="run-total"')
    assert "2,500.00" in total and "5,000.00" not in total
    assert "涉及发放记录 3 行" in total and "<th>6</th>" in total


def test_the_total_matches_the_workbook(world, run, client) -> None:
    client.force_login(world.users["team"])
    report = client.get(reverse("checks:run_file", args=[run.pk, "report"]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    total = next(r for r in wb["汇总"].iter_rows(values_only=True) if str(r[0]).startswith("合计"))
    assert total[3] == float(selectors.run_rows(run)["amount"]) == 2500


def test_run_rows_is_one_query(run) -> None:
    with CaptureQueriesContext(connection) as queries:
        selectors.run_rows(run)
    assert len(queries) == 1


def test_unattributed_over_standard_shows_under_its_own_reason(world, run, client) -> None:
    over = run.summary["per_rule"]["over_standard"]
    assert over["unattributed"] == {"reason": "无法归属到人", "hits": 1, "amount": "1200.00"}
    assert "unattributed" not in run.summary["per_rule"]["invalid_id"]
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:run", args=[run.pk])).content.decode()
    row = _row(page, 'id="run-unattributed"')
    assert "其中：无法归属到人" in row and "<td>1</td>" in row and "1,200.00" in row
    suspect = Suspect.objects.get(run=run, rule="over_standard", row=4)
    assert suspect.match_tier == "unattributed" and suspect.evidence.startswith("无法归属到人")
    detail = client.get(reverse("checks:suspect", args=[suspect.pk])).content.decode()
    assert "无法归属到人" in detail
