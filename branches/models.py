import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import BranchScopedQuerySet

from .webhooks import validate_webhook_url


class BranchQuerySet(BranchScopedQuerySet):
    branch_path = "pk"


class Weekday(models.IntegerChoices):
    """Bits of the reminder-day mask, Monday first (as Python's date.weekday())."""

    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 4, _("Wednesday")
    THURSDAY = 8, _("Thursday")
    FRIDAY = 16, _("Friday")
    SATURDAY = 32, _("Saturday")
    SUNDAY = 64, _("Sunday")


ALL_WEEKDAYS = 127
DEFAULT_REMINDER_WEEKDAYS = Weekday.MONDAY | Weekday.THURSDAY


class Branch(models.Model):
    """A party branch (党支部) of the retiree Party committee and the retirees it looks after.

    Its secretary and committee members are users whose `branch` is this one.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    reminder_weekdays = models.PositiveSmallIntegerField(
        _("reminder days"),
        default=DEFAULT_REMINDER_WEEKDAYS,
        help_text=_("Days of the week on which the branch's reminder digest is sent."),
    )
    reminder_time = models.TimeField(_("reminder time"), default=datetime.time(8, 30))
    webhook_url = models.URLField(
        _("group chat webhook"),
        max_length=500,
        blank=True,
        validators=[validate_webhook_url],
        help_text=_("Optional: a WeCom group robot address; the branch's digest is also posted there."),
    )
    # How often a self check-in ("我很好" on the retiree's own page) may stand in for a call: after
    # this many in a row the retiree is due for a call again (checkins.schedule.counted_reach).
    call_every_self_checkins = models.PositiveSmallIntegerField(
        _("a call at least every N self check-ins"),
        null=True,
        blank=True,
        help_text=_("Empty: a retiree's self check-ins always count as a contact."),
    )
    # Lists show branches by this number, then by name: 第一 … 第五 by their number (not by the
    # characters, which sort 第一, 第三, 第二), the named branches after them.
    order = models.PositiveSmallIntegerField(
        _("list order"),
        default=100,
        help_text=_("Branches are listed by this number, then by name: give a numbered branch its number."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        # The one place that orders branches: querysets of branches follow it, and other models'
        # lists order by "branch" (Django then uses these fields of the related branch).
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(call_every_self_checkins__isnull=True)
                | Q(call_every_self_checkins__gte=1, call_every_self_checkins__lte=100),
                name="branches_branch_call_every_self_checkins_range",
                violation_error_message=_("Between 1 and 100 self check-ins."),
            ),
            models.CheckConstraint(
                condition=Q(reminder_weekdays__gte=1, reminder_weekdays__lte=ALL_WEEKDAYS),
                name="branches_branch_reminder_weekdays_valid",
                violation_error_message=_("Choose at least one reminder day."),
            ),
        ]
        indexes = [
            # The first branches in this order without sorting them all: the registry's branch
            # filter (core.widgets.SelectOrSearch) reads at most 51 of a province's 10,000.
            models.Index(fields=["order", "name"], name="branches_branch_order_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("branches:detail", args=[self.pk])

    @property
    def reminder_weekday_list(self) -> list[int]:
        """The reminder days as Weekday values, Monday first."""
        return [day for day in Weekday.values if self.reminder_weekdays & day]

    def reminder_weekday_labels(self) -> list[str]:
        return [Weekday(day).label for day in self.reminder_weekday_list]
