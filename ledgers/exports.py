"""The ledger files: the column specs of each ledger, and the recorder that logs and audits every export.

The engine (columns, writers, downloads) is `core.exports`; the registry's spec is `retirees.exports`.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.access import can_export, may_reveal
from core.exports import ExportOptions, ExportSpec, attr_column, choice_column, export_form
from retirees.exports import registry_spec, retiree_columns
from retirees.selectors import consented

from .choices import DOSE_LABELS, Arrangement, Condition, ExposureKind, ExposureStatus, Ledger, Stance, TestResult
from .services import ExportAudit, export_log_finish, export_log_start


def vaccination_spec() -> ExportSpec:
    doses = [
        attr_column(f"dose{n}_on", label, f"dose{n}_on", width=12, is_date=True)
        for n, label in zip(DOSE_LABELS, [_("Dose 1"), _("Dose 2"), _("Dose 3"), _("Dose 4")], strict=True)
    ]
    columns = [
        *retiree_columns(),
        attr_column("doses", _("Doses received"), "doses", width=8),
        *doses,
        attr_column("last_product", _("Vaccine"), "last_product", width=12),
        attr_column("last_site", _("Vaccination site"), "last_site", width=16),
        choice_column("last_arrangement", _("Arrangement"), "last_arrangement", Arrangement.choices, width=14),
        choice_column("stance", _("Willingness"), "stance", Stance.choices, width=10),
        attr_column("stance_reason", _("Reason"), "stance_reason", width=24),
    ]
    return ExportSpec(Ledger.VACCINATION, _("Vaccination ledger"), columns)


def testing_spec() -> ExportSpec:
    columns = [
        *retiree_columns(),
        attr_column("last_tested_on", _("Latest test"), "last_tested_on", width=12, is_date=True),
        choice_column("last_result", _("Result"), "last_result", TestResult.choices, width=10),
        attr_column("last_test_site", _("Test site"), "last_test_site", width=16),
        attr_column("tests", _("Tests recorded"), "tests", width=8),
    ]
    return ExportSpec(Ledger.TESTING, _("Nucleic-acid test ledger"), columns)


def exposure_spec() -> ExportSpec:
    columns = [
        *retiree_columns("retiree"),
        attr_column("community", _("Community"), "retiree.community", width=16),
        choice_column("kind", _("Kind"), "kind", ExposureKind.choices, width=14),
        attr_column("started_on", _("From"), "started_on", width=12, is_date=True),
        attr_column("ended_on", _("Until"), "ended_on", width=12, is_date=True),
        choice_column("status", _("Status"), "status", ExposureStatus.choices, width=8),
        attr_column("notes", _("Notes"), "notes", width=30),
    ]
    return ExportSpec(
        Ledger.EXPOSURE,
        _("Exposure ledger"),
        columns,
        retiree_of=lambda event: event.retiree,
        retiree_path="retiree__",
    )


def health_spec() -> ExportSpec:
    columns = [
        *retiree_columns(),
        choice_column("health", _("Health"), "health", Condition.choices, width=14),
        attr_column("health_on", _("Recorded on"), "health_on", width=12, is_date=True),
        attr_column("health_notes", _("Notes"), "health_notes", width=30),
    ]
    return ExportSpec(Ledger.HEALTH, _("Health ledger"), columns)


SPECS = {
    Ledger.REGISTRY: registry_spec,
    Ledger.VACCINATION: vaccination_spec,
    Ledger.TESTING: testing_spec,
    Ledger.EXPOSURE: exposure_spec,
    Ledger.HEALTH: health_spec,
}


class ExportRecorder:
    """The `core.exports.Recorder` of the project: who may export what, the consent rule, the export log and audit.

    Every file goes through `finish`, so every export is logged and audited once, with its row count.
    """

    def __init__(self, request):
        self.request = request
        self.user = request.user
        self.log = None
        self.audit = ExportAudit(request=request)

    def options(self, spec: ExportSpec | None = None) -> ExportOptions:
        """What the export request chose to include; PermissionDenied for a choice the user may not make."""
        if not can_export(self.user):
            raise PermissionDenied
        options = export_form(self.request, spec).options()
        if options.full_id_numbers and not may_reveal(self.user, "id_number"):
            raise PermissionDenied
        return options

    def restrict(self, spec: ExportSpec, queryset, options: ExportOptions):
        return consented(queryset, path=spec.retiree_path, include_without_consent=options.without_consent)

    def start(self, *, key: str, file_format: str, filters: dict, scope: str, options: ExportOptions, left_out: int):
        self.log = export_log_start(user=self.user, ledger=key, file_format=file_format, filters=filters, scope=scope)
        self.audit = ExportAudit(
            request=self.request,
            full_id_numbers=options.full_id_numbers,
            without_consent=options.without_consent,
            left_out=left_out,
        )

    def finish(self, row_count: int) -> None:
        export_log_finish(log=self.log, row_count=row_count, audit=self.audit)
