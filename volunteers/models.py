"""Volunteers (retirees who patrol a family area and help neighbours) and the patrol roster."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import BranchScopedQuerySet
from core.db import choices_check
from retirees.choices import Status

from .choices import PatrolArea, VolunteerArea


class VolunteerQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def active(self):
        return self.filter(is_active=True, retiree__status=Status.ACTIVE)


class Volunteer(models.Model):
    """A retiree who volunteers: patrols a family area and helps neighbours (medicine, parcels)."""

    retiree = models.OneToOneField(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="volunteer"
    )
    area = models.CharField(_("patrol area"), max_length=8, choices=VolunteerArea.choices)
    skills = models.CharField(_("skills"), max_length=200, blank=True, help_text=_("For example: driving, nursing."))
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("volunteer since"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_volunteer"
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["retiree__name_pinyin", "id"]
        constraints = [
            choices_check("area", VolunteerArea.choices, "care_volunteer_area_valid", _("Unknown patrol area.")),
        ]

    def __str__(self):
        return str(self.retiree)

    def get_absolute_url(self):
        return reverse("volunteers:volunteer_edit", args=[self.pk])

    def patrols(self, area: str) -> bool:
        return self.area in (area, VolunteerArea.BOTH)


class PatrolShiftQuerySet(BranchScopedQuerySet):
    # Shifts (an area, a date, hours) name nobody, so every signed-in worker sees them; the
    # volunteers on them are scoped through `PatrolAssignment.objects.visible_to`.
    branch_path = None


class PatrolShift(models.Model):
    """A patrol shift in one family area on one day; the volunteers on it are its assignments.

    A shift lies within one day (ends after it starts): a night patrol past midnight is two shifts.
    """

    area = models.CharField(_("area"), max_length=8, choices=PatrolArea.choices)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    volunteers_needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = PatrolShiftQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_patrolshift"
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        ordering = ["date", "starts_at", "area", "id"]
        constraints = [
            choices_check("area", PatrolArea.choices, "care_patrolshift_area_valid", _("Unknown patrol area.")),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="care_patrolshift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(volunteers_needed__gte=1, volunteers_needed__lte=50),
                name="care_patrolshift_needed_range",
                violation_error_message=_("A shift needs between 1 and 50 volunteers."),
            ),
        ]
        indexes = [models.Index(fields=["date", "area"], name="care_patrolshift_week")]

    def __str__(self):
        return f"{self.get_area_display()} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def get_absolute_url(self):
        return reverse("volunteers:shift_edit", args=[self.pk])


class PatrolAssignmentQuerySet(BranchScopedQuerySet):
    branch_path = "volunteer__retiree__branch"


class PatrolAssignment(models.Model):
    """A volunteer on a shift. Double-booking is refused by `volunteers.services.patrol_assign`."""

    shift = models.ForeignKey(
        PatrolShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PatrolAssignmentQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_patrolassignment"
        verbose_name = _("patrol assignment")
        verbose_name_plural = _("patrol assignments")
        ordering = ["shift", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                name="care_patrolassignment_once_per_shift",
                violation_error_message=_("This volunteer is already on this shift."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.shift}"
