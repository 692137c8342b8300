"""Assistance requests: help a retiree needs, assigned to a staff member or a volunteer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import BranchScopedQuerySet
from core.db import choices_check

from .choices import CLOSED_STATUSES, UNFINISHED_STATUSES, AssistanceKind, AssistanceStatus


class AssistanceRequestQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def unfinished(self):
        return self.filter(status__in=UNFINISHED_STATUSES)

    def overdue(self, today):
        return self.unfinished().filter(needed_by__lt=today)


class AssistanceRequest(models.Model):
    """Help a retiree needs: a ride to vaccination, a nurse at home, medicine or a parcel to fetch.

    open -> assigned -> done | cancelled, each step stamped with when and by whom. The assignee is
    a staff member or a volunteer, never both.
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AssistanceRequestQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.DONE) | ~Q(outcome=""),
                name="care_assistancerequest_done_needs_outcome",
                violation_error_message=_("A request can only be done with its outcome."),
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
