"""码上巡察 in a real browser on a phone-sized screen: scan → submit with a photo →
receipt code → follow-up with the code → the team answers from its inbox → the
petitioner reads the answer and writes back. The proof of work runs in the page's own
JavaScript at the real difficulty, so the server's check of it is tested end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from web.chromium import Page, to_new_page
from web.factories import CadreFactory, TeamFactory, UnitFactory, UserFactory
from xuncha.accounts.models import Role
from xuncha.petitions import pow, selectors
from xuncha.petitions.models import Petition
from xuncha.petitions.services import intake_create
from xuncha.planning.services import assignment_add, team_member_add

WHAT = "村里移民补助发放名单上有去世三年的人，补助还在发。"


def wait_ready(driver, form) -> None:
    """Wait until pow.js has solved the page's challenge (the submit button is enabled)."""
    WebDriverWait(driver, 60).until(lambda d: form.get_attribute("data-pow") == "done")


def submit_form(driver, form) -> None:
    to_new_page(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]").click, 20)


def no_sideways_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_public_flow_on_a_phone(live_server, phone, tmp_path) -> None:
    unit = UnitFactory(name="青山村")
    team = TeamFactory(name="第一巡察组")
    team_user = UserFactory(username="team", role=Role.TEAM)
    team_member_add(team=team, cadre=CadreFactory(user=team_user))
    assignment_add(team=team, unit=unit)
    today = timezone.localdate()
    code = intake_create(team=team, by=team_user, opens_on=today, closes_on=today + dt.timedelta(days=30),
                         scope="受理反映青山村“两委”班子成员问题。", phone="0739-8201234", unit_id=unit.pk)  # fmt: skip
    photo = tmp_path / "IMG_2024.jpg"
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (27.0, 30.0, 0.0)
    Image.new("RGB", (120, 90), (20, 120, 40)).save(photo, "JPEG", exif=exif.tobytes())

    # The page's SHA-256 agrees with Python's.
    phone.get(f"{live_server.url}/p/{code.token}/")
    for text in ("", "abc", "x" * 119):
        words = phone.execute_script("return Array.from(window.xunchaSha256(arguments[0]))", text)
        assert struct.pack(">8I", *words) == hashlib.sha256(text.encode()).digest()

    # Submit anonymously with a photo.
    assert "青山村" in phone.find_element(By.TAG_NAME, "header").text
    assert no_sideways_scroll(phone)
    form = phone.find_element(By.CSS_SELECTOR, "form[data-pow]")
    form.find_element(By.NAME, "what").send_keys(WHAT)
    form.find_element(By.NAME, "who").send_keys("青山村村委会")
    form.find_element(By.NAME, "attachments").send_keys(str(photo))
    wait_ready(phone, form)
    submit_form(phone, form)
    assert phone.find_elements(By.ID, "receipt"), phone.find_element(By.TAG_NAME, "main").text
    receipt = phone.find_element(By.ID, "receipt").text.replace(" ", "")
    assert len(receipt) == 16 and receipt.isdigit()
    petition = Petition.objects.get()
    assert petition.anonymous and petition.attachments.count() == 1
    assert selectors.content(petition)["what"] == WHAT

    # Follow up with the receipt code: a wrong code first.
    phone.get(f"{live_server.url}/p/follow-up/")
    form = phone.find_element(By.CSS_SELECTOR, "form[data-pow]")
    form.find_element(By.NAME, "code").send_keys("1234 5678 9012 3456")
    wait_ready(phone, form)
    submit_form(phone, form)
    assert "回执码不正确" in phone.find_element(By.TAG_NAME, "main").text
    form = phone.find_element(By.CSS_SELECTOR, "form[data-pow]")
    form.find_element(By.NAME, "code").clear()
    form.find_element(By.NAME, "code").send_keys(receipt)
    wait_ready(phone, form)
    submit_form(phone, form)
    assert phone.find_element(By.ID, "stage").text == "已收到，待办理"
    assert WHAT in phone.find_element(By.TAG_NAME, "main").text
    assert no_sideways_scroll(phone)

    # The team answers from its inbox (same browser, staff pages).
    staff = Page(phone, live_server.url)
    staff.login("team")
    staff.go("/petitions/")
    assert petition.number in staff.text() and WHAT not in staff.text()
    staff.go(f"/petitions/{petition.pk}/")
    assert WHAT in staff.text()
    staff.fill(staff.form("/assign/"), handler=team_user.display_name)
    staff.fill(staff.form("/reply/"), body="您反映的问题已收悉，巡察组正在核实。")
    assert "答复已发送" in staff.text()

    # At phone width the inbox is one card per petition, each value labelled; no sideways scroll.
    staff.go("/petitions/")
    assert no_sideways_scroll(phone)
    assert (
        phone.execute_script(
            "return getComputedStyle(document.querySelector('#inbox thead')).display"
        )
        == "none"
    )
    row = phone.find_element(By.CSS_SELECTOR, "#inbox tbody tr")
    label = phone.execute_script(
        "return getComputedStyle(arguments[0], '::before').content",
        row.find_element(By.TAG_NAME, "td"),
    )
    assert row.value_of_css_property("display") == "block" and label == '"编号："'

    # It becomes a finding, with the photo as evidence (a cleaned copy): still 办理中 for
    # the petitioner, who is told 已办结 only when the team disposes of it.
    staff.go(f"/petitions/{petition.pk}/")
    assert "被巡察单位也能查看" in staff.text()
    staff.fill(staff.form("/finding/"), subcategory="惠民惠农资金", description="向已故人员发放移民补助",
               attachments="on")  # fmt: skip
    assert "1 个附件已附为证据" in staff.text()
    petition.refresh_from_db()
    assert petition.finding.evidence.get().original_name == "信访附件1.jpg"
    assert petition.stage == "handling"

    # The petitioner reads the answer and writes back, while someone guesses receipt
    # codes: the log-in page now asks for harder work, which pow.js solves.
    cache.clear()
    for _ in range(200):  # twice the alarm threshold: two more bits, four times the work
        pow.receipt_failed()
    phone.delete_all_cookies()
    phone.get(f"{live_server.url}/p/follow-up/")
    form = phone.find_element(By.CSS_SELECTOR, "form[data-pow]")
    challenge = form.find_element(By.NAME, "pow_challenge").get_attribute("value")
    assert int(challenge.split(".")[0]) == settings.PETITION_POW_BITS + 2
    form.find_element(By.NAME, "code").send_keys(receipt)
    wait_ready(phone, form)
    submit_form(phone, form)
    main = phone.find_element(By.TAG_NAME, "main").text
    assert "办理中" in main and "已办结" not in main and "巡察组正在核实" in main
    form = phone.find_element(By.CSS_SELECTOR, "main form[enctype]")
    form.find_element(By.NAME, "body").send_keys("补充：涉及三组 12 户。")
    submit_form(phone, form)
    assert "涉及三组 12 户" in phone.find_element(By.TAG_NAME, "main").text
    assert petition.messages.count() == 2
