"""Report review pages: a round made and drawn from its page, figures whose every count
equals the list it links to, scoring through the page, the team reading its result
(and nobody else's), the export and the rubric import's refusals."""

from __future__ import annotations

import io
import re

import openpyxl
from django.urls import reverse

from web.reviews_world import clean, report, reports, review_round
from xuncha.common.filters import FILTER_ERROR
from xuncha.reviews.models import ReviewRound, SampleStatus
from xuncha.reviews.services import ScoreEntry, review_sample_add, review_scores_save


def _add(world, rr, r):
    return review_sample_add(review_round=rr, report=r, by=world.users["office"])


def _score(world, sample, points_off=0):
    rr = sample.review_round
    entries = [ScoreEntry(c.pk, c.points, "符合要求", "") for c in rr.rubric_version.criteria.all()]
    first = entries[0]
    entries[0] = ScoreEntry(
        first.criterion_id, first.points - points_off, "一个问题缺底稿", "二、发现的主要问题"
    )
    return review_scores_save(sample=sample, by=world.users["supervisor"], version=sample.version,
                              entries=entries, submit=True)  # fmt: skip


def test_the_office_opens_a_round_and_draws_from_its_page(client, world) -> None:
    reports(world.unit, 30)
    rr = review_round(world.users["office"], [world.users["supervisor"]], name="旧批次")
    client.force_login(world.users["office"])
    page = client.post(reverse("reviews:rounds"), {
        "name": "2024 年度评查", "starts_on": "2024-01-01", "ends_on": "2024-12-31",
        "version": rr.rubric_version_id, "reviewers": [world.users["supervisor"].pk]})  # fmt: skip
    created = ReviewRound.objects.get(name="2024 年度评查")
    assert page.status_code == 302 and created.checked.count() == 30
    page = client.post(reverse("reviews:draw", args=[created.pk]), {"mode": "count", "size": "31"})
    assert (
        page.status_code == 400
        and "抽取数量须在 1 至 30（该期间报告总数）之间，收到 31" in page.text
    )
    page = client.post(reverse("reviews:draw", args=[created.pk]), {"mode": "count", "size": "6", "seed": "42"},
                       follow=True)  # fmt: skip
    assert "已从 30 份报告中随机抽取 6 份（随机种子 42）" in page.text
    assert "结果与本次抽样一致" in page.text
    bad = client.post(reverse("reviews:rounds"), {
        "name": "错", "starts_on": "2024-12-31", "ends_on": "2024-01-01",
        "version": rr.rubric_version_id, "reviewers": [world.users["supervisor"].pk]})  # fmt: skip
    assert (
        bad.status_code == 400
        and "报告日期止（2024-01-01）不能早于报告日期起（2024-12-31）" in bad.text
    )


def _count(text: str, element_id: str) -> tuple[int, str]:
    m = re.search(rf'id="{element_id}"><a href="([^"]+)">(\d+)</a>', text)
    assert m, element_id
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def _listed(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return int(re.search(r'id="report-count">共 (\d+) 份', page.text).group(1))


def test_every_figure_equals_the_list_it_links_to(client, world) -> None:
    reports(world.unit, 12)
    bad = clean()
    bad["problems"][0]["basis"] = ""
    bad["leads"][0]["receiver"], bad["leads"][0]["handed_to"] = "", ""
    report(world.unit, content=bad)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    samples = [_add(world, rr, r) for r in reports(world.unit, 4)]
    scored = [_score(world, s, off) for s, off in zip(samples, (0, 12, 15), strict=False)]
    assert [s.total for s in scored] == [100, 88, 85]
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("reviews:round", args=[rr.pk])).text
    figures = {
        key: _count(page, f"fig-{key}") for key in ("reports", "flagged", "sampled", "scored")
    }
    assert {k: n for k, (n, _) in figures.items()} == {
        "reports": 17,
        "flagged": 1,
        "sampled": 4,
        "scored": 3,
    }
    for n, url in figures.values():
        assert _listed(client, url) == n, url
    for cls in ("fig-kind", "fig-bin"):
        cells = re.findall(rf'class="{cls}"><a href="([^"]+)">(\d+)</a>', page)
        assert len(cells) in (6, 5)
        for url, n in cells:
            assert _listed(client, url.replace("&amp;", "&")) == int(n), url
    bins = [int(n) for _, n in re.findall(r'class="fig-bin"><a href="([^"]+)">(\d+)</a>', page)]
    assert bins == [1, 2, 0, 0, 0]


