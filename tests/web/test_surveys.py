"""Satisfaction surveys (群众满意度 / 四方测评): opened by the office or a supervisor, answered
anonymously on a phone through the petition channel's protections, results per group and
answer, and satisfaction_by_unit for the assessment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from web.factories import RoundFactory, UnitFactory
from web.test_petitions import all_text_in_database
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.petitions import pow
from xuncha.surveys import public_views, qr, selectors, services
from xuncha.surveys.models import Answer, Group, Response, State, Survey

ADDRESS, AGENT = "198.51.100.23", "SurveyPhone/4.2 (Android)"
COMMENT = "村务公开栏已经按时更新，希望继续保持"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.PETITION_POW_BITS = 6  # cheap in tests; the real difficulty is a setting
    cache.clear()
    yield
    cache.clear()


def _open(world, unit=None, *, days_before=1, days_after=30, round=None, title="群众满意度测评"):
    today = timezone.localdate()
    return services.survey_open(unit=unit or world.unit, by=world.users["office"], title=title, round=round,
                                opens_on=today - dt.timedelta(days=days_before),
                                closes_on=today + dt.timedelta(days=days_after))  # fmt: skip


@pytest.fixture
def survey(world):
    return _open(world)


def _path(survey: Survey) -> str:
    return reverse("surveys_public:answer", args=[survey.token])


def _filled(client, survey: Survey, **fields) -> dict[str, str]:
    """The public form as pow.js leaves it: the page's challenge, solved."""
    page = client.get(_path(survey)).content.decode()
    token = re.search(r'name="pow_challenge" value="([^"]+)"', page).group(1)
    return {"pow_challenge": token, "pow_nonce": pow.solve(token), **fields}


def _solved() -> dict[str, str]:
    """A solved challenge (the page of a survey not open has no form to take one from)."""
    token = pow.challenge()
    return {"pow_challenge": token, "pow_nonce": pow.solve(token)}


def _answer(client, survey: Survey, **fields):
    data = _filled(client, survey, group="public", answer="satisfied", comment="")
    data.update(fields)
    return client.post(_path(survey), data, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)


# ------------------------------------------------------------------ the public page


def test_an_anonymous_answer_is_kept_without_anything_about_the_respondent(client, survey):
    page = client.get(_path(survey))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "default-src 'none'" in page["Content-Security-Policy"]
    body = page.content.decode()
    for label in ("群众", "党员", "干部职工", "服务对象", "满意", "基本满意", "不满意"):
        assert f"> {label}</label>" in body
    response = _answer(client, survey, group="member", answer="fairly", comment=COMMENT)
    assert response.status_code == 200 and "您的评价已提交" in response.content.decode()
    kept = Response.objects.get(survey=survey)
    assert (kept.group, kept.answer, kept.comment) == ("member", "fairly", COMMENT)
    assert kept.answered_on == timezone.localdate()
    everything = all_text_in_database()
    assert ADDRESS not in everything and AGENT not in everything
    assert not response.cookies or all(
        c.value == "" or c.key == "csrftoken" for c in response.cookies.values()
    )


def test_a_replayed_form_is_refused(client, survey):
    data = _filled(client, survey, group="staff", answer="unsatisfied")
    assert client.post(_path(survey), data).status_code == 200
    again = client.post(_path(survey), data)
    assert again.status_code == 400 and public_views.REPLAYED in again.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


