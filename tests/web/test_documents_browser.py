"""Documents in a real browser: the team opens its round → the unit → 公文, downloads the
report as Word (the page starts the download and shows the warnings) and asks for a PDF,
which the page follows until 已完成.

The PDF job goes through the app's real queue; the test takes it off the queue and runs it
as the worker would, with the real LibreOffice, while the page's script polls."""

from __future__ import annotations

import io
import time
from pathlib import Path

import docx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from web.chromium import Page, click, to_new_page, work_the_queue
from web.test_document_kinds import documents_world
from xuncha.common import jobs
from xuncha.documents.models import DocumentJob, JobStatus


def _downloaded(folder: Path, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while True:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return done[0]
        assert time.monotonic() < deadline, f"no {suffix} downloaded: {list(folder.iterdir())}"
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_the_team_downloads_its_report_and_gets_a_pdf(live_server, browser, tmp_path) -> None:
    jobs.queue().flush()
    dw = documents_world()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    page = Page(browser, live_server.url)
    page.login(dw.users["handler"].username)

    page.go(f"/rounds/{dw.round.pk}/")
    click(page, text="东江街道")
    assert "个别谈话" in page.text()
    click(page, css="#documents-link")
    assert browser.find_element(By.TAG_NAME, "h1").text == "公文 · 东江街道"

    row = browser.find_element(By.ID, "kind-report")
    to_new_page(browser, row.find_element(By.NAME, "word").click)
    assert "已生成巡察报告" in page.text()
    assert "未完成签字" in page.text() and "公务接待超标准" in page.text()  # the warning
    report = _downloaded(tmp_path, "_巡察报告.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.read_bytes())).paragraphs)
    assert "虚报冒领低保金" in text and "公务接待超标准" not in text

    row = browser.find_element(By.ID, "kind-report")
    to_new_page(browser, row.find_element(By.NAME, "pdf").click)
    job = DocumentJob.objects.get(pdf_wanted=True)
    badge = f"#job-{job.pk} .badge"
    assert browser.find_element(By.CSS_SELECTOR, badge).text == "排队中"
    work_the_queue()
    assert DocumentJob.objects.get(pk=job.pk).status == JobStatus.DONE
    # The page's script sees the job end and shows it done, with its PDF to download.
    WebDriverWait(browser, 20).until(
        lambda d: (
            d.find_element(By.CSS_SELECTOR, badge).text == "已完成"
            and d.find_elements(By.CSS_SELECTOR, f"#job-{job.pk} a.pdf")
        )
    )
    link = browser.find_element(By.CSS_SELECTOR, f"#job-{job.pk} a.pdf")
    assert link.text.endswith("_巡察报告.pdf")
    link.click()
    assert _downloaded(tmp_path, "_巡察报告.pdf").read_bytes().startswith(b"%PDF")
