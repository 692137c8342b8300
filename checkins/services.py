"""Writes for check-ins. Views, forms, the admin and tasks call these; each runs in a transaction."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import locked_in_scope, require_office
from branches.models import Branch
from retirees.choices import Status
from retirees.models import Retiree

from . import selectors
from .choices import Channel, Outcome, Reached, RoundStatus
from .models import CadencePolicy, CheckinRound, CheckinState, ContactLog, Exemption, WeeklyReach


def unreachable_after() -> int:
    """Consecutive contacts that reached nobody before a retiree is flagged unreachable (setting, default 3)."""
    return getattr(settings, "OUTREACH_UNREACHABLE_AFTER", 3)


@transaction.atomic
def contact_log(
    *,
    user,
    retiree: Retiree,
    contacted_at: datetime.datetime | None = None,
    channel: str = Channel.PHONE,
    reached: str = Reached.RETIREE,
    outcome: str | None = None,
    health_seen: str = "",
    community_status: str = "",
    checked_vaccination: bool = False,
    checked_testing: bool = False,
    needs: str = "",
    follow_up_on: datetime.date | None = None,
    notes: str = "",
) -> ContactLog:
    """Record one contact and update the retiree's check-in state, all or nothing.

    Raises PermissionDenied for a retiree outside the user's scope, ValidationError (by field) for
    a contact in the future, a follow-up before the contact, an outcome that contradicts whom it
    reached, or a retiree who is no longer active. `outcome` defaults from `reached`.
    """
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    now = timezone.now()
    contacted_at = contacted_at or now
    if outcome is None:
        outcome = Outcome.NOT_REACHED if reached == Reached.NOBODY else Outcome.ALL_WELL
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Contacts are only logged for active retirees."))
    if contacted_at > now:
        raise ValidationError({"contacted_at": _("A contact cannot be in the future.")})
    log = ContactLog(
        retiree=retiree,
        contacted_by=user,
        contacted_at=contacted_at,
        contacted_on=timezone.localdate(contacted_at),
        channel=channel,
        reached=reached,
        outcome=outcome,
        health_seen=health_seen,
        community_status=community_status,
        checked_vaccination=checked_vaccination,
        checked_testing=checked_testing,
        needs=needs,
        follow_up_on=follow_up_on,
        notes=notes,
    )
    log.full_clean(exclude=["contacted_by"])
    log.save()
    checkin_state_refresh(retiree=retiree, now=now)
    if log.counts_towards_coverage:
        weekly_reach_refresh(retiree=retiree, days=[log.contacted_on])
    return log


@transaction.atomic
def contact_log_delete(*, contact: ContactLog) -> None:
    """Remove a contact logged by mistake (the admin's delete) and recompute what it counted for."""
    retiree = Retiree.objects.select_for_update().get(pk=contact.retiree_id)
    day = contact.contacted_on
    ContactLog.objects.filter(pk=contact.pk).delete()
    checkin_state_refresh(retiree=retiree)
    weekly_reach_refresh(retiree=retiree, days=[day])


def week_of(day: datetime.date) -> datetime.date:
    """The Monday that names the week of `day` (weeks run Monday to Sunday)."""
    return day - datetime.timedelta(days=day.weekday())


def weekly_reach_refresh(*, retiree: Retiree, days: list[datetime.date]) -> None:
    """Make the retiree's WeeklyReach rows for the weeks of `days` match their contacts (call in a transaction).

    A week has its row exactly when a contact of the retiree in that week reached somebody. One
    or two queries per week; the contact log's (retiree, -contacted_at) index answers the check.
    """
    for week in sorted({week_of(day) for day in days}):
        reached = (
            ContactLog.objects.reached()
            .filter(retiree=retiree, contacted_on__gte=week, contacted_on__lte=week + datetime.timedelta(days=6))
            .exists()
        )
        if reached:
            WeeklyReach.objects.bulk_create([WeeklyReach(retiree=retiree, week=week)], ignore_conflicts=True)
        else:
            WeeklyReach.objects.filter(retiree=retiree, week=week).delete()


@transaction.atomic
def weekly_reach_backfill(*, retiree_ids: list[int] | None = None) -> int:
    """Add the WeeklyReach rows that the contacts of `retiree_ids` (default: everybody) call for.

    For contacts written in bulk, which skip `contact_log` (the demo loader): the same rule as
    `weekly_reach_refresh`, a row per retiree and week with a contact that reached somebody, in
    two queries. Rows already there are kept; returns how many (retiree, week) pairs the contacts give.
    """
    reached = ContactLog.objects.reached().order_by()
    if retiree_ids is not None:
        reached = reached.filter(retiree_id__in=retiree_ids)
    pairs = {(retiree_id, week_of(day)) for retiree_id, day in reached.values_list("retiree_id", "contacted_on")}
    WeeklyReach.objects.bulk_create(
        [WeeklyReach(retiree_id=retiree_id, week=week) for retiree_id, week in sorted(pairs)],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(pairs)


def checkin_state_refresh(*, retiree: Retiree, now: datetime.datetime | None = None) -> CheckinState:
    """Recompute the retiree's denormalised state from their contacts (three queries; call in a transaction).

    Safe with contacts logged out of order: the latest reached contact wins, and the failures are
    the contacts after it that reached nobody.
    """
    now = now or timezone.now()
    state, _created = CheckinState.objects.select_for_update().get_or_create(retiree=retiree)
    contacts = ContactLog.objects.filter(retiree=retiree)
    latest = contacts.order_by("-contacted_at", "-id").values_list("contacted_at", flat=True).first()
    last_reached = contacts.reached().order_by("-contacted_at", "-id").values_list("contacted_at", flat=True).first()
    failures = contacts.filter(reached=Reached.NOBODY)
    if last_reached is not None:
        failures = failures.filter(contacted_at__gt=last_reached)
    state.last_contact_at = latest
    state.last_reached_at = last_reached
    state.last_reached_on = timezone.localdate(last_reached) if last_reached else None
    state.consecutive_failures = min(failures.count(), 32767)
    if state.consecutive_failures >= unreachable_after():
        state.unreachable_since = state.unreachable_since or now
    else:
        state.unreachable_since = None
    state.save()
    return state


@transaction.atomic
def contact_follow_up_close(*, user, contact: ContactLog) -> ContactLog:
    """Mark a contact's follow-up as done (idempotent)."""
    contact = locked_in_scope(ContactLog, user, contact.pk)
    if contact.follow_up_on is None:
        raise ValidationError(_("This contact has no follow-up."))
    if contact.follow_up_done_at is None:
        contact.follow_up_done_at = timezone.now()
        contact.save(update_fields=["follow_up_done_at"])
    return contact


@transaction.atomic
def checkin_state_set_cadence_override(*, user, retiree: Retiree, cadence_days: int | None) -> CheckinState:
    """Set (or clear with None) a retiree's own cadence: the hook the care plan (一人一策) uses."""
    require_office(user)
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    state, _created = CheckinState.objects.select_for_update().get_or_create(retiree=retiree)
    state.cadence_override_days = cadence_days
    state.full_clean(exclude=["retiree"])
    state.save()
    return state


@transaction.atomic
def cadence_policy_save(*, user, policy: CadencePolicy) -> CadencePolicy:
    """Create or update a cadence rule (office staff only)."""
    require_office(user)
    policy.updated_by = user
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def cadence_policy_delete(*, user, policy: CadencePolicy) -> None:
    """Remove a cadence rule (configuration, not a record: deleting it keeps no history to lose)."""
    require_office(user)
    CadencePolicy.objects.visible_to(user).filter(pk=policy.pk).delete()


@transaction.atomic
def round_create(
    *,
    user,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    branches: list[Branch] | None = None,
    verify_health: bool = True,
    verify_vaccination: bool = False,
    verify_testing: bool = False,
    verify_community: bool = False,
) -> CheckinRound:
    """Open a check-in round (office staff only). `branches` None means every active branch."""
    require_office(user)
    checkin_round = CheckinRound(
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        all_branches=branches is None,
        verify_health=verify_health,
        verify_vaccination=verify_vaccination,
        verify_testing=verify_testing,
        verify_community=verify_community,
        created_by=user,
    )
    checkin_round.full_clean(exclude=["created_by"])
    if branches is not None and not branches:
        raise ValidationError({"branches": _("Choose at least one branch, or all branches.")})
    checkin_round.save()
    scope = Branch.objects.filter(is_active=True) if branches is None else branches
    checkin_round.branches.set(scope)
    return checkin_round


@transaction.atomic
def round_close(*, user, checkin_round: CheckinRound, summary: str = "") -> CheckinRound:
    """Close a round, freezing its per-branch counts for the printed summary (office staff only)."""
    require_office(user)
    checkin_round = locked_in_scope(CheckinRound, user, checkin_round.pk)
    if checkin_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is already closed."))
    rows = selectors.round_coverage(user=user, checkin_round=checkin_round)
    checkin_round.closing_counts = {"branches": rows, "totals": selectors.round_totals(rows)}
    checkin_round.status = RoundStatus.CLOSED
    checkin_round.closed_at = timezone.now()
    checkin_round.closed_by = user
    checkin_round.summary = summary.strip()
    checkin_round.save()
    return checkin_round


@transaction.atomic
def exemption_grant(
    *,
    user,
    retiree: Retiree,
    reason: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    checkin_round: CheckinRound | None = None,
    note: str = "",
) -> Exemption:
    """Exempt a retiree for a window, or for one round (its window by default); office staff approve."""
    require_office(user)
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    if checkin_round is not None:
        starts_on = starts_on or checkin_round.starts_on
        ends_on = ends_on or checkin_round.ends_on
    exemption = Exemption(
        retiree=retiree,
        reason=reason,
        note=note.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        round=checkin_round,
        approved_by=user,
    )
    exemption.full_clean(exclude=["approved_by"])
    exemption.save()
    return exemption


@transaction.atomic
def exemption_revoke(*, user, exemption: Exemption) -> Exemption:
    """End an exemption early; it stays on record (idempotent)."""
    require_office(user)
    exemption = locked_in_scope(Exemption, user, exemption.pk)
    if exemption.revoked_at is None:
        exemption.revoked_at = timezone.now()
        exemption.save(update_fields=["revoked_at"])
    return exemption


@transaction.atomic
def contact_log_with_ledger_facts(*, user, retiree: Retiree, ledger_facts: dict | None = None, **contact) -> ContactLog:
    """Log a contact and, in the same transaction, the ledger facts it revealed (a dose, a test…):
    both are written or neither is."""
    from ledgers.services import ledger_facts_record

    logged = contact_log(user=user, retiree=retiree, **contact)
    if ledger_facts:
        ledger_facts_record(user=user, retiree=retiree, facts=ledger_facts, day=timezone.localdate(logged.contacted_at))
    return logged
