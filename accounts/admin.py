from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import TwoFactorDevice, User, UserImport

# Access follows the user's role and position (accounts/access.py), never Django's groups and
# permissions: their admin pages would only offer choices that change nothing (and whose names
# Django stores in English).
admin.site.unregister(Group)

_ACCOUNT_FIELDS = (None, {"fields": ["username", "password"]})
_PERSONAL_FIELDS = (_("Personal info"), {"fields": ["last_name", "first_name", "email"]})
_ACCESS_FIELDS = (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]})
_DATES_FIELDS = (_("Important dates"), {"fields": ["last_login", "date_joined"]})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "branch", "position", "is_active", "must_change_password"]
    list_filter = ["role", "position", "branch", "is_active"]
    list_select_related = ["branch"]
    fieldsets = [
        _ACCOUNT_FIELDS,
        _PERSONAL_FIELDS,
        (_("Outreach"), {"fields": ["role", "branch", "position", "phone", "must_change_password"]}),
        _ACCESS_FIELDS,
        _DATES_FIELDS,
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Outreach"), {"fields": ["role", "branch", "position"]}),
    ]

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()


# django-otp's own admin is in English only and offers to create devices with their secret; here
# an admin sees a user's devices and removes a lost one (its user then sets up a new one).
admin.site.unregister(TOTPDevice)


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["owner", "device_name", "is_confirmed", "added", "last_used"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    search_help_text = _("Search by username or name.")
    fields = ["owner", "device_name", "is_confirmed", "added", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("User"), ordering="user__username")
    def owner(self, device):
        return device.user

    @admin.display(description=_("Device name"))
    def device_name(self, device):
        return device.name

    @admin.display(description=_("Set up"), boolean=True)
    def is_confirmed(self, device):
        return device.confirmed

    @admin.display(description=_("Added"), ordering="created_at")
    def added(self, device):
        return device.created_at

    @admin.display(description=_("Last used"), ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at


@admin.register(UserImport)
class UserImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "user", "uploaded_at", "applied_at"]
    exclude = ["content"]
    readonly_fields = ["filename", "user", "uploaded_at", "applied_at", "summary"]

    def has_add_permission(self, request):
        return False
