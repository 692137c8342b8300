"""Writes for check-ins. Views, forms, the admin and tasks call these; each runs in a transaction."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import in_scope, locked_in_scope, may_lift_attention, may_request_exemption, require_office
from audit.models import AuditEvent
from audit.services import audit_record
from branches.models import Branch
from core.addressing import record_areas
from core.dates import local_today
from ledgers import selectors as ledger_selectors
from ledgers.choices import Ledger
from ledgers.services import ledger_facts_record
from retirees.choices import ResidenceArea, Status
from retirees.models import Retiree

from . import schedule, selectors, signals
from .attention import ALL_WELL_OUTCOMES, ATTENTION_OUTCOMES, attention_causes, attention_span, attention_test_days
from .choices import AttentionStatus, Channel, Escalation, ExemptionStatus, Outcome, Reached, RoundStatus
from .findings import contact_ledger_facts
from .models import (
    ROUND_ITEMS,
    AttentionEpisode,
    CadencePolicy,
    CallbackRequest,
    CheckinRound,
    CheckinState,
    ContactLog,
    Exemption,
    RoundVerification,
    WeeklyReach,
)
from .signals import attention_entered


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
    return _contact_record(
        retiree=retiree,
        contacted_by=user,
        contacted_at=contacted_at,
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


@transaction.atomic
def self_checkin_record(*, retiree: Retiree) -> ContactLog:
    """The retiree's own "我很好" from their personal page: a contact that reached them, logged by nobody.

    The caller (the selfservice page) has identified the retiree by their link; there is no user
    and no scope. Whether it counts for the schedule is `checkins.schedule.counted_reach`.
    """
    retiree = Retiree.objects.select_for_update().get(pk=retiree.pk)
    return _contact_record(
        retiree=retiree,
        contacted_by=None,
        channel=Channel.SELF_CHECKIN,
        reached=Reached.RETIREE,
        outcome=Outcome.ALL_WELL,
    )


def _contact_record(
    *,
    retiree: Retiree,
    contacted_by,
    contacted_at: datetime.datetime | None = None,
    channel: str,
    reached: str,
    outcome: str | None = None,
    **details,
) -> ContactLog:
    """Save one contact of a locked retiree and everything it changes (call in a transaction)."""
    now = timezone.now()
    contacted_at = contacted_at or now
    if outcome is None:
        outcome = Outcome.NOT_REACHED if reached == Reached.NOBODY else Outcome.ALL_WELL
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Contacts are only logged for active retirees."))
    if contacted_at > now:
        raise ValidationError({"contacted_at": _("A contact cannot be in the future.")})
    if (channel == Channel.SELF_CHECKIN) != (contacted_by is None):
        raise ValidationError({"channel": _("A self check-in is recorded by the retiree's own page only.")})
    log = ContactLog(
        retiree=retiree,
        contacted_by=contacted_by,
        contacted_at=contacted_at,
        contacted_on=timezone.localdate(contacted_at),
        channel=channel,
        reached=reached,
        outcome=outcome,
        **details,
    )
    # The retiree is locked (so there) and `contacted_by` is the user: no query to find either.
    log.full_clean(exclude=["retiree", "contacted_by"])
    log.save()
    state = checkin_state_refresh(retiree=retiree, now=now)
    if log.counts_towards_coverage:
        weekly_reach_refresh(retiree=retiree, days=[log.contacted_on])
        if not log.is_self_checkin:
            # Somebody called and reached them (or their family): a call-back asked for is answered.
            CallbackRequest.objects.open().filter(retiree=retiree).update(answered_at=now, answered_by=log)
    # The urgent alert first: an urgent call's attention episode has the same key (contact:<id>),
    # and the alert that names the emergency is the one that should win the claim.
    _contact_findings_send(log=log, state=state)
    attention_refresh(retiree=retiree)
    return log


@transaction.atomic
def callback_request(*, retiree: Retiree) -> CallbackRequest:
    """ "请给我回电话" from the retiree's own page: open a call-back request, or keep the one already
    open (asking twice does not queue two calls). Answered by the next contact that reaches them."""
    retiree = Retiree.objects.select_for_update().get(pk=retiree.pk)
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Contacts are only logged for active retirees."))
    existing = CallbackRequest.objects.open().filter(retiree=retiree).first()
    if existing is not None:
        return existing
    return CallbackRequest.objects.create(retiree=retiree, requested_at=timezone.now())


def _contact_findings_send(*, log: ContactLog, state: CheckinState) -> None:
    """Tell the listeners (reminders' immediate alerts) what this contact found, inside its transaction.

    Each episode names the row that started it, so sending the same finding twice (a contact
    deleted and logged again, one logged out of order) names the same episode and alerts once.
    """
    if log.outcome == Outcome.URGENT:
        signals.urgent_outcome.send(sender=ContactLog, retiree=log.retiree, episode=f"contact:{log.pk}", contact=log)
    # The ladder climbs one step per failure, so a run of failures reaches its top at exactly its
    # OFFICE-th contact; later failures of the same run stay at the top without a new alert.
    if log.reached == Reached.NOBODY and state.consecutive_failures == Escalation.OFFICE:
        last_reached = ContactLog.objects.reached().filter(retiree=log.retiree).order_by("-contacted_at", "-id")
        first = _failure_run(
            retiree=log.retiree, last_reached=last_reached.values_list("contacted_at", flat=True).first()
        ).order_by("contacted_at", "id")
        signals.escalation_topped.send(
            sender=ContactLog,
            retiree=log.retiree,
            episode=f"escalation:{first.values_list('pk', flat=True).first()}",
            contact=log,
        )


@transaction.atomic
def contact_log_delete(*, contact: ContactLog) -> None:
    """Remove a contact logged by mistake (the admin's delete) and recompute what it counted for."""
    retiree = Retiree.objects.select_for_update().get(pk=contact.retiree_id)
    day = contact.contacted_on
    ContactLog.objects.filter(pk=contact.pk).delete()
    checkin_state_refresh(retiree=retiree)
    weekly_reach_refresh(retiree=retiree, days=[day])
    attention_refresh(retiree=retiree)


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
    failures = _failure_run(retiree=retiree, last_reached=last_reached)
    counted = _counted_reach(retiree=retiree, state=state, last_reached=last_reached)
    state.last_contact_at = latest
    state.last_reached_at = counted
    state.last_reached_on = timezone.localdate(counted) if counted else None
    state.consecutive_failures = min(failures.count(), 32767)
    if state.consecutive_failures >= unreachable_after():
        state.unreachable_since = state.unreachable_since or now
    else:
        state.unreachable_since = None
    state.save()
    return state


def _counted_reach(*, retiree: Retiree, state: CheckinState, last_reached) -> datetime.datetime | None:
    """The reached contact the schedule counts from (the rule: `checkins.schedule.counted_reach`).

    The last reached contact itself when it was a worker's (one query); after self check-ins, the
    worker's last reached contact and the self check-ins since it (three more)."""
    contacts = ContactLog.objects.reached().filter(retiree=retiree)
    if last_reached is None or not contacts.filter(contacted_at=last_reached, channel=Channel.SELF_CHECKIN).exists():
        return last_reached
    last_call = (
        contacts.exclude(channel=Channel.SELF_CHECKIN)
        .order_by("-contacted_at", "-id")
        .values_list("contacted_at", flat=True)
        .first()
    )
    call_every = Branch.objects.filter(pk=retiree.branch_id).values_list("call_every_self_checkins", flat=True).first()
    self_checkins = contacts.filter(channel=Channel.SELF_CHECKIN).order_by("contacted_at", "id")
    if last_call is not None:
        self_checkins = self_checkins.filter(contacted_at__gt=last_call)
    if call_every is not None:
        since = list(self_checkins.values_list("contacted_at", flat=True)[:call_every])
    else:
        since = [last_reached]  # only the latest matters when every one counts
    return schedule.counted_reach(
        last_call_at=last_call,
        self_checkins_since=since,
        self_checkins_count=state.self_checkins_count,
        call_every=call_every,
    )


@transaction.atomic
def checkin_states_recount(*, retirees) -> int:
    """Recompute the check-in state of `retirees` who have self check-ins, after a rule that decides
    whether those count changed (the branch's or the care plan's). Returns how many were recomputed."""
    ids = list(
        ContactLog.objects.filter(retiree__in=retirees, channel=Channel.SELF_CHECKIN)
        .order_by("retiree_id")
        .values_list("retiree_id", flat=True)
        .distinct()
    )
    for retiree in Retiree.objects.filter(pk__in=ids).order_by("pk"):
        checkin_state_refresh(retiree=retiree)
    return len(ids)


def on_self_checkin_rule_changed(sender, *, branch, **kwargs):
    """The branch's "a call at least every N self check-ins" changed (branches.signals)."""
    checkin_states_recount(retirees=Retiree.objects.filter(branch=branch))


def _failure_run(*, retiree: Retiree, last_reached: datetime.datetime | None):
    """The retiree's current run of failures: the contacts since the last one that reached somebody."""
    failures = ContactLog.objects.filter(retiree=retiree, reached=Reached.NOBODY)
    if last_reached is not None:
        failures = failures.filter(contacted_at__gt=last_reached)
    return failures


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
def checkin_state_set_cadence_override(
    *, user, retiree: Retiree, cadence_days: int | None, self_checkins_count: bool = True
) -> CheckinState:
    """Set (or clear with None) a retiree's own cadence, and whether their self check-ins count:
    the hook the care plan (一人一策) uses."""
    require_office(user)
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    state, _created = CheckinState.objects.select_for_update().get_or_create(retiree=retiree)
    recount = state.self_checkins_count != self_checkins_count
    state.cadence_override_days = cadence_days
    state.self_checkins_count = self_checkins_count
    state.full_clean(exclude=["retiree"])
    state.save()
    if recount:
        checkin_states_recount(retirees=[retiree])
        state.refresh_from_db()
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
    areas: Sequence[str] = (),
    verify_health: bool = True,
    verify_vaccination: bool = False,
    verify_testing: bool = False,
    verify_community: bool = False,
) -> CheckinRound:
    """Open a check-in round (office staff only). `branches` None means every active branch;
    `areas` (residence area codes) narrows it to those living there."""
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
    if not set(areas) <= set(ResidenceArea.values):
        raise ValidationError({"areas": _("Unknown residence.")})
    checkin_round.save()
    scope = Branch.objects.filter(is_active=True) if branches is None else branches
    checkin_round.branches.set(scope)
    record_areas(checkin_round.areas, areas)
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
def round_verification_confirm(
    *, user, checkin_round: CheckinRound, retiree: Retiree, today: datetime.date | None = None
) -> RoundVerification | None:
    """Confirm in one tap that the items the round still asks of a reached retiree are unchanged.

    Records the items not yet answered by the round's contacts on the retiree's one
    RoundVerification of the round (who and when; its history keeps the rest). Idempotent: once
    every item is answered there is nothing left to confirm and a second tap changes nothing
    (it returns the confirmation as it stands, or None when the contacts answered everything).

    PermissionDenied for a retiree or a round outside the user's scope; ValidationError when the
    round is not running today, does not cover the retiree, or the retiree has not been reached
    inside its window (a confirmation goes with a call: log the call first).
    """
    # The retiree's lock also serialises two taps at once: the second finds nothing left to confirm.
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    checkin_round = in_scope(CheckinRound, user, checkin_round.pk)
    today = today or local_today()
    if not checkin_round.runs_on(today):
        raise ValidationError(_("This round is not under way today: nothing can be confirmed for it."))
    status = (
        selectors.round_retirees(user=user, checkin_round=checkin_round, with_items=True).filter(pk=retiree.pk).first()
    )
    if status is None:
        raise ValidationError(_("This retiree is not part of this round."))
    if not status.reached_in_round:
        raise ValidationError(
            _("%(name)s has not been reached in this round yet: log the call first, then confirm.")
            % {"name": retiree.name}
        )
    missing = selectors.round_missing_items(status, checkin_round)
    verification = RoundVerification.objects.filter(checkin_round=checkin_round, retiree=retiree).first()
    if not missing:
        return verification
    if verification is None:
        verification = RoundVerification(checkin_round=checkin_round, retiree=retiree)
    for item in missing:
        setattr(verification, ROUND_ITEMS[item].confirmed, True)
    verification.confirmed_by = user
    verification.confirmed_at = timezone.now()
    verification.full_clean(exclude=["checkin_round", "retiree", "confirmed_by"])
    verification.save()
    return verification


@transaction.atomic
def exemption_request(
    *,
    user,
    retiree: Retiree,
    reason: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    checkin_round: CheckinRound | None = None,
    note: str = "",
) -> Exemption:
    """Ask for a retiree to be exempted for a window, or for one open round (its window by
    default). The request awaits another office worker's approval and exempts nobody until then.

    A branch secretary asks for their own branch's retirees, office staff for anyone; PermissionDenied
    for anybody else or a retiree outside the scope. ValidationError for a retiree no longer
    active, a round that is closed or leaves out the retiree's branch, and whatever the model's
    constraints refuse (a window backwards or too long, a second request while one is pending).
    """
    if not may_request_exemption(user):
        raise PermissionDenied("Branch secretaries and office staff request exemptions.")
    # Locked: two requests for the same retiree at once wait for each other, and the second is
    # refused by the one-pending rule below rather than by an IntegrityError.
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Exemptions are only requested for active retirees."))
    if checkin_round is not None:
        checkin_round = in_scope(CheckinRound, user, checkin_round.pk)
        if not checkin_round.is_open or not checkin_round.branches.filter(pk=retiree.branch_id).exists():
            raise ValidationError({"round": _("Choose an open round that includes this retiree's branch.")})
        starts_on = starts_on or checkin_round.starts_on
        ends_on = ends_on or checkin_round.ends_on
    exemption = Exemption(
        retiree=retiree,
        reason=reason,
        note=note.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        round=checkin_round,
        status=ExemptionStatus.PENDING,
        requested_by=user,
        requested_at=timezone.now(),
    )
    exemption.full_clean()
    exemption.save()
    audit_record(action=AuditEvent.Action.EXEMPTION_REQUEST, user=user, retiree=retiree, exemption=exemption.pk)
    return exemption


def exemption_approve(*, user, exemption: Exemption, note: str = "") -> Exemption:
    """Approve a pending request (office staff, never its requester): from now on it exempts the retiree."""
    return _exemption_decide(user=user, exemption=exemption, status=ExemptionStatus.APPROVED, note=note)


def exemption_refuse(*, user, exemption: Exemption, note: str) -> Exemption:
    """Refuse a pending request, saying why (office staff, never its requester)."""
    return _exemption_decide(user=user, exemption=exemption, status=ExemptionStatus.REFUSED, note=note)


@transaction.atomic
def _exemption_decide(*, user, exemption: Exemption, status: str, note: str) -> Exemption:
    """Decide a request once. The row is locked first, so of two workers deciding at once the
    second waits, then finds it decided and is told so. ValidationError for a request already
    decided and for what the constraints refuse: deciding one's own request, a refusal with no
    reason. The requester is told through `signals.exemption_decided`, in this transaction."""
    require_office(user)
    exemption = locked_in_scope(Exemption, user, exemption.pk)
    if not exemption.is_pending:
        raise ValidationError(
            _("This request was already decided (%(status)s by %(who)s on %(when)s); it cannot be decided again.")
            % {
                "status": exemption.get_status_display(),
                "who": exemption.decided_by,
                "when": date_format(timezone.localtime(exemption.decided_at), "SHORT_DATETIME_FORMAT"),
            }
        )
    exemption.status = status
    exemption.decided_by = user
    exemption.decided_at = timezone.now()
    exemption.decision_note = note.strip()
    exemption.full_clean()
    exemption.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    action = (
        AuditEvent.Action.EXEMPTION_APPROVE
        if status == ExemptionStatus.APPROVED
        else AuditEvent.Action.EXEMPTION_REFUSE
    )
    audit_record(action=action, user=user, retiree=exemption.retiree, exemption=exemption.pk)
    signals.exemption_decided.send(sender=Exemption, retiree=exemption.retiree, exemption=exemption)
    return exemption


@transaction.atomic
def exemption_revoke(*, user, exemption: Exemption) -> Exemption:
    """End an approved exemption early; it stays on record (idempotent). ValidationError for a
    request that was never approved (refuse it instead)."""
    require_office(user)
    exemption = locked_in_scope(Exemption, user, exemption.pk)
    if not exemption.is_approved:
        raise ValidationError(_("Only an approved exemption can be ended."))
    if exemption.revoked_at is None:
        exemption.revoked_at = timezone.now()
        exemption.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditEvent.Action.EXEMPTION_REVOKE, user=user, retiree=exemption.retiree, exemption=exemption.pk
        )
    return exemption


