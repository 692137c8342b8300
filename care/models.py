"""Care plans (一人一策): one plan per retiree, required for every retired cadre (离休).

The other care services each have their own app: `assistance`, `volunteers` (with the patrol
roster), `notices`, `visits` (with campaigns) and `meetings` (see docs/care-split.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import BranchScopedQuerySet
from checkins.choices import STAFF_CHANNELS, Channel
from core.db import choices_check
from retirees.choices import Status


class CarePlanQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def due_for_review(self, today):
        """Plans whose review date has come (the digest and the dashboard), active retirees only."""
        return self.filter(review_on__lte=today, retiree__status=Status.ACTIVE)


class CarePlan(models.Model):
    """One person, one plan (一人一策): required for every retired cadre (离休), allowed for anybody.

    The plan's `cadence_days` is the strongest term of the check-in schedule: the care services
    copy it to `CheckinState.cadence_override_days` in the same transaction (see
    `care.services.care_plan_save`), so the plan is the one place where it is decided.
    """

    retiree = models.OneToOneField(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="care_plan"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="care_plans",
    )
    cadence_days = models.PositiveSmallIntegerField(
        _("check-in every (days)"),
        null=True,
        blank=True,
        help_text=_("Empty to follow the branch rule or the default."),
    )
    # Whether the retiree's own "我很好" (self check-in) stands in for a call: a 离休 cadre's plan
    # may say it does not (copied to CheckinState.self_checkins_count, read by the schedule).
    self_checkins_count = models.BooleanField(
        _("self check-ins count as a contact"),
        default=True,
        help_text=_("Untick when somebody must call however often the retiree checks in on their own page."),
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=STAFF_CHANNELS, default=Channel.PHONE
    )
    preferred_time = models.CharField(
        _("preferred time"), max_length=100, blank=True, help_text=_("For example: weekday mornings 9–11.")
    )
    household_contacts = models.ManyToManyField(
        "retirees.HouseholdContact",
        verbose_name=_("family and caregivers to call"),
        blank=True,
        related_name="care_plans",
    )
    special_needs = models.TextField(_("special needs"), blank=True)
    review_on = models.DateField(_("review on"))
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CarePlanQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["review_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_days__isnull=True) | Q(cadence_days__gte=1, cadence_days__lte=365),
                name="care_careplan_cadence_range",
                violation_error_message=_("A cadence is between 1 and 365 days."),
            ),
            choices_check("preferred_channel", STAFF_CHANNELS, "care_careplan_channel_valid", _("Unknown channel.")),
        ]
        indexes = [
            # care_plans_due_for_review (reminder digest, dashboard): plans whose review date has come.
            models.Index(fields=["responsible", "review_on"], name="care_careplan_review"),
        ]

    def __str__(self):
        return str(_("Care plan of %(name)s") % {"name": self.retiree})

    def get_absolute_url(self):
        return reverse("care:plan_edit", args=[self.retiree_id])
