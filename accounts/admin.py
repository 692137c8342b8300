from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "branch", "position", "is_active"]
    list_filter = ["role", "position", "branch", "is_active"]
    list_select_related = ["branch"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Outreach"), {"fields": ["role", "branch", "position", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Outreach"), {"fields": ["role", "branch", "position"]}),
    ]
