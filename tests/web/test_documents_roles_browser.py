"""公文 walked in headless Chromium by the roles other than the team (docs/documents.md):
the leader opens 公文 from the menu and only reads what was generated; the unit's liaison
reaches its 公文 page from the ledger and downloads its 整改方案, a DOCX that passes the
GB/T 9704 checks; the office downloads the shipped template from 公文模板, installs it
for 反馈意见, sees it in use and goes back to the shipped one."""

from __future__ import annotations

import io
import time
from pathlib import Path

import docx
import pytest
from selenium.webdriver.common.by import By

from web.chromium import Page, click, to_new_page
from web.factories import UserFactory
from web.test_document_kinds import documents_world
from xuncha.accounts.models import Role
from xuncha.documents import jobs
from xuncha.documents.models import DocumentJob, OfficeTemplate
from xuncha.documents.official.verify import verify

pytestmark = pytest.mark.django_db(transaction=True)


def _download_to(page: Page, folder: Path) -> Path:
    folder.mkdir()
    page.d.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    return folder


def _arrived(folder: Path, suffix: str, timeout: float = 30) -> Path:
    """The file ending in ``suffix`` once the browser has finished writing it."""
    deadline = time.monotonic() + timeout
    while True:
        names = [p for p in folder.iterdir()]
        done = [p for p in names if p.name.endswith(suffix)]
        if done and not any(p.name.endswith(".crdownload") for p in names):
            return done[0]
        assert time.monotonic() < deadline, f"没有下载到 {suffix}：{names}"
        time.sleep(0.2)


# Post 「下载 Word」 for the report with the page's CSRF token (the top bar's logout form);
# the page it leads to comes back as text.
POST_WORD = """
const [url, done] = arguments;
const token = document.querySelector("header form.who [name=csrfmiddlewaretoken]").value;
const body = new URLSearchParams({csrfmiddlewaretoken: token, kind: "report"});
fetch(url, {method: "POST", body}).then(r => r.text()).then(done, e => done(String(e)));
"""


def _absent(page: Page, css: str) -> bool:
    """Nothing matches ``css`` (asked at once, not after the driver's implicit wait)."""
    page.d.implicitly_wait(0)
    try:
        return not page.d.find_elements(By.CSS_SELECTOR, css)
    finally:
        page.d.implicitly_wait(5)


