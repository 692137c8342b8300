from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssistanceRequest,
    CarePlan,
    Invitation,
    Meeting,
    Notice,
    NoticeDelivery,
    PatrolAssignment,
    PatrolShift,
    Visit,
    VisitCampaign,
    Volunteer,
)


@admin.register(CarePlan)
class CarePlanAdmin(SimpleHistoryAdmin):
    list_display = ["retiree", "responsible", "cadence_days", "review_on", "last_reviewed_on"]
    list_select_related = ["retiree", "responsible"]
    list_filter = ["retiree__branch"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]
    raw_id_fields = ["retiree", "responsible", "created_by"]
    filter_horizontal = ["household_contacts"]
    # Saving here would bypass care.services.care_plan_save, which keeps the schedule's cadence in step.
    readonly_fields = ["cadence_days"]


@admin.register(AssistanceRequest)
class AssistanceRequestAdmin(admin.ModelAdmin):
    list_display = ["retiree", "kind", "status", "needed_by", "assigned_user", "assigned_volunteer", "created_at"]
    list_filter = ["kind", "status", "retiree__branch"]
    list_select_related = ["retiree", "assigned_user", "assigned_volunteer__retiree"]
    search_fields = ["retiree__name", "retiree__name_pinyin", "details", "outcome"]
    raw_id_fields = [
        "retiree",
        "contact",
        "assigned_user",
        "assigned_volunteer",
        "assigned_by",
        "closed_by",
        "created_by",
    ]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["retiree", "area", "skills", "is_active"]
    list_filter = ["area", "is_active"]
    list_select_related = ["retiree"]
    raw_id_fields = ["retiree"]


class PatrolAssignmentInline(admin.TabularInline):
    model = PatrolAssignment
    raw_id_fields = ["volunteer", "assigned_by"]
    extra = 0


@admin.register(PatrolShift)
class PatrolShiftAdmin(admin.ModelAdmin):
    list_display = ["date", "area", "starts_at", "ends_at", "volunteers_needed"]
    list_filter = ["area"]
    date_hierarchy = "date"
    raw_id_fields = ["created_by"]
    inlines = [PatrolAssignmentInline]


@admin.register(PatrolAssignment)
class PatrolAssignmentAdmin(admin.ModelAdmin):
    list_display = ["shift", "volunteer", "assigned_by"]
    list_select_related = ["shift", "volunteer__retiree", "assigned_by"]
    raw_id_fields = ["shift", "volunteer", "assigned_by"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["retiree", "status", "planned_on", "visited_on", "campaign"]
    list_filter = ["status", "campaign", "retiree__branch"]
    list_select_related = ["retiree", "campaign"]
    raw_id_fields = ["retiree", "created_by"]
    filter_horizontal = ["visitors"]


@admin.register(VisitCampaign)
class VisitCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "target", "starts_on", "ends_on", "all_branches"]
    raw_id_fields = ["created_by"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "published_by", "all_branches"]
    raw_id_fields = ["published_by"]
    # Attachments are checked by content in care.services.notice_publish: not uploaded here.
    readonly_fields = ["attachment", "attachment_name", "attachment_type"]


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    list_display = ["notice", "retiree", "method", "delivered_at", "acknowledged_at"]
    list_filter = ["method", "notice"]
    list_select_related = ["notice", "retiree"]
    raw_id_fields = ["notice", "retiree", "delivered_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "mode", "starts_at"]
    raw_id_fields = ["created_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "retiree", "attended"]
    list_select_related = ["meeting", "retiree"]
    raw_id_fields = ["meeting", "retiree", "recorded_by"]