@transaction.atomic
def contact_log_with_ledger_facts(*, user, retiree: Retiree, ledger_facts: dict | None = None, **contact) -> ContactLog:
    """Log a contact and, in the same transaction, every ledger fact it revealed: the form's dose,
    willingness, test and exposure, and what its answers about health and the community amount
    to (`checkins.findings.contact_ledger_facts`). All of it is written, or none of it."""
    logged = contact_log(user=user, retiree=retiree, **contact)
    facts = contact_ledger_facts(contact={**contact, "reached": logged.reached}, ledger=ledger_facts)
    if facts:
        ledger_facts_record(user=user, retiree=retiree, facts=facts, day=logged.contacted_on)
    return logged


# --- Attention (重点关注) ------------------------------------------------------------------------


@transaction.atomic
def attention_refresh(*, retiree: Retiree, today: datetime.date | None = None, announce: bool = True) -> list:
    """Bring the retiree's attention episodes in step with their facts; the episodes opened.

    The rule is `checkins.attention.attention_causes`. A cause with no open or lifted episode
    opens one (and `attention_entered` is sent, unless `announce` is False: a backfill); an open
    episode whose cause is gone is resolved; an open one still there takes the cause's latest
    detail. The retiree's CheckinState gets the span of what is open. Called in the transaction
    of every write that can change a cause (a contact, a ledger entry, a lift); safe to call
    again (idempotent). About ten small queries.
    """
    today = today or local_today()
    Retiree.objects.select_for_update().filter(pk=retiree.pk).values_list("pk").first()  # one refresh at a time
    test_days = attention_test_days()
    facts = ledger_selectors.attention_facts(
        retiree_id=retiree.pk, positive_since=today - datetime.timedelta(days=test_days)
    )
    causes = attention_causes(**facts, contacts=_attention_contacts(retiree), today=today, test_days=test_days)
    episodes = {
        (episode.cause, episode.source_id): episode
        for episode in AttentionEpisode.objects.select_for_update()
        .filter(retiree=retiree, status__in=[AttentionStatus.OPEN, AttentionStatus.LIFTED])
        .order_by("id")
    }
    now = timezone.now()
    opened = []
    current = set()
    for cause in causes:
        key = (cause.cause, cause.source_id)
        current.add(key)
        episode = episodes.get(key)
        if episode is None:
            episode = AttentionEpisode.objects.create(
                retiree=retiree,
                cause=cause.cause,
                source_id=cause.source_id,
                detail=cause.detail,
                since=cause.since,
                expires_on=cause.expires_on,
            )
            episodes[key] = episode
            opened.append(episode)
        elif episode.status == AttentionStatus.OPEN and (episode.detail, episode.expires_on) != (
            cause.detail,
            cause.expires_on,
        ):
            episode.detail, episode.expires_on = cause.detail, cause.expires_on
            episode.save(update_fields=["detail", "expires_on"])
    gone = [
        episode.pk for key, episode in episodes.items() if key not in current and episode.status == AttentionStatus.OPEN
    ]
    if gone:
        AttentionEpisode.objects.filter(pk__in=gone).update(status=AttentionStatus.RESOLVED, closed_at=now)
    since, until = attention_span(
        (episode.since, episode.expires_on)
        for key, episode in episodes.items()
        if key in current and episode.status == AttentionStatus.OPEN
    )
    state, _created = CheckinState.objects.get_or_create(retiree=retiree)
    if (state.attention_since, state.attention_until) != (since, until):
        CheckinState.objects.filter(pk=state.pk).update(attention_since=since, attention_until=until)
    if announce:
        for episode in opened:
            attention_entered.send(
                sender=AttentionEpisode, retiree=retiree, episode=episode.episode, reason=episode.reason
            )
    return opened


