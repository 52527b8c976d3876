"""Excel exports of the ledger and the findings list: the current filter, the
customary ledger layout, Chinese dated file names, text never formulas, and a Chinese
message instead of an empty file."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from web.factories import FindingFactory, ledger_item, pdf
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_propose_plan,
    rectification_report_progress,
)

LEDGER_HEADERS = ["序号", "整改单位", "反馈问题", "整改目标", "整改措施", "责任领导", "责任部门",
                  "完成时限", "整改进展", "佐证材料", "销号日期", "状态"]  # fmt: skip
FORMULA = '=HYPERLINK("http://x","y")'


def sheet(response) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    return [[c.value for c in row] for row in ws.iter_rows()]


def file_name(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment;") and "filename*=utf-8''" in header
    return unquote(header.split("filename*=utf-8''")[1])


def test_the_ledger_exports_in_its_customary_layout_as_filtered(client, world):
    done = ledger_item(world, amount=800, description=FORMULA)
    plan = rectification_propose_plan(item=done, by=world.users["unit"], measures="清退违规资金",
                                      goal="违规资金全额追回", department="镇民政办",
                                      owner="王副镇长", deadline=dt.date(2024, 7, 1))  # fmt: skip
    plan = rectification_accept_plan(item=plan, by=world.users["office"], version=plan.version)
    rectification_report_progress(item=plan, by=world.users["unit"], text="已清退 800 元",
                                  files=[(pdf(), "收据.pdf")], done=False, version=plan.version)  # fmt: skip
    ledger_item(world, amount=5, description="小额问题")
    ledger_item(
        world, unit=world.other_unit, team=world.other_team, amount=900, description="他组问题"
    )
    client.force_login(world.users["office"])
    response = client.get(reverse("rectifications:export"),
                          {"amount_min": "100", "round_id": world.team.round_id})  # fmt: skip
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert file_name(response) == f"整改台账_{world.team.round.name}_{today}.xlsx"
    header, *data = sheet(response)
    assert header == LEDGER_HEADERS
    assert data == [[1, world.unit.name, FORMULA, "违规资金全额追回", "清退违规资金", "王副镇长", "镇民政办",
                     "2024-07-01", "已清退 800 元", "收据.pdf", None, "整改中"]]  # fmt: skip


def test_without_a_round_the_name_has_the_title_and_date_only(client, world):
    ledger_item(world)
    client.force_login(world.users["office"])
    response = client.get(reverse("rectifications:export"))
    assert file_name(response) == f"整改台账_{timezone.localdate().isoformat()}.xlsx"
    assert len(sheet(response)) == 2


@pytest.mark.parametrize("name", ["rectifications:export", "findings:export"])
def test_an_empty_filter_gets_a_message_not_an_empty_file(client, world, name):
    ledger_item(world, amount=10)
    client.force_login(world.users["office"])
    response = client.get(reverse(name), {"amount_min": "1000"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("?amount_min=1000")
    assert "未生成导出文件" in response.content.decode()
    assert not response["Content-Type"].startswith("application/vnd.openxml")
    # An invalid filter is refused the same way, naming the error.
    response = client.get(reverse(name), {"amount_min": "abc"}, follow=True)
    assert "筛选条件有误" in response.content.decode()


def test_the_findings_export_holds_only_what_the_user_sees(client, world):
    ledger_item(world, amount=1234.5, description="本单位问题")
    ledger_item(world, unit=world.other_unit, team=world.other_team, description="他单位问题")
    FindingFactory(
        team=world.team, round=world.team.round, unit=world.unit, description="未反馈问题"
    )
    client.force_login(world.users["team"])
    response = client.get(reverse("findings:export"))
    today = timezone.localdate().isoformat()
    assert file_name(response) == f"问题清单_{today}.xlsx"
    header, *data = sheet(response)
    assert header[:3] == ["序号", "被巡察单位", "上级单位"] and header[-1] == "整改状态"
    by_text = {row[8]: row for row in data}
    assert set(by_text) == {"本单位问题", "未反馈问题"}
    assert by_text["本单位问题"][9] == 1234.5 and by_text["本单位问题"][-1] == "待制定整改措施"
    assert by_text["未反馈问题"][-1] == "未反馈"
    # The unit exports its own ledger only; another unit's item never appears.
    client.force_login(world.users["unit"])
    _, *rows = sheet(client.get(reverse("rectifications:export")))
    assert [r[2] for r in rows] == ["本单位问题"]
    assert RectificationItem.objects.count() == 2


def test_the_units_plan_form_fills_the_ledgers_goal_and_department(client, world):
    it = ledger_item(world, description="台账列")
    client.force_login(world.users["unit"])
    url = reverse("rectifications:action", args=[it.pk, "plan"])
    response = client.post(url, {"version": it.version, "goal": "资金全额追回", "measures": "逐户核查清退",
                                 "owner": "李镇长", "department": "镇财政所", "deadline": "2024-08-01"},
                           follow=True)  # fmt: skip
    page = response.content.decode()
    assert "资金全额追回" in page and "镇财政所" in page
    it.refresh_from_db()
    assert (it.goal, it.department) == ("资金全额追回", "镇财政所")
    client.force_login(world.users["office"])
    _, row = sheet(client.get(reverse("rectifications:export")))
    assert (row[3], row[6]) == ("资金全额追回", "镇财政所")
