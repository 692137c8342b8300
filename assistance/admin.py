from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AssistanceRequest


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(SimpleHistoryAdmin):
    list_display = ["retiree", "kind", "status", "needed_by", "assigned_user", "assigned_volunteer", "created_at"]
    list_filter = ["kind", "status", "retiree__branch"]
    list_select_related = ["retiree", "assigned_user", "assigned_volunteer__retiree"]
    search_fields = ["retiree__name", "retiree__name_pinyin", "details", "outcome", "brought"]
    raw_id_fields = [
        "retiree",
        "contact",
        "assigned_user",
        "assigned_volunteer",
        "assigned_by",
        "closed_by",
        "created_by",
        "dose",
    ]
