"""Report review walked in headless Chromium, role by role, clicking only what each role
sees from its home page (docs/reviews.md): the office installs the shipped rubric, opens a
review round over 40 reports and draws 10 by count, and reads the automatic check figures
against the lists they link to; a supervisor named as reviewer scores a sampled report,
every criterion with a comment anchored to a section, and submits; the report's team reads
the result from its menu; a unit's liaison sees no review link and gets 404 on the round."""

from __future__ import annotations

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from web.chromium import Page, click, to_new_page
from web.days import town
from web.reviews_world import clean, report
from xuncha.accounts.models import User
from xuncha.reviews.models import ReviewRound, ReviewSample, RubricVersion, SampleStatus

pytestmark = pytest.mark.django_db(transaction=True)

# What each criterion of the shipped rubric is given (15,15,10,15,15,15,10,5): 89.50 in all.
POINTS = ["14", "13.5", "10", "12", "15", "11", "9", "5"]
TOTAL = "89.50"
SECTION = "（一）惠民惠农资金管理不规范"


def _seed(t) -> None:
    """40 reports of the team within 2024: 36 clean; 2 whose first problem lacks its
    basis, 1 whose lead has no route, 1 with both."""
    for i in range(40):
        content = clean()
        if i in (3, 11, 29):
            content["problems"][0]["basis"] = ""
        if i in (17, 29):
            content["leads"][0]["receiver"], content["leads"][0]["handed_to"] = "", ""
        report(t.unit, team=t.team, content=content, title=f"关于巡察东江街道的情况报告（{i + 1}）")


def _figure(page: Page, cell: str) -> int:
    return int(page.d.find_element(By.CSS_SELECTOR, f"{cell} a").text)


def _rows(page: Page, table: str) -> list:
    return page.d.find_elements(By.CSS_SELECTOR, f"{table} tbody tr")


def _listed(page: Page) -> int:
    """The 共 N 份 of a report list, checked against the rows it shows."""
    count = page.d.find_element(By.ID, "report-count").text
    n = int(count.removeprefix("共 ").removesuffix(" 份"))
    assert len(_rows(page, "#reports")) == n, page.text()
    return n


def _absent(page: Page, css: str) -> bool:
    """Nothing matches ``css`` on the page (asked at once: the driver's implicit wait is
    for elements that are coming, not for ones that must not be there)."""
    page.d.implicitly_wait(0)
    try:
        return not page.d.find_elements(By.CSS_SELECTOR, css)
    finally:
        page.d.implicitly_wait(5)


def _nav(page: Page) -> list[str]:
    return [a.text for a in page.d.find_elements(By.CSS_SELECTOR, "header nav a")]


