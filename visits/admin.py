from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import FestivalOfferDismissal, Visit, VisitCampaign


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


@admin.register(FestivalOfferDismissal)
class FestivalOfferDismissalAdmin(ReadOnlyAdmin):
    list_display = ["festival", "year", "dismissed_by", "dismissed_at"]