def _crumbs(page: Page) -> list[str]:
    return [e.text for e in page.d.find_elements(By.CSS_SELECTOR, "nav.crumbs > *")]


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_the_leader_reads_and_the_liaison_downloads_its_plan(
    live_server, browser, tmp_path
) -> None:
    dw = documents_world()
    leader = UserFactory(role=Role.LEADER)
    done = jobs.document_generate(
        kind="report", round=dw.round, unit=dw.unit, by=dw.users["office"]
    )
    page = Page(browser, live_server.url)

    # The leader: 公文 in the menu, the unit, the report generated; nothing to generate.
    leader_dir = _download_to(page, tmp_path / "leader")
    page.login(leader.username)
    click(page, text="公文", within="header")
    assert "生成该单位的公文" not in page.text(), page.text()  # the leader generates nothing
    click(page, text="东江街道", within="#places")
    assert page.d.find_element(By.TAG_NAME, "h1").text == "公文 · 东江街道"
    assert "以下是已生成的公文" in page.text() and "版式生成" not in page.text(), page.text()
    assert _crumbs(page) == ["首页", "巡察轮次", dw.round.name, "东江街道", "公文"]
    assert _absent(page, "#kinds") and _absent(page, "main form"), page.text()
    assert "生成公文" not in page.text() and "公文模板" not in page.text()
    link = page.d.find_element(By.CSS_SELECTOR, f"#job-{done.pk} a.docx")
    assert link.text == done.docx_name and link.text.endswith("_巡察报告.docx")
    link.click()
    data = _arrived(leader_dir, "_巡察报告.docx").read_bytes()
    assert data == done.docx.open("rb").read()
    # Sent anyway (the form the page does not show, through the leader's session): refused.
    refused = page.d.execute_async_script(POST_WORD, f"/documents/{dw.round.pk}/{dw.unit.pk}/word/")
    assert f"您不能生成{dw.round.name}东江街道的巡察报告。" in refused, refused
    assert list(DocumentJob.objects.values_list("pk", flat=True)) == [done.pk]

    # The unit's liaison: 整改台账 → 公文 → its unit: only its rectification papers.
    liaison_dir = _download_to(page, tmp_path / "liaison")
    page.login(dw.users["unit"].username)
    click(page, text="整改台账", within="header")
    click(page, css="#documents-link")
    click(page, text="东江街道", within="#places")
    kinds = [
        row.get_attribute("id") for row in page.d.find_elements(By.CSS_SELECTOR, "#kinds tbody tr")
    ]
    assert kinds == ["kind-plan", "kind-progress", "kind-ledger"], kinds
    assert _crumbs(page) == ["首页", "公文", "东江街道"]  # back to 公文, and where it is
    assert "问题底稿" not in page.text() and "ZIP" not in page.text()  # not kinds of its own
    assert "公文按 GB/T 9704-2012 版式生成" in page.text()  # it generates these
    assert f"job-{done.pk}" not in page.d.page_source  # the team's report is not the unit's
    row = page.d.find_element(By.ID, "kind-plan")
    to_new_page(page.d, row.find_element(By.NAME, "word").click)
    assert "已生成整改方案" in page.text(), page.text()
    assert "1 项整改措施尚未认可，未写入整改方案。" in page.text(), page.text()
    plan = _arrived(liaison_dir, "_整改方案.docx")
    data = plan.read_bytes()
    checked = verify(data)
    assert checked.ok, checked.report()
    text = _text(data)
    assert "funds整改措施" in text and "assets整改措施" in text and "补齐记录" not in text
    job = DocumentJob.objects.get(kind="plan")
    assert job.requested_by == dw.users["unit"] and plan.name == job.docx_name


def test_the_office_installs_the_shipped_template_for_feedback_and_reverts(
    live_server, browser, tmp_path
) -> None:
    dw = documents_world()
    page = Page(browser, live_server.url)
    folder = _download_to(page, tmp_path / "office")
    page.login(dw.users["office"].username)
    click(page, text="公文", within="header")
    click(page, text="公文模板")
    assert "系统自带模板" in page.d.find_element(By.ID, "kind-feedback").text
    page.d.find_element(By.ID, "shipped").click()
    shipped = _arrived(folder, "公文模板（系统自带）.docx")
    assert shipped.read_bytes().startswith(b"PK")

    page.fill(page.d.find_element(By.ID, "template-form"), kind="反馈意见", file=str(shipped))
    assert "已安装反馈意见模板「公文模板（系统自带）.docx」，今后生成时使用它。" in page.text(), (
        page.text()
    )
    row = page.d.find_element(By.ID, "kind-feedback").text
    assert "本办模板「公文模板（系统自带）.docx」" in row, row
    assert "本办模板" not in page.d.find_element(By.ID, "kind-report").text
    installed = OfficeTemplate.objects.get()
    assert installed.active and installed.kind == "feedback"

    revert = page.d.find_element(By.CSS_SELECTOR, "#kind-feedback button[type=submit]")
    assert revert.text == "恢复系统自带模板"
    to_new_page(page.d, revert.click)
    text = page.text()
    assert (
        "反馈意见已恢复使用系统自带模板（「公文模板（系统自带）.docx」已停用，留有记录）。" in text
    )
    assert "本办模板" not in page.d.find_element(By.ID, "kind-feedback").text
    assert "已停用" in page.d.find_element(By.ID, "history").text
    installed.refresh_from_db()
    assert not installed.active
