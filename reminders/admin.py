from django.contrib import admin

from .models import Delivery, Holiday, Notification, Reminder


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["period", "kind", "recipient", "branch", "retiree", "episode", "claimed_at"]
    list_filter = ["kind", "period"]
    list_select_related = ["recipient", "branch", "retiree"]
    raw_id_fields = ["retiree"]  # thousands of retirees: no drop-down
    inlines = [DeliveryInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    list_select_related = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    # last_error also says why a delivery expired.
    list_display = ["reminder", "channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["channel", "status"]
    list_select_related = ["reminder"]
