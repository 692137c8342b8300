"""Assistance requests: help a retiree needs, assigned to a staff member or a volunteer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import BranchScopedQuerySet
from core.db import ChecksInOneQuery, choices_check

from .choices import (
    CLOSED_STATUSES,
    PICKUP_KINDS,
    UNFINISHED_STATUSES,
    VACCINATION_KINDS,
    AssistanceKind,
    AssistanceStatus,
    NoDoseReason,
)


class AssistanceRequestQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def unfinished(self):
        return self.filter(status__in=UNFINISHED_STATUSES)

    def overdue(self, today):
        return self.unfinished().filter(needed_by__lt=today)


class AssistanceRequest(ChecksInOneQuery, models.Model):
    """Help a retiree needs: a ride to vaccination, a nurse at home, medicine or a parcel to fetch.

    open -> assigned -> done | cancelled, each step stamped with when and by whom. The assignee is
    a staff member or a volunteer, never both. A done request holds what it achieved: a
    vaccination request the dose it recorded in the vaccination ledger (or why no dose was
    given), a pickup what was brought, any other request its outcome.
    """

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="assistance_requests"
    )
    contact = models.ForeignKey(
        "checkins.ContactLog",
        verbose_name=_("from contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_requests",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AssistanceKind.choices)
    details = models.TextField(_("details"), blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AssistanceStatus.choices, default=AssistanceStatus.OPEN
    )
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to (staff)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_requests",
    )
    assigned_volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("assigned to (volunteer)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_requests",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    # The dose recorded in the ledger when a vaccination request was closed. PROTECT: the ledger
    # cannot lose a dose a request points to without somebody deciding what the request says then.
    dose = models.OneToOneField(
        "ledgers.VaccinationDose",
        verbose_name=_("dose recorded"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    no_dose_reason = models.CharField(
        _("why no dose was given"), max_length=16, choices=NoDoseReason.choices, blank=True
    )
    brought = models.CharField(_("what was delivered"), max_length=200, blank=True)
    # Empty only for a request the retiree made themselves on their own page (`from_retiree`).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_retiree = models.BooleanField(_("asked by the retiree on their own page"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AssistanceRequestQuerySet.as_manager()
    # Who changed a request, before and after: assignment, closing, and what closing recorded.
    history = HistoricalRecords()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_assistancerequest"
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("kind", AssistanceKind.choices, "care_assistancerequest_kind_valid", _("Unknown kind.")),
            choices_check(
                "status", AssistanceStatus.choices, "care_assistancerequest_status_valid", _("Unknown status.")
            ),
            choices_check(
                "no_dose_reason",
                [("", ""), *NoDoseReason.choices],
                "care_assistancerequest_no_dose_reason_valid",
                _("Unknown reason."),
            ),
            # A vaccination or pickup request records its result in its own fields (below).
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.DONE)
                | Q(kind__in=VACCINATION_KINDS + PICKUP_KINDS)
                | ~Q(outcome=""),
                name="care_assistancerequest_done_needs_outcome",
                violation_error_message=_("A request can only be done with its outcome."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.DONE)
                | ~Q(kind__in=VACCINATION_KINDS)
                | Q(dose__isnull=False)
                | ~Q(no_dose_reason=""),
                name="care_assistancerequest_done_vaccination_has_dose",
                violation_error_message=_(
                    "A vaccination request is done with the dose given, or with the reason why none was."
                ),
            ),
            models.CheckConstraint(
                condition=Q(dose__isnull=True) | Q(no_dose_reason=""),
                name="care_assistancerequest_dose_or_no_dose",
                violation_error_message=_("Record the dose given or the reason why none was, not both."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VACCINATION_KINDS) | (Q(dose__isnull=True) & Q(no_dose_reason="")),
                name="care_assistancerequest_dose_only_vaccination",
                violation_error_message=_("Only a vaccination request records a dose."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.DONE) | ~Q(kind__in=PICKUP_KINDS) | ~Q(brought=""),
                name="care_assistancerequest_done_pickup_has_brought",
                violation_error_message=_("Say what was brought before marking the request done."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PICKUP_KINDS) | Q(brought=""),
                name="care_assistancerequest_brought_only_pickup",
                violation_error_message=_("Only a medicine or parcel pickup records what was brought."),
            ),
            models.CheckConstraint(
                condition=Q(status=AssistanceStatus.DONE)
                | (Q(dose__isnull=True) & Q(no_dose_reason="") & Q(brought="")),
                name="care_assistancerequest_result_only_done",
                violation_error_message=_("Only a done request records a dose or what was brought."),
            ),
            models.CheckConstraint(
                condition=Q(from_retiree=True, created_by__isnull=True)
                | Q(from_retiree=False, created_by__isnull=False),
                name="care_assistancerequest_creator_or_retiree",
                violation_error_message=_("A request is opened by a worker or by the retiree on their own page."),
            ),
            models.CheckConstraint(
                condition=Q(assigned_user__isnull=True) | Q(assigned_volunteer__isnull=True),
                name="care_assistancerequest_one_assignee",
                violation_error_message=_("Assign a request to a staff member or to a volunteer, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.ASSIGNED)
                | Q(assigned_user__isnull=False)
                | Q(assigned_volunteer__isnull=False),
                name="care_assistancerequest_assigned_has_assignee",
                violation_error_message=_("An assigned request needs an assignee."),
            ),
            models.CheckConstraint(
                condition=(Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=False))
                | (~Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=True)),
                name="care_assistancerequest_closed_at_iff_closed",
                violation_error_message=_("A done or cancelled request has a closing time, and only such a one."),
            ),
        ]
        indexes = [
            # unfinished() (request list, digest, dashboard): unfinished requests by the date needed.
            models.Index(
                fields=["needed_by"],
                name="care_assistance_unfinished",
                condition=Q(status__in=UNFINISHED_STATUSES),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("assistance:request_detail", args=[self.pk])

    @property
    def assignee(self):
        return self.assigned_user or self.assigned_volunteer

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_vaccination(self) -> bool:
        return self.kind in VACCINATION_KINDS

    @property
    def is_pickup(self) -> bool:
        return self.kind in PICKUP_KINDS
