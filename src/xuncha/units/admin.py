from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "risk_level", "parent", "county")
    list_filter = ("kind", "risk_level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "county")
