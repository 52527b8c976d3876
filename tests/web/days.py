"""The worlds and browser steps of the role days (test_days_browser.py).

Each world is built through the app's own services (the states a user could reach by
the pages), small enough to build in a second, and named as the demo city names things,
so the pages read as they will in use."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from helpers import write_csv
from web.chromium import Page, click, to_new_page
from web.factories import CadreFactory, FindingFactory, TeamFactory, UnitFactory, UserFactory, pdf
from xuncha.accounts.models import Role, User
from xuncha.checks import services as check_services
from xuncha.checks.models import CheckRun, RunStatus
from xuncha.crosscheck.idnumber import make_id
from xuncha.findings.models import Finding, ImmediateItem
from xuncha.findings.services import immediate_create
from xuncha.planning.models import Assignment, MemberRole, Team
from xuncha.planning.services import assignment_add, team_member_add
from xuncha.rectifications.models import RectificationItem
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
)
from xuncha.units.models import Unit

# What the three ledger items of a unit are about (the seed's Chenzhou and Yiyang cases).
DECEASED = "向已故人员发放移民直补资金 1800 元"
NOTICE_BOARD = "村务公开栏三年未更新，惠民资金发放情况未公示"
DOUBLE_SUBSIDY = "重复发放耕地地力保护补贴 2400 元"
CLEAN_BOARD = "立即清理村务公开栏过期内容，补充公示惠民资金发放名单"


@dataclass
class Town:
    """One township under inspection by one team, with its liaison and the office."""

    unit: Unit
    team: Team
    assignment: Assignment
    office: User
    liaison: User
    team_user: User

    def finding(self, description: str, amount: int = 0) -> Finding:
        return FindingFactory(team=self.team, unit=self.unit, recorded_by=self.team_user,
                              description=description, amount=amount)  # fmt: skip

    def item(self, description: str, amount: int = 0) -> RectificationItem:
        """A finding fed back a month ago: an item awaiting the unit's plan."""
        fed_back = dt.date.today() - dt.timedelta(days=30)
        return rectification_create(finding=self.finding(description, amount), by=self.office,
                                    fed_back_on=fed_back)  # fmt: skip

    def planned(self, description: str, amount: int = 0, *, days: int = 60) -> RectificationItem:
        """An item whose plan (due in ``days``) awaits the office's acceptance."""
        return rectification_propose_plan(
            item=self.item(description, amount), by=self.liaison, measures="全额追回并约谈经办人",
            owner="张书记", deadline=dt.date.today() + dt.timedelta(days=days),
        )  # fmt: skip

    def in_progress(
        self, description: str, amount: int = 0, *, days: int = 60
    ) -> RectificationItem:
        return rectification_accept_plan(
            item=self.planned(description, amount, days=days), by=self.office
        )

    def immediate(self, description: str, *, days: int = 3) -> ImmediateItem:
        """A 立行立改 item the team gave the unit during the inspection."""
        return immediate_create(assignment=self.assignment, by=self.team_user,
                                description=description,
                                deadline=dt.date.today() + dt.timedelta(days=days))  # fmt: skip

    def close_requested(self, description: str, amount: int = 0) -> RectificationItem:
        item = self.in_progress(description, amount)
        rectification_report_progress(item=item, by=self.liaison, text="已全额追回，附退款凭证",
                                      done=True, files=[(pdf(), "退款凭证.pdf")])  # fmt: skip
        return RectificationItem.objects.get(pk=item.pk)


def town(*, users: tuple[str, ...] = ()) -> Town:
    """东江街道 inspected by 第一巡察组; ``users`` names the extra roles (by their
    value, which is also their username: "supervisor", "leader") to create."""
    unit = UnitFactory(name="东江街道")
    team = TeamFactory(name="第一巡察组")
    office = UserFactory(username="office", full_name="刘卫东", role=Role.OFFICE)
    liaison = UserFactory(username="liaison", full_name="陈丽", role=Role.UNIT, unit=unit)
    team_user = UserFactory(username="team", full_name="李建国", role=Role.TEAM)
    team_member_add(team=team, cadre=CadreFactory(name="李建国", user=team_user),
                    role=MemberRole.LEADER)  # fmt: skip
    assignment = assignment_add(team=team, unit=unit)
    for role in users:
        UserFactory(username=role, role=Role(role))
    return Town(unit, team, assignment, office, liaison, team_user)


def home(page: Page) -> None:
    """Back to the home page as a user does: the brand link in the top bar."""
    click(page, css="a.brand", within="header")


