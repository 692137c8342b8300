from django.contrib import admin

from .models import Branch


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "reminder_weekdays", "reminder_time", "is_active"]
    search_fields = ["name", "short_name"]
