"""Rules the office writes, in the workbench (issue 20, part 3): the office uploads a
rule file, checked on upload with the line of each mistake named; a team ticks it in
its program's run form; the run keeps the rule's text and shows its hits under its
title; a retired rule leaves the runs that used it whole."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuncha.checks import services
from xuncha.checks.models import CheckRun, RunStatus, Suspect, UserRuleFile
from xuncha.crosscheck.idnumber import make_id

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "user-rules.md"
AFTER_DEATH = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)[0]
A = make_id("431003", dt.date(1940, 1, 2), 123)


def _upload(client, text: str, name: str = "规则.toml"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/toml")
    return client.post(reverse("checks:user_rule_upload"), {"file": file}, follow=True)


def test_the_office_uploads_a_rule_and_a_mistake_is_named_by_its_line(client, world) -> None:
    client.force_login(world.users["office"])
    page = _upload(client, AFTER_DEATH).content.decode()
    assert "已上传自定义规则「死亡30天后仍领取」（user_paid_30_days_after_death）" in page
    listed = page[page.index('id="user-rule-list"') :]
    assert "user_paid_30_days_after_death" in listed and "大中型水库移民后期扶持直补资金" in listed
    wrong = AFTER_DEATH.replace('right = "deaths.death_date"', 'right = "deaths.death_day"')
    line = next(i for i, t in enumerate(wrong.splitlines(), 1) if "death_day" in t)
    page = _upload(
        client, wrong.replace("user_paid_30", "user_other_30"), "错.toml"
    ).content.decode()
    assert f"第 {line} 行" in page and "death_day" in page
    assert UserRuleFile.objects.count() == 1  # nothing kept of the wrong file
    # The same rule id again replaces the active one.
    _upload(client, AFTER_DEATH.replace('title = "死亡30天后仍领取"', 'title = "死亡30天后领取"'))
    assert list(UserRuleFile.objects.filter(retired=False).values_list("title", flat=True)) == [
        "死亡30天后领取"
    ]


def test_a_team_sees_the_rules_but_cannot_upload(client, world) -> None:
    client.force_login(world.users["team"])
    page = client.get(reverse("checks:rules")).content.decode()
    assert 'id="user-rule-list"' in page and 'id="user-rule-upload"' not in page
    page = _upload(client, AFTER_DEATH).content.decode()
    assert "只有巡察办可以上传自定义比对规则" in page
    assert not UserRuleFile.objects.exists()


def test_a_run_with_a_ticked_rule_keeps_its_text_and_titles_its_hits(client, world) -> None:
    rule = services.user_rule_upload(by=world.users["office"], data=AFTER_DEATH.encode(),
                                      name="死亡30天.toml")  # fmt: skip
    payments = (
        f"姓名,身份证号码,发放金额,发放日期\n张三,{A},600,2021-03-01\n张三,{A},600,2020-12-15\n"
    )
    deaths = f"姓名,身份证号码,死亡日期\n张三,{A},2020-12-01\n"
    sets = [
        services.dataset_upload(
            team=world.team,
            kind=kind,
            data=io.BytesIO(text.encode()),
            name=name,
            by=world.users["team"],
        )
        for kind, text, name in (("payments", payments, "发放.csv"), ("deaths", deaths, "死亡.csv"))
    ]
    client.force_login(world.users["team"])
    form = client.get(reverse("checks:team", args=[world.team.pk])).content.decode()
    assert f'name="user_rules" value="{rule.pk}"' in form
    response = client.post(reverse("checks:run_start", args=[world.team.pk]), {
        "program": "reservoir", "datasets": [str(d.pk) for d in sets], "title": "",
        "standard": "600", "grace_days": "0", "rules": ["deceased_payee"],
        "user_rules": [str(rule.pk)]})  # fmt: skip
    assert response.status_code == 302
    run = CheckRun.objects.get()
    assert run.params["user_rules"] == [AFTER_DEATH]
    services.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    own = Suspect.objects.get(run=run, rule="user_paid_30_days_after_death")
    assert own.row == 2 and own.rule_title == "死亡30天后仍领取"
    assert Suspect.objects.filter(run=run, rule="deceased_payee").count() == 2
    page = client.get(reverse("checks:run", args=[run.pk])).content.decode()
    assert "死亡30天后仍领取" in page
    services.user_rule_retire(by=world.users["office"], pk=rule.pk)
    form = client.get(reverse("checks:team", args=[world.team.pk])).content.decode()
    assert 'name="user_rules"' not in form
    run.refresh_from_db()
    assert run.params["user_rules"] == [AFTER_DEATH]  # the run keeps what it ran
