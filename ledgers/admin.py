from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin

from .models import (
    ExportLog,
    ExposureEvent,
    HealthRecord,
    ImportMapping,
    ImportUpload,
    LedgerSignoff,
    NucleicTest,
    VaccinationDose,
    VaccinationStance,
)
from .services import ledger_entry_announce


class LedgerEntryAdmin(SimpleHistoryAdmin):
    """Every ledger entry keeps its change history (who, when, and why: e.g. the request it came from)."""

    list_select_related = ["retiree", "retiree__branch"]
    search_fields = ["retiree__name", "retiree__name_pinyin", "retiree__name_initials"]
    raw_id_fields = ["retiree"]
    readonly_fields = ["recorded_at", "recorded_by"]

    # An admin's correction is a ledger write like any other: the apps above hear of it
    # (attention follows an exposure, a test or a health record however it was changed).

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        ledger_entry_announce(obj)

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ledger_entry_announce(obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        entries = list(queryset.select_related("retiree"))
        super().delete_queryset(request, queryset)
        for entry in entries:
            ledger_entry_announce(entry)


@admin.register(VaccinationDose)
class VaccinationDoseAdmin(LedgerEntryAdmin):
    list_display = ["retiree", "dose_number", "given_on", "product", "arrangement"]
    list_filter = ["dose_number", "arrangement", "retiree__branch"]


@admin.register(VaccinationStance)
class VaccinationStanceAdmin(LedgerEntryAdmin):
    list_display = ["retiree", "stance", "reason", "stated_on"]
    list_filter = ["stance", "retiree__branch"]


@admin.register(NucleicTest)
class NucleicTestAdmin(LedgerEntryAdmin):
    list_display = ["retiree", "tested_on", "result", "site"]
    list_filter = ["result", "retiree__branch"]


@admin.register(ExposureEvent)
class ExposureEventAdmin(LedgerEntryAdmin):
    list_display = ["retiree", "kind", "started_on", "ended_on", "status"]
    list_filter = ["kind", "status", "retiree__branch"]


@admin.register(HealthRecord)
class HealthRecordAdmin(LedgerEntryAdmin):
    list_display = ["retiree", "recorded_on", "condition"]
    list_filter = ["condition", "retiree__branch"]


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """The export log is a record: read-only, even for admins."""

    list_display = ["created_at", "user", "ledger", "file_format", "scope", "row_count"]
    list_filter = ["ledger", "file_format"]
    list_select_related = ["user"]


@admin.register(ImportUpload)
class ImportUploadAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "status", "user", "uploaded_at", "applied_at"]
    list_filter = ["kind", "status"]
    exclude = ["content", "result"]
    readonly_fields = ["filename", "kind", "status", "status_at", "user", "uploaded_at", "applied_at", "summary"]

    def has_add_permission(self, request):
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    """The meanings office staff chose for values in their files; deleting one asks again next time."""

    list_display = ["vocabulary", "text", "value", "branch", "created_by", "created_at"]
    list_filter = ["vocabulary"]
    list_select_related = ["branch", "created_by"]
    search_fields = ["text"]
    readonly_fields = ["vocabulary", "text", "value", "branch", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(LedgerSignoff)
class LedgerSignoffAdmin(ReadOnlyAdmin):
    """A sign-off is a frozen record: read-only, even for admins."""

    list_display = ["signed_at", "branch", "checkin_round", "signed_by", "row_count"]
    list_filter = ["checkin_round"]
    list_select_related = ["branch", "checkin_round", "signed_by"]
    search_fields = ["branch__name", "checkin_round__title"]