def _attention_contacts(retiree: Retiree) -> list[tuple[int, datetime.date, str]]:
    """(id, contacted_on, outcome) of the retiree's contacts that open or end the "contact" cause,
    from their latest all-well contact on, oldest first (two queries on the contact index)."""
    # A worker's judgement only: the retiree's own "我很好" does not end what a call found.
    contacts = (
        ContactLog.objects.filter(retiree=retiree)
        .exclude(channel=Channel.SELF_CHECKIN)
        .order_by("-contacted_at", "-id")
    )
    last_well = contacts.filter(outcome__in=ALL_WELL_OUTCOMES).values_list("contacted_at", "id").first()
    run = contacts.filter(outcome__in=ATTENTION_OUTCOMES)
    if last_well is not None:
        at, pk = last_well
        run = run.filter(Q(contacted_at__gt=at) | Q(contacted_at=at, id__gt=pk))
    return list(reversed(run.values_list("id", "contacted_on", "outcome")))


def attention_refresh_all(*, today: datetime.date | None = None, announce: bool = False) -> int:
    """Refresh the attention of every retiree who may have a cause (after a bulk load, e.g. the
    demo's); how many were refreshed. Announces nothing unless asked."""
    today = today or local_today()
    since = today - datetime.timedelta(days=attention_test_days())
    retiree_ids = ledger_selectors.attention_candidates(positive_since=since)
    retiree_ids |= set(ContactLog.objects.filter(outcome__in=ATTENTION_OUTCOMES).values_list("retiree_id", flat=True))
    retiree_ids |= set(
        AttentionEpisode.objects.filter(status=AttentionStatus.OPEN).values_list("retiree_id", flat=True)
    )
    for retiree in Retiree.objects.filter(pk__in=retiree_ids).order_by("pk"):
        attention_refresh(retiree=retiree, today=today, announce=announce)
    return len(retiree_ids)


