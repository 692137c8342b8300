from django.contrib import admin

from .models import PatrolAssignment, PatrolShift, Volunteer


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
