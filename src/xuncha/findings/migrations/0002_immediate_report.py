import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("findings", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImmediateReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("text", models.TextField(verbose_name="整改情况")),
                ("evidence", models.ManyToManyField(blank=True, related_name="+", to="common.evidence", verbose_name="证据材料")),
                ("item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reports", to="findings.immediateitem", verbose_name="立行立改事项")),
                ("reported_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="报告人")),
            ],
            options={
                "verbose_name": "立行立改进展",
                "verbose_name_plural": "立行立改进展",
                "ordering": ["created_at", "id"],
            },
        ),
    ]
