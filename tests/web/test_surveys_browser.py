"""A satisfaction survey answered in a real browser on a 390 px phone: the page fits the
screen, pow.js solves the challenge at the real difficulty, the answer is kept and
shows in the office's results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from web.factories import UnitFactory, UserFactory
from web.test_petition_browser import no_sideways_scroll, submit_form, wait_ready
from xuncha.accounts.models import Role
from xuncha.surveys import selectors, services
from xuncha.surveys.models import Response


@pytest.mark.django_db(transaction=True)
def test_a_respondent_answers_on_a_phone(live_server, phone, client) -> None:
    cache.clear()
    office = UserFactory(role=Role.OFFICE)
    unit = UnitFactory(name="青山村")
    today = timezone.localdate()
    survey = services.survey_open(unit=unit, by=office, title="整改满意度测评", opens_on=today,
                                  closes_on=today + dt.timedelta(days=7))  # fmt: skip
    phone.get(f"{live_server.url}/s/{survey.token}/")
    assert phone.execute_script("return window.innerWidth") == 390
    assert "青山村" in phone.find_element(By.TAG_NAME, "header").text
    assert no_sideways_scroll(phone)
    form = phone.find_element(By.CSS_SELECTOR, "form[data-pow]")
    form.find_element(By.CSS_SELECTOR, "input[name=group][value=served]").click()
    form.find_element(By.CSS_SELECTOR, "input[name=answer][value=fairly]").click()
    form.find_element(By.NAME, "comment").send_keys("办事窗口等候时间明显缩短")
    wait_ready(phone, form)
    submit_form(phone, form)
    assert "您的评价已提交" in phone.find_element(By.ID, "thanks").text
    kept = Response.objects.get()
    assert (kept.group, kept.answer, kept.comment) == (
        "served",
        "fairly",
        "办事窗口等候时间明显缩短",
    )
    assert selectors.satisfaction_by_unit([unit.pk])[unit.pk].rate == 100
    client.force_login(office)
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "办事窗口等候时间明显缩短" in page and "100.00%" in page
