"""Rule names are shown in Chinese wherever users see them (死亡后仍领取, never
deceased_payee): every cross-check page, the filters, both workbooks, and the match
tiers' labels. The rule ids appear only where they are meant for machines: form
values, element ids, links, hits.csv and the manifest, and the rules page's column of
ids for the command line."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from xuncha.checks import services
from xuncha.checks.models import RunStatus, Suspect
from xuncha.crosscheck import RULES
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.crosscheck.linking import TIERS

pytestmark = pytest.mark.django_db(transaction=True)
CODES = re.compile("|".join([*(r.id for r in RULES), *TIERS]))


def visible(html: str) -> str:
    """The text a reader sees: no tags (so no attribute values), no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def codes_in(text: str) -> set[str]:
    return set(CODES.findall(text))


@pytest.fixture
def run(world, tmp_path):
    data = generate(tmp_path, DatagenConfig(payments=1500, seed=7, xlsx=False))
    datasets = services.dataset_upload_files(team=world.team, by=world.users["team"],
                                             files=data.files())  # fmt: skip
    run = services.run_start(team=world.team, by=world.users["team"], datasets=datasets,
                             params=services.RunParams())  # fmt: skip
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def test_pages_show_rule_names_not_codes(world, run, client) -> None:
    found = set(Suspect.objects.filter(run=run).values_list("rule", flat=True))
    assert found == {r.id for r in RULES}  # every rule has suspects to show
    client.force_login(world.users["team"])
    pages = {
        "team": reverse("checks:team", args=[world.team.pk]),
        "run": reverse("checks:run", args=[run.pk]),
        "suspects": reverse("checks:suspects", args=[run.pk]),
        **{
            f"suspects?rule={r.id}": reverse("checks:suspects", args=[run.pk]) + f"?rule={r.id}"
            for r in RULES
        },
        **{
            f"suspect {r.id}": reverse(
                "checks:suspect", args=[Suspect.objects.filter(run=run, rule=r.id).first().pk]
            )
            for r in RULES
        },
    }
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, what
        page = response.content.decode()
        assert codes_in(visible(page)) == set(), what
    # The filter offers each rule by its name (its id only as the option's value).
    page = client.get(pages["suspects"]).content.decode()
    for r in RULES:
        assert f'<option value="{r.id}">{r.title}</option>' in page
    # A filtered list shows the chosen rule's name on every row.
    page = visible(client.get(pages["suspects?rule=over_standard"]).content.decode())
    assert (
        page.count("超标准发放")
        >= Suspect.objects.filter(run=run, rule="over_standard")[:50].count()
    )


def test_rules_page_names_ids_only_as_the_command_lines(world, client) -> None:
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:rules")).content.decode()
    for r in RULES:
        row = page[page.index(f'id="rule-{r.id}"') :]
        row = row[: row.index("</tr>")]
        assert r.title in row and f"<code>{r.id}</code>" in row
    assert "命令行" in visible(page[: page.index("</thead>")])


def test_workbooks_show_rule_names_not_codes(world, run, client) -> None:
    client.force_login(world.users["team"])
    for url in (reverse("checks:export", args=[run.pk]),
                reverse("checks:run_file", args=[run.pk, "report"])):  # fmt: skip
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        wb = openpyxl.load_workbook(io.BytesIO(body))
        cells = " ".join(
            str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v
        )
        assert codes_in(cells) == set(), url
        assert all(r.title in cells for r in RULES), url
