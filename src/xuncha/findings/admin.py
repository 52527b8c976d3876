from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import EvidenceRead


@admin.register(EvidenceRead)
class EvidenceReadAdmin(admin.ModelAdmin):
    """Who opened which evidence file, from which item: read only (a log is never edited)."""

    list_display = ("at", "user", "evidence", "subject")
    list_select_related = ("user", "evidence")
    search_fields = ("user__username", "user__full_name", "evidence__original_name", "subject")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
