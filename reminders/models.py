from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.db import choices_check


class HolidaySource(models.TextChoices):
    """Where a holiday-calendar row came from (module level: Holiday.Meta's constraint reads it)."""

    LIBRARY = "library", _("Statutory calendar")
    OFFICE = "office", _("Office exception")


class Holiday(models.Model):
    """A statutory holiday, or a make-up working day (调休) that falls on a weekend.

    The statutory calendar is copied from a library (`source` library, by
    `services.holidays_refresh`); the office adds its own exceptions (`source` office), which
    the refresh never overwrites: an office row on a date replaces the library's for that date.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day (调休)")

    Source = HolidaySource

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=50)
    # Rows entered before the library existed were typed in by the office: they stay theirs.
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.OFFICE)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "workday"]),
                name="reminders_holiday_kind_valid",
                violation_error_message=_("Unknown kind of day."),
            ),
            choices_check("source", HolidaySource.choices, "reminders_holiday_source_valid", _("Unknown source.")),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class ReminderKind(models.TextChoices):
    """What a reminder is (`Reminder.Kind`)."""

    BRANCH_DIGEST = "branch_digest", _("Branch check-in digest")
    OFFICE_DAILY = "office_daily", _("Office daily digest")
    BRANCH_CHAT = "branch_chat", _("Branch group chat digest")
    ALERT = "alert", _("Immediate alert")
    ALERT_CHAT = "alert_chat", _("Group chat alert")
    WEEKLY_REPORT = "weekly_report", _("Weekly report")


# Kinds by what they are about and where they go: the constraints below and the staleness rule
# (services.delivery_stale_at) read these, so a new kind is placed once, here.
DIGEST_KINDS = (ReminderKind.BRANCH_DIGEST, ReminderKind.OFFICE_DAILY, ReminderKind.BRANCH_CHAT)  # per day
ALERT_KINDS = (ReminderKind.ALERT, ReminderKind.ALERT_CHAT)  # per retiree and episode
CHAT_KINDS = (ReminderKind.BRANCH_CHAT, ReminderKind.ALERT_CHAT)  # to a branch's group chat, not a person
WEEKLY_KINDS = (ReminderKind.WEEKLY_REPORT,)  # per week: the period is the reported week's Monday


class Reminder(models.Model):
    """The claim of one reminder for one recipient (or one branch chat): a digest for one day, an
    immediate alert for one retiree and one episode (see checkins.signals), or the office's weekly
    report for one week.

    The database's unique constraints make the claim: whoever inserts the row first sends it,
    so two ticks, two beats, two senders of the same finding or a retried task never send twice.
    """

    Kind = ReminderKind

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # A digest's day; an alert's day is the local day it was raised.
    period = models.DateField(_("reminder day"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    branch = models.ForeignKey(
        "branches.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # An alert's retiree and episode (the cause and its row, e.g. "contact:1234"): with the
    # recipient or the chat's branch, the unique key of an alert.
    retiree = models.ForeignKey(
        "retirees.Retiree",
        verbose_name=_("retiree"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    episode = models.CharField(_("episode"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    # The message as rendered at claim time: every channel sends the same words.
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-period", "id"]
        constraints = [
            choices_check(
                "kind", ReminderKind.choices, "reminders_reminder_kind_valid", _("Unknown kind of reminder.")
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=CHAT_KINDS) & Q(recipient__isnull=True, branch__isnull=False))
                | (~Q(kind__in=CHAT_KINDS) & Q(recipient__isnull=False)),
                name="reminders_reminder_recipient_matches_kind",
                violation_error_message=_("A person's reminder needs a recipient; a group chat's needs a branch."),
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=ALERT_KINDS) & Q(retiree__isnull=False) & ~Q(episode=""))
                | (~Q(kind__in=ALERT_KINDS) & Q(retiree__isnull=True, episode="")),
                name="reminders_reminder_alert_has_episode",
                violation_error_message=_("An alert names its retiree and episode; a digest names neither."),
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"],
                condition=Q(kind__in=[ReminderKind.BRANCH_DIGEST, ReminderKind.OFFICE_DAILY]),
                name="reminders_reminder_once_per_recipient_period",
                violation_error_message=_("This reminder was already sent."),
            ),
            models.UniqueConstraint(
                fields=["branch", "kind", "period"],
                condition=Q(kind=ReminderKind.BRANCH_CHAT),
                name="reminders_reminder_once_per_branch_chat_period",
                violation_error_message=_("This reminder was already sent."),
            ),
            models.UniqueConstraint(
                fields=["recipient", "period"],
                condition=Q(kind=ReminderKind.WEEKLY_REPORT),
                name="reminders_reminder_weekly_report_once",
                violation_error_message=_("This reminder was already sent."),
            ),
            # Retiree and episode first: services.alert_raise looks up who has this alert already.
            models.UniqueConstraint(
                fields=["retiree", "episode", "recipient"],
                condition=Q(kind=ReminderKind.ALERT),
                name="reminders_reminder_alert_once_per_recipient",
                violation_error_message=_("This alert was already sent."),
            ),
            models.UniqueConstraint(
                fields=["retiree", "episode", "branch"],
                condition=Q(kind=ReminderKind.ALERT_CHAT),
                name="reminders_reminder_alert_once_per_branch_chat",
                violation_error_message=_("This alert was already sent."),
            ),
        ]

    def __str__(self):
        about = f" {self.episode}" if self.episode else ""
        return f"{self.get_kind_display()} {self.period:%Y-%m-%d}{about} {self.recipient or self.branch}"

    @property
    def is_alert(self) -> bool:
        return self.kind in ALERT_KINDS


class Notification(models.Model):
    """A message in a user's in-app notification centre (the bell)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    reminder = models.OneToOneField(
        Reminder,
        verbose_name=_("reminder"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell's unread count: WHERE recipient_id = ? AND read_at IS NULL.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="reminders_notif_unread"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reminders:detail", args=[self.pk])


class Delivery(models.Model):
    """One channel's delivery of a reminder, retried on its own with backoff.

    A row is pending until sent or given up. `next_attempt_at` is both the backoff and the lease:
    a worker takes a row by moving it forward with a conditional UPDATE, so a worker killed mid-send
    leaves the row to be taken again once the lease runs out.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Group chat webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Not sent in time: its content was out of date (see services.delivery_stale_at).
        EXPIRED = "expired", _("Expired")

    reminder = models.ForeignKey(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Why the last attempt failed, or why the delivery expired.
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel"],
                name="reminders_delivery_once_per_channel",
                violation_error_message=_("This channel already has a delivery."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "webhook"]) & Q(status__in=["pending", "sent", "failed", "expired"]),
                name="reminders_delivery_choices_valid",
                violation_error_message=_("Unknown channel or status."),
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="reminders_delivery_sent_at_iff_sent",
                violation_error_message=_("A sent delivery has a time, and only a sent one."),
            ),
        ]
        indexes = [
            # The tick's retry query: pending deliveries whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="reminders_delivery_due"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_status_display()}"
