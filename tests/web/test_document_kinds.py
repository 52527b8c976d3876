"""Document kinds built from a factory world: the figures in the text are the data's
exactly; only signed findings go into the report (the rest named); nothing → a clear
refusal; the report is kept as a Report row with its figures and their sources."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from web.factories import CadreFactory, TeamFactory, UnitFactory, UserFactory, pdf
from xuncha.accounts.models import Role, User
from xuncha.documents.kinds import Document
from xuncha.documents.models import Report
from xuncha.documents.services import NothingToRender, build_documents
from xuncha.findings import services as fs
from xuncha.findings.choices import Category, Receiver, Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.planning.models import Assignment, MemberRole, Round, Team
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.rectifications import services as rs
from xuncha.units.models import Unit

TODAY = dt.date(2024, 6, 20)


@dataclass
class DocWorld:
    round: Round
    team: Team
    unit: Unit
    assignment: Assignment
    users: dict[str, User]
    findings: dict[str, Finding]


def _sign(finding: Finding, users: dict[str, User], steps: int = 3) -> None:
    paper = fs.paper_ensure(finding=finding)
    for step, who in list(zip(fs.STEPS, ("handler", "deputy", "leader"), strict=True))[:steps]:
        paper = fs.paper_sign(paper=paper, by=users[who], step=step)


def documents_world() -> DocWorld:
    """东江街道 inspected by 第一巡察组 (2024-03-01 to 2024-05-31): five findings (four
    signed, one signed by the handler only), three talks, three leads, two immediate
    items, two recommendations, two petitions, a QR channel and a ledger of three items
    (one plan accepted, one closed with money recovered)."""
    unit = UnitFactory(name="东江街道")
    team = TeamFactory(name="第一巡察组")
    users = {r: UserFactory(role=Role.TEAM, full_name=n) for r, n in
             (("handler", "李承办"), ("deputy", "王副组长"), ("leader", "张组长"))}  # fmt: skip
    users["office"] = UserFactory(role=Role.OFFICE)
    users["unit"] = UserFactory(role=Role.UNIT, unit=unit)
    roles = {"handler": MemberRole.MEMBER, "deputy": MemberRole.DEPUTY, "leader": MemberRole.LEADER}
    for key, role in roles.items():
        cadre = CadreFactory(user=users[key], name=users[key].full_name)
        team_member_add(team=team, cadre=cadre, role=role)
    a = assignment_add(team=team, unit=unit)
    by = users["handler"]
    talks = [
        fs.talk_create(assignment=a, by=by, talk_on=dt.date(2024, 3, 5 + n), interviewee=name,
                       position=pos, summary="谈话要点")
        for n, (name, pos) in enumerate((("赵一", "村主任"), ("钱二", "会计"), ("孙三", "")))
    ]  # fmt: skip

    def finding(key: str, category: str, sub: str, amount: str, text: str, **kw: Any) -> Finding:
        return fs.finding_create(
            assignment=a, by=by, category=category, subcategory=sub, description=text,
            source=Source.CROSSCHECK, amount=Decimal(amount), basis=f"违反《{key}条例》第五条",
            responsible=f"{key}负责人负主要责任", **kw,
        )  # fmt: skip

    f = {
        "funds": finding("资金", Category.CORRUPTION, Subcategory.BENEFIT_FUNDS, "12345.67",
                         "虚报冒领低保金", files=[(pdf(), "低保名册.pdf"), (pdf(), "银行流水.pdf")]),
        "assets": finding("资产", Category.CORRUPTION, Subcategory.COLLECTIVE_ASSETS, "200000",
                          "集体土地低价发包"),
        "life": finding("组织", Category.ORGANISATION, Subcategory.PARTY_LIFE, "0",
                        "三会一课记录不全"),
        "policy": finding("政策", Category.POLICY, Subcategory.LIVELIHOOD, "5000.50",
                          "危房改造补助拖延发放"),
        "unsigned": finding("未签", Category.CORRUPTION, Subcategory.WORK_STYLE, "999",
                            "公务接待超标准"),
    }  # fmt: skip
    fs.paper_talks_set(paper=fs.paper_ensure(finding=f["funds"]), by=by, talks=talks[:2])
    for key in ("funds", "assets", "life", "policy"):
        _sign(f[key], users)
    _sign(f["unsigned"], users, steps=1)
    for n, (receiver, text) in enumerate(((Receiver.DISCIPLINE, "村会计涉嫌挪用低保金"),
                                          (Receiver.DISCIPLINE, "村主任涉嫌违规发包"),
                                          (Receiver.ORGANISATION, "支部书记履职不力"))):  # fmt: skip
        fs.lead_create(assignment=a, by=by, description=text, handed_to=receiver,
                       handed_on=dt.date(2024, 5, 10 + n), receiver="接收人",
                       due_on=dt.date(2024, 8, 10), finding=f["funds"] if n == 0 else None)  # fmt: skip
    done = fs.immediate_create(assignment=a, by=by, description="公示低保名单",
                               deadline=dt.date(2024, 4, 1))  # fmt: skip
    fs.immediate_mark_done(item=done, by=by, done_on=dt.date(2024, 3, 28))
    fs.immediate_create(
        assignment=a, by=by, description="清退多领补助", deadline=dt.date(2024, 5, 1)
    )
    fs.recommendation_create(assignment=a, by=by, text="严格低保资金管理",
                             findings=[f["funds"], f["unsigned"]])  # fmt: skip
    fs.recommendation_create(assignment=a, by=by, text="规范组织生活", findings=[f["life"]])
    _petitions(team, users["office"], unit)
    _ledger(f, users)
    return DocWorld(team.round, team, unit, a, users, f)


def _petitions(team: Team, office: User, unit: Unit) -> None:
    from xuncha.petitions.models import Channel
    from xuncha.petitions.services import Content, intake_create, petition_record

    for channel in (Channel.LETTER, Channel.CALL):
        petition_record(team=team, by=office, channel=channel, received_on=dt.date(2024, 3, 10),
                        content=Content(what="反映低保问题"), identity=None, unit_id=unit.pk)  # fmt: skip
    intake_create(team=team, by=office, opens_on=dt.date(2024, 3, 1), closes_on=dt.date(2024, 5, 31),
                  scope="反映东江街道党组织和党员干部问题", phone="0735-1234567",
                  address="湘南市邮政信箱001号", unit_id=unit.pk)  # fmt: skip


def _ledger(f: dict[str, Finding], users: dict[str, User]) -> None:
    office, unit = users["office"], users["unit"]
    items = {k: rs.rectification_create(finding=f[k], by=office, fed_back_on=dt.date(2024, 6, 10))
             for k in ("funds", "assets", "life")}  # fmt: skip
    for k in ("funds", "assets"):
        rs.rectification_propose_plan(item=items[k], by=unit, measures=f"{k}整改措施", owner="周书记",
                                      deadline=dt.date(2024, 9, 30), goal=f"{k}整改目标",
                                      department="民政办")  # fmt: skip
        rs.rectification_accept_plan(item=items[k], by=office)
    rs.rectification_report_progress(item=items["assets"], by=unit, text="已收回土地重新发包",
                                      files=[(pdf(), "合同.pdf")], done=True)  # fmt: skip
    rs.rectification_close(item=items["assets"], by=office, note="核实到位",
                           money_recovered=Decimal("80000"))  # fmt: skip
    rs.rectification_propose_plan(item=items["life"], by=unit, measures="补齐记录", owner="吴委员",
                                  deadline=dt.date(2024, 8, 31))  # fmt: skip


@pytest.fixture
def dw(db: Any) -> DocWorld:
    return documents_world()


def build(dw: DocWorld, kind: str, **kw: Any) -> tuple[list[Document], list[str]]:
    return build_documents(kind=kind, round=dw.round, unit=dw.unit, today=TODAY, **kw)


def text_of(context: dict[str, Any] | None) -> str:
    """Every string of a context, one per line (the document's text, in order)."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(context)
    return "\n".join(out)


KEYS = {"doc", "intro", "sections", "table", "attachments"}
DOC_KEYS = {"issuer", "number", "masthead", "title", "addressee", "signer", "date", "cc",
            "printer", "printed_on", "banji"}  # fmt: skip


def assert_context_shape(ctx: dict[str, Any] | None) -> None:
    assert ctx is not None and set(ctx) == KEYS and set(ctx["doc"]) == DOC_KEYS
    assert ctx["doc"]["title"] and ctx["doc"]["date"] and ctx["sections"]
    json.dumps(ctx)  # plain data only


def test_report_holds_the_exact_figures_and_only_signed_findings(dw: DocWorld) -> None:
    (doc,), warnings = build(dw, "report")
    assert_context_shape(doc.context)
    text = text_of(doc.context)
    assert doc.filename.endswith("_东江街道_巡察报告.docx")
    assert doc.context and doc.context["doc"]["masthead"] is False and doc.context["doc"]["banji"]
    # 4 signed: 12,345.67 + 200,000 + 0 + 5,000.50 = 217,346.17
    assert "巡察发现问题4个，涉及金额217,346.17元" in text
    assert "共2个问题，涉及金额212,345.67元。" in text  # the corruption focus
    assert "涉及金额12,345.67元。" in text and "涉及金额5,000.50元。" in text
    assert "受理信访举报2件，开展个别谈话3人次" in text
    assert "共发现问题线索3件，其中移交纪委监委2件、组织部1件。" in text
    assert (
        "定性依据：违反《资金条例》第五条。" in text and "责任指向：资金负责人负主要责任。" in text
    )
    assert (
        "佐证材料：证据材料《低保名册.pdf》《银行流水.pdf》；谈话记录2024年3月5日赵一（村主任）"
        in text
    )
    assert "（一）严格低保资金管理。" in text
    assert "公务接待超标准" not in text
    assert warnings == [
        f"1 个问题底稿未完成签字，未写入报告：{dw.findings['unsigned'].paper.number} 公务接待超标准"
    ]
    headings = [s["heading"] for s in doc.context["sections"]]
    assert headings == [
        "一、基本情况",
        "二、发现的主要问题",
        "三、问题线索移交情况",
        "四、意见建议",
    ]
    focuses = [s["heading"] for s in doc.context["sections"][1]["subsections"]]
    assert focuses == ["（一）群众身边不正之风和腐败问题", "（二）基层党组织软弱涣散、组织力欠缺问题",
                       "（三）党中央决策部署和乡村振兴政策落实问题"]  # fmt: skip


def test_report_is_kept_with_content_for_the_review(dw: DocWorld) -> None:
    build(dw, "report", user=dw.users["leader"])
    build(dw, "report")  # again: the same row, updated
    report = Report.objects.get(round=dw.round, unit=dw.unit)
    c = report.content
    assert set(c) == {"sections", "problems", "leads", "recommendations", "figures"}
    assert [p["amount"] for p in c["problems"]] == ["12345.67", "200000.00", "0.00", "5000.50"]
    assert all(p["paper_signed"] and p["basis"] and p["responsible"] for p in c["problems"])
    assert c["recommendations"][0]["problems"] == [0]  # the unsigned finding is not in the report
    assert c["figures"]["talks"] == {"label": "个别谈话（人次）", "value": "3",
                                     "source": "xuncha.documents.selectors.talk_count"}  # fmt: skip
    assert c["figures"]["amount"]["value"] == "217346.17"
    assert c["figures"]["leads_discipline"]["value"] == "2"
    assert set(report.findings.all()) == {
        dw.findings[k] for k in ("funds", "assets", "life", "policy")
    }
    assert report.title == "关于巡察东江街道的情况报告" and report.submitted_on == TODAY


def test_feedback_has_masthead_and_a_number_in_the_year(dw: DocWorld) -> None:
    (doc,), warnings = build(dw, "feedback")
    assert_context_shape(doc.context)
    assert doc.context and doc.context["doc"]["masthead"] is True
    assert doc.context["doc"]["number"] == "巡一〔2024〕1号"
    assert doc.context["doc"]["date"] == "2024年6月10日"  # the first feedback day
    # A unit fed back earlier in the year comes first: this one becomes 2号.
    other = TeamFactory(round=dw.round, name="第二巡察组")
    a2 = assignment_add(team=other, unit=UnitFactory(name="五里牌镇"))
    early = fs.finding_create(assignment=a2, by=dw.users["office"], category=Category.POLICY,
                              subcategory=Subcategory.LIVELIHOOD, description="问题",
                              source=Source.TALK)  # fmt: skip
    rs.rectification_create(finding=early, by=dw.users["office"], fed_back_on=dt.date(2024, 2, 1))
    (doc,), _ = build(dw, "feedback")
    assert doc.context and doc.context["doc"]["number"] == "巡一〔2024〕2号"
    assert "公务接待超标准" not in text_of(doc.context) and warnings


def test_papers_one_per_finding_with_materials_and_signatures(dw: DocWorld) -> None:
    docs, warnings = build(dw, "papers")
    assert len(docs) == 5 and not warnings
    paper = dw.findings["funds"].paper
    doc = next(d for d in docs if paper.number in d.filename)
    assert_context_shape(doc.context)
    text = text_of(doc.context)
    assert f"问题底稿（{paper.number}）" in text
    assert (
        "1.证据材料：《低保名册.pdf》" in text and "谈话记录：2024年3月6日，钱二（会计）。" in text
    )
    assert "承办人：李承办（" in text and "组长审签：张组长（" in text
    unsigned = next(d for d in docs if dw.findings["unsigned"].paper.number in d.filename)
    assert "副组长审核：未签字" in text_of(unsigned.context)


def test_leads_one_letter_per_receiver(dw: DocWorld) -> None:
    docs, _ = build(dw, "leads")
    assert [d.filename.rsplit("_", 1)[1] for d in docs] == ["纪委监委.docx", "组织部.docx"]
    discipline = text_of(docs[0].context)
    assert "发现问题线索2件" in discipline and "村主任涉嫌违规发包" in discipline
    assert "支部书记履职不力" not in discipline
    assert "相关问题：虚报冒领低保金。" in discipline
    assert docs[0].context and docs[0].context["doc"]["masthead"] is True


def test_immediate_table(dw: DocWorld) -> None:
    (doc,), _ = build(dw, "immediate")
    assert_context_shape(doc.context)
    table = doc.context["table"] if doc.context else None
    assert table and table["header"][:3] == ["序号", "立行立改事项", "完成时限"]
    assert table["rows"] == [["1", "公示低保名单", "2024年4月1日", "已完成", "2024年3月28日"],
                             ["2", "清退多领补助", "2024年5月1日", "整改中", ""]]  # fmt: skip


def test_plan_from_accepted_plans_only(dw: DocWorld) -> None:
    (doc,), warnings = build(dw, "plan")
    text = text_of(doc.context)
    assert "funds整改措施" in text and "assets整改目标" in text
    assert "责任人：周书记；责任部门：民政办；完成时限：2024年9月30日。" in text
    assert "补齐记录" not in text  # proposed, not accepted
    assert warnings == ["1 项整改措施尚未认可，未写入整改方案。"]


def test_progress_from_reports_and_close_outs(dw: DocWorld) -> None:
    (doc,), _ = build(dw, "progress")
    text = text_of(doc.context)
    assert "反馈问题3个，截至2024年6月20日，已整改销号1个，正在整改2个；追回资金80,000元" in text
    assert "整改进展：已收回土地重新发包。" in text and "经巡察组核实销号。核实到位。" in text


def test_notice_names_the_qr_channel(dw: DocWorld) -> None:
    (doc,), warnings = build(dw, "notice")
    text = text_of(doc.context)
    assert "联系电话：0735-1234567。" in text and "来信请寄：湘南市邮政信箱001号。" in text
    assert "2024年3月1日至2024年5月31日" in text and not warnings


def test_ledger_is_the_workbench_export(dw: DocWorld) -> None:
    import io

    import openpyxl

    from xuncha.rectifications.exports import HEADERS

    (doc,), _ = build(dw, "ledger")
    assert doc.filename.endswith("整改台账.xlsx") and doc.data
    sheet = openpyxl.load_workbook(io.BytesIO(doc.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [h for h, _ in HEADERS] and len(rows) == 4


def test_nothing_to_render_is_said(dw: DocWorld) -> None:
    empty = UnitFactory(name="某村")
    assignment_add(team=dw.team, unit=empty)
    for kind, what in (("report", "没有已签字的问题，无法生成巡察报告"), ("leads", "没有问题线索"),
                       ("plan", "没有已认可的整改措施"), ("ledger", "没有整改事项")):  # fmt: skip
        with pytest.raises(NothingToRender, match=f"{dw.round.name}对某村{what}"):
            build_documents(kind=kind, round=dw.round, unit=empty, today=TODAY)
    with pytest.raises(NothingToRender, match="没有巡察"):
        build_documents(kind="report", round=dw.round, unit=UnitFactory(), today=TODAY)


def test_without_unit_every_unit_and_the_empty_ones_named(dw: DocWorld) -> None:
    assignment_add(team=dw.team, unit=UnitFactory(name="某村"))
    docs, warnings = build_documents(kind="report", round=dw.round, today=TODAY)
    assert len(docs) == 1
    assert warnings[0] == f"{dw.round.name}对某村没有已签字的问题，无法生成巡察报告。"
    assert warnings[1].startswith("东江街道：1 个问题底稿未完成签字")


def test_access_a_unit_liaison_gets_its_plan_not_the_report(dw: DocWorld) -> None:
    from xuncha.common.errors import PermissionDenied

    docs, _ = build(dw, "plan", user=dw.users["unit"])
    assert len(docs) == 1
    with pytest.raises(PermissionDenied, match="您无权生成"):
        build(dw, "report", user=dw.users["unit"])


def test_materials_for_many_findings_match_each_findings_materials(dw: DocWorld) -> None:
    from xuncha.findings.selectors import materials, materials_for

    rows = list(dw.findings.values())
    batch = materials_for(rows)
    assert batch == {f.pk: materials(f) for f in rows}
    assert [t["interviewee"] for t in batch[dw.findings["funds"].pk]["talks"]] == ["赵一", "钱二"]


def test_generated_report_passes_the_reviews_automatic_checks(dw: DocWorld) -> None:
    """Every number of the generated body has its source in the figures (the review's
    「数字无出处」 check), every problem is signed and in three parts, every lead routed,
    every recommendation answers a problem in the report."""
    from xuncha.reviews.autocheck import check_content

    build(dw, "report")
    content = Report.objects.get(round=dw.round, unit=dw.unit).content
    assert check_content(content, low_weight=[], signed=None) == []
    assert content["figures"]["corruption_problems"]["value"] == "2"
    assert content["figures"]["corruption_amount"]["value"] == "212345.67"


def test_a_recommendation_answering_only_left_out_problems_is_left_out(dw: DocWorld) -> None:
    fs.recommendation_create(assignment=dw.assignment, by=dw.users["handler"],
                             text="规范公务接待", findings=[dw.findings["unsigned"]])  # fmt: skip
    (doc,), warnings = build(dw, "report")
    assert "规范公务接待" not in text_of(doc.context)
    assert warnings[-1] == "1 条意见建议针对的问题都未写入报告，未列入：规范公务接待"
    assert len(Report.objects.get(unit=dw.unit).content["recommendations"]) == 2


def test_the_latest_generated_report_is_updated_others_left(dw: DocWorld) -> None:
    """A round's unit may already hold several generated rows (a review sampled an older
    one): generating updates the latest only."""
    from xuncha.documents.models import ReportSource

    old = [Report.objects.create(round=dw.round, unit=dw.unit, source=ReportSource.GENERATED,
                                 issuer="旧", title=f"旧报告{n}", submitted_on=dt.date(2024, 6, 1),
                                 content={})
           for n in range(2)]  # fmt: skip
    build(dw, "report")
    rows = {r.pk: r for r in Report.objects.filter(unit=dw.unit)}
    assert len(rows) == 2
    assert (
        rows[old[0].pk].title == "旧报告0" and rows[old[1].pk].title == "关于巡察东江街道的情况报告"
    )
    assert rows[old[1].pk].content["leads"][0]["receiver"] == "接收人"


def test_file_names_are_safe() -> None:
    from xuncha.documents.kinds.base import safe_name

    assert (
        safe_name("第1轮巡察", "东江/街道:*?", "巡察报告", ext="docx")
        == "第1轮巡察_东江－街道－_巡察报告.docx"
    )
    assert safe_name("..", "", ext="xlsx") == "公文.xlsx"
    assert len(safe_name("长" * 300, ext="docx")) == 125
