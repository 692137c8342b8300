from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CarePlan


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
