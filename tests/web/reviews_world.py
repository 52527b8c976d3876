"""Reports for the report review tests: a clean report's content (every check quiet) and
reports made in bulk."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from xuncha.accounts.models import User
from xuncha.documents.models import Report, ReportSource
from xuncha.planning.models import Team
from xuncha.reviews.models import ReviewRound, RubricVersion
from xuncha.reviews.services import review_round_create, rubrics_install_shipped
from xuncha.units.models import Unit

PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))

CLEAN: dict[str, Any] = {
    "sections": [
        {"heading": "一、巡察基本情况", "paragraphs": [
            "2024年3月5日至5月31日，第一巡察组对该镇开展常规巡察，发现问题 3 个，移交问题线索 1 条。"],
         "subsections": []},
        {"heading": "二、发现的主要问题", "paragraphs": [],
         "subsections": [
             {"heading": "（一）惠民惠农资金管理不规范", "paragraphs": [
                 "1.违规发放种粮补贴 38 户、12.6万元，已追回 58,000 元。",
                 "整改完成率 97.3%。"]},
             {"heading": "（二）组织生活不规范", "paragraphs": ["三会一课记录不全。"]},
         ]},
        {"heading": "三、意见建议", "paragraphs": ["（1）加强资金监管。"], "subsections": []},
    ],
    "problems": [
        {"finding": None, "category": "corruption", "subcategory": "corruption.funds",
         "text": "违规发放种粮补贴", "basis": "违反《农村集体“三资”管理办法》第十二条",
         "responsible": "村党支部书记张某", "paper_signed": True, "amount": "126000.00"},
        {"finding": None, "category": "organisation", "subcategory": "organisation.life",
         "text": "三会一课记录不全", "basis": "违反《中国共产党支部工作条例（试行）》第十九条",
         "responsible": "镇党委组织委员李某", "paper_signed": True, "amount": ""},
        {"finding": None, "category": "policy", "subcategory": "policy.livelihood",
         "text": "低保动态管理不及时", "basis": "违反《社会救助暂行办法》第十一条",
         "responsible": "镇民政办主任王某", "paper_signed": True, "amount": ""},
    ],
    "leads": [{"lead": None, "text": "村党支部书记涉嫌优亲厚友", "handed_to": "discipline",
               "receiver": "县纪委监委第二监督检查室"}],
    "recommendations": [{"text": "规范惠民资金发放", "problems": [0]},
                        {"text": "严格党内组织生活", "problems": [1, 2]}],
    "figures": {
        "households": {"label": "违规发放户数", "value": "38", "source": "数据比对"},
        "recovered": {"label": "追回金额", "value": "58,000元", "source": "整改台账"},
        "rate": {"label": "整改完成率", "value": "97.3%", "source": "整改台账"},
    },
}  # fmt: skip


def clean() -> dict[str, Any]:
    return copy.deepcopy(CLEAN)


def report(unit: Unit, *, team: Team | None = None, content: dict[str, Any] | None = None,
           day: dt.date = dt.date(2024, 6, 1), title: str = "关于巡察某镇党委的情况报告") -> Report:  # fmt: skip
    return Report.objects.create(
        source=ReportSource.SUBMITTED if team is None else ReportSource.GENERATED, team=team,
        unit=unit, issuer="中共某某县委第二巡察组", title=title, submitted_on=day,
        content=clean() if content is None else content,
    )  # fmt: skip


def reports(unit: Unit, n: int, *, day: dt.date = dt.date(2024, 6, 1)) -> list[Report]:
    return Report.objects.bulk_create([
        Report(source=ReportSource.SUBMITTED, unit=unit, issuer="中共某某县委第一巡察组",
               title=f"巡察报告 {i}", submitted_on=day, content=clean())
        for i in range(n)
    ])  # fmt: skip


def shipped_version() -> RubricVersion:
    rubrics_install_shipped(by=None)
    return RubricVersion.objects.get()


def review_round(
    office: User, reviewers: list[User], *, name: str = "2024 年度报告评查"
) -> ReviewRound:
    return review_round_create(name=name, starts_on=PERIOD[0], ends_on=PERIOD[1],
                               version=shipped_version(), reviewers=reviewers, by=office)  # fmt: skip
