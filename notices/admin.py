from django.contrib import admin

from .models import Notice, NoticeDelivery


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "published_by", "all_branches"]
    raw_id_fields = ["published_by"]
    # Attachments are checked by content in notices.services.notice_publish: not uploaded here.
    readonly_fields = ["attachment", "attachment_name", "attachment_type"]


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    list_display = ["notice", "retiree", "method", "delivered_at", "acknowledged_at"]
    list_filter = ["method", "notice"]
    list_select_related = ["notice", "retiree"]
    raw_id_fields = ["notice", "retiree", "delivered_by"]
