from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User

_BASE: Any = BaseUserAdmin.fieldsets


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*_BASE, ("巡察工作台", {"fields": ("full_name", "role", "unit")}))
    raw_id_fields = ("unit",)
