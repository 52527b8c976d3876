"""What the browser tests share: Debian's headless Chromium (through ChromeDriver) and
the steps a person takes in it. The ``browser`` and ``phone`` fixtures (conftest.py)
open it; a test drives it through :class:`Page`."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

from django.test import Client
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from web.factories import PASSWORD
from xuncha.accounts.models import User

PHONE_WIDTH = 390


def work_the_queue(timeout: float = 30) -> None:
    """Take the job a page queued off the real queue and run it, as `xuncha worker`
    does (a real worker process is tested in test_check_jobs.py), while the page polls."""
    from xuncha.common import jobs

    queue = jobs.queue()
    deadline = time.monotonic() + timeout
    while len(queue) == 0:
        assert time.monotonic() < deadline, "nothing was queued"
        time.sleep(0.1)
    queue.execute(queue.dequeue())


def chrome(*, phone: bool = False) -> webdriver.Chrome:
    """Debian's headless Chromium: a desktop window, or a phone-sized touch screen."""
    # Installed by `make test` (its `browser` step); missing means a broken setup: fail.
    assert shutil.which("chromium") and shutil.which("chromedriver"), (
        "请先运行 make browser 安装 Chromium"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    if phone:
        metrics = {"width": PHONE_WIDTH, "height": 844, "pixelRatio": 3.0, "touch": True}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    else:
        options.add_argument("--window-size=1280,1000")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.implicitly_wait(5)
    return driver


def loaded(driver, timeout: float = 10) -> None:
    """Wait until the current document has loaded completely."""
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def to_new_page(driver, act: Callable[[], object], timeout: float = 10) -> None:
    """Do ``act`` (a click or a submit that leads to another page) and wait until the new
    document has loaded completely: a new document has a fresh window object, so a mark
    set on the old one is gone."""
    driver.execute_script("window.__old_page = true")
    act()
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(
            "return window.__old_page === undefined && document.readyState === 'complete'"
        )
    )


class Page:
    """A browser on the live server at ``base``: go to a path, log in, fill a form."""

    def __init__(self, driver, base: str) -> None:
        self.d, self.base = driver, base

    def login(self, username: str) -> None:
        """Log in through the login page, as a person does (the factories' password)."""
        self.d.delete_all_cookies()
        self.go("/login/")
        self.fill(
            self.d.find_element(By.CSS_SELECTOR, "main form"), username=username, password=PASSWORD
        )
        assert "欢迎" in self.text()

    def login_as(self, user: User) -> None:
        """Be ``user`` without the login page: a session made on the server side, handed
        to the browser as its cookie (for tests about what comes after logging in)."""
        client = Client()
        client.force_login(user)
        self.go("/login/")
        self.d.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value})

    def go(self, path: str) -> None:
        self.d.get(self.base + path)
        loaded(self.d)

    def fill(self, form, **values) -> None:
        """Fill the form's fields by name (select by visible text, tick a checkbox, set a
        date) and submit it, waiting for the page it leads to."""
        for name, value in values.items():
            field = form.find_element(By.NAME, name)
            if field.tag_name == "select":
                Select(field).select_by_visible_text(value)
            elif field.get_attribute("type") == "checkbox":
                if not field.is_selected():
                    field.click()
            elif field.get_attribute("type") == "date":
                self.d.execute_script("arguments[0].value = arguments[1]", field, value)
            else:
                if field.get_attribute("value"):
                    field.clear()
                field.send_keys(value)
        to_new_page(self.d, form.find_element(By.CSS_SELECTOR, "button[type=submit]").click)

    def click_link(self, text: str) -> None:
        self.d.find_element(By.LINK_TEXT, text).click()
        loaded(self.d)

    def form(self, action_part: str):
        return self.d.find_element(By.CSS_SELECTOR, f"form[action*='{action_part}']")

    def text(self) -> str:
        return self.d.find_element(By.TAG_NAME, "main").text


def click(page: Page, css: str = "", text: str = "", within: str = "main") -> None:
    """Click a visible link (by its text or a selector, inside ``within``) and wait
    for the page it opens to load."""
    scope = page.d.find_element(By.CSS_SELECTOR, within)
    element = (
        scope.find_element(By.PARTIAL_LINK_TEXT, text)
        if text
        else scope.find_element(By.CSS_SELECTOR, css)
    )
    assert element.is_displayed(), f"「{text or css}」不可见"
    to_new_page(page.d, element.click)


def pick_unit(browser, name: str, text: str, within=None) -> None:
    """Choose a unit in the picker of the select named ``name`` (inside ``within``, a form,
    when the page has several): type ``text`` and take the first match with Enter (the
    select itself is hidden)."""
    select = (within or browser).find_element(By.NAME, name)
    box = browser.find_element(By.ID, select.get_attribute("id").removesuffix("-select"))
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    assert Select(select).first_selected_option.get_attribute("value"), text
