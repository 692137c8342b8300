"""Ledgers (台账): vaccination, willingness, nucleic-acid tests, exposure and health.

Each entry is a fact about one retiree on one date; the "current state" shown on the ledger
pages is derived from them by the selectors. Every model reaches its branch through the
retiree, so one scoped queryset class serves them all.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import BranchScopedQuerySet
from core.db import choices_check
from core.exports import ExportFormat

from .choices import (
    MAX_DOSE_NUMBER,
    STANCES_NEEDING_REASON,
    Arrangement,
    Condition,
    ExposureKind,
    ExposureStatus,
    ImportKind,
    ImportStatus,
    Ledger,
    Stance,
    TestResult,
    Vocabulary,
)


class LedgerQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class LedgerEntry(models.Model):
    """What every ledger entry has: whose fact it is, who recorded it and when."""

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.CASCADE, related_name="%(class)ss"
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LedgerQuerySet.as_manager()
    # Change history (who changed which fact, before and after) for every ledger.
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse("ledgers:retiree", args=[self.retiree_id])


class VaccinationDose(LedgerEntry):
    """One COVID-19 vaccine dose a retiree received."""

    dose_number = models.PositiveSmallIntegerField(
        _("dose"), help_text=_("1 and 2: primary series; 3: first booster; 4: second booster.")
    )
    given_on = models.DateField(_("date given"))
    product = models.CharField(_("vaccine"), max_length=50, blank=True, help_text=_("Maker or product name."))
    site = models.CharField(_("vaccination site"), max_length=100, blank=True)
    arrangement = models.CharField(
        _("arrangement"), max_length=16, choices=Arrangement.choices, default=Arrangement.SELF
    )

    class Meta:
        verbose_name = _("vaccination dose")
        verbose_name_plural = _("vaccination doses")
        ordering = ["retiree", "dose_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["retiree", "dose_number"],
                name="%(app_label)s_%(class)s_one_per_number",
                violation_error_message=_("This dose is already recorded for this retiree."),
            ),
            models.CheckConstraint(
                condition=Q(dose_number__gte=1, dose_number__lte=MAX_DOSE_NUMBER),
                name="%(app_label)s_%(class)s_number_range",
                violation_error_message=_("The dose number must be between 1 and 4."),
            ),
            choices_check(
                "arrangement",
                Arrangement.choices,
                "%(app_label)s_%(class)s_arrangement_valid",
                _("Unknown arrangement."),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.dose_number} · {self.given_on:%Y-%m-%d}"


class VaccinationStance(LedgerEntry):
    """Whether a retiree is willing to be vaccinated, or cannot be, and why; the latest one counts."""

    stance = models.CharField(_("willingness"), max_length=16, choices=Stance.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    stated_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("vaccination willingness")
        verbose_name_plural = _("vaccination willingness")
        ordering = ["retiree", "-stated_on", "-id"]
        get_latest_by = ["stated_on", "id"]
        constraints = [
            choices_check("stance", Stance.choices, "%(app_label)s_%(class)s_stance_valid", _("Unknown willingness.")),
            models.CheckConstraint(
                condition=~Q(stance__in=STANCES_NEEDING_REASON) | ~Q(reason=""),
                name="%(app_label)s_%(class)s_reason_required",
                violation_error_message=_("Give the reason why the retiree is unwilling or cannot be vaccinated."),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.get_stance_display()}"


class NucleicTest(LedgerEntry):
    """A nucleic-acid test and its result."""

    tested_on = models.DateField(_("test date"))
    result = models.CharField(_("result"), max_length=16, choices=TestResult.choices, default=TestResult.NEGATIVE)
    site = models.CharField(_("test site"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("nucleic-acid test")
        verbose_name_plural = _("nucleic-acid tests")
        ordering = ["retiree", "-tested_on"]
        get_latest_by = ["tested_on"]
        constraints = [
            # A second entry for the same day is a double entry; the service updates the first.
            models.UniqueConstraint(
                fields=["retiree", "tested_on"],
                name="%(app_label)s_%(class)s_one_per_day",
                violation_error_message=_("A test on this date is already recorded for this retiree."),
            ),
            choices_check("result", TestResult.choices, "%(app_label)s_%(class)s_result_valid", _("Unknown result.")),
        ]
        indexes = [
            # "Tested within N days" totals and the latest-test subquery of the testing ledger.
            models.Index(fields=["retiree", "-tested_on"], name="ledgers_nucleictest_latest"),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.tested_on:%Y-%m-%d} · {self.get_result_display()}"


class ExposureEvent(LedgerEntry):
    """A retiree's exposure (涉疫): a case, a contact, a sealed or controlled community, with dates.

    The end date may be planned ("sealed until 20 May") while the event is ongoing; a lifted
    event needs one.
    """

    kind = models.CharField(_("kind"), max_length=24, choices=ExposureKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExposureStatus.choices, default=ExposureStatus.ONGOING
    )

    class Meta:
        verbose_name = _("exposure event")
        verbose_name_plural = _("exposure events")
        ordering = ["-started_on", "-id"]
        constraints = [
            choices_check("kind", ExposureKind.choices, "%(app_label)s_%(class)s_kind_valid", _("Unknown kind.")),
            choices_check(
                "status", ExposureStatus.choices, "%(app_label)s_%(class)s_status_valid", _("Unknown status.")
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="%(app_label)s_%(class)s_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ExposureStatus.LIFTED) | Q(ended_on__isnull=False),
                name="%(app_label)s_%(class)s_lifted_has_end",
                violation_error_message=_("A lifted exposure needs its end date."),
            ),
            models.UniqueConstraint(
                fields=["retiree", "kind", "started_on"],
                name="%(app_label)s_%(class)s_one_per_start",
                violation_error_message=_("This exposure is already recorded for this retiree."),
            ),
        ]
        indexes = [
            # "Currently exposed": the ongoing events, for the totals and the exposure ledger.
            models.Index(
                fields=["retiree"], condition=Q(status=ExposureStatus.ONGOING), name="ledgers_exposureevent_ongoing"
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.get_kind_display()} · {self.started_on:%Y-%m-%d}"


class HealthRecord(LedgerEntry):
    """How a retiree's health was found on a date; the latest one is their current state."""

    recorded_on = models.DateField(_("date"))
    condition = models.CharField(_("health"), max_length=16, choices=Condition.choices)

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")
        ordering = ["retiree", "-recorded_on", "-id"]
        get_latest_by = ["recorded_on", "id"]
        constraints = [
            choices_check(
                "condition", Condition.choices, "%(app_label)s_%(class)s_condition_valid", _("Unknown health.")
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.recorded_on:%Y-%m-%d} · {self.get_condition_display()}"


class ExportLog(models.Model):
    """Who exported which ledger, with which filters and scope, when, and how many rows.

    Created when the export starts; `row_count` is filled in when the last row has been
    written, so an export abandoned half-way shows as unfinished.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    ledger = models.CharField(_("ledger"), max_length=16, choices=Ledger.choices)
    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    scope = models.CharField(_("scope"), max_length=100)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("ledger", Ledger.choices, "%(app_label)s_%(class)s_ledger_valid", _("Unknown ledger.")),
            choices_check(
                "file_format", ExportFormat.choices, "%(app_label)s_%(class)s_format_valid", _("Unknown format.")
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_ledger_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class ImportUpload(models.Model):
    """An uploaded file (a roster, contacts or a ledger) kept from its check to its import.

    The id is random and only the uploader can use it (the views look it up with `user`), so
    the file never travels in the session cookie and cannot be confirmed by anybody else. The
    check and the import run in the request for a small file and in the worker for a big one;
    `status` says where the upload is, `result` holds what the check found (problems, values to
    map, what would change) and `status_at` when the status last changed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices, default=ImportKind.ROSTER)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    # The uploader's language, in which the worker writes the problems it finds.
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    status_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    result = models.JSONField(_("check result"), default=dict, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["-uploaded_at"]
        constraints = [
            choices_check("kind", ImportKind.choices, "%(app_label)s_%(class)s_kind_valid", _("Unknown kind.")),
            choices_check("status", ImportStatus.choices, "%(app_label)s_%(class)s_status_valid", _("Unknown status.")),
            models.CheckConstraint(
                condition=Q(status=ImportStatus.IMPORTED, applied_at__isnull=False)
                | (~Q(status=ImportStatus.IMPORTED) & Q(applied_at__isnull=True)),
                name="%(app_label)s_%(class)s_applied_iff_imported",
                violation_error_message=_("An upload has an import date once imported, and only then."),
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("ledgers:import_upload", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def problems(self) -> list:
        return self.result.get("problems", [])

    @property
    def prompts(self) -> list:
        return self.result.get("prompts", [])

    @property
    def is_ready(self) -> bool:
        """Checked, with nothing to correct and no value left to map: it may be imported."""
        return self.status == ImportStatus.CHECKED and not self.problems and not self.prompts and bool(self.result)


class ImportMapping(models.Model):
    """What a value in an office's file means, as office staff chose it once ("第六党支部" is the
    fifth branch): every later import reads the same value the same way.

    `text` is the value as the importer normalises it (ledgers.imports.vocabularies); a branch
    is kept by its key, so a renamed branch keeps its mappings and a deleted one takes them along.
    """

    vocabulary = models.CharField(_("list"), max_length=24, choices=Vocabulary.choices)
    text = models.CharField(_("value in the file"), max_length=100)
    value = models.CharField(_("means"), max_length=32, blank=True)
    branch = models.ForeignKey(
        "branches.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("chosen at"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["vocabulary", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "text"],
                name="%(app_label)s_%(class)s_one_per_text",
                violation_error_message=_("This value already has a meaning."),
            ),
            choices_check(
                "vocabulary", Vocabulary.choices, "%(app_label)s_%(class)s_vocabulary_valid", _("Unknown list.")
            ),
            # A branch is kept by its key, any other list's value by its code.
            models.CheckConstraint(
                condition=Q(vocabulary=Vocabulary.BRANCH, branch__isnull=False, value="")
                | (~Q(vocabulary=Vocabulary.BRANCH) & Q(branch__isnull=True) & ~Q(value="")),
                name="%(app_label)s_%(class)s_branch_or_value",
                violation_error_message=_("A branch mapping names a branch; any other mapping a value."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_not_empty",
                violation_error_message=_("An empty cell has no meaning to remember."),
            ),
        ]

    def __str__(self):
        return f"{self.get_vocabulary_display()}: {self.text}"


class LedgerSignoffQuerySet(BranchScopedQuerySet):
    branch_path = "branch"


class LedgerSignoff(models.Model):
    """A branch secretary's sign-off (签核) of the branch's ledgers at the end of a check-in round.

    `snapshot` freezes every ledger row of the branch as it stood when it was signed, in the
    office's file layout (see `ledgers.signoffs`), so the office can later show, compare and
    export exactly what was signed, whatever has been recorded since. Nothing edits a sign-off
    once written: there is no form or service for it, and the admin shows it read-only.
    """

    checkin_round = models.ForeignKey(
        "checkins.CheckinRound",
        verbose_name=_("check-in round"),
        on_delete=models.PROTECT,
        related_name="ledger_signoffs",
    )
    branch = models.ForeignKey("branches.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off at"), auto_now_add=True, db_index=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    # The branch's totals at signing (active retirees, doses, tested lately, exposed): small, so
    # that lists of sign-offs never load the snapshots (`.defer("snapshot")`).
    totals = models.JSONField(_("totals"), editable=False)
    snapshot = models.JSONField(_("snapshot"), editable=False)
    row_count = models.PositiveIntegerField(_("rows"), editable=False)

    objects = LedgerSignoffQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger sign-off")
        verbose_name_plural = _("ledger sign-offs")
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin_round", "branch"],
                name="ledgers_ledgersignoff_once_per_round",
                violation_error_message=_("This branch's ledger has already been signed off for this round."),
            ),
        ]
        indexes = [models.Index(fields=["branch", "-signed_at"], name="ledgers_signoff_branch_time")]

    def __str__(self):
        return f"{self.branch} · {self.checkin_round} · {self.signed_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("ledgers:signoff_detail", args=[self.pk])
