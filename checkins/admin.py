from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import services
from .models import (
    AttentionEpisode,
    BranchCoverage,
    CadencePolicy,
    CallbackRequest,
    CheckinRound,
    CheckinState,
    ContactLog,
    CoverageChange,
    Exemption,
    RoundVerification,
    WeeklyReach,
)


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["retiree", "contacted_at", "channel", "reached", "outcome", "contacted_by", "follow_up_on"]
    list_filter = ["channel", "reached", "outcome", "retiree__branch"]
    list_select_related = ["retiree", "contacted_by"]
    search_fields = ["retiree__name", "retiree__name_pinyin", "notes", "needs"]
    date_hierarchy = "contacted_at"
    # Contacts are written by checkins.services.contact_log, which keeps the schedule state in step.
    readonly_fields = ["retiree", "contacted_by", "contacted_at", "contacted_on", "reached", "created_at"]

    def has_add_permission(self, request):
        return False

    # A contact deleted here must also leave the schedule state and the weekly chart.
    def delete_model(self, request, obj):
        services.contact_log_delete(contact=obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            services.contact_log_delete(contact=contact)


@admin.register(CheckinState)
class CheckinStateAdmin(admin.ModelAdmin):
    list_display = ["retiree", "last_reached_on", "consecutive_failures", "unreachable_since", "cadence_override_days"]
    list_select_related = ["retiree"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]
    readonly_fields = ["retiree", "last_contact_at", "last_reached_at", "last_reached_on", "consecutive_failures"]


@admin.register(CadencePolicy)
class CadencePolicyAdmin(admin.ModelAdmin):
    list_display = ["branch", "category", "age_band", "care_level", "cadence_days", "updated_at"]
    list_filter = ["branch"]


@admin.register(CheckinRound)
class CheckinRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "status", "all_branches"]
    list_filter = ["status"]
    filter_horizontal = ["branches"]


@admin.register(RoundVerification)
class RoundVerificationAdmin(ReadOnlyAdmin):
    """Read only: confirmations are written by checkins.services.round_verification_confirm."""

    list_display = ["checkin_round", "retiree", "health", "vaccination", "testing", "community", "confirmed_by"]
    list_filter = ["checkin_round"]
    list_select_related = ["checkin_round", "retiree", "confirmed_by"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    """Read only: requests are made, decided and ended on the app's pages, where the services check
    who may decide, audit the decision and tell the requester."""

    list_display = [
        "retiree",
        "reason",
        "starts_on",
        "ends_on",
        "round",
        "status",
        "requested_by",
        "decided_by",
        "revoked_at",
    ]
    list_filter = ["status", "reason"]
    list_select_related = ["retiree", "round", "requested_by", "decided_by"]
    search_fields = ["retiree__name"]


@admin.register(WeeklyReach)
class WeeklyReachAdmin(ReadOnlyAdmin):
    """Read only: the rows follow the contact logs (checkins.services.weekly_reach_refresh)."""

    list_display = ["week", "retiree"]
    list_select_related = ["retiree"]
    date_hierarchy = "week"
    search_fields = ["retiree__name", "retiree__name_pinyin"]


@admin.register(AttentionEpisode)
class AttentionEpisodeAdmin(ReadOnlyAdmin):
    """Read only: episodes follow the facts (checkins.services.attention_refresh) and are lifted on
    the retiree's page, with a reason (attention_lift)."""

    list_display = ["retiree", "cause", "detail", "since", "expires_on", "status", "closed_at", "lifted_by"]
    list_filter = ["cause", "status", "retiree__branch"]
    list_select_related = ["retiree", "lifted_by"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin):
    """Written by the retiree's own page and answered by the contact service: read here only."""

    list_display = ["retiree", "requested_at", "answered_at"]
    list_select_related = ["retiree"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]


@admin.register(BranchCoverage)
class BranchCoverageAdmin(ReadOnlyAdmin):
    """Read only: kept by checkins.coverage, counted again whenever they are stale."""

    list_display = ["branch", "day", "taken_at"]
    list_select_related = ["branch"]
    search_fields = ["branch__name"]


@admin.register(CoverageChange)
class CoverageChangeAdmin(ReadOnlyAdmin):
    """Read only: written by the database's triggers (checkins 0014), deleted once counted."""

    list_display = ["branch", "xid"]
    list_select_related = ["branch"]
