"""Meetings and events (forums, study sessions) with their invitees and attendance."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AddressedQuerySet, BranchScopedQuerySet
from core.addressing import AddressedToPeopleModel
from core.db import choices_check

from .choices import MeetingKind, MeetingMode


class Meeting(AddressedToPeopleModel):
    """A forum, study session or other event, online or in person, with invitees and attendance.

    Invited: everybody, or the retirees of some branches, the residents of some areas and some
    retirees chosen by name (representatives, 老同志代表), each once.
    """

    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    mode = models.CharField(_("online or in person"), max_length=16, choices=MeetingMode.choices)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place or meeting link"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AddressedQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_meeting"
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
        return reverse("meetings:meeting_detail", args=[self.pk])


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
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_invitation"
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
