"""The cross-check pages to the standard of the rest: breadcrumbs on every page (and no
back links repeating them), lists as cards on phones, statuses as badges, "—" for what
a payment row lacks, a run form that keeps what was typed when it fails, and a fixed
number of queries on the suspect pages however many suspects there are."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xuncha.checks import services
from xuncha.checks.models import CheckRun, RunStatus, Suspect, Verdict
from xuncha.crosscheck.idnumber import make_id

pytestmark = pytest.mark.django_db(transaction=True)

HEAD = "序号,姓名,身份证号码,发放金额,发放日期"


def _csv(paid_twice: int, no_id: int) -> bytes:
    """``paid_twice`` people paid twice (duplicate payments, one group each), and
    ``no_id`` rows without an ID number; no address or bank account anywhere."""
    lines, n = [HEAD], 0
    for i in range(paid_twice):
        pid = make_id("431081", dt.date(1960, 1, 1) + dt.timedelta(days=i), 100 + i)
        for month in (3, 6):
            n += 1
            lines.append(f"{n},甲{i},{pid},100,2021-0{month}-05")
    for i in range(no_id):
        n += 1
        lines.append(f"{n},乙{i},,100,2021-03-05")
    return ("\n".join(lines) + "\n").encode()


def finished_run(world, content: bytes, name: str) -> CheckRun:
    """A done run of the team's user over one payments file (``content`` named ``name``)."""
    dataset = services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(content),
                                      name=name, by=world.users["team"])  # fmt: skip
    run = services.run_start(team=world.team, by=world.users["team"], datasets=[dataset],
                             params=services.RunParams())  # fmt: skip
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


@pytest.fixture
def run(world) -> CheckRun:
    return finished_run(world, _csv(paid_twice=2, no_id=1), "2021年发放表.csv")