def test_a_bad_filter_lists_nothing_and_says_why(client, world) -> None:
    reports(world.unit, 2)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    client.force_login(world.users["office"])
    page = client.get(reverse("reviews:reports", args=[rr.pk]) + "?bin=95")
    assert page.status_code == 400 and FILTER_ERROR in page.text and "共 0 份" in page.text


def test_a_reviewer_scores_through_the_page(client, world) -> None:
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    sample = review_sample_add(review_round=rr, report=report(world.unit), by=world.users["office"])
    criteria = list(rr.rubric_version.criteria.all())
    client.force_login(world.users["office"])  # reads the round, is not its reviewer
    assert 'id="your-part"' not in client.get(reverse("reviews:round", args=[rr.pk])).text
    client.force_login(world.users["supervisor"])
    assert "您是本批次的评查人" in client.get(reverse("reviews:round", args=[rr.pk])).text
    page = client.get(reverse("reviews:sample", args=[sample.pk]))
    assert "（一）惠民惠农资金管理不规范" in page.text and 'name="submit"' in page.text
    form = {"version": sample.version, f"p{criteria[0].pk}": "20", f"c{criteria[0].pk}": "宽"}
    page = client.post(reverse("reviews:sample", args=[sample.pk]), form, follow=True)
    assert "「问题底稿齐全」得分 20 超出范围（0 至 15.00 分）" in page.text
    form = {"version": sample.version, "submit": "1"}
    for c in criteria:
        form |= {f"p{c.pk}": str(c.points), f"c{c.pk}": "符合要求", f"s{c.pk}": "一、巡察基本情况"}
    page = client.post(reverse("reviews:sample", args=[sample.pk]), form, follow=True)
    sample.refresh_from_db()
    assert (
        "评查已提交" in page.text
        and sample.status == SampleStatus.SUBMITTED
        and sample.total == 100
    )
    assert sample.scores.filter(section="一、巡察基本情况").count() == len(criteria)
    # The office (not a reviewer of this round) may not score, but may return it.
    client.force_login(world.users["office"])
    assert client.post(reverse("reviews:sample", args=[sample.pk]), form).status_code == 404
    page = client.post(reverse("reviews:return", args=[sample.pk]), {"reason": "", "version": sample.version},
                       follow=True)  # fmt: skip
    assert "退回评查须写明理由" in page.text
    client.post(
        reverse("reviews:return", args=[sample.pk]),
        {"reason": "意见过简", "version": sample.version},
    )
    sample.refresh_from_db()
    assert sample.status == SampleStatus.RETURNED


def test_the_team_sees_its_result_once_submitted_and_nobody_else_does(client, world) -> None:
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    own = report(world.unit, team=world.team, title="第一巡察组关于东江街道的巡察报告")
    other = report(
        world.other_unit, team=world.other_team, title="第二巡察组关于五里牌镇的巡察报告"
    )
    mine, done = _add(world, rr, own), _add(world, rr, other)
    client.force_login(world.users["team"])
    assert (
        client.get(reverse("reviews:sample", args=[mine.pk])).status_code == 404
    )  # not yet submitted
    done = _score(world, done, points_off=5)
    mine = _score(world, mine, points_off=3)
    page = client.get(reverse("reviews:sample", args=[mine.pk]))
    assert page.status_code == 200 and "97.00" in page.text and "一个问题缺底稿" in page.text
    assert "自动检查" not in page.text  # the office's working view stays inside
    listed = client.get(reverse("reviews:results")).text
    assert own.title in listed and other.title not in listed
    assert client.get(reverse("reviews:sample", args=[done.pk])).status_code == 404
    for role in ("unit", "leader", "other_unit"):
        client.force_login(world.users[role])
        assert client.get(reverse("reviews:sample", args=[mine.pk])).status_code == 404, role
        assert own.title not in client.get(reverse("reviews:results")).text
        assert client.get(reverse("reviews:round", args=[rr.pk])).status_code == 404
    client.force_login(world.users["other_team"])
    assert client.get(reverse("reviews:sample", args=[done.pk])).status_code == 200


