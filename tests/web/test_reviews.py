"""Report review (报告评查): the rubric as versioned data, the reproducible draw, the
automatic checks (each fires on its planted defect and stays quiet on a clean report),
scoring bounds, submission and return."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from web.factories import CadreFactory, FindingFactory
from web.reviews_world import PERIOD, clean, report, reports, review_round, shipped_version
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.findings.services import paper_ensure
from xuncha.reviews import autocheck, rubric, sampling
from xuncha.reviews.models import (
    CheckedReport,
    Flag,
    FlagKind,
    ReviewSample,
    RubricVersion,
    SampleStatus,
)
from xuncha.reviews.selectors import round_reports, version_spec
from xuncha.reviews.services import (
    ScoreEntry,
    review_checks_run,
    review_draw,
    review_return,
    review_sample_add,
    review_sample_remove,
    review_scores_save,
    rubric_version_import,
)

LOW = ["organisation.life"]


def kinds(content, signed=None) -> list[str]:
    return [f.kind for f in autocheck.check_content(content, low_weight=LOW, signed=signed)]


def only(content, kind, signed=None) -> autocheck.FlagSpec:
    found = autocheck.check_content(content, low_weight=LOW, signed=signed)
    assert [f.kind for f in found] == [kind]
    return found[0]


# The rubric


def test_the_shipped_rubric_adds_up_to_100_and_names_its_low_weight_kind(db) -> None:
    version = shipped_version()
    assert sum(c.points for c in version.criteria.all()) == 100
    names = [c.name for c in version.criteria.all()]
    assert names[:3] == ["问题底稿齐全", "定性准确", "责任明确"] and "线索处置合规" in names
    assert version.low_weight == ["organisation.life"]


def test_a_rubric_workbook_reads_back_as_written() -> None:
    spec = rubric.RubricSpec([rubric.CriterionSpec("底稿", Decimal(60), "要点一"),
                              rubric.CriterionSpec("文字", Decimal(40), "")], ["organisation.life"])  # fmt: skip
    out = io.BytesIO()
    rubric.write_workbook(spec, out)
    back = rubric.read_workbook(out.getvalue(), name="标准.xlsx")
    assert back == spec


@pytest.mark.parametrize(("rows", "said"), [
    ([["评查项目", "分值"], ["底稿", "60"], ["文字", "30"]], "各评查项目分值合计为 90.00，应为 100"),
    ([["评查项目", "分值"], ["底稿", "六十"], ["文字", "40"]], "「评查项目」表第 2 行“分值”列：「六十」不是大于 0"),
    ([["评查项目", "分值"], ["底稿", "50"], ["底稿", "50"]], "第 3 行“评查项目”列：「底稿」与第 2 行重复"),
    ([["评查项目", "分值", "权重"], ["底稿", "100", "1"]], "第 1 行“C（权重）”列：未知的列"),
    ([["项目", "分"], ["底稿", "100"]], "找不到表头"),
    ([["评查项目", "分值"], ["", "100"]], "第 2 行“评查项目”列：不能为空"),
])  # fmt: skip
def test_a_bad_rubric_is_refused_naming_where(rows, said) -> None:
    with pytest.raises(ServiceError) as err:
        rubric.parse_rows(rows)
    assert said in str(err.value)


def test_an_unknown_low_weight_kind_is_refused_naming_the_row() -> None:
    spec = rubric.parse_rows([["评查项目", "分值"], ["底稿", "100"]])
    with pytest.raises(
        ServiceError, match="「次要问题类别」表第 3 行“问题类别”列：「会议太多」无法识别"
    ):
        rubric.parse_low_weight([["问题类别"], ["组织生活不规范"], ["会议太多"]], spec)
    rubric.parse_low_weight([["问题类别"], ["组织生活不规范"], ["corruption.style"]], spec)
    assert spec.low_weight == ["organisation.life", "corruption.style"]


def test_an_import_replaces_an_unused_version_and_versions_a_used_one(world) -> None:
    office = world.users["office"]
    first = shipped_version()
    name = first.rubric.name
    spec = rubric.RubricSpec([rubric.CriterionSpec("全部", Decimal(100))], [])
    again = rubric_version_import(spec=spec, rubric_name=name, by=office)
    assert again.pk == first.pk and again.number == 1 and again.criteria.count() == 1
    # Restore the shipped criteria, then use the version in a round: it freezes.
    rubric_version_import(spec=rubric.shipped()[name][1], rubric_name=name, by=office)
    rr = review_round(office, [world.users["supervisor"]])
    assert RubricVersion.objects.get(pk=first.pk).frozen
    second = rubric_version_import(spec=spec, rubric_name=name, by=office)
    assert second.number == 2 and second.pk != first.pk
    assert rr.rubric_version.criteria.count() == 8  # the round keeps its version
    assert version_spec(RubricVersion.objects.get(pk=first.pk)) == rubric.shipped()[name][1]


def test_only_the_office_manages_rubrics(world) -> None:
    spec = rubric.RubricSpec([rubric.CriterionSpec("全部", Decimal(100))], [])
    with pytest.raises(PermissionDenied, match="只有巡察办"):
        rubric_version_import(spec=spec, rubric_name="标准", by=world.users["supervisor"])


# The automatic checks


def test_a_clean_report_raises_no_flag() -> None:
    assert kinds(clean()) == []


def test_a_problem_without_a_signed_paper_is_named() -> None:
    content = clean()
    content["problems"][2]["paper_signed"] = False
    flag = only(content, FlagKind.UNSIGNED_PAPER)
    assert "3 个问题中 1 个没有签批完成的问题底稿" in flag.explanation
    assert "问题 3「低保动态管理不及时」" in flag.explanation and flag.items == [2]


def test_a_problem_naming_a_finding_reads_its_live_working_paper(world) -> None:
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    paper = paper_ensure(finding=finding)
    content = clean()
    content["problems"][0]["finding"] = finding.pk  # the report says signed; the paper is not
    signed = autocheck.finding_ids(content)
    assert signed == {finding.pk}
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    r = report(world.unit, content=content)
    review_checks_run(review_round=rr, by=None)
    flag = Flag.objects.get(checked__report=r)
    assert flag.kind == FlagKind.UNSIGNED_PAPER and "问题 1「违规发放种粮补贴」" in flag.explanation
    cadre = CadreFactory()
    now = timezone.now()
    for who in ("handler", "deputy", "leader"):
        setattr(paper, f"{who}_signed_by", cadre)
        setattr(paper, f"{who}_signed_at", now)
    paper.save()
    review_checks_run(review_round=rr, by=None)  # recomputed on demand: now quiet
    assert not Flag.objects.filter(checked__report=r).exists()
    assert CheckedReport.objects.get(report=r).flag_count == 0


def test_a_problem_without_basis_or_responsibility_is_named() -> None:
    content = clean()
    content["problems"][0]["basis"] = ""
    content["problems"][1]["responsible"] = "  "
    flag = only(content, FlagKind.INCOMPLETE)
    assert "问题 1「违规发放种粮补贴」缺定性依据" in flag.explanation
    assert "问题 2「三会一课记录不全」缺责任指向" in flag.explanation and flag.items == [0, 1]


def test_numbers_without_a_source_are_named_with_their_section() -> None:
    content = clean()
    content["sections"][1]["subsections"][0]["paragraphs"].append(
        "另有 17 户重复领取，金额 3.5万元。"
    )
    flag = only(content, FlagKind.UNSOURCED)
    assert flag.explanation.startswith("正文中 2 个数字")
    assert (
        "“17”（（一）惠民惠农资金管理不规范）" in flag.explanation and "“3.5万”" in flag.explanation
    )


def test_digits_in_named_files_and_sheets_are_not_numbers() -> None:
    content = clean()
    content["sections"][1]["subsections"][0]["paragraphs"].append(
        "见《证据12.pdf》和「2021年发放」表「Sheet3」，另有 17 户。"
    )
    flag = only(content, FlagKind.UNSOURCED)
    assert flag.explanation.startswith("正文中 1 个数字") and "“17”" in flag.explanation


def test_dates_ordinals_and_enumerations_are_not_quantities() -> None:
    text = "1.2024年3月5日第3轮巡察〔2026〕7号文件（2）所列"
    assert list(autocheck.quantities(text)) == []
    assert [v for _, v in autocheck.quantities("追回 246,500 元，占 12.6万元的 97.3%")] == [
        Decimal(246500), Decimal(126000), Decimal("97.3")]  # fmt: skip


def test_a_lead_without_a_route_is_named() -> None:
    content = clean()
    content["leads"].append({"lead": None, "text": "会计挪用公款", "handed_to": "", "receiver": ""})
    content["leads"].append(
        {"lead": None, "text": "主任违规吃喝", "handed_to": "police", "receiver": ""}
    )
    content["sections"][0]["paragraphs"][0] = content["sections"][0]["paragraphs"][0].replace(
        "线索 1 条", "线索 3 条"
    )
    flag = only(content, FlagKind.LEAD_NO_ROUTE)
    assert "线索 2「会计挪用公款」未写明移交对象和接收单位" in flag.explanation
    assert (
        "线索 3「主任违规吃喝」的移交对象「police」无法识别" in flag.explanation
        and flag.items == [1, 2]
    )


def test_72_problems_of_which_68_low_weight_are_called_out() -> None:
    content = clean()
    low = dict(content["problems"][1])
    major = dict(content["problems"][0])
    content["problems"] = [major] * 4 + [low] * 68
    for rec in content["recommendations"]:
        rec["problems"] = [0]
    content["sections"][0]["paragraphs"] = ["发现问题 72 个。"]
    flag = only(content, FlagKind.TRIVIAL)
    assert "72 个问题中 68 个属于次要问题类别（组织生活不规范 68 个），超过一半" in flag.explanation


def test_exactly_half_low_weight_is_not_flagged() -> None:
    content = clean()
    content["problems"] = content["problems"][:2]  # 1 of 2 low-weight
    content["recommendations"] = [{"text": "建议", "problems": [0, 1]}]
    content["sections"] = []
    assert kinds(content) == []


def test_a_recommendation_answering_nothing_is_named() -> None:
    content = clean()
    content["recommendations"].append({"text": "加强学习教育", "problems": []})
    content["recommendations"].append({"text": "完善制度", "problems": [9]})
    content["sections"] = []
    flag = only(content, FlagKind.UNMATCHED)
    assert "建议 3「加强学习教育」未对应任何问题" in flag.explanation
    assert "建议 4「完善制度」所列问题 10 不在报告中" in flag.explanation


def test_odd_content_does_not_break_the_checks() -> None:
    assert autocheck.check_content({}, low_weight=LOW, signed=None) == []
    odd = {
        "sections": "正文",
        "problems": [None, "问题"],
        "leads": [3],
        "recommendations": {},
        "figures": [],
    }
    assert kinds(odd) == [FlagKind.UNSIGNED_PAPER, FlagKind.INCOMPLETE, FlagKind.LEAD_NO_ROUTE]


def test_every_report_of_the_period_is_checked_and_stored(world) -> None:
    inside = reports(world.unit, 5)
    bad = clean()
    bad["problems"][0]["basis"] = ""
    flagged = report(world.unit, content=bad)
    report(world.unit, day=dt.date(2025, 1, 1))  # outside the period
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    assert CheckedReport.objects.filter(review_round=rr).count() == len(inside) + 1
    assert list(round_reports(rr, flag=FlagKind.INCOMPLETE)) == [flagged]


# The draw


def test_745_reports_give_18_and_the_draw_reproduces(world) -> None:
    reports(world.unit, 745)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    drawn = review_draw(review_round=rr, by=world.users["office"], count=18, seed=20240917)
    rr.refresh_from_db()
    assert len(drawn) == 18 and len(rr.candidate_ids) == 745 and rr.seed == 20240917
    ids = sorted(s.report_id for s in drawn)
    assert sorted(sampling.redraw(rr)) == ids
    # A new round over the same period with the same seed draws the same 18; another seed not.
    again = review_round(world.users["office"], [world.users["supervisor"]], name="复核")
    same = review_draw(review_round=again, by=world.users["office"], count=18, seed=20240917)
    assert sorted(s.report_id for s in same) == ids
    other = review_draw(review_round=again, by=world.users["office"], count=18, seed=1)
    assert sorted(s.report_id for s in other) != ids
    assert ReviewSample.objects.filter(review_round=again).count() == 18  # replaced, not added


def test_a_share_rounds_up_and_too_many_is_refused(world) -> None:
    reports(world.unit, 45)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    assert (
        len(review_draw(review_round=rr, by=world.users["office"], share=Decimal(10), seed=3)) == 5
    )
    with pytest.raises(ServiceError, match="抽取数量须在 1 至 45（该期间报告总数）之间，收到 46"):
        review_draw(review_round=rr, by=world.users["office"], count=46)
    assert rr.samples.count() == 5  # nothing half-written


def test_reports_chosen_by_hand_until_scoring_starts(world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    r1, r2 = reports(world.unit, 2)
    late = report(world.unit, day=dt.date(2025, 2, 1), title="次年报告")
    rr = review_round(office, [supervisor])
    s1 = review_sample_add(review_round=rr, report=r1, by=office)
    s2 = review_sample_add(review_round=rr, report=r2, by=office)
    assert not s1.drawn
    with pytest.raises(ServiceError, match="「次年报告」的报告日期 2025-02-01 不在本批次的期间"):
        review_sample_add(review_round=rr, report=late, by=office)
    with pytest.raises(ServiceError, match="已在抽样中"):
        review_sample_add(review_round=rr, report=r1, by=office)
    review_sample_remove(sample=s2, by=office)
    first = rr.rubric_version.criteria.first()
    review_scores_save(sample=s1, by=supervisor, version=s1.version,
                       entries=[ScoreEntry(first.pk, Decimal(10), "底稿齐全", "")])  # fmt: skip
    with pytest.raises(ServiceError, match="评查已开始"):
        review_sample_add(review_round=rr, report=r2, by=office)
    with pytest.raises(ServiceError, match="评查已开始"):
        review_draw(review_round=rr, by=office, count=1)


# Scoring


def _all(rr, points=None, comment="意见") -> list[ScoreEntry]:
    return [ScoreEntry(c.pk, c.points if points is None else points, comment, "")
            for c in rr.rubric_version.criteria.all()]  # fmt: skip


def test_scores_stay_within_each_criterion_and_sections_come_from_the_report(world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    rr = review_round(office, [supervisor])
    sample = review_sample_add(review_round=rr, report=report(world.unit), by=office)
    first = rr.rubric_version.criteria.first()  # 问题底稿齐全, 15 points
    for points in (Decimal(16), Decimal(-1)):
        with pytest.raises(
            ServiceError, match=f"「问题底稿齐全」得分 {points} 超出范围（0 至 15.00 分）"
        ):
            review_scores_save(sample=sample, by=supervisor, version=sample.version,
                               entries=[ScoreEntry(first.pk, points, "", "")])  # fmt: skip
    with pytest.raises(ServiceError, match="所针对的章节「四、其他」不在报告中"):
        review_scores_save(sample=sample, by=supervisor, version=sample.version,
                           entries=[ScoreEntry(first.pk, Decimal(12), "缺底稿", "四、其他")])  # fmt: skip
    saved = review_scores_save(sample=sample, by=supervisor, version=sample.version,
                               entries=[ScoreEntry(first.pk, Decimal(12), "缺底稿", "（一）惠民惠农资金管理不规范")])  # fmt: skip
    score = saved.scores.get()
    assert (score.points, score.section, saved.status) == (
        Decimal(12),
        "（一）惠民惠农资金管理不规范",
        SampleStatus.PENDING,
    )


def test_submit_needs_every_criterion_with_a_comment_and_sums_the_total(world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    rr = review_round(office, [supervisor])
    sample = review_sample_add(review_round=rr, report=report(world.unit), by=office)
    entries = _all(rr)
    entries[1] = ScoreEntry(entries[1].criterion_id, Decimal(10), "", "")
    with pytest.raises(ServiceError, match="未提交：「定性准确」未写评查意见"):
        review_scores_save(
            sample=sample, by=supervisor, version=sample.version, entries=entries, submit=True
        )
    with pytest.raises(ServiceError, match="「文字规范」未评分"):
        review_scores_save(
            sample=sample, by=supervisor, version=sample.version, entries=_all(rr)[:-1], submit=True
        )
    entries[1] = ScoreEntry(entries[1].criterion_id, Decimal(10), "两个问题定性依据不准", "")
    done = review_scores_save(sample=sample, by=supervisor, version=sample.version, entries=entries,
                              summary="总体较好", submit=True)  # fmt: skip
    assert done.status == SampleStatus.SUBMITTED and done.total == Decimal(95)
    with pytest.raises(ServiceError, match="已提交，不能再修改"):
        review_scores_save(
            sample=done, by=supervisor, version=done.version, entries=entries, submit=True
        )


def test_only_the_rounds_reviewers_score_and_the_office_returns(world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    rr = review_round(office, [supervisor])
    sample = review_sample_add(review_round=rr, report=report(world.unit), by=office)
    for user in (office, world.users["team"]):  # the office is not a reviewer of this round
        with pytest.raises(PermissionDenied, match="只有本批次的评查人可以评分"):
            review_scores_save(sample=sample, by=user, version=sample.version, entries=_all(rr))
    done = review_scores_save(
        sample=sample, by=supervisor, version=sample.version, entries=_all(rr), submit=True
    )
    with pytest.raises(PermissionDenied):
        review_return(sample=done, by=supervisor, reason="重评", version=done.version)
    with pytest.raises(ServiceError, match="退回评查须写明理由"):
        review_return(sample=done, by=office, reason=" ", version=done.version)
    back = review_return(
        sample=done, by=office, reason="定性准确一项评分过宽", version=done.version
    )
    assert back.status == SampleStatus.RETURNED and back.total is None
    again = review_scores_save(sample=back, by=supervisor, version=back.version,
                               entries=_all(rr, points=Decimal(5)), submit=True)  # fmt: skip
    assert again.total == Decimal(40)


def test_a_stale_page_is_refused(world) -> None:
    office, supervisor = world.users["office"], world.users["supervisor"]
    rr = review_round(office, [supervisor])
    sample = review_sample_add(review_round=rr, report=report(world.unit), by=office)
    review_scores_save(sample=sample, by=supervisor, version=sample.version, entries=_all(rr))
    with pytest.raises(ServiceError, match="已被他人修改"):
        review_scores_save(sample=sample, by=supervisor, version=sample.version, entries=_all(rr))


def test_a_round_needs_reviewers_of_the_right_roles(world) -> None:
    with pytest.raises(ServiceError, match="不是"):
        review_round(world.users["office"], [world.users["team"]])
    with pytest.raises(ServiceError, match="至少选择一名评查人"):
        review_round(world.users["office"], [])
    assert PERIOD[0].year == 2024