def crumbs(html: str) -> list[tuple[str, str]]:
    """The breadcrumb trail: (href or "" for the current page, text) in order."""
    nav = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [
        (href or "", re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(r'<(?:a href="([^"]*)"|span[^>]*)>(.*?)</(?:a|span)>',
                                     nav.group(1), re.S)
    ]  # fmt: skip


def table(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[html.rindex("<table", 0, start) : html.index("</table>", start)]


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_every_cross_check_page_has_its_breadcrumbs(world, run, client) -> None:
    team, suspect = world.team, Suspect.objects.filter(run=run).order_by("number").first()
    assert suspect is not None
    dataset = run.datasets.get()
    trail = [
        (reverse("home"), "首页"), (reverse("planning:rounds"), "巡察轮次"),
        (reverse("planning:round", args=[team.round_id]), team.round.name),
        (reverse("planning:team", args=[team.pk]), team.name),
    ]  # fmt: skip
    checks = (reverse("checks:team", args=[team.pk]), "数据比对")
    at_run = [*trail, checks, (reverse("checks:run", args=[run.pk]), f"第 {run.number} 次比对")]
    list_url = reverse("checks:suspects", args=[run.pk])
    expected = {
        reverse("checks:team", args=[team.pk]): [*trail, ("", "数据比对")],
        reverse("checks:dataset", args=[dataset.pk]): [*trail, checks, ("", dataset.name)],
        reverse("checks:run", args=[run.pk]): [*at_run[:-1], ("", f"第 {run.number} 次比对")],
        list_url: [*at_run, ("", "疑点清单")],
        reverse("checks:suspect", args=[suspect.pk]): [
            *at_run, (list_url, "疑点清单"), ("", f"疑点 {suspect.number}")],
    }  # fmt: skip
    client.force_login(world.users["team"])
    for url, trail_expected in expected.items():
        html = _get(client, url)
        assert crumbs(html) == trail_expected, url
        assert "← 返回数据比对" not in html and "← 返回本次比对" not in html, url
        assert "← 疑点清单" not in html, url
    # The office works on every team: the index lists them; the rules page is under it.
    client.force_login(world.users["office"])
    index = reverse("checks:index")
    assert crumbs(_get(client, index)) == [(reverse("home"), "首页"), ("", "数据比对")]
    assert crumbs(_get(client, reverse("checks:rules"))) == [
        (reverse("home"), "首页"), (index, "数据比对"), ("", "比对模型与规则")]  # fmt: skip


def test_a_suspect_reached_from_a_filtered_list_keeps_one_back_link_and_its_filter(
    world, run, client
) -> None:
    first = Suspect.objects.filter(run=run, rule="duplicate_payment").order_by("number").first()
    assert first is not None
    client.force_login(world.users["team"])
    html = _get(client, reverse("checks:suspect", args=[first.pk]) + "?rule=duplicate_payment")
    list_url = reverse("checks:suspects", args=[run.pk]) + "?rule=duplicate_payment"
    assert (list_url, "疑点清单") in crumbs(html)
    # Only the previous/next bar's link back to the list, and its next link.
    assert html.count("← ") == 1 and 'id="back-to-list"' in html
    assert 'id="next-link"' in html


def test_lists_are_cards_on_phones_with_every_cell_labelled(world, run, client) -> None:
    client.force_login(world.users["team"])
    pages = {
        reverse("checks:team", args=[world.team.pk]): ("datasets", "runs"),
        reverse("checks:run", args=[run.pk]): ("run-summary",),
        reverse("checks:suspects", args=[run.pk]): ("suspects",),
        reverse("checks:rules"): ("rules-reservoir",),
    }
    client.force_login(world.users["office"])  # sees the index, not a redirect
    pages[reverse("checks:index")] = ("check-teams",)
    for url, ids in pages.items():
        html = _get(client, url)
        for table_id in ids:
            t = table(html, table_id)
            assert re.match(r'<table[^>]*class="[^"]*\bcards\b', t), (url, table_id)
            body = t[t.index("<tbody") :]
            cells = re.findall(r"<td\b[^>]*>", body)
            assert cells, (url, table_id)
            # Every cell labelled, but for the per-rule sub row's figures (其中…), which
            # sit under the labelled reason of their row.
            unlabelled = [c for c in cells if "data-label" not in c]
            sub = body.count('class="sub"') * 2
            assert len(unlabelled) <= sub, (url, table_id, unlabelled)


def test_statuses_show_as_badges_and_missing_facts_as_a_dash(world, run, client) -> None:
    s = Suspect.objects.filter(run=run, rule="duplicate_payment").order_by("number").first()
    assert s is not None and not s.county and not s.bank_account
    services.suspect_verify(suspect=s, by=world.users["team"], verdict=Verdict.CONFIRMED,
                            improper_amount=Decimal(100))  # fmt: skip
    client.force_login(world.users["team"])
    listing = _get(client, reverse("checks:suspects", args=[run.pk]))
    suspects = table(listing, "suspects")
    for verdict in (Verdict.CONFIRMED, Verdict.PENDING):
        assert f'<span class="badge tone-{verdict.tone}">{verdict.label}</span>' in suspects
    assert re.search(r'id="run-status">状态：<span class="badge tone-\w+">已完成</span>',
                     _get(client, reverse("checks:run", args=[run.pk])))  # fmt: skip
    team_page = _get(client, reverse("checks:team", args=[world.team.pk]))
    assert re.search(r'<td data-label="状态"><span class="badge tone-\w+">已完成</span>',
                     table(team_page, "runs"))  # fmt: skip
    assert f"{run.summary['total']} 条" in table(team_page, "runs")
    page = _get(client, reverse("checks:suspect", args=[s.pk]))
    row = page[page.index('id="payment-row"') : page.index('id="register-row"')]
    assert "<dt>地址</dt><dd>—</dd>" in row and "<dt>银行账号</dt><dd>—</dd>" in row
    assert "（后四位）" not in row
    assert re.search(r'id="verdict-now">当前结论：<span class="badge tone-\w+">属实</span>', page)


def test_a_run_form_that_fails_keeps_what_was_typed_with_errors_beside_the_fields(
    world, run, client
) -> None:
    dataset = run.datasets.get()
    other = services.dataset_upload(team=world.team, kind="payments",
                                    data=io.BytesIO(_csv(paid_twice=1, no_id=0)),
                                    name="2022年发放表.csv", by=world.users["team"])  # fmt: skip
    client.force_login(world.users["team"])
    response = client.post(reverse("checks:run_start", args=[world.team.pk]), {
        "datasets": [str(other.pk)], "program": "reservoir", "title": "高龄津贴（自填）", "standard": "0",
        "grace_days": "30", "rules": ["duplicate_payment", "over_standard"]})  # fmt: skip
    assert response.status_code == 400
    assert CheckRun.objects.count() == 1
    html = response.content.decode()
    form = html[html.index('id="run-form"') : html.index("</form>", html.index('id="run-form"'))]

    def ticked(name: str, value: str) -> bool:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', form)
        assert tag, (name, value)
        return " checked" in tag.group(0)

    assert ticked("rules", "duplicate_payment") and ticked("rules", "over_standard")
    assert not ticked("rules", "deceased_payee") and not ticked("rules", "invalid_id")
    assert ticked("datasets", str(other.pk)) and not ticked("datasets", str(dataset.pk))
    assert 'value="高龄津贴（自填）"' in form and re.search(
        r'name="grace_days"[^>]*value="30"', form
    )
    # The error sits in the standard field's own box, in Chinese; the other fields have none.
    boxes = re.findall(r'<span class="field( has-error)?">(.*?)</span>\s', form, re.S)
    wrong = [box for flag, box in boxes if flag]
    assert len(wrong) == 1 and 'name="standard"' in wrong[0]
    assert 'class="errorlist' in wrong[0] and "0.01" in wrong[0]
    assert re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", wrong[0].split("errorlist")[1]))
    assert 'id="run-form-errors"' in html
    # Nothing ticked at all: each list says so beside itself.
    response = client.post(reverse("checks:run_start", args=[world.team.pk]), {
        "program": "reservoir", "title": "高龄津贴", "standard": "600", "grace_days": "0"})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('<fieldset class="field has-error">') == 2
    assert CheckRun.objects.count() == 1
    # A valid form still starts a run.
    response = client.post(reverse("checks:run_start", args=[world.team.pk]), {
        "datasets": [str(dataset.pk)], "program": "reservoir", "title": "高龄津贴", "standard": "600",
        "grace_days": "0", "rules": ["duplicate_payment"]})  # fmt: skip
    assert response.status_code == 302 and CheckRun.objects.count() == 2


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_suspect_pages_take_the_same_queries_however_many_suspects(world, run, client) -> None:
    """A small run and a run ten times its size, with verified suspects, a finding's
    worth of verifiers, groups and unmasking records: the list page, and a suspect
    page, take the same number of queries."""
    big = finished_run(world, _csv(paid_twice=20, no_id=15), "2022年发放表.csv")
    assert (
        Suspect.objects.filter(run=big).count() >= 10 * Suspect.objects.filter(run=run).count() // 2
    )
    by = [world.users["team"], world.users["office"]]
    for r in (run, big):
        for i, s in enumerate(
            Suspect.objects.filter(run=r).order_by("number")[: 3 if r is run else 30]
        ):
            services.suspect_verify(
                suspect=s, by=by[i % 2], verdict=Verdict.REJECTED, note=f"核{i}"
            )
    client.force_login(world.users["office"])
    counts = {}
    for r in (run, big):
        s = Suspect.objects.filter(run=r, rule="duplicate_payment").order_by("number").first()
        assert s is not None
        for _ in range(1 if r is run else 5):
            services.unmasking_log(run=r, by=world.users["office"], what="疑点详情", suspect=s)
        list_url = reverse("checks:suspects", args=[r.pk])
        counts[r.pk] = (
            _queries(client, list_url),
            _queries(client, list_url + "?verdict=rejected"),
            _queries(client, reverse("checks:suspect", args=[s.pk]) + "?verdict=rejected"),
        )
    assert counts[run.pk] == counts[big.pk], counts


def test_run_status_json_carries_the_chinese_label_of_every_status(world, client) -> None:
    """The run page's script shows what the JSON says: each status's label and tone as
    RunStatus declares them, and whether the run has finished (its reload)."""
    from django.contrib.staticfiles import finders

    client.force_login(world.users["team"])
    for number, status in enumerate(RunStatus, start=1):
        run = CheckRun.objects.create(team=world.team, number=number, params={}, status=status,
                                      created_by=world.users["team"], step="读取文件")  # fmt: skip
        got = client.get(reverse("checks:run_status", args=[run.pk])).json()
        assert (got["status"], got["label"], got["tone"]) == (
            status.value,
            status.label,
            status.tone,
        )
        assert got["label"] != status.value and got["step"] == "读取文件"
        assert got["finished"] == (status in (RunStatus.DONE, RunStatus.FAILED)), status
    # …and keeps no table of statuses of its own.
    script = Path(finders.find("checks/run.js")).read_text(encoding="utf-8")
    assert "s.label" in script and "s.finished" in script
    for status in RunStatus:
        assert f'"{status.value}"' not in script and f"'{status.value}'" not in script, status