def attention_on_ledger_change(sender, *, retiree, ledger, **kwargs) -> None:
    """Receiver of `ledgers.signals.ledger_entry_changed` (connected in CheckinsConfig.ready()):
    a test, an exposure or a health record may open or end a cause, however it was recorded."""
    if ledger in (Ledger.TESTING, Ledger.EXPOSURE, Ledger.HEALTH):
        attention_refresh(retiree=retiree)


@transaction.atomic
def attention_lift(*, user, episode: AttentionEpisode, reason: str) -> AttentionEpisode:
    """Lift one cause of attention, with the reason why: the branch's secretary or office staff.

    The episode stays, lifted, with who, when and why (the audit log names who and which episode;
    the reason, which may say personal things, stays on the episode), so that the same
    cause seen again does not bring the retiree back under attention; a new cause does. The facts
    are not touched: an exposure lifted from attention is still in the ledger as recorded.
    Raises PermissionDenied outside the user's scope or role, ValidationError without a reason or
    for an episode already ended.
    """
    episode = locked_in_scope(AttentionEpisode.objects.select_related("retiree"), user, episode.pk)
    if not may_lift_attention(user, episode.retiree):
        raise PermissionDenied("Only the branch's secretary or office staff lift attention.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why attention is lifted.")})
    if episode.status != AttentionStatus.OPEN:
        raise ValidationError(_("This attention has already ended."))
    episode.status = AttentionStatus.LIFTED
    episode.closed_at = timezone.now()
    episode.lifted_by = user
    episode.lift_reason = reason
    episode.full_clean(exclude=["retiree", "lifted_by"])
    episode.save(update_fields=["status", "closed_at", "lifted_by", "lift_reason"])
    audit_record(
        action=AuditEvent.Action.ATTENTION_LIFT,
        user=user,
        retiree=episode.retiree,
        episode=episode.episode,
        attention_episode=episode.pk,
    )
    attention_refresh(retiree=episode.retiree)
    return episode
