from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Search the audit log by person, retiree and date. Read-only: no one edits or deletes it."""

    list_display = ["created_at", "actor_name", "action", "retiree", "ip_address"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["actor_name", "retiree__name", "retiree__name_pinyin", "retiree__name_initials"]
    list_select_related = ["retiree"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
