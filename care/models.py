"""Care and services: care plans (一人一策), assistance requests, visits and campaigns, volunteers
and their patrol roster, notices with per-retiree delivery, and meetings.

Every row reaches a branch: through its retiree (plans, requests, visits, volunteers, deliveries,
invitations) or through the branches it is addressed to (notices, campaigns, meetings). Each
model's `visible_to(user)` is the scoping rule; views fetch through the selectors that use it.
"""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import AddressedQuerySet, BranchScopedQuerySet
from checkins.choices import Channel
from core.db import choices_check
from core.uploads import FileKind, download_name, kind_for_content_type

from .choices import (
    AssistanceKind,
    AssistanceStatus,
    CampaignKind,
    CampaignTarget,
    DeliveryMethod,
    MeetingKind,
    MeetingMode,
    PatrolArea,
    VisitStatus,
    VolunteerArea,
)

# --- Care plans (一人一策) -----------------------------------------------------------------------


class CarePlanQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def due_for_review(self, today):
        """Plans whose review date has come (the digest and the dashboard), active retirees only."""
        return self.filter(review_on__lte=today, retiree__status="active")


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
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
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
            choices_check("preferred_channel", Channel.choices, "care_careplan_channel_valid", _("Unknown channel.")),
        ]
        indexes = [
            # care_plans_due_for_review (reminder digest, dashboard): plans whose review date has come.
            models.Index(fields=["responsible", "review_on"], name="care_careplan_review"),
        ]

    def __str__(self):
        return str(_("Care plan of %(name)s") % {"name": self.retiree})

    def get_absolute_url(self):
        return reverse("care:plan_edit", args=[self.retiree_id])


# --- Volunteers and the patrol roster -------------------------------------------------------------


class VolunteerQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def active(self):
        return self.filter(is_active=True, retiree__status="active")


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
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["retiree__name_pinyin", "id"]
        constraints = [
            choices_check("area", VolunteerArea.choices, "care_volunteer_area_valid", _("Unknown patrol area.")),
        ]

    def __str__(self):
        return str(self.retiree)

    def get_absolute_url(self):
        return reverse("care:volunteer_edit", args=[self.pk])

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
        return reverse("care:shift_edit", args=[self.pk])


class PatrolAssignmentQuerySet(BranchScopedQuerySet):
    branch_path = "volunteer__retiree__branch"


class PatrolAssignment(models.Model):
    """A volunteer on a shift. Double-booking is refused by `care.services.patrol_assign`."""

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


# --- Assistance requests ------------------------------------------------------------------------


class AssistanceRequestQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def unfinished(self):
        return self.filter(status__in=[AssistanceStatus.OPEN, AssistanceStatus.ASSIGNED])

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
        Volunteer,
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
                condition=(Q(status__in=["done", "cancelled"]) & Q(closed_at__isnull=False))
                | (~Q(status__in=["done", "cancelled"]) & Q(closed_at__isnull=True)),
                name="care_assistancerequest_closed_at_iff_closed",
                violation_error_message=_("A done or cancelled request has a closing time, and only such a one."),
            ),
        ]
        indexes = [
            # assistance_requests_open (request list, digest, dashboard): unfinished requests by date needed.
            models.Index(
                fields=["needed_by"],
                name="care_assistance_unfinished",
                condition=Q(status__in=["open", "assigned"]),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("care:request_detail", args=[self.pk])

    @property
    def assignee(self):
        return self.assigned_user or self.assigned_volunteer

    @property
    def is_closed(self) -> bool:
        return self.status in (AssistanceStatus.DONE, AssistanceStatus.CANCELLED)


# --- Visits and campaigns -------------------------------------------------------------------------


class VisitCampaign(models.Model):
    """A festival visit campaign (Spring Festival, Double Ninth 重阳) over a window and some branches."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    target = models.CharField(_("whom to visit"), max_length=8, choices=CampaignTarget.choices, default="frail")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField("branches.Branch", verbose_name=_("branches"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AddressedQuerySet.as_manager()

    class Meta:
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
        return reverse("care:campaign_detail", args=[self.pk])


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
            models.Index(fields=["retiree", "visited_on"], name="care_visit_done", condition=Q(status="done")),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.visited_on or self.planned_on}"

    def get_absolute_url(self):
        return reverse("care:visit_edit", args=[self.pk])


# --- Notices (倡议书、一封信) ------------------------------------------------------------------------


def notice_upload_to(instance, filename: str) -> str:
    """A random stored name (the original name is kept in `attachment_name`); the extension follows the content."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"notices/{secrets.token_hex(16)}{suffix}"


class Notice(models.Model):
    """A letter or announcement to all retirees or some branches; delivered to and acknowledged by each.

    Publishing creates one `NoticeDelivery` row per active retiree addressed, so progress is the
    share of those rows marked delivered. The attachment is stored under MEDIA_ROOT and served only
    by `care.views.notice_attachment`, after the scoping check.
    """

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    attachment = models.FileField(_("attachment"), upload_to=notice_upload_to, blank=True)
    attachment_name = models.CharField(_("attachment file name"), max_length=150, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField("branches.Branch", verbose_name=_("branches"), blank=True, related_name="+")
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AddressedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="care_notice_title_required",
                violation_error_message=_("A notice needs a title."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("care:notice_detail", args=[self.pk])

    @property
    def attachment_kind(self) -> FileKind:
        """The attachment's type as detected from its content when it was uploaded."""
        return kind_for_content_type(self.attachment_type) or FileKind(
            PurePosixPath(self.attachment.name).suffix.lstrip(".") or "bin", "application/octet-stream", ""
        )

    @property
    def attachment_download_name(self) -> str:
        """The name the attachment is served under: the notice's title with the detected type's
        extension, never the name the uploader gave (which could be evil.exe)."""
        return download_name(self.title, self.attachment_kind)


class NoticeDeliveryQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def pending(self):
        return self.filter(acknowledged_at__isnull=True)


class NoticeDelivery(models.Model):
    """One retiree's copy of a notice: how and when it reached them, and when they acknowledged it."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries")
    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="notice_deliveries"
    )
    method = models.CharField(_("how"), max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = NoticeDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["notice", "retiree__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "retiree"],
                name="care_noticedelivery_once_per_retiree",
                violation_error_message=_("This retiree already has this notice."),
            ),
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=[value for value, _label in DeliveryMethod.choices]),
                name="care_noticedelivery_method_valid",
                violation_error_message=_("Unknown delivery method."),
            ),
            models.CheckConstraint(
                condition=(Q(delivered_at__isnull=True) & Q(method=""))
                | (Q(delivered_at__isnull=False) & ~Q(method="")),
                name="care_noticedelivery_delivered_with_method",
                violation_error_message=_("A delivery needs how it was made."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(delivered_at__isnull=False),
                name="care_noticedelivery_ack_after_delivery",
                violation_error_message=_("A notice is acknowledged only once delivered."),
            ),
        ]
        indexes = [
            # pending_notices_for (the call list's action): deliveries not yet acknowledged, by retiree.
            models.Index(fields=["retiree"], name="care_delivery_pending", condition=Q(acknowledged_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.notice} · {self.retiree}"


# --- Meetings and events ---------------------------------------------------------------------------


class Meeting(models.Model):
    """A forum, study session or other event, online or in person, with invitees and attendance."""

    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    mode = models.CharField(_("online or in person"), max_length=16, choices=MeetingMode.choices)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place or meeting link"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField("branches.Branch", verbose_name=_("branches"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AddressedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            choices_check("kind", MeetingKind.choices, "care_meeting_kind_valid", _("Unknown kind.")),
            choices_check("mode", MeetingMode.choices, "care_meeting_mode_valid", _("Unknown mode.")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("care:meeting_detail", args=[self.pk])


class InvitationQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class Invitation(models.Model):
    """A retiree invited to a meeting; `attended` is None until the branch records it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="invitations"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "retiree__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "retiree"],
                name="care_invitation_once_per_retiree",
                violation_error_message=_("This retiree is already invited."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.retiree}"
