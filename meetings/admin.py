from django.contrib import admin

from .models import Invitation, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "mode", "starts_at"]
    # Retirees chosen by name by their ids: a select of the whole registry would be a city's worth.
    raw_id_fields = ["created_by", "retirees"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "retiree", "attended"]
    list_select_related = ["meeting", "retiree"]
    raw_id_fields = ["meeting", "retiree", "recorded_by"]
