"""The cross-check pages built from the program declarations (issue 20): the run form
has a field per parameter of the program's rules, with its unit and legal basis, and
runs kept from before programs were data read as the reservoir program's."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse

from xuncha.checks import services
from xuncha.checks.models import CheckRun
from xuncha.crosscheck.programs import PROGRAMS

pytestmark = pytest.mark.django_db

CSV = "姓名,身份证号码,发放金额,发放日期\n张三,110101195001021234,700,2021-03-05\n".encode()


def _dataset(world):
    return services.dataset_upload(team=world.team, kind="payments", data=io.BytesIO(CSV),
                                   name="2021年发放表.csv", by=world.users["team"])  # fmt: skip


def test_the_run_form_is_the_declaration(client, world) -> None:
    _dataset(world)
    client.force_login(world.users["team"])
    html = client.get(reverse("checks:team", args=[world.team.pk])).content.decode()
    tabs = html[html.index('id="programs"') : html.index("</nav>", html.index('id="programs"'))]
    for program in PROGRAMS.values():
        assert program.title in tabs
    form = html[html.index('id="run-form"') : html.index("</form>", html.index('id="run-form"'))]
    assert 'type="hidden" name="program" value="reservoir"' in form
    reservoir = PROGRAMS["reservoir"]
    for param in reservoir.params:
        assert f'name="{param.name}"' in form
        assert f"{param.label}（{param.unit}）" in form
        assert param.basis[:20] in form  # the legal basis beside the field
    for rule in reservoir.rules:
        assert f'value="{rule.id}"' in form


def test_a_run_keeps_its_program_title_and_parameters(client, world) -> None:
    dataset = _dataset(world)
    client.force_login(world.users["team"])
    response = client.post(reverse("checks:run_start", args=[world.team.pk]), {
        "program": "reservoir", "datasets": [str(dataset.pk)], "title": "某县移民直补",
        "standard": "650", "grace_days": "10", "rules": ["over_standard"]})  # fmt: skip
    assert response.status_code == 302
    run = CheckRun.objects.get()
    assert run.params == {"program": "reservoir", "title": "某县移民直补",
                          "params": {"standard": "650", "grace_days": 10},
                          "rules": ["over_standard"]}  # fmt: skip
    assert run.title == "某县移民直补"
    assert run.params_text == "死亡后宽限天数 10 天，发放标准 650 元/人/年"


def test_runs_from_before_programs_read_as_the_reservoir_programs(world) -> None:
    dataset = _dataset(world)
    run = services.run_start(team=world.team, by=world.users["team"], datasets=[dataset],
                             params=services.RunParams())  # fmt: skip
    old = {"standard": "700", "grace_days": 3, "program": "某项目", "rules": ["invalid_id"]}
    CheckRun.objects.filter(pk=run.pk).update(params=old)
    migration = importlib.import_module("xuncha.checks.migrations.0003_programs")
    migration.forward(apps, None)
    run.refresh_from_db()
    assert run.params == {"program": "reservoir", "title": "某项目",
                          "params": {"standard": "700", "grace_days": 3}, "rules": ["invalid_id"]}  # fmt: skip
    assert run.params_text == "死亡后宽限天数 3 天，发放标准 700 元/人/年"
    migration.backward(apps, None)
    run.refresh_from_db()
    assert run.params == old
