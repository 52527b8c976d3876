"""Production mode as deployed (docs/deploy.md): `xuncha serve` with
XUNCHA_SETTINGS=production behind nginx with TLS, logged into in Chromium; the deploy
check; the server's request-size limit applied before a body is read; and the headers
(CSP, no-store) and CSRF explanations the app gives in any setting."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
from pathlib import Path

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import REASON_BAD_ORIGIN
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from waitress.adjustments import Adjustments

from web.chromium import to_new_page
from web.deploy_stack import PASSWORD, USERNAME, Stack
from xuncha.common import ratelimit
from xuncha.deploy.nginx import upload_locations
from xuncha.deploy.server import BodyLimitParser, body_limit, startup_note
from xuncha.petitions import services
from xuncha.petitions.models import Channel
from xuncha.petitions.services import Content

MB = 1024 * 1024


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("deploy"))
    try:
        yield s.start()
    finally:
        s.stop()


def chromium_logging_console():
    """Headless Chromium that accepts the test's self-signed certificate and keeps the
    console, where a Content-Security-Policy violation is reported."""
    assert shutil.which("chromium") and shutil.which("chromedriver"), "请先运行 make browser"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--ignore-certificate-errors", "--window-size=1280,1000"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.implicitly_wait(5)
    return driver


def https(stack: Stack, path: str, cookie: str = "") -> http.client.HTTPResponse:
    context = ssl.create_default_context(cafile=str(stack.folder / "cert.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", stack.https_port, context=context, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    return response


# ------------------------------------------------------------------ the deployed stack


def test_login_through_nginx_in_chromium_then_a_staff_page_has_csp_and_hsts(stack) -> None:
    driver = chromium_logging_console()
    try:
        driver.get(stack.base + "/login/")
        form = driver.find_element(By.CSS_SELECTOR, "main form")
        form.find_element(By.NAME, "username").send_keys(USERNAME)
        form.find_element(By.NAME, "password").send_keys(PASSWORD)
        # Wait for the home page: reading the login page's body while it is replaced fails.
        to_new_page(driver, form.find_element(By.CSS_SELECTOR, "[type=submit]").click)
        assert "欢迎" in driver.find_element(By.TAG_NAME, "body").text
        for path in ("/petitions/", "/figures/", "/admin/"):
            driver.get(stack.base + path)
        violations = [e["message"] for e in driver.get_log("browser")
                      if "Content Security Policy" in e["message"]]  # fmt: skip
        session = driver.get_cookie("sessionid")
    finally:
        driver.quit()
    assert violations == []
    assert session is not None and session["secure"] and session["httpOnly"]
    page = https(stack, "/petitions/", cookie=f"sessionid={session['value']}")
    assert page.status == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" in page.headers["Cache-Control"]


def test_plain_http_is_sent_to_https(stack) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"{stack.base}/login/"


def test_static_files_are_served_without_collectstatic(stack) -> None:
    assert not (stack.folder / "data" / "static" / "staticfiles.json").exists()
    assert https(stack, "/static/xuncha/app.css").status == 200
    assert https(stack, "/login/").status == 200


def test_deploy_check_has_no_warnings(stack) -> None:
    done = stack.xuncha("manage", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues (0 silenced)" in done.stdout


def _headers_only(port: int, path: str, size: int, wait: float) -> bytes:
    """Sends a POST's headers announcing ``size`` bytes and no body; returns what the
    server answers until it closes the connection (b"" if it waits for the body)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
                  "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())  # fmt: skip
        s.settimeout(wait)
        try:
            while chunk := s.recv(4096):
                answer += chunk
        except TimeoutError:
            pass
    return answer


def test_an_oversize_body_is_refused_before_it_is_read(stack) -> None:
    answer = _headers_only(stack.app_port, "/login/", 250 * MB, wait=120)
    assert answer.startswith(b"HTTP/1.1 413")
    assert "超过 200 MB 的上限" in answer.decode()
    # a dataset upload may be larger: the server waits for that body
    assert _headers_only(stack.app_port, "/checks/teams/1/upload/", 250 * MB, wait=5) == b""