def _todo(page: Page, label: str, section: str = "") -> WebElement:
    """The home page's to-do entry called ``label`` (in the section titled ``section``)."""
    for box in page.d.find_elements(By.CSS_SELECTOR, "section.home-section"):
        if section and box.find_element(By.TAG_NAME, "h2").text != section:
            continue
        for li in box.find_elements(By.CSS_SELECTOR, "ul.todo li"):
            if li.find_element(By.CSS_SELECTOR, ".label").text == label:
                return li
    raise AssertionError(f"首页没有「{section} {label}」：{page.text()}")


def entry(page: Page, label: str, section: str = "") -> str:
    """The number shown beside a home-page to-do entry."""
    return _todo(page, label, section).find_element(By.CSS_SELECTOR, ".count").text


def follow(page: Page, label: str, section: str = "") -> None:
    """Click a home-page to-do entry."""
    link = _todo(page, label, section).find_element(By.TAG_NAME, "a")
    page.d.execute_script("arguments[0].id = 'todo-to-follow'", link)
    press(page, "#todo-to-follow")


def photo(folder: Path, name: str = "公示栏整改后.jpg") -> Path:
    """A real JPEG, as a phone camera would send (a small one)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 30, 30)).save(out, "JPEG")
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def shot(page: Page, folder: Path, name: str) -> Path:
    """A full-page screenshot of the key step (kept in pytest's tmp dir, for a look)."""
    path = folder / f"{name}.png"
    page.d.save_screenshot(str(path))
    return path


# The team's cross-check: three people paid after their death, one alive.
DEAD = (("张三", dt.date(1940, 1, 2), 123), ("王五", dt.date(1938, 7, 9), 231),
        ("赵六", dt.date(1945, 3, 4), 312))  # fmt: skip


def checked(t: Town, folder: Path) -> CheckRun:
    """A finished run of the team's cross-check with three suspects awaiting
    verification, run as the worker runs it."""
    dead = [(name, make_id("431003", born, n)) for name, born, n in DEAD]
    alive = make_id("431003", dt.date(1950, 5, 6), 456)
    deaths = write_csv(folder / "死亡人员名单.csv", ["姓名,身份证号码,死亡日期",
                       *(f"{name},{id_},2020-01-01" for name, id_ in dead)])  # fmt: skip
    payments = write_csv(folder / "2021年移民直补资金发放表.csv", [
        "序号,姓名,身份证号码,金额,发放日期",
        *(f"{i},{name},{id_},600,2021-03-05" for i, (name, id_) in enumerate(dead, 1)),
        f"4,李四,{alive},600,2021-03-05",
    ])  # fmt: skip
    datasets = check_services.dataset_upload_files(
        team=t.team, by=t.team_user, files={"deaths": [deaths], "payments": [payments]}
    )
    run = check_services.run_start(team=t.team, by=t.team_user, datasets=datasets,
                                   params=check_services.RunParams())  # fmt: skip
    check_services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.summary["total"] == 3, (run.error, run.summary)
    return run


def enter(page: Page, form: WebElement, **values: str) -> None:
    """Type into a form's fields as :meth:`Page.fill` does, without submitting it."""
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)


def press(page: Page, css: str) -> None:
    """Press a button (or link) and wait for the page it leads to."""
    to_new_page(page.d, page.d.find_element(By.CSS_SELECTOR, css).click)


def return_refused_without_reason(page: Page, reason: str) -> None:
    """Return a ledger item with a blank ``reason`` (the browser lets spaces through):
    refused, and the error stands next to the field."""
    page.fill(page.form("/return/"), reason=reason)
    beside = page.form("/return/").text
    assert "退回必须填写原因" in beside, beside


def fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways: a phone user never scrolls the page horizontally."""
    wide, screen = page.d.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert wide <= screen, f"页面宽 {wide}px，超出屏幕 {screen}px：{page.d.current_url}"


def shown_as_cards(page: Page, table: str = "main table") -> None:
    """The list's rows read as cards: cells stacked, each labelled with its column."""
    cells = page.d.execute_script(
        """return [...document.querySelectorAll(arguments[0] + ' tbody td')].map(td =>
             [getComputedStyle(td).display, td.dataset.label || '', td.colSpan])""",
        table,
    )
    assert cells, f"{table} 没有任何行"
    assert all(display == "block" and (label or span > 1) for display, label, span in cells), cells


# Latin words a Chinese page may show: formats, units, standards, product names.
LATIN_OK = frozenset({"PDF", "Excel", "Office", "KB", "MB", "GB", "GBK", "UTF", "CSV", "xlsx", "xls",
                      "csv", "pdf", "jpg", "png", "ECharts", "SHA"})  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")


def latin_words(page: Page) -> list[str]:
    """Latin words (three letters or more) in the page's visible text, outside the
    allowed ones: English left on a Chinese page."""
    text = page.d.find_element(By.TAG_NAME, "body").text
    return sorted({w for w in LATIN_WORD.findall(text) if w not in LATIN_OK})
