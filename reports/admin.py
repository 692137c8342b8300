from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import WeeklyReport


@admin.register(WeeklyReport)
class WeeklyReportAdmin(ReadOnlyAdmin):
    """An issued report is what was reported: read-only, even for admins."""

    list_display = ["week", "scope", "branch", "area", "issued_at", "issued_by"]
    list_filter = ["scope"]
    list_select_related = ["branch", "area", "issued_by"]
    date_hierarchy = "week"
