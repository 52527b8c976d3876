from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, Cadre, PlanEntry, PlanSlot, Round, Team, TeamMember, Term, TermPlan


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ("name", "start_year", "end_year")


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ("name", "term", "number", "kind", "start_date", "end_date")
    list_filter = ("term", "kind")


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ("name", "title", "home_unit", "user")
    search_fields = ("name", "home_unit__name")
    raw_id_fields = ("home_unit", "user")


class MemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ("cadre",)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "number", "round")
    list_filter = ("round",)
    inlines = [MemberInline]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "team", "round", "kind")
    list_filter = ("round", "kind")
    raw_id_fields = ("unit",)


class PlanSlotInline(admin.TabularInline):
    model = PlanSlot
    raw_id_fields = ("round",)
    extra = 0


@admin.register(TermPlan)
class TermPlanAdmin(SimpleHistoryAdmin):
    list_display = ("term", "number", "status", "objective", "greedy_objective", "created_at")
    list_filter = ("term", "status")
    inlines = [PlanSlotInline]


@admin.register(PlanEntry)
class PlanEntryAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "plan", "slot", "team_key", "pinned", "moved_by")
    list_filter = ("plan",)
    raw_id_fields = ("unit", "slot", "moved_by")
