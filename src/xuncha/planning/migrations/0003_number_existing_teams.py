"""Give every existing team its ordinal: the one in its name (第三巡察组 → 3), else
the next free one in its round, in the order the teams were made."""

from django.db import migrations


def number_teams(apps, schema_editor):  # type: ignore[no-untyped-def]
    from xuncha.planning.ordinals import number_in_name

    Team = apps.get_model("planning", "Team")
    taken: dict[int, set[int]] = {}
    pending = []
    for team in Team.objects.order_by("round_id", "id"):
        used = taken.setdefault(team.round_id, set())
        number = number_in_name(team.name)
        if number is None or number in used:
            pending.append(team)
            continue
        used.add(number)
        team.number = number
        team.save(update_fields=["number"])
    for team in pending:
        used = taken[team.round_id]
        team.number = max(used, default=0) + 1
        used.add(team.number)
        team.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_team_number_and_plan_history")]
    operations = [migrations.RunPython(number_teams, migrations.RunPython.noop)]
