from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User, UserImport


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "branch", "position", "is_active", "must_change_password"]
    list_filter = ["role", "position", "branch", "is_active"]
    list_select_related = ["branch"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Outreach"), {"fields": ["role", "branch", "position", "phone", "must_change_password"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Outreach"), {"fields": ["role", "branch", "position"]}),
    ]


@admin.register(UserImport)
class UserImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "user", "uploaded_at", "applied_at"]
    exclude = ["content"]
    readonly_fields = ["filename", "user", "uploaded_at", "applied_at", "summary"]

    def has_add_permission(self, request):
        return False
