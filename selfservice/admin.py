from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import RetireeLink


@admin.register(RetireeLink)
class RetireeLinkAdmin(ReadOnlyAdmin):
    """Issued, revoked and printed on the office's link pages (which audit it): read here only.
    Neither the nonce nor the hash is shown."""

    list_display = ["retiree", "issued_at", "revoked_at", "last_used_at", "uses"]
    list_select_related = ["retiree"]
    search_fields = ["retiree__name", "retiree__name_pinyin"]
    fields = ["retiree", "issued_at", "issued_by", "revoked_at", "revoked_by", "last_used_at", "uses"]
