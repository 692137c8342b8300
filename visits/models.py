"""Visits (慰问) to retirees and the festival visit campaigns they belong to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AddressedQuerySet, BranchScopedQuerySet
from core.addressing import AddressedModel
from core.db import choices_check

from .choices import CampaignKind, CampaignTarget, VisitStatus


class VisitCampaign(AddressedModel):
    """A festival visit campaign (Spring Festival, Double Ninth 重阳) over a window, for everybody
    or some branches and residence areas."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    target = models.CharField(
        _("whom to visit"), max_length=8, choices=CampaignTarget.choices, default=CampaignTarget.FRAIL
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AddressedQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_visitcampaign"
        verbose_name = _("visit campaign")
        verbose_name_plural = _("visit campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            choices_check("kind", CampaignKind.choices, "care_visitcampaign_kind_valid", _("Unknown kind.")),
            choices_check("target", CampaignTarget.choices, "care_visitcampaign_target_valid", _("Unknown target.")),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="care_visitcampaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("visits:campaign_detail", args=[self.pk])


class VisitQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class Visit(models.Model):
    """A visit (慰问) to a retiree: planned, then done (with the date, who went and what they brought)."""

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="visits"
    )
    campaign = models.ForeignKey(
        VisitCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    status = models.CharField(_("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("visitors"), blank=True, related_name="visits"
    )
    other_visitors = models.CharField(_("other visitors"), max_length=200, blank=True)
    brought = models.CharField(_("what was brought"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_visit"
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-planned_on", "-id"]
        constraints = [
            choices_check("status", VisitStatus.choices, "care_visit_status_valid", _("Unknown status.")),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.DONE) | Q(visited_on__isnull=False),
                name="care_visit_done_has_date",
                violation_error_message=_("A visit that took place needs its date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.PLANNED) | Q(planned_on__isnull=False),
                name="care_visit_planned_has_date",
                violation_error_message=_("A planned visit needs a date."),
            ),
        ]
        indexes = [
            # not_visited (the list of 80+ and dependent retirees not visited lately).
            models.Index(
                fields=["retiree", "visited_on"], name="care_visit_done", condition=Q(status=VisitStatus.DONE)
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.visited_on or self.planned_on}"

    def get_absolute_url(self):
        return reverse("visits:visit_edit", args=[self.pk])