def test_the_results_export_has_a_row_per_sample(client, world) -> None:
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    first = _add(world, rr, report(world.unit, title="甲报告"))
    _add(world, rr, report(world.unit, title="乙报告"))
    _score(world, first, points_off=4)
    client.force_login(world.users["office"])
    got = client.get(reverse("reviews:export", args=[rr.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[0][7] == "问题底稿齐全（15.00分）" and "总分" in rows[0]
    by_title = {r[1]: r for r in rows[1:]}
    assert set(by_title) == {"甲报告", "乙报告"}
    assert by_title["甲报告"][rows[0].index("总分")] == 96 and by_title["乙报告"][6] == "待评查"


def test_a_bad_rubric_workbook_is_refused_on_the_page(client, world) -> None:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet("评查项目")
    for r, row in enumerate([["评查项目", "分值"], ["底稿", "70"], ["文字", "20"]]):
        ws.write_row(r, 0, row)
    wb.close()
    out.seek(0)
    out.name = "标准.xlsx"
    client.force_login(world.users["office"])
    page = client.post(
        reverse("reviews:rubric_import"), {"rubric": "我的标准", "file": out}, follow=True
    )
    assert "各评查项目分值合计为 90.00，应为 100" in page.text
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("reviews:rubrics")).status_code == 404


def test_the_figures_page_shows_the_periods_review_rounds_to_who_reads_them(client, world) -> None:
    reports(world.unit, 4)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    _add(world, rr, reports(world.unit, 1)[0])
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("dashboards:figures"), {"year": 2024}).text
    assert 'id="review-figures"' in page and rr.name in page
    m = re.search(r'class="review-reports" href="([^"]+)">(\d+)</a>', page)
    assert int(m.group(2)) == 5 == _listed(client, m.group(1).replace("&amp;", "&"))
    m = re.search(r'class="review-sampled" href="([^"]+)">(\d+)</a>', page)
    assert int(m.group(2)) == 1 == _listed(client, m.group(1).replace("&amp;", "&"))
    assert (
        'id="review-figures"' not in client.get(reverse("dashboards:figures"), {"year": 2023}).text
    )
    for role in ("team", "leader", "unit"):
        client.force_login(world.users[role])
        assert (
            'id="review-figures"'
            not in client.get(reverse("dashboards:figures"), {"year": 2024}).text
        ), role


def test_the_office_pages_render_and_the_rubric_exports_as_it_imports(client, world) -> None:
    from xuncha.reviews import rubric

    rr = review_round(world.users["office"], [world.users["supervisor"]])
    sample = _add(world, rr, report(world.unit))
    client.force_login(world.users["office"])
    listed = client.get(reverse("reviews:rubrics")).text
    assert rr.rubric_version.rubric.name in listed and "已用于评查" in listed
    got = client.get(reverse("reviews:rubric_export", args=[rr.rubric_version_id]))
    spec = rubric.read_workbook(got.content, name="导出.xlsx")
    assert spec == rubric.shipped()[rr.rubric_version.rubric.name][1]
    page = client.get(reverse("reviews:rounds")).text
    assert rr.name in page and world.users["supervisor"].signature in page
    page = client.get(reverse("reviews:round", args=[rr.pk])).text
    assert "移出" in page and "加入评查" in page and "问题底稿齐全" not in page
    page = client.get(reverse("reviews:sample", args=[sample.pk])).text
    assert (
        "违规发放种粮补贴" in page and 'name="submit"' not in page
    )  # the office is no reviewer here
    page = client.post(
        reverse("reviews:add", args=[rr.pk]), {"report": "99999999999"}, follow=True
    ).text
    assert "找不到编号为「99999999999」的巡察报告" in page


def test_the_round_page_reads_stored_checks_in_as_many_queries_for_more_reports(
    client, world
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xuncha.reviews.services import review_checks_run, review_draw

    reports(world.unit, 5)
    rr = review_round(world.users["office"], [world.users["supervisor"]])
    review_draw(review_round=rr, by=world.users["office"], count=3, seed=7)
    client.force_login(world.users["supervisor"])
    url = reverse("reviews:round", args=[rr.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    bad = clean()
    bad["problems"][0]["basis"] = ""
    for _ in range(40):
        report(world.unit, content=bad)
    review_checks_run(review_round=rr, by=world.users["office"])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert _count(page.text, "fig-reports")[0] == 45 and _count(page.text, "fig-flagged")[0] == 40
    assert len(many.captured_queries) == len(few.captured_queries)
