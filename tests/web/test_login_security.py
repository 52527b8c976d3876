"""Staff login: lockout per account and client (django-axes), TOTP two-factor
(django-otp), and that neither touches the public petition pages."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from web.factories import UserFactory
from xuncha.accounts import services
from xuncha.accounts.models import Role

PASSWORD = "pw-for-tests"
HOME = "/"


def attempt(client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


@pytest.fixture
def user(db):
    return UserFactory(role=Role.TEAM)


# ------------------------------------------------------------------ lockout


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, user) -> None:
    for _ in range(60):
        assert attempt(client, user.username, "wrong").status_code in (200, 429)
    response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "错误次数过多" in response.content.decode() and "15 分钟" in response.content.decode()
    assert not signed_in(client)


def test_lockout_after_the_limit_for_this_account_and_client(client, user, settings) -> None:
    for _ in range(settings.LOGIN_FAILURES - 1):
        assert attempt(client, user.username, "wrong").status_code == 200  # the form again
    assert attempt(client, user.username, "wrong").status_code == 429  # the limit-th
    assert attempt(client, user.username, PASSWORD).status_code == 429
    # The same account from another client is not locked by one client's typos.
    assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302


def test_the_right_password_below_the_limit_clears_the_count(client, user, settings) -> None:
    for _ in range(settings.LOGIN_FAILURES - 1):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(settings.LOGIN_FAILURES - 1):
        assert attempt(client, user.username, "wrong").status_code == 200
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_account_cap_across_clients(client, user, settings) -> None:
    settings.LOGIN_FAILURES_ACCOUNT = 8
    for n in range(8):  # one guess from each of eight addresses
        attempt(client, user.username, "wrong", address=f"192.0.2.{n + 1}")
    assert attempt(client, user.username, PASSWORD, address="192.0.2.200").status_code == 429


def test_client_cap_across_accounts(client, user, settings) -> None:
    settings.LOGIN_FAILURES_CLIENT = 8
    for n in range(8):  # password spraying: one guess for each of eight names
        attempt(client, f"name{n}", "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 429
    assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302


def test_cool_off_lifts_the_lockout_and_forgets_the_address(client, user, settings) -> None:
    for _ in range(settings.LOGIN_FAILURES):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 429
    later = dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES + 1)
    for row in AccessAttempt.objects.all():  # as if the cool-off had passed
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - later)
    assert attempt(client, user.username, PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0  # expired failures (with addresses) deleted
    assert AccessLog.objects.count() == 0  # successful logins are not recorded


def test_public_petition_pages_record_no_login_attempt(client, db) -> None:
    client.get("/p/follow-up/", REMOTE_ADDR="203.0.113.77")
    client.post("/p/follow-up/", {"code": "1234567812345678"}, REMOTE_ADDR="203.0.113.77")
    assert AccessAttempt.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_refused_oversize_requests_count_toward_the_client_rate_limit(client, db) -> None:
    cache.clear()
    path = "/p/follow-up/status/"
    for _ in range(10):  # PETITION_RATE_SUBMIT is 10 per 10 minutes
        response = client.generic("POST", path, b"", CONTENT_LENGTH=str(10**12))
        assert response.status_code == 413
    from xuncha.common import ratelimit

    request = client.get(path).wsgi_request
    assert not ratelimit.peek("submit", ratelimit.client_key(request), "10/600")
    assert not ratelimit.peek("message", ratelimit.client_key(request), "10/600")
    cache.clear()


# ------------------------------------------------------------------ two-factor


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0 - offset * device.step):06d}"


def test_enrol_then_the_session_is_verified(client, user) -> None:
    client.force_login(user)
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # it shows the secret key
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "otpauth://totp/" in device.config_url
    assert (
        client.post(
            reverse("accounts:enrol"),
            {"code": "000000" if code_for(device) != "000000" else "111111"},
        ).status_code
        == 400
    )
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.throttle_reset()
    response = client.post(reverse("accounts:enrol"), {"code": code_for(device)})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert len(response.context["codes"]) == 10  # backup codes, shown this once
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert signed_in(client)


@pytest.fixture
def device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)


def test_login_asks_for_the_code_after_the_password(client, user, device) -> None:
    assert attempt(client, user.username, PASSWORD).status_code == 302
    response = client.get("/findings/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert client.get("/admin/").status_code == 302  # the admin waits too
    verified = client.post(
        reverse("accounts:verify"), {"code": code_for(device), "next": "/findings/"}
    )
    assert verified.status_code == 302 and verified["Location"] == "/findings/"
    assert client.get("/findings/").status_code == 200


def test_a_wrong_code_is_refused(client, user, device) -> None:
    attempt(client, user.username, PASSWORD)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not signed_in(client)
    # Throttled now: even the right code waits (each failure doubles the wait).
    response = client.post(reverse("accounts:verify"), {"code": code_for(device)})
    assert response.status_code == 400 and not signed_in(client)


def test_required_role_is_sent_to_enrolment_first(client, db, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["office", "team"]
    office, leader = UserFactory(role=Role.OFFICE), UserFactory(role=Role.LEADER)
    client.force_login(office)
    response = client.get("/findings/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:enrol"))
    assert client.get(reverse("accounts:enrol")).status_code == 200
    client.force_login(leader)  # a role not listed is not held
    assert signed_in(client)


def test_required_role_cannot_turn_two_factor_off(client, user, device, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["team"]
    attempt(client, user.username, PASSWORD)
    client.post(reverse("accounts:verify"), {"code": code_for(device)})
    client.post(reverse("accounts:disable"))
    assert TOTPDevice.objects.filter(user=user).exists()
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    client.post(reverse("accounts:disable"))
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_forwarded_address_is_believed_only_behind_a_declared_proxy(
    client, user, settings
) -> None:
    def guess(forwarded: str):
        return client.post("/login/", {"username": user.username, "password": "wrong"},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)  # fmt: skip

    # No proxy declared: a made-up X-Forwarded-For per guess does not escape the lockout.
    for n in range(settings.LOGIN_FAILURES):
        guess(f"192.0.2.{n + 1}")
    assert guess("192.0.2.99").status_code == 429
    AccessAttempt.objects.all().delete()
    # Behind the proxy (XUNCHA_PROXY_SSL_HEADER=1): the entry the proxy added counts,
    # never the ones the client wrote before it.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for n in range(settings.LOGIN_FAILURES):
        guess(f"10.9.9.{n}, 198.51.100.7")
    assert guess("10.9.9.99, 198.51.100.7").status_code == 429
    ok = client.post("/login/", {"username": user.username, "password": PASSWORD},
                     REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")  # fmt: skip
    assert ok.status_code == 302  # another client behind the same proxy


def test_a_backup_code_logs_in_once(client, user, device) -> None:
    codes = services.backup_codes_renew(user=user)
    attempt(client, user.username, PASSWORD)
    response = client.post(reverse("accounts:verify"), {"code": codes[3].upper()})
    assert response.status_code == 302 and signed_in(client)
    assert services.backup_codes_left(user=user) == 9
    client.post("/logout/")
    attempt(client, user.username, PASSWORD)
    assert client.post(reverse("accounts:verify"), {"code": codes[3]}).status_code == 400
    assert not signed_in(client)


def test_new_backup_codes_replace_the_old(client, user, device) -> None:
    old = services.backup_codes_renew(user=user)
    attempt(client, user.username, PASSWORD)
    client.post(reverse("accounts:verify"), {"code": code_for(device)})
    response = client.post(reverse("accounts:backup_codes"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


@pytest.mark.parametrize("name", ["security", "verify", "enrol", "disable", "backup_codes"])
def test_two_factor_pages_need_a_password_login_first(client, db, name) -> None:
    for method in (client.get, client.post):
        response = method(reverse(f"accounts:{name}"))
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/")
    assert not TOTPDevice.objects.exists()