def test_nginx_refuses_an_oversize_body_too(stack) -> None:
    context = ssl.create_default_context(cafile=str(stack.folder / "cert.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", stack.https_port, context=context, timeout=30)
    conn.putrequest("POST", "/login/")
    conn.putheader("Content-Length", str(250 * MB))
    conn.endheaders()
    assert conn.getresponse().status == 413


# ------------------------------------------------------------------ settings and headers


def test_body_limits_follow_the_upload_marks(settings) -> None:
    assert body_limit("/login/") == settings.REQUEST_MAX_BYTES
    assert body_limit("/checks/teams/7/upload/") == settings.DATASET_MAX_BYTES
    assert body_limit("/no/such/page/") == settings.REQUEST_MAX_BYTES
    assert upload_locations() == [
        (r"^/checks/teams/(?P<pk>[0-9]+)/upload/\Z", settings.DATASET_MAX_BYTES)
    ]


SENSITIVE = {
    "petitions:inbox", "petitions:new", "petitions:detail", "petitions:action",
    "petitions:attachment", "checks:dataset", "checks:suspects", "checks:suspect",
    "checks:export", "checks:run_file",
}  # fmt: skip


def _views(patterns, namespace=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _views(p.url_patterns, p.namespace or namespace)
        elif p.name:
            yield f"{namespace}:{p.name}", p.callback


def test_pages_with_petition_content_or_full_ids_are_not_stored() -> None:
    marked = {
        name
        for name, view in _views(get_resolver().url_patterns)
        if getattr(view, "no_store", False)
    }
    assert marked >= SENSITIVE


def test_petition_page_sends_no_store_and_the_staff_policy(client, world) -> None:
    petition, _ = services.petition_record(
        team=world.team, by=world.users["team"], channel=Channel.LETTER,
        received_on=timezone.localdate(), content=Content(what="举报某村虚报冒领低保补贴"), identity=None,
        unit_id=world.unit.pk,
    )  # fmt: skip
    client.force_login(world.users["team"])
    page = client.get(reverse("petitions:detail", args=[petition.pk]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")


def test_public_pages_keep_their_own_stricter_policy(client, db) -> None:
    page = client.get("/p/follow-up/")
    assert page["Content-Security-Policy"].startswith("default-src 'none'")


INLINE = re.compile(r"style=|<style|<script(?![^>]*\bsrc=)|\son[a-z]+=|javascript:")


def test_templates_have_no_inline_script_or_style() -> None:
    """The staff policy allows no inline script, style or handler: none may be written."""
    src = Path(__file__).resolve().parents[2] / "src" / "xuncha"
    templates = list(src.glob("*/templates/**/*.html"))
    assert len(templates) > 20
    offending = [str(t.relative_to(src)) for t in templates if INLINE.search(t.read_text("utf-8"))]
    assert offending == []


def test_a_cookie_missing_over_http_with_https_on_is_explained(db, settings) -> None:
    settings.CSRF_COOKIE_SECURE = True
    page = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert page.status_code == 403
    text = page.content.decode()
    assert "http://" in text and "XUNCHA_HTTPS=0" in text


def test_a_foreign_origin_names_the_setting_to_change(db) -> None:
    c = Client(enforce_csrf_checks=True)
    c.get("/login/")
    token = c.cookies["csrftoken"].value
    page = c.post("/login/", {"csrfmiddlewaretoken": token, "username": "x", "password": "y"},
                  HTTP_ORIGIN="https://proxy.example.gov.cn")  # fmt: skip
    assert page.status_code == 403
    assert "XUNCHA_TRUSTED_ORIGINS" in page.content.decode()
    assert REASON_BAD_ORIGIN.split("%")[0]  # the reason the view keys on still exists


def _parse(data: bytes, peer: str = "198.51.100.7") -> BodyLimitParser:
    parser = BodyLimitParser(Adjustments())
    parser.peer = peer
    parser.received(data)
    return parser


def _may_submit(settings, address: str) -> bool:
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": address}
    return ratelimit.peek("submit", ratelimit.client_key(request), settings.PETITION_RATE_SUBMIT)


def test_a_body_refused_by_the_server_counts_toward_its_clients_limits(settings) -> None:
    cache.clear()
    settings.PETITION_RATE_SUBMIT = "2/600"
    head = f"POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: {250 * MB}\r\n\r\n".encode()
    for _ in range(2):
        parser = _parse(head)
        assert parser.completed and parser.error.code == 413
    assert not _may_submit(settings, "198.51.100.7")
    assert _may_submit(settings, "198.51.100.8")


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(settings) -> None:
    cache.clear()
    settings.REQUEST_MAX_BYTES = 1000
    head = b"POST /login/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    parser = _parse(head + b"200\r\n" + b"a" * 512 + b"\r\n")
    assert parser.error is None and not parser.completed
    parser.received(b"400\r\n" + b"a" * 1024 + b"\r\n")
    assert parser.completed and parser.error.code == 413


def test_serve_warns_when_https_is_on_without_a_proxy(settings) -> None:
    settings.SESSION_COOKIE_SECURE, settings.TRUSTED_PROXY = True, ""
    assert "XUNCHA_HTTPS=0" in (startup_note() or "")
    settings.TRUSTED_PROXY = "127.0.0.1"
    assert startup_note() is None
    settings.SESSION_COOKIE_SECURE, settings.TRUSTED_PROXY = False, ""
    assert startup_note() is None
