"""Two-factor and lockout as a person meets them, in headless Chromium: a role that
must use two-factor is sent to enrolment, types the key into an authenticator (here the
same TOTP computed from the key shown on the page), logs in again with a code; wrong
passwords end on the Chinese lockout page."""

from __future__ import annotations

import os
from base64 import b32decode

import pytest
from django_otp.oath import totp
from selenium.webdriver.common.by import By

from web.chromium import Page
from web.factories import PASSWORD, UserFactory
from xuncha.accounts.models import Role

SHOTS = os.environ.get("XUNCHA_SCREENSHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.d.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


def code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key (30-second steps), or the next one."""
    return f"{totp(b32decode(key), t0=-30 * steps_ahead):06d}"


@pytest.mark.django_db(transaction=True)
def test_enrol_log_in_with_a_code_and_lockout(live_server, browser, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["office"]
    UserFactory(username="office", role=Role.OFFICE)
    page = Page(browser, live_server.url)
    page.go("/login/")
    page.fill(
        page.d.find_element(By.CSS_SELECTOR, "main form"), username="office", password=PASSWORD
    )
    assert "启用两步验证" in page.text() and "必须启用" in page.text()
    assert page.d.find_element(By.CSS_SELECTOR, ".qr svg")
    shot(page, "enrol")
    key = page.d.find_element(By.CSS_SELECTOR, "main code").text
    page.fill(page.d.find_element(By.CSS_SELECTOR, "main form"), code=code(key))
    assert "两步验证已启用" in page.text()

    page.d.delete_all_cookies()
    page.go("/findings/")
    page.fill(
        page.d.find_element(By.CSS_SELECTOR, "main form"), username="office", password=PASSWORD
    )
    assert "输入“巡察工作台”当前显示的 6 位验证码" in page.text()
    shot(page, "verify")
    page.fill(page.d.find_element(By.CSS_SELECTOR, "main form"), code=code(key, steps_ahead=1))
    assert page.d.current_url.endswith("/findings/")

    page.d.delete_all_cookies()
    for _ in range(settings.LOGIN_FAILURES):
        page.go("/login/")
        page.fill(
            page.d.find_element(By.CSS_SELECTOR, "main form"), username="office", password="wrong"
        )
    assert "暂时无法登录" in page.text() and "15 分钟" in page.text()
    shot(page, "locked")