def test_a_review_round_from_the_office_to_the_reviewer_and_the_team(live_server, browser) -> None:
    t = town(users=("supervisor",))
    _seed(t)
    page = Page(browser, live_server.url)

    # The office: 报告评查 from the menu, the rubric page, install the shipped rubric.
    page.login("office")
    click(page, text="报告评查", within="header")
    assert "还没有评查批次" in page.text()
    click(page, text="评查标准")
    assert "还没有评查标准" in page.text()
    to_new_page(page.d, page.d.find_element(By.XPATH, "//button[text()='安装示例评查标准']").click)
    assert "已安装示例评查标准 1 个。" in page.text(), page.text()
    assert "8 项" in page.d.find_element(By.ID, "rubrics").text
    version = RubricVersion.objects.get()

    # A round over 2024 with the supervisor as reviewer: its 40 reports checked at once.
    click(page, text="报告评查", within="nav.crumbs")
    form = page.d.find_element(By.CSS_SELECTOR, "#round-form form")
    supervisor = User.objects.get(username="supervisor")
    form.find_element(
        By.XPATH, f".//label[contains(., '{supervisor.signature}')]//input[@name='reviewers']"
    ).click()
    page.fill(form, name="2024 年度巡察报告评查", starts_on="2024-01-01", ends_on="2024-12-31",
              version=str(version))  # fmt: skip
    assert "已创建评查批次，期间内 40 份报告已完成自动检查。" in page.text(), page.text()
    rr = ReviewRound.objects.get()
    assert list(rr.reviewers.all()) == [supervisor]
    assert _figure(page, "#fig-reports") == 40 and _figure(page, "#fig-flagged") == 4

    # Draw 10 by count, with a seed: the record says how to reproduce it.
    form = page.d.find_element(By.CSS_SELECTOR, "#draw-form form")
    form.find_element(By.CSS_SELECTOR, "input[name=mode][value=count]").click()
    page.fill(form, size="10", seed="2024")
    text = page.text()
    assert "已从 40 份报告中随机抽取 10 份（随机种子 2024）。" in text, text
    assert "结果与本次抽样一致" in text, text
    assert _figure(page, "#fig-sampled") == 10 == len(_rows(page, "#samples"))
    assert _figure(page, "#fig-scored") == 0

    # The check figures: each kind's count is what was seeded, and equals its list.
    kinds = {
        cell.find_element(By.XPATH, "preceding-sibling::th").text.strip(): cell
        for cell in page.d.find_elements(By.CSS_SELECTOR, "#review-figures td.fig-kind")
    }
    counts = {k: int(cell.find_element(By.TAG_NAME, "a").text) for k, cell in kinds.items()}
    assert len(counts) == 6, counts
    assert counts["问题缺定性依据或责任指向"] == 3 and counts["线索无处置去向"] == 2, counts
    assert counts["问题无签批完成的底稿"] == 0 and counts["数字在数据中无出处"] == 0, counts
    round_url = page.d.current_url
    to_new_page(page.d, kinds["线索无处置去向"].find_element(By.TAG_NAME, "a").click)
    assert _listed(page) == 2
    listed = page.d.find_element(By.ID, "reports").text
    assert "（18）" in listed and "（30）" in listed and "未写明移交对象和接收单位" in listed
    page.d.get(round_url)
    click(page, css="#fig-flagged a")
    assert _listed(page) == 4
    titles = {r.find_elements(By.TAG_NAME, "td")[1].text for r in _rows(page, "#reports")}
    assert titles == {f"关于巡察东江街道的情况报告（{i}）" for i in (4, 12, 18, 30)}

    # The supervisor, a reviewer: 报告评查 → the round → a sampled report; score it all.
    page.login("supervisor")
    click(page, text="报告评查", within="header")
    click(page, text="2024 年度巡察报告评查")
    assert "重新运行自动检查" not in page.text()  # the office's, not the supervisor's
    click(page, css="#samples tbody tr td a")
    title = page.d.find_element(By.TAG_NAME, "h1").text
    sample = ReviewSample.objects.get(report__title=title)
    criteria = list(rr.rubric_version.criteria.all())
    assert len(criteria) == len(POINTS)
    form = page.d.find_element(By.ID, "score-form")
    for c, points in zip(criteria, POINTS, strict=True):
        form.find_element(By.NAME, f"p{c.pk}").send_keys(points)
        form.find_element(By.NAME, f"c{c.pk}").send_keys(f"{c.name}：基本符合要求")
        Select(form.find_element(By.NAME, f"s{c.pk}")).select_by_visible_text(SECTION)
    form.find_element(By.ID, "summary").send_keys("问题底稿齐全，个别问题定性偏宽")
    to_new_page(page.d, form.find_element(By.CSS_SELECTOR, "button[name=submit]").click)
    assert "评查已提交。" in page.text(), page.text()
    assert page.d.find_element(By.ID, "total").text == TOTAL
    assert sum(Decimal(p) for p in POINTS) == Decimal(TOTAL)
    sample.refresh_from_db()
    assert sample.status == SampleStatus.SUBMITTED and sample.total == Decimal(TOTAL)
    assert _absent(page, "#score-form")  # submitted: no more editing
    click(page, text="2024 年度巡察报告评查", within="nav.crumbs")
    assert _figure(page, "#fig-scored") == 1
    bins = [int(a.text) for a in page.d.find_elements(By.CSS_SELECTOR, "td.fig-bin a")]
    assert bins == [0, 1, 0, 0, 0], bins  # 89.50 is in 80–89

    # The team: 报告评查结果 from its menu lists the one submitted review of its reports.
    page.login("team")
    assert "报告评查结果" in _nav(page) and "报告评查" not in _nav(page), _nav(page)
    click(page, text="报告评查结果", within="header")
    rows = _rows(page, "#results")
    assert len(rows) == 1 and title in rows[0].text and TOTAL in rows[0].text, page.text()
    click(page, text=title)
    assert page.d.find_element(By.ID, "total").text == TOTAL
    scores = page.d.find_element(By.ID, "scores").text
    assert scores.count(SECTION) == len(criteria) and "问题底稿齐全：基本符合要求" in scores
    assert "自动检查" not in page.text()  # the office's working view stays inside

    # The unit's liaison: no review link anywhere it looks; the round's address is a 404.
    page.login("liaison")
    assert not {"报告评查", "报告评查结果"} & set(_nav(page)), _nav(page)
    assert _absent(page, "a[href*='/reviews/']")
    click(page, text="巡察工作数据", within="header")
    assert _absent(page, "a[href*='/reviews/']")
    for path in (f"/reviews/{rr.pk}/", f"/reviews/samples/{sample.pk}/", "/reviews/results/"):
        page.go(path)
        assert page.d.find_element(By.TAG_NAME, "h1").text == "页面不存在（404）", path
