"""Runs name their program: the parameters a run kept as ``standard``/``grace_days``
and its title as ``program`` become ``params`` and ``title`` of the reservoir program
(issue 20: programs are data)."""

from django.db import migrations, models

import xuncha.checks.models


def forward(apps, schema_editor):
    CheckRun = apps.get_model("checks", "CheckRun")
    for run in CheckRun.objects.all().only("pk", "params"):
        p = run.params or {}
        if "params" in p:
            continue
        run.params = {
            "program": "reservoir",
            "title": p.get("program", ""),
            "params": {"standard": p.get("standard", "600"), "grace_days": p.get("grace_days", 0)},
            "rules": p.get("rules", []),
        }
        run.save(update_fields=["params"])


def backward(apps, schema_editor):
    CheckRun = apps.get_model("checks", "CheckRun")
    for run in CheckRun.objects.all().only("pk", "params"):
        p = run.params or {}
        if "params" not in p:
            continue
        values = p.get("params", {})
        run.params = {"standard": values.get("standard", "600"),
                      "grace_days": values.get("grace_days", 0),
                      "program": p.get("title", ""), "rules": p.get("rules", [])}  # fmt: skip
        run.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("checks", "0002_suspect_key_index")]

    operations = [
        migrations.AlterField(
            model_name="dataset",
            name="kind",
            field=models.CharField(
                choices=xuncha.checks.models.dataset_kinds, max_length=20, verbose_name="类别"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
