from django.contrib import admin

from .models import Invitation, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "mode", "starts_at"]
    raw_id_fields = ["created_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "retiree", "attended"]
    list_select_related = ["meeting", "retiree"]
    raw_id_fields = ["meeting", "retiree", "recorded_by"]
