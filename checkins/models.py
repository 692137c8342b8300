"""Check-ins: contact logs, the per-retiree schedule state, cadence policies, rounds and exemptions.

The check-in schedule itself (cadence, next due date, overdue) is not stored: it is computed in
the database by `checkins.schedule.with_schedule`, from the denormalised `CheckinState` that
`checkins.services.contact_log` keeps up to date in the same transaction as each contact.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import BranchScopedQuerySet
from core.db import ChecksInOneQuery, choices_check
from retirees.choices import AgeBand, CareLevel, Category

from .attention import attention_reason
from .choices import (
    EXEMPTION_MAX_DAYS,
    AttentionCause,
    AttentionStatus,
    Channel,
    CommunityStatus,
    Escalation,
    ExemptionReason,
    ExemptionStatus,
    HealthSeen,
    Outcome,
    Reached,
    RoundItem,
    RoundStatus,
)


class CheckinStateQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class CheckinState(ChecksInOneQuery, models.Model):
    """Where one retiree stands with check-ins, kept by the contact service (one row per retiree, once contacted).

    `cadence_override_days` is the care plan's override (一人一策), a term of the cadence
    resolution in `checkins.schedule.cadence_expression`. `attention_since` and `attention_until`
    are the span of the retiree's open attention episodes (`checkins.attention.attention_span`),
    kept by `checkins.services.attention_refresh`, so that the schedule reads attention from the
    row it already joins instead of a subquery repeated in every term that depends on the cadence.
    """

    retiree = models.OneToOneField(
        "retirees.Retiree",
        verbose_name=_("retiree"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="checkin_state",
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_reached_at = models.DateTimeField(_("last reached"), null=True, blank=True)
    last_reached_on = models.DateField(_("last reached on"), null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(_("contacts in a row that reached nobody"), default=0)
    unreachable_since = models.DateTimeField(_("unreachable since"), null=True, blank=True)
    cadence_override_days = models.PositiveSmallIntegerField(
        _("check-in cadence override (days)"),
        null=True,
        blank=True,
        help_text=_("Set by the care plan; empty to follow the branch policy or the default."),
    )
    # The care plan's say (一人一策): False when the retiree's self check-ins do not count for the
    # schedule (checkins.schedule.counted_reach). Copied from the plan like the cadence override.
    self_checkins_count = models.BooleanField(_("self check-ins count"), default=True)
    attention_since = models.DateField(_("under attention since"), null=True, blank=True)
    attention_until = models.DateField(
        _("attention ends on"), null=True, blank=True, help_text=_("Empty: until the cause is resolved or lifted.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CheckinStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in state")
        verbose_name_plural = _("check-in states")
        ordering = ["retiree_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_override_days__isnull=True)
                | Q(cadence_override_days__gte=1, cadence_override_days__lte=365),
                name="checkins_checkinstate_cadence_override_range",
                violation_error_message=_("A cadence is between 1 and 365 days."),
            ),
            models.CheckConstraint(
                condition=Q(last_reached_at__isnull=True, last_reached_on__isnull=True)
                | Q(last_reached_at__isnull=False, last_reached_on__isnull=False),
                name="checkins_checkinstate_reached_date_with_time",
                violation_error_message=_("The last reached date goes with its time."),
            ),
            models.CheckConstraint(
                condition=Q(attention_until__isnull=True) | Q(attention_since__isnull=False),
                name="checkins_checkinstate_attention_end_with_start",
                violation_error_message=_("Attention cannot end without having started."),
            ),
        ]
        indexes = [
            # The unreachable list on the dashboard.
            models.Index(
                fields=["unreachable_since"],
                name="checkins_state_unreachable",
                condition=Q(unreachable_since__isnull=False),
            ),
            # checkins.selectors.escalations: the most failures first, read in index order and
            # stopped after the page (instead of joining every retiree who has a failure).
            models.Index(
                fields=["-consecutive_failures"],
                name="checkins_state_failures",
                condition=Q(consecutive_failures__gt=0),
            ),
        ]

    def __str__(self):
        return str(self.retiree)

    @property
    def escalation(self) -> Escalation:
        return escalation_for(self.consecutive_failures)


def escalation_for(consecutive_failures: int | None) -> Escalation:
    """The step of the escalation ladder after `consecutive_failures` contacts that reached nobody."""
    return Escalation(min(consecutive_failures or 0, Escalation.OFFICE))


class ContactLogQuerySet(BranchScopedQuerySet):
    # Scoped through the retiree's current branch, so that the history moves with a retiree who
    # changes branch, and open follow-ups with it (handover).
    branch_path = "retiree__branch"

    def reached(self):
        return self.exclude(reached=Reached.NOBODY)

    def open_follow_ups(self):
        return self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)


class ContactLog(ChecksInOneQuery, models.Model):
    """One attempt to reach a retiree: who, when, how, whom it reached and what was learnt."""

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="contact_logs"
    )
    # Empty only for the retiree's own self check-in (Channel.SELF_CHECKIN), which nobody logged.
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contacted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contacted_at = models.DateTimeField(_("contacted at"))
    # The Asia/Shanghai calendar date of contacted_at, set by the service: coverage counts by date.
    contacted_on = models.DateField(_("contact date"), editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    reached = models.CharField(_("reached"), max_length=16, choices=Reached.choices, default=Reached.RETIREE)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.ALL_WELL)
    health_seen = models.CharField(_("health"), max_length=16, choices=HealthSeen.choices, blank=True)
    community_status = models.CharField(
        _("community epidemic status"), max_length=16, choices=CommunityStatus.choices, blank=True
    )
    checked_vaccination = models.BooleanField(_("vaccination checked"), default=False)
    checked_testing = models.BooleanField(_("testing checked"), default=False)
    needs = models.CharField(_("needs"), max_length=200, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ContactLogQuerySet.as_manager()
    history = HistoricalRecords()  # who changed a logged contact, before and after

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact logs")
        ordering = ["-contacted_at", "-id"]
        constraints = [
            choices_check("channel", Channel.choices, "checkins_contactlog_channel_valid", _("Unknown channel.")),
            choices_check(
                "reached", Reached.choices, "checkins_contactlog_reached_valid", _("Unknown person reached.")
            ),
            choices_check("outcome", Outcome.choices, "checkins_contactlog_outcome_valid", _("Unknown outcome.")),
            choices_check(
                "health_seen", HealthSeen.choices, "checkins_contactlog_health_valid", _("Unknown health state.")
            ),
            choices_check(
                "community_status",
                CommunityStatus.choices,
                "checkins_contactlog_community_valid",
                _("Unknown community status."),
            ),
            models.CheckConstraint(
                condition=(Q(reached=Reached.NOBODY) & Q(outcome=Outcome.NOT_REACHED))
                | (~Q(reached=Reached.NOBODY) & ~Q(outcome=Outcome.NOT_REACHED)),
                name="checkins_contactlog_outcome_matches_reached",
                violation_error_message=_(
                    "“Not reached” is the outcome of a contact that reached nobody, and only of one."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(channel=Channel.SELF_CHECKIN) & Q(contacted_by__isnull=True) & Q(reached=Reached.RETIREE))
                | (~Q(channel=Channel.SELF_CHECKIN) & Q(contacted_by__isnull=False)),
                name="checkins_contactlog_self_checkin_by_nobody",
                violation_error_message=_(
                    "A self check-in is the retiree's own and names no worker; any other contact names who made it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=F("contacted_on")),
                name="checkins_contactlog_follow_up_after_contact",
                violation_error_message=_("The follow-up date cannot be before the contact."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done_at__isnull=True) | Q(follow_up_on__isnull=False),
                name="checkins_contactlog_done_needs_follow_up",
                violation_error_message=_("Only a follow-up can be marked done."),
            ),
        ]
        indexes = [
            # The timeline on the retiree page and the "last contact" subquery of the call list.
            models.Index(fields=["retiree", "-contacted_at"], name="checkins_contact_retiree"),
            # Coverage: weekly_coverage and round coverage look up reached contacts by date.
            models.Index(
                fields=["contacted_on", "retiree"],
                name="checkins_contact_reached_on",
                condition=~Q(reached=Reached.NOBODY),
            ),
            # Open follow-ups on the call list.
            models.Index(
                fields=["follow_up_on"],
                name="checkins_contact_follow_up",
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
            ),
            # A retiree's open follow-ups: the call list's "next follow-up" per row and the
            # digests' follow-ups of a wave's branches, one probe each instead of reading every
            # contact of the retiree (50 a retiree in the benchmark's city).
            models.Index(
                fields=["retiree", "follow_up_on"],
                name="checkins_contact_open_fu",
                condition=Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.contacted_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("retirees:detail", args=[self.retiree_id]) + f"#contact-{self.pk}"

    @property
    def is_self_checkin(self) -> bool:
        return self.channel == Channel.SELF_CHECKIN

    @property
    def counts_towards_coverage(self) -> bool:
        return self.reached != Reached.NOBODY

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_on is not None and self.follow_up_done_at is None


class CadencePolicyQuerySet(BranchScopedQuerySet):
    branch_path = "branch"


class CadencePolicy(models.Model):
    """How often retirees matching a rule are called. A rule without a branch applies office-wide.

    An empty criterion matches anybody. Resolution (in `checkins.schedule.cadence_expression`):
    care plan override > this branch's rules > office-wide rules > built-in default; among the
    rules of one level the most specific wins, then the shortest cadence.
    """

    branch = models.ForeignKey(
        "branches.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cadence_policies",
        help_text=_("Empty: applies to every branch that has no rule of its own for these retirees."),
    )
    category = models.CharField(_("category"), max_length=8, choices=Category.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    care_level = models.CharField(_("care level"), max_length=20, choices=CareLevel.choices, blank=True)
    cadence_days = models.PositiveSmallIntegerField(_("call every (days)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CadencePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadence policy")
        verbose_name_plural = _("cadence policies")
        ordering = ["branch__name", "category", "age_band", "care_level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_days__gte=1, cadence_days__lte=365),
                name="checkins_cadencepolicy_cadence_range",
                violation_error_message=_("A cadence is between 1 and 365 days."),
            ),
            choices_check(
                "category",
                [("", ""), *Category.choices],
                "checkins_cadencepolicy_category_valid",
                _("Unknown category."),
            ),
            choices_check(
                "age_band",
                [("", ""), *AgeBand.choices],
                "checkins_cadencepolicy_age_band_valid",
                _("Unknown age band."),
            ),
            choices_check(
                "care_level",
                [("", ""), *CareLevel.choices],
                "checkins_cadencepolicy_care_level_valid",
                _("Unknown care level."),
            ),
            models.UniqueConstraint(
                fields=["branch", "category", "age_band", "care_level"],
                condition=Q(branch__isnull=False),
                name="checkins_cadencepolicy_unique_branch_rule",
                violation_error_message=_("This branch already has a rule for these retirees."),
            ),
            models.UniqueConstraint(
                fields=["category", "age_band", "care_level"],
                condition=Q(branch__isnull=True),
                name="checkins_cadencepolicy_unique_office_rule",
                violation_error_message=_("There is already an office-wide rule for these retirees."),
            ),
        ]

    def __str__(self):
        return f"{self.branch or _('All branches')} · {self.criteria_label()} · {self.cadence_days}"

    def criteria_label(self) -> str:
        parts = [
            self.get_category_display() if self.category else "",
            self.get_age_band_display() if self.age_band else "",
            self.get_care_level_display() if self.care_level else "",
        ]
        return " · ".join(part for part in parts if part) or str(_("Everybody"))


@dataclass(frozen=True)
class RoundItemRule:
    """How one item a round may ask to verify is asked for, answered and confirmed unchanged."""

    flag: str  # the CheckinRound field that asks for it
    contact_field: str  # the ContactLog field (and contact form field) whose answer it is
    answered: Q  # a ContactLog that answered it
    confirmed: str  # the RoundVerification field that confirms it unchanged


# The one table of the round items: the rounds, their counts, the one-tap confirmation and the
# contact form's notice all read it (see `checkins.selectors.round_retirees` for the rule).
ROUND_ITEMS = {
    RoundItem.HEALTH: RoundItemRule("verify_health", "health_seen", ~Q(health_seen=""), "health"),
    RoundItem.VACCINATION: RoundItemRule(
        "verify_vaccination", "checked_vaccination", Q(checked_vaccination=True), "vaccination"
    ),
    RoundItem.TESTING: RoundItemRule("verify_testing", "checked_testing", Q(checked_testing=True), "testing"),
    RoundItem.COMMUNITY: RoundItemRule("verify_community", "community_status", ~Q(community_status=""), "community"),
}


class CheckinRoundQuerySet(BranchScopedQuerySet):
    # The branches in scope are always listed (all active branches when the round covers all).
    branch_path = "branches"

    def running_on(self, day: datetime.date):
        """Rounds under way on `day`: open, with `day` inside the window (see CheckinRound.runs_on)."""
        return self.filter(status=RoundStatus.OPEN, starts_on__lte=day, ends_on__gte=day)


class CheckinRound(models.Model):
    """A check-in campaign (摸排) with a window and a scope; coverage = reached inside the window.

    The scope is the active retirees of `branches` (every active branch, listed, when
    `all_branches`), narrowed to those living in `areas` when any are chosen (东家属区, 北家属区).
    """

    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    all_branches = models.BooleanField(_("all branches"), default=True)
    branches = models.ManyToManyField("branches.Branch", verbose_name=_("branches"), related_name="+", blank=True)
    areas = models.ManyToManyField("retirees.Area", verbose_name=_("residence areas"), related_name="+", blank=True)
    verify_health = models.BooleanField(_("verify health"), default=True)
    verify_vaccination = models.BooleanField(_("verify vaccination"), default=False)
    verify_testing = models.BooleanField(_("verify testing"), default=False)
    verify_community = models.BooleanField(_("verify community status"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)
    # Per-branch counts frozen when the round is closed, so that the printed summary never changes.
    closing_counts = models.JSONField(_("counts at closing"), null=True, blank=True, editable=False)

    objects = CheckinRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in round")
        verbose_name_plural = _("check-in rounds")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="checkins_checkinround_window_order",
                violation_error_message=_("The round cannot end before it starts."),
            ),
            choices_check("status", RoundStatus.choices, "checkins_checkinround_status_valid", _("Unknown status.")),
            models.CheckConstraint(
                condition=(Q(status=RoundStatus.CLOSED) & Q(closed_at__isnull=False))
                | (Q(status=RoundStatus.OPEN) & Q(closed_at__isnull=True)),
                name="checkins_checkinround_closed_at_iff_closed",
                violation_error_message=_("A closed round has a closing time, and only a closed one."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="checkins_checkinround_title_required",
                violation_error_message=_("A round needs a title."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("checkins:round_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def runs_on(self, day: datetime.date) -> bool:
        """Open with `day` inside its window (the rule of `CheckinRoundQuerySet.running_on`, for one round)."""
        return self.status == RoundStatus.OPEN and self.starts_on <= day <= self.ends_on

    def required_items(self) -> list[RoundItem]:
        """The items this round asks to verify for every retiree, in a fixed order (no query)."""
        return [item for item, rule in ROUND_ITEMS.items() if getattr(self, rule.flag)]

    def area_labels(self) -> list[str]:
        """The areas the round is narrowed to (reads `areas`: prefetch it for a list)."""
        return [str(area) for area in self.areas.all()]

    def verify_labels(self) -> list[str]:
        return [item.label for item in self.required_items()]


class RoundVerificationQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"


class RoundVerification(models.Model):
    """Round items confirmed unchanged for one retiree, in one tap (摸排: "核实无变化").

    A round asks every retiree's health, vaccination, test or community status. A secretary who
    has just reached a retiree and heard that nothing has changed confirms the items the round's
    contacts have not answered yet, instead of filling in the contact form again. The row says who
    confirmed which items and when; its history keeps every change.

    Why a row of its own, one per (round, retiree), rather than a contact log flagged as a
    confirmation: a confirmation is not a call. It follows the call already logged (usually the
    quick "reached, all well"); as a second contact log it would count a call that never happened
    (the schedule, the weekly chart, the call list's "last contact"), and as a flag on the logged
    contact it would rewrite what that call recorded. It also belongs to one round, which a
    contact does not know (rounds can overlap). And the unique (round, retiree) pair makes a double
    tap one confirmation by construction. Written only by `checkins.services.round_verification_confirm`.
    """

    checkin_round = models.ForeignKey(
        CheckinRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="verifications"
    )
    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="round_verifications"
    )
    health = models.BooleanField(_("health unchanged"), default=False)
    vaccination = models.BooleanField(_("vaccination unchanged"), default=False)
    testing = models.BooleanField(_("testing unchanged"), default=False)
    community = models.BooleanField(_("community status unchanged"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))

    objects = RoundVerificationQuerySet.as_manager()
    history = HistoricalRecords()  # who confirmed what, and every later change

    class Meta:
        verbose_name = _("round verification")
        verbose_name_plural = _("round verifications")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin_round", "retiree"],
                name="checkins_roundverification_once_per_round",
                violation_error_message=_("This retiree's items are already confirmed for this round."),
            ),
            models.CheckConstraint(
                condition=Q(health=True) | Q(vaccination=True) | Q(testing=True) | Q(community=True),
                name="checkins_roundverification_confirms_something",
                violation_error_message=_("A confirmation confirms at least one item."),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.checkin_round}"

    def get_absolute_url(self):
        return reverse("checkins:round_detail", args=[self.checkin_round_id])

    def confirmed_items(self) -> list[RoundItem]:
        return [item for item, rule in ROUND_ITEMS.items() if getattr(self, rule.confirmed)]


class ExemptionQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def in_force(self):
        """Exemptions that exempt anybody at all: approved and not revoked. Every count of the
        exempt (the schedule, rounds, the dashboard) starts here, so a request awaiting approval
        or refused never exempts anyone."""
        return self.filter(status=ExemptionStatus.APPROVED, revoked_at__isnull=True)

    def active_on(self, day):
        """Exemptions in force on `day` (approved, not revoked, a window that contains it)."""
        return self.in_force().filter(starts_on__lte=day, ends_on__gte=day)

    def pending(self):
        """Requests awaiting an office worker's decision, oldest first."""
        return self.filter(status=ExemptionStatus.PENDING).order_by("requested_at", "id")


class Exemption(ChecksInOneQuery, models.Model):
    """A retiree who cannot be reached for a known reason, for a window or for one round.

    A branch secretary or an office worker requests it; another office worker approves or refuses
    it (`checkins.services.exemption_request` / `exemption_decide`). Only an approved exemption
    counts: exempt retirees count as covered (reached + exempt = all) but are always listed apart.
    """

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="checkin_exemptions"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=ExemptionReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    round = models.ForeignKey(
        CheckinRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemptions",
        help_text=_("Empty: exempt from the regular schedule for the dates given."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(
        _("reason for the decision"),
        max_length=200,
        blank=True,
        help_text=_("Required when the request is refused."),
    )
    legacy_grant = models.BooleanField(
        _("granted before approvals"),
        default=False,
        editable=False,
        help_text=_("Recorded by one office worker before requests needed another's approval (migrated rows only)."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="checkins_exemption_window_order",
                violation_error_message=_("An exemption cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(legacy_grant=True)
                | Q(ends_on__lt=F("starts_on") + datetime.timedelta(days=EXEMPTION_MAX_DAYS)),
                name="checkins_exemption_window_length",
                violation_error_message=format_lazy(
                    _("An exemption covers at most {days} days; request a new one after that."),
                    days=EXEMPTION_MAX_DAYS,
                ),
            ),
            choices_check(
                "reason", ExemptionReason.choices, "checkins_exemption_reason_valid", _("Unknown exemption reason.")
            ),
            choices_check(
                "status", ExemptionStatus.choices, "checkins_exemption_status_valid", _("Unknown exemption status.")
            ),
            # Who decided and when are there exactly when the request was decided.
            models.CheckConstraint(
                condition=Q(status=ExemptionStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                | Q(
                    status__in=[ExemptionStatus.APPROVED, ExemptionStatus.REFUSED],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="checkins_exemption_decided_when_decided",
                violation_error_message=_("A decided request names who decided it and when; a pending one does not."),
            ),
            # Two people: the one who asks is never the one who decides.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")) | Q(legacy_grant=True),
                name="checkins_exemption_decider_not_requester",
                violation_error_message=_(
                    "You cannot decide your own request: another office worker approves or refuses it."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=ExemptionStatus.REFUSED) | ~Q(decision_note=""),
                name="checkins_exemption_refusal_has_reason",
                violation_error_message=_("Say why the request is refused."),
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("requested_at")),
                name="checkins_exemption_decided_after_requested",
                violation_error_message=_("A request cannot be decided before it was made."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(status=ExemptionStatus.APPROVED),
                name="checkins_exemption_revoked_only_when_approved",
                violation_error_message=_("Only an approved exemption can be ended."),
            ),
            models.CheckConstraint(
                condition=Q(legacy_grant=False) | Q(status=ExemptionStatus.APPROVED),
                name="checkins_exemption_legacy_approved",
                violation_error_message=_("Only an exemption recorded before approvals can skip them."),
            ),
            # A double tap, or two workers asking at once, make one request, not two.
            models.UniqueConstraint(
                fields=["retiree"],
                condition=Q(status=ExemptionStatus.PENDING),
                name="checkins_exemption_one_pending",
                violation_error_message=_("This retiree already has an exemption request awaiting approval."),
            ),
        ]
        indexes = [
            # with_schedule's "exempt today" subquery (ExemptionQuerySet.active_on).
            models.Index(
                fields=["retiree", "ends_on"],
                condition=Q(status=ExemptionStatus.APPROVED, revoked_at__isnull=True),
                name="checkins_exemption_retiree",
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.get_reason_display()}"

    def get_absolute_url(self):
        return reverse("retirees:detail", args=[self.retiree_id])

    @property
    def is_pending(self) -> bool:
        return self.status == ExemptionStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == ExemptionStatus.APPROVED


class WeeklyReachQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"  # the retiree's current branch, as for contacts (handover)


class WeeklyReach(models.Model):
    """A retiree reached at least once in a week (Monday to Sunday, Asia/Shanghai): one row per pair.

    The weekly coverage chart counts these rows instead of the distinct retirees among every
    contact of twelve weeks. `checkins.services.weekly_reach_refresh` keeps them in step with the
    contact logs, in the same transaction as each contact written or removed; the retiree's
    current branch and status are joined when counting, so moving a retiree needs no update here.
    """

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(_("week of"))

    objects = WeeklyReachQuerySet.as_manager()

    class Meta:
        verbose_name = _("week reached")
        verbose_name_plural = _("weeks reached")
        ordering = ["week", "retiree_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["retiree", "week"],
                name="checkins_weeklyreach_unique",
                violation_error_message=_("This retiree is already counted as reached in this week."),
            ),
        ]
        indexes = [
            # weekly_coverage: the rows of the last twelve weeks, counted per week (index-only).
            models.Index(fields=["week", "retiree"], name="checkins_weeklyreach_week"),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.week:%Y-%m-%d}"


class AttentionEpisodeQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def active_on(self, day):
        """Episodes that hold the retiree under attention on `day`: open, and not past their own end."""
        return self.filter(status=AttentionStatus.OPEN).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))


class AttentionEpisode(ChecksInOneQuery, models.Model):
    """One spell of attention (重点关注) for one cause: opened by a row, resolved by the facts or lifted by a person.

    The rule (which facts open and end which cause) is `checkins.attention`; the episodes are
    kept by `checkins.services.attention_refresh` in the transaction that writes the facts, and
    lifted by `attention_lift`. `cause` and `source_id` name the row that opened it (an exposure
    event, a test, a health record or a contact): `episode` ("exposure:42") is the stable identity
    that alerts are keyed on. A lifted episode stays, so that the same cause seen again does not
    open another (one open or lifted episode per cause row, unique in the database).
    """

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="attention_episodes"
    )
    cause = models.CharField(_("cause"), max_length=16, choices=AttentionCause.choices)
    source_id = models.PositiveBigIntegerField(_("opened by record"))
    # The exposure kind, test result, health condition or contact outcome (the cause's own choices).
    detail = models.CharField(_("detail"), max_length=24)
    since = models.DateField(_("since"))
    expires_on = models.DateField(_("ends by itself on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AttentionStatus.choices, default=AttentionStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    objects = AttentionEpisodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("attention episode")
        verbose_name_plural = _("attention episodes")
        ordering = ["-opened_at", "-id"]
        constraints = [
            choices_check(
                "cause", AttentionCause.choices, "checkins_attentionepisode_cause_valid", _("Unknown cause.")
            ),
            choices_check(
                "status", AttentionStatus.choices, "checkins_attentionepisode_status_valid", _("Unknown status.")
            ),
            models.CheckConstraint(
                condition=(Q(status=AttentionStatus.OPEN) & Q(closed_at__isnull=True))
                | (~Q(status=AttentionStatus.OPEN) & Q(closed_at__isnull=False)),
                name="checkins_attentionepisode_closed_at_iff_closed",
                violation_error_message=_("An ended episode has its end time, and only an ended one."),
            ),
            # Who lifted it, always. The reason is required when lifting (the service), but it is
            # free text about the person: anonymising the retiree erases it, as it erases notes.
            models.CheckConstraint(
                condition=~Q(status=AttentionStatus.LIFTED) | Q(lifted_by__isnull=False),
                name="checkins_attentionepisode_lift_has_who",
                violation_error_message=_("Lifting attention needs who lifted it."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("since")),
                name="checkins_attentionepisode_expires_after_start",
                violation_error_message=_("Attention cannot end before it starts."),
            ),
            # Also the index of the call list's "why" subquery (the open episodes of a retiree).
            models.UniqueConstraint(
                fields=["retiree", "cause", "source_id"],
                condition=Q(status__in=[AttentionStatus.OPEN, AttentionStatus.LIFTED]),
                name="checkins_attentionepisode_one_per_cause_row",
                violation_error_message=_("This cause already has an open or lifted episode."),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.reason}"

    def get_absolute_url(self):
        return reverse("retirees:detail", args=[self.retiree_id]) + "#attention"

    @property
    def episode(self) -> str:
        """The stable identity alerts are keyed on: the cause and the row that opened it."""
        return f"{self.cause}:{self.source_id}"

    @property
    def reason(self):
        return attention_reason(self.cause, self.detail)

    def is_active_on(self, day) -> bool:
        """The Python form of `AttentionEpisode.objects.active_on(day)`."""
        return self.status == AttentionStatus.OPEN and (self.expires_on is None or self.expires_on > day)

    @property
    def ended_on(self):
        """The day it ended: lifted or resolved, or its own end (a positive test's days ran out)."""
        if self.closed_at is not None:
            day = timezone.localdate(self.closed_at)
            return min(day, self.expires_on) if self.expires_on else day
        return self.expires_on


class CallbackRequestQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def open(self):
        return self.filter(answered_at__isnull=True)


class CallbackRequest(models.Model):
    """ "请给我回电话": a retiree (or family on their behalf) asked, from their own page, to be called.

    Open until a worker logs a contact that reached somebody (`checkins.services.contact_log`
    answers it in the same transaction); while open the retiree sits at the top of the branch's
    call list with the reason. One open request per retiree: asking again keeps the first.
    """

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.CASCADE, related_name="callback_requests"
    )
    requested_at = models.DateTimeField(_("asked at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "checkins.ContactLog",
        verbose_name=_("answered by the contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CallbackRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["retiree"],
                condition=Q(answered_at__isnull=True),
                name="checkins_callbackrequest_one_open",
                violation_error_message=_("This retiree has already asked for a call back."),
            ),
            models.CheckConstraint(
                condition=Q(answered_by__isnull=True) | Q(answered_at__isnull=False),
                name="checkins_callbackrequest_answer_has_time",
                violation_error_message=_("An answered request has the time it was answered."),
            ),
        ]
        # The one-open constraint's index also serves the call list's "asked for a call back"
        # subquery (open requests by retiree).

    def __str__(self):
        return f"{self.retiree} · {self.requested_at:%Y-%m-%d %H:%M}"


class CoverageChange(models.Model):
    """A transaction that changed something a branch's coverage counts read (PostgreSQL).

    Written by database triggers (migration `checkins 0014`) on every write to the rows the
    counts read: a retiree's status, branch or cadence criteria, their check-in state,
    exemptions, call-back requests, weeks reached, and the cadence rules (an office-wide rule:
    every branch). Triggers rather than the services, so that imports, the admin, bulk updates
    and SQL by hand cannot leave the counts behind. Only inserted, one row per branch and
    transaction, so writers never wait for each other here; `checkins.coverage` compares the
    transaction id with the snapshot a kept count was made under, and deletes the rows a kept
    count has taken in.
    """

    branch = models.ForeignKey("branches.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    xid = models.BigIntegerField(_("transaction"))

    class Meta:
        verbose_name = _("coverage change")
        verbose_name_plural = _("coverage changes")
        constraints = [models.UniqueConstraint(fields=["branch", "xid"], name="checkins_coveragechange_unique")]

    def __str__(self):
        return f"{self.branch_id} @ {self.xid}"


class BranchCoverage(models.Model):
    """One branch's coverage counts for one day, as `checkins.coverage` last computed them.

    Valid while `day` is today, `rules` is the current rules' fingerprint and every change of the
    branch (CoverageChange) was committed before `snapshot` (PostgreSQL's pg_snapshot, as text,
    taken just before counting, at `taken_at`); otherwise computed again by the same
    `with_schedule` query the live counts use. One column for each of
    `checkins.selectors.COUNT_FIELDS`, `percent` as `selectors._with_percent` makes it (what the
    dashboard orders by), and `weekly` the active retirees reached in each of the 12 weeks of that
    day's chart, oldest first: plain columns, so that the dashboard's totals, chart and page of
    branches are sums and an ORDER BY in SQL, however many branches there are.
    """

    branch = models.OneToOneField(
        "branches.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    day = models.DateField(_("day"))
    rules = models.CharField(_("rules fingerprint"), max_length=64)
    snapshot = models.TextField(_("snapshot"))
    taken_at = models.DateTimeField(_("counted at"))
    total = models.IntegerField(_("Retirees"))
    covered = models.IntegerField(_("Reached this cycle"))
    exempt = models.IntegerField(_("Exempt"))
    due = models.IntegerField(_("Due today"))
    overdue = models.IntegerField(_("Overdue"))
    unreachable = models.IntegerField(_("Unreachable"))
    attention = models.IntegerField(_("Under attention"))
    # The call list's sections (selectors.section_counts).
    section_callback = models.IntegerField(_("call-back section"))
    section_attention = models.IntegerField(_("attention section"))
    section_overdue = models.IntegerField(_("overdue section"))
    section_due = models.IntegerField(_("due section"))
    section_covered = models.IntegerField(_("reached section"))
    section_exempt = models.IntegerField(_("exempt section"))
    percent = models.SmallIntegerField(_("Coverage"))
    # integer[] (PostgreSQL, the only database where rows are kept).
    weekly = ArrayField(models.IntegerField(), verbose_name=_("weeks reached"))

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch coverage")
        verbose_name_plural = _("branch coverage")

    def __str__(self):
        return f"{self.branch_id} · {self.day}"


class CallDue(models.Model):
    """Where one active retiree stands in the office's call list today: the list's sort key, as
    `checkins.call_order` kept it with its branch's coverage counts.

    Written and valid together with the branch's `BranchCoverage` row (the branch's rows are
    replaced whenever its counts are kept), so that the office's list over every branch is read
    in order from the index below instead of computing every retiree's schedule to find one page.
    """

    pk = models.CompositePrimaryKey("branch", "retiree")
    # No foreign key constraints: a branch's rows are replaced by the thousand (a million at the
    # first count of the day), each checked at the commit otherwise. A branch deleted takes its
    # rows with it (Django's cascade; a branch with retirees cannot be deleted); a retiree deleted
    # leaves theirs until the branch is counted again (the coverage triggers make it stale), as
    # a retiree leaving active status does. Both are indexed by the primary key and the order's index.
    branch = models.ForeignKey(
        "branches.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    retiree = models.ForeignKey(
        "retirees.Retiree",
        verbose_name=_("retiree"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    callback_at = models.DateTimeField(_("call back asked at"), null=True)
    attention = models.BooleanField(_("under attention"))
    urgency = models.SmallIntegerField(_("urgency"))
    next_due_on = models.DateField(_("next due on"), null=True)
    name_pinyin = models.CharField(_("pinyin"), max_length=200)

    class Meta:
        verbose_name = _("call list place")
        verbose_name_plural = _("call list places")
        indexes = [
            # The call list's ORDER BY (checkins.call_order.sort_key), in the same directions; built on
            # PostgreSQL only (migration 0015): SQLite keeps no call order and cannot build it.
            models.Index(
                F("callback_at").asc(nulls_last=True),
                F("attention").desc(),
                F("urgency").asc(),
                F("next_due_on").asc(nulls_first=True),
                F("name_pinyin").asc(),
                F("retiree").asc(),
                name="checkins_calldue_order",
            ),
        ]

    def __str__(self):
        return f"{self.branch_id}/{self.retiree_id}"