def test_without_the_proof_of_work_nothing_is_kept(client, survey):
    refused = client.post(_path(survey), {"group": "public", "answer": "satisfied"})
    assert refused.status_code == 400 and "JavaScript" in refused.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"group": "villager"}, "请选择您的身份类别"),
        ({"group": ""}, "请选择您的身份类别"),
        ({"answer": "very"}, "请选择总体评价"),
        ({"answer": ""}, "请选择总体评价"),
        ({"comment": "很" * 1001}, "意见建议不能超过 1000 字"),
    ],
)
def test_unknown_values_are_refused_with_a_message(client, survey, fields, message):
    response = _answer(client, survey, **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Response.objects.exists()


def test_a_closed_or_expired_or_future_survey_takes_no_answer(client, world, survey):
    data = _filled(client, survey)  # the page was open when the respondent loaded it
    services.survey_close(survey=survey, by=world.users["supervisor"])
    refused = client.post(_path(survey), {**data, "group": "public", "answer": "satisfied"})
    assert refused.status_code == 400 and "该测评已关闭" in refused.content.decode()
    assert "该测评已关闭" in client.get(_path(survey)).content.decode()
    expired = _open(world, days_before=40, days_after=-1)
    refused = client.post(_path(expired), {**_solved(), "group": "public", "answer": "satisfied"})
    assert refused.status_code == 400 and "已过截止日期" in refused.content.decode()
    assert "已过截止日期" in client.get(_path(expired)).content.decode()
    future = _open(world, days_before=-3, days_after=10)
    early = client.post(_path(future), {**_solved(), "group": "public", "answer": "satisfied"})
    assert "尚未开始" in early.content.decode()
    assert not Response.objects.exists()
    with pytest.raises(ServiceError, match="已关闭"):
        services.response_submit(survey=survey, group="public", answer="satisfied")


def test_a_forged_token_is_404(client, survey):
    assert client.get("/s/" + survey.token[:-2] + "xx/").status_code == 404
    assert client.post("/s/nothing-here/", {"group": "public"}).status_code == 404


def test_answers_past_the_rate_limit_are_refused(client, survey, monkeypatch):
    monkeypatch.setattr(public_views, "RATE", "2/600")
    assert _answer(client, survey).status_code == 200
    assert _answer(client, survey).status_code == 200
    third = _answer(client, survey)
    assert third.status_code == 429 and "操作过于频繁" in third.content.decode()
    assert Response.objects.filter(survey=survey).count() == 2


# ------------------------------------------------------------------ staff pages


def test_the_office_opens_a_survey_and_gets_its_code(client, world):
    rnd = RoundFactory()
    client.force_login(world.users["office"])
    today = timezone.localdate()
    response = client.post(reverse("surveys:list"), {
        "unit": world.unit.pk, "round": rnd.pk, "title": "整改满意度测评",
        "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=14)).isoformat()})  # fmt: skip
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "surveys:detail", args=[survey.pk]
    )
    assert (survey.unit, survey.round, survey.title) == (world.unit, rnd, "整改满意度测评")
    assert len(survey.token) >= 24 and survey.history.count() == 1
    detail = client.get(response["Location"]).content.decode()
    url = "http://testserver" + _path(survey)
    assert url in detail and "进行中" in detail
    png = client.get(reverse("surveys:file", args=[survey.pk, "png"]))
    assert png["Content-Type"] == "image/png" and png.content == qr.qr_png(url)
    svg = client.get(reverse("surveys:file", args=[survey.pk, "svg"]))
    assert svg.content.startswith(b"<?xml") and b"<script" not in svg.content
    assert svg["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.get(reverse("surveys:file", args=[survey.pk, "gif"])).status_code == 404
    printed = client.get(reverse("surveys:print", args=[survey.pk])).content.decode()
    assert (
        world.unit.name in printed and reverse("surveys:file", args=[survey.pk, "svg"]) in printed
    )


def test_a_survey_form_with_bad_dates_keeps_the_input_and_names_the_field(client, world):
    client.force_login(world.users["supervisor"])
    response = client.post(reverse("surveys:list"), {
        "unit": world.unit.pk, "title": "测评一", "opens_on": "2026-05-10", "closes_on": "2026-05-01"})  # fmt: skip
    assert response.status_code == 400 and not Survey.objects.exists()
    form = response.context["form"]
    assert form.errors["closes_on"] == ["截止日期不能早于开始日期。"]
    assert 'value="测评一"' in response.content.decode()
    missing = client.post(reverse("surveys:list"), {"unit": "999999", "title": ""})
    assert missing.context["form"].errors["title"] == ["请填写测评名称。"]
    assert missing.context["form"].errors["unit"] == ["所选单位不存在。"]


def test_closing_a_survey_is_kept_in_its_history(client, world, survey):
    client.force_login(world.users["supervisor"])
    client.post(reverse("surveys:close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.state(timezone.localdate()) == State.CLOSED
    assert survey.history.first().history_user == world.users["supervisor"]
    again = client.post(reverse("surveys:close", args=[survey.pk]), follow=True)
    assert "该测评已经关闭" in again.content.decode()


@pytest.mark.parametrize("role", ["team", "unit", "leader"])
def test_other_roles_see_no_survey_page(client, world, survey, role):
    client.force_login(world.users[role])
    for url in (reverse("surveys:list"), reverse("surveys:detail", args=[survey.pk]),
                reverse("surveys:file", args=[survey.pk, "png"]), reverse("surveys:print", args=[survey.pk])):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 404
    assert "满意度测评" not in client.get("/").content.decode()
    with pytest.raises(PermissionDenied):
        services.survey_open(unit=world.unit, by=world.users[role], title="测评",
                             opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 1, 2))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.survey_close(survey=survey, by=world.users[role])


def _answers(survey: Survey, spec: dict[tuple[str, str], int], comment: str = "") -> None:
    for (group, answer), n in spec.items():
        for _ in range(n):
            services.response_submit(survey=survey, group=group, answer=answer, comment=comment)


def test_results_count_each_group_and_answer_with_rates(client, world, survey):
    _answers(survey, {("public", "satisfied"): 5, ("public", "unsatisfied"): 2, ("member", "fairly"): 3,
                      ("staff", "satisfied"): 1})  # fmt: skip
    services.response_submit(survey=survey, group="served", answer="unsatisfied",
                             comment="<script>alert(1)</script>办事仍要跑多次")  # fmt: skip
    rows = {r.label: r for r in selectors.survey_results(survey).rows}
    assert rows["群众"].cells == [5, 0, 2] and rows["群众"].rate == Decimal("71.43")
    assert rows["党员"].cells == [0, 3, 0] and rows["党员"].rate == Decimal("100.00")
    assert rows["服务对象"].rate == Decimal("0.00")
    assert rows["合计"].cells == [6, 3, 3] and rows["合计"].total == 12
    assert rows["合计"].rate == Decimal("75.00")
    client.force_login(world.users["office"])
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "71.43%" in page and "75.00%" in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;办事仍要跑多次" in page
        and "<script>alert" not in page
    )


def test_satisfaction_by_unit_over_surveys_and_rounds(world):
    first, second = RoundFactory(), RoundFactory()
    spring = _open(world, round=first, title="春季测评")
    autumn = _open(world, round=second, title="秋季测评")
    other = _open(world, world.other_unit, round=first)
    _answers(spring, {("public", "satisfied"): 1, ("staff", "unsatisfied"): 2})
    _answers(autumn, {("member", "fairly"): 3})
    _answers(other, {("served", "satisfied"): 4})
    idle = UnitFactory()
    result = selectors.satisfaction_by_unit([world.unit.pk, world.other_unit.pk, idle.pk])
    assert set(result) == {world.unit.pk, world.other_unit.pk, idle.pk}
    mine = result[world.unit.pk]
    assert (mine.responses, mine.rate) == (6, Decimal("66.67"))
    assert "春季测评" in mine.source and "秋季测评" in mine.source and "共 6 份答卷" in mine.source
    assert (result[idle.pk].responses, result[idle.pk].rate) == (0, None)
    assert "未开展" in result[idle.pk].source
    in_first = selectors.satisfaction_by_unit([world.unit.pk], round_id=first.pk)[world.unit.pk]
    assert (in_first.responses, in_first.rate) == (3, Decimal("33.33"))
    assert "秋季测评" not in in_first.source
    assert selectors.satisfaction_by_unit([], round_id=first.pk) == {}


def test_satisfaction_by_unit_reads_in_one_query(world, django_assert_num_queries):
    units = [UnitFactory() for _ in range(5)]
    for unit in units:
        _answers(_open(world, unit), {("public", "satisfied"): 2, ("public", "fairly"): 1})
    with django_assert_num_queries(1):
        result = selectors.satisfaction_by_unit([u.pk for u in units])
    assert {s.rate for s in result.values()} == {Decimal("100.00")}


def test_choices_are_the_four_groups_and_three_answers():
    assert [str(label) for _, label in Group.choices] == ["群众", "党员", "干部职工", "服务对象"]
    assert [str(label) for _, label in Answer.choices] == ["满意", "基本满意", "不满意"]


def test_the_list_shows_each_surveys_state_and_answers_page_by_page(client, world, survey):
    _answers(survey, {("public", "satisfied"): 2})
    services.survey_close(
        survey=_open(world, world.other_unit, title="已关闭的测评"), by=world.users["office"]
    )
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("surveys:list"))
    rows = {s.title: (state, s.answered) for s, state in page.context["surveys"]}
    assert rows == {"群众满意度测评": (State.OPEN, 2), "已关闭的测评": (State.CLOSED, 0)}
    assert "满意度测评" in client.get("/").content.decode()  # the menu entry
