from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Classification, Indicator, LevelOverride, RiskModel


class ReadOnly:
    """Changed through the risk pages' services only (they keep Unit.risk_level in step)."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit_label", "direction", "source", "department")
    list_filter = ("source", "department")
    search_fields = ("code", "name")


@admin.register(RiskModel)
class RiskModelAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "version", "active", "note", "created_at")


@admin.register(Classification)
class ClassificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("model", "year", "units", "counts", "current", "created_at")


@admin.register(LevelOverride)
class LevelOverrideAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("unit", "level", "reason", "by", "updated_at")
