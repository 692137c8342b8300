"""Reminders: plan who is due, claim exactly once, deliver each channel on its own.

The beat tick (`reminder_tick`) runs every few minutes. It claims today's reminders for every
recipient whose reminder time has passed — the unique constraints decide, so running it twice, or
in two processes at once, claims each reminder once — writing the in-app notification in the same
transaction as the claim. Email and webhook deliveries are rows that a task sends; a row whose
lease runs out unsent (a worker killed, Redis down) is sent by a later tick.

Immediate alerts (`alert_raise`) are claimed the same way, by the same `reminder_claim`, the moment
checkins reports a finding (checkins.signals, inside the transaction that wrote it); their
deliveries are enqueued when that transaction commits, and the tick retries them like any other.
"""

import datetime
import itertools
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import branch_workers, office_reader, office_staff, require_office, secretaries
from accounts.models import User
from branches import webhooks
from branches.models import Branch
from checkins.schedule import cadence_policy_rows
from core import calendar_cn
from core.queue import enqueue_many_on_commit
from reports import services as report_services
from reports.selectors import Scope as ReportScope
from retirees.models import Retiree

from . import digests
from .calendar import HolidayMap, is_reminder_day
from .digests import AlertCause
from .models import DIGEST_KINDS, WEEKLY_KINDS, Delivery, Holiday, Notification, Reminder

logger = logging.getLogger(__name__)

# Branches whose digests are built together in the tick: a few queries for all of them, and the
# rendered digests of this many branches held in memory at once.
DIGEST_BATCH = 100
LEASE = datetime.timedelta(minutes=10)  # a taken delivery not recorded by then is taken again
MAX_ATTEMPTS = 6
BACKOFF = [60, 300, 900, 3600, 3 * 3600]  # seconds before attempts 2..6

# Digests describe one day's call list: out of date once that day is over. An alert is urgent: it
# is enqueued the moment it is raised and retried with the backoff below, and stays worth sending
# (late is better than never) for a day; by then the office's next daily digest lists the retiree
# (unreachable, under attention) and the in-app notification is still there, so a day-old alert
# email or chat post is not sent.
ALERT_STALE_AFTER = datetime.timedelta(hours=24)
# The weekly report's figures are frozen, so its email is worth sending late, until the next one.
WEEKLY_STALE_AFTER = datetime.timedelta(days=7)


@dataclass
class TickResult:
    claimed: int = 0
    enqueued: int = 0
    expired: int = 0


def delivery_stale_at(*, kind: str, period: datetime.date, claimed_at: datetime.datetime) -> datetime.datetime:
    """When an unsent email or chat post of a reminder stops being worth sending.

    A digest: OUTREACH_DIGEST_STALE_AFTER after the local midnight that starts its day (by default
    the end of that day in Asia/Shanghai). The weekly report: WEEKLY_STALE_AFTER after it was claimed.
    Any other kind (an alert): ALERT_STALE_AFTER after it was claimed."""
    if kind in DIGEST_KINDS:
        day_start = timezone.make_aware(datetime.datetime.combine(period, datetime.time.min))
        return day_start + settings.OUTREACH_DIGEST_STALE_AFTER
    if kind in WEEKLY_KINDS:
        return claimed_at + WEEKLY_STALE_AFTER
    return claimed_at + ALERT_STALE_AFTER


def _stale_reason(stale_at: datetime.datetime) -> str:
    return f"expired: not sent by {timezone.localtime(stale_at):%Y-%m-%d %H:%M %Z}, its content was out of date"


def deliveries_expire_stale(*, now: datetime.datetime) -> int:
    """Mark expired every pending delivery whose reminder is out of date. The in-app notification
    stays: it is where the day's digest can still be read. Returns how many expired."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).values_list(
        "id", "reminder__kind", "reminder__period", "reminder__claimed_at"
    )
    expired = 0
    for delivery_id, kind, period, claimed_at in pending:
        stale_at = delivery_stale_at(kind=kind, period=period, claimed_at=claimed_at)
        if stale_at <= now:
            # Conditional on still pending: a worker that sent it meanwhile wins.
            expired += Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.EXPIRED, last_error=_stale_reason(stale_at)
            )
    return expired


def holiday_map(*, around: datetime.date) -> HolidayMap:
    """The holiday calendar near `around` (one query)."""
    window = datetime.timedelta(days=45)
    return dict(Holiday.objects.filter(date__range=(around - window, around + window)).values_list("date", "kind"))


def due_branches(*, now: datetime.datetime) -> list[Branch]:
    """Active branches whose reminder day is today and whose reminder time has passed (one query)."""
    local = timezone.localtime(now)
    today = local.date()
    holidays = holiday_map(around=today)
    branches = Branch.objects.filter(is_active=True, reminder_time__lte=local.time())
    return [b for b in branches if is_reminder_day(b.reminder_weekdays, today, holidays)]


def reminder_tick(*, now: datetime.datetime | None = None) -> TickResult:
    """Claim today's due reminders and enqueue what is left to deliver. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = TickResult()
    branches = due_branches(now=now)

    policies = cadence_policy_rows()  # read once for every digest of the tick

    # Branch workers of due branches who have no digest for today yet, DIGEST_BATCH branches at a
    # time: their digests are built from one set of queries (digests.branch_digests) and each
    # branch's are claimed in one statement and committed together (digests_claim).
    workers = list(
        branch_workers()
        .filter(branch__in=branches)
        .exclude(reminders__kind=Reminder.Kind.BRANCH_DIGEST, reminders__period=today)
        .select_related("branch")
        .order_by("branch_id", "id")
    )
    by_branch = [list(group) for _id, group in itertools.groupby(workers, key=lambda user: user.branch_id)]
    for start in range(0, len(by_branch), DIGEST_BATCH):
        batch = by_branch[start : start + DIGEST_BATCH]
        messages = digests.branch_digests(
            users=[user for group in batch for user in group], today=today, policies=policies
        )
        for group in batch:
            claimed = digests_claim(
                kind=Reminder.Kind.BRANCH_DIGEST,
                period=today,
                now=now,
                messages=[(user, messages[user.pk]) for user in group],
            )
            result.claimed += len(claimed)
    for branch in branches:
        if branch.webhook_url:
            result.claimed += bool(
                reminder_claim(kind=Reminder.Kind.BRANCH_CHAT, period=today, now=now, branch=branch, policies=policies)
            )

    local_time = timezone.localtime(now).time()
    if local_time >= settings.OUTREACH_OFFICE_DIGEST_TIME:
        office = office_staff().exclude(reminders__kind=Reminder.Kind.OFFICE_DAILY, reminders__period=today)
        for user in office:
            result.claimed += bool(
                reminder_claim(kind=Reminder.Kind.OFFICE_DAILY, period=today, now=now, recipient=user)
            )

    result.expired = deliveries_expire_stale(now=now)
    result.enqueued = deliveries_enqueue_due(now=now)
    logger.info(
        "Reminder tick: %s claimed, %s deliveries enqueued, %s expired unsent.",
        result.claimed,
        result.enqueued,
        result.expired,
    )
    return result


def weekly_report_tick(*, now: datetime.datetime | None = None) -> TickResult:
    """The weekly report's own beat entry: claim what is due, then enqueue every pending delivery
    (as the reminder tick does, which also retries them). Idempotent."""
    now = now or timezone.now()
    result = TickResult(claimed=weekly_report_claim_due(now=now))
    if result.claimed:
        result.enqueued = deliveries_enqueue_due(now=now)
    logger.info("Weekly report tick: %s claimed, %s deliveries enqueued.", result.claimed, result.enqueued)
    return result


def weekly_report_claim_due(*, now: datetime.datetime) -> int:
    """From Monday's office digest time on (or any later day of the week, after downtime): last
    week's report for all branches to every office staff member, once per person and week (the
    unique constraint on recipient and week decides). The report is issued (its figures frozen) the
    first time; later claims send the same report. Returns how many were claimed."""
    local = timezone.localtime(now)
    today = local.date()
    if today.weekday() == 0 and local.time() < settings.OUTREACH_OFFICE_DIGEST_TIME:
        return 0
    week = report_services.last_week(today)
    office = list(
        office_staff().exclude(reminders__kind=Reminder.Kind.WEEKLY_REPORT, reminders__period=week).order_by("pk")
    )
    if not office:
        return 0
    report = report_services.report_issue(user=None, week=week, scope=ReportScope(), now=now)
    claimed = 0
    for user in office:
        message = digests.weekly_report_message(user=user, report=report)
        claimed += bool(
            message_claim(kind=Reminder.Kind.WEEKLY_REPORT, period=week, now=now, message=message, recipient=user)
        )
    return claimed


def reminder_claim(
    *,
    kind: str,
    period: datetime.date,
    now: datetime.datetime,
    recipient: User | None = None,
    branch: Branch | None = None,
    policies: list[dict] | None = None,
) -> Reminder | None:
    """Claim one digest; None when somebody else already has."""
    if kind == Reminder.Kind.BRANCH_CHAT:
        digest = digests.branch_digest(user=_chat_reader(), today=period, branch=branch, policies=policies)
        digest.text = digests.webhook_markdown(digest)
    elif kind == Reminder.Kind.OFFICE_DAILY:
        digest = digests.office_digest(user=recipient, today=period)
    else:
        digest = digests.branch_digest(user=recipient, today=period, policies=policies)
    return message_claim(kind=kind, period=period, now=now, message=digest, recipient=recipient, branch=branch)


def message_claim(
    *,
    kind: str,
    period: datetime.date,
    now: datetime.datetime,
    message: digests.Digest,
    recipient: User | None = None,
    branch: Branch | None = None,
    retiree: Retiree | None = None,
    episode: str = "",
) -> Reminder | None:
    """Claim one rendered message (a digest or an alert) for a person or a branch's group chat;
    None when it was claimed already — by another tick, another beat, another sender of the same
    finding or a retried task: the database's unique constraints decide. Writes the in-app
    notification and the pending deliveries in the same transaction as the claim."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                kind=kind,
                period=period,
                recipient=recipient,
                branch=branch,
                retiree=retiree,
                episode=episode,
                subject=message.subject,
                text=message.text,
                html=message.html,
            )
            channels = []
            if recipient is not None:
                Notification.objects.create(
                    recipient=recipient, reminder=reminder, title=message.subject, body=message.text
                )
                if recipient.email:
                    channels.append(Delivery.Channel.EMAIL)
            elif branch is not None and branch.webhook_url:
                channels.append(Delivery.Channel.WEBHOOK)
            Delivery.objects.bulk_create(
                [Delivery(reminder=reminder, channel=channel, next_attempt_at=now) for channel in channels]
            )
    except IntegrityError:
        return None  # claimed already
    return reminder


def digests_claim(
    *,
    kind: str,
    period: datetime.date,
    now: datetime.datetime,
    messages: list[tuple[User, digests.Digest]],
) -> list[Reminder]:
    """Claim many people's digests of one kind and day at once (the tick's wave of branch digests):
    what `message_claim` does for one, in three statements for all of them.

    One INSERT … ON CONFLICT DO NOTHING RETURNING: the unique constraint on (recipient, kind,
    period) still decides, row by row, so a digest another tick or process claimed first (even one
    it is still inserting: PostgreSQL waits for it) is left out, and the rows returned are exactly
    the claims this call won. Their in-app notifications and pending deliveries are written in the
    same transaction. Returns the reminders claimed (id, recipient and message set).
    """
    if kind not in (Reminder.Kind.BRANCH_DIGEST, Reminder.Kind.OFFICE_DAILY):
        raise ValueError(f"digests_claim claims people's daily digests, not {kind!r}")
    if not messages:
        return []
    by_recipient = {user.pk: (user, message) for user, message in messages}
    claimed_at = timezone.now()  # what auto_now_add would write
    columns = ["kind", "period", "recipient_id", "episode", "claimed_at", "subject", "text", "html"]
    rows = [
        (kind, period, user.pk, "", claimed_at, message.subject, message.text, message.html)
        for user, message in by_recipient.values()
    ]
    table = connection.ops.quote_name(Reminder._meta.db_table)
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    # Django's bulk_create(ignore_conflicts=True) does not say which rows went in; RETURNING does.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id, recipient_id"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in rows for value in row])
            won = cursor.fetchall()
        claimed = []
        for reminder_id, recipient_id in sorted(won):
            user, message = by_recipient[recipient_id]
            claimed.append(
                Reminder(
                    id=reminder_id,
                    kind=kind,
                    period=period,
                    recipient=user,
                    claimed_at=claimed_at,
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                )
            )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=reminder.recipient, reminder=reminder, title=reminder.subject, body=reminder.text
                )
                for reminder in claimed
            ]
        )
        Delivery.objects.bulk_create(
            [
                Delivery(reminder=reminder, channel=Delivery.Channel.EMAIL, next_attempt_at=now)
                for reminder in claimed
                if reminder.recipient.email
            ]
        )
    return claimed


def alert_recipients(*, retiree: Retiree):
    """Who is alerted about a retiree: their branch's secretary and the office staff, in id order
    (two senders of the same finding then claim in the same order and never deadlock)."""
    return (secretaries().filter(branch_id=retiree.branch_id) | office_staff()).order_by("pk")


@transaction.atomic
def alert_raise(
    *,
    retiree: Retiree,
    episode: str,
    cause: AlertCause,
    reason=None,
    contact=None,
    now: datetime.datetime | None = None,
) -> list[Reminder]:
    """Alert the people who must act about `retiree`, now: one alert per recipient and one post to
    the branch's group chat (if it has one) per retiree and episode, however often the finding is
    reported. Call it inside the transaction that wrote the finding, so that the alert is claimed
    with it or not at all. Email and chat are enqueued once that transaction commits; with the
    broker down they stay pending and the tick sends them. Returns the alerts claimed by this call.
    """
    now = now or timezone.now()
    period = timezone.localdate(now)
    # Whoever has this alert already is skipped without rendering it (the claim still decides).
    done = Reminder.objects.filter(kind=Reminder.Kind.ALERT, retiree=retiree, episode=episode)
    claimed = []
    for user in alert_recipients(retiree=retiree).exclude(pk__in=done.values("recipient")):
        message = digests.alert(user=user, retiree=retiree, cause=cause, reason=reason, contact=contact)
        claimed.append(
            message_claim(
                kind=Reminder.Kind.ALERT,
                period=period,
                now=now,
                message=message,
                recipient=user,
                retiree=retiree,
                episode=episode,
            )
        )
    branch = retiree.branch
    if branch.webhook_url:
        claimed.append(
            message_claim(
                kind=Reminder.Kind.ALERT_CHAT,
                period=period,
                now=now,
                message=digests.alert_chat(retiree=retiree),
                branch=branch,
                retiree=retiree,
                episode=episode,
            )
        )
    claimed = [reminder for reminder in claimed if reminder is not None]
    if claimed:
        from .tasks import send_delivery

        deliveries = Delivery.objects.filter(reminder__in=claimed).order_by("id").values_list("id", flat=True)
        enqueue_many_on_commit(send_delivery, deliveries)
        logger.info("Alert %s for retiree %s: %s claimed.", episode, retiree.pk, len(claimed))
    return claimed


def _chat_reader() -> User:
    """The group chat sees what office staff see of its branch (the digest is filtered to the branch)."""
    return office_reader()


def deliveries_expired_count(*, days: int, today: datetime.date | None = None) -> int:
    """How many deliveries of reminders from the last `days` days expired unsent (one query)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days - 1)
    return Delivery.objects.filter(status=Delivery.Status.EXPIRED, reminder__period__gte=since).count()


def deliveries_enqueue_due(*, now: datetime.datetime) -> int:
    """Enqueue a send for every pending delivery whose next attempt is due (the retry and recovery path).

    Returns how many were handed to the queue; with the broker down the queue stops at the first
    failure and the rest stay pending for the next tick."""
    from .tasks import send_delivery

    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)
    )
    enqueue_many_on_commit(send_delivery, due)
    return len(due)


def delivery_take(*, delivery_id: int, now: datetime.datetime) -> bool:
    """Take a pending, due delivery for LEASE with a conditional UPDATE: exactly one worker wins."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=now + LEASE, attempts=F("attempts") + 1
        )
    )


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one delivery if it is ours to send; record success, or schedule the retry. Returns the status."""
    now = now or timezone.now()
    if not delivery_take(delivery_id=delivery_id, now=now):
        return "skipped"
    delivery = Delivery.objects.select_related("reminder__recipient", "reminder__branch").get(pk=delivery_id)
    reminder = delivery.reminder
    # A send enqueued in time but run late (a queue backlog, a worker back after an outage).
    stale_at = delivery_stale_at(kind=reminder.kind, period=reminder.period, claimed_at=reminder.claimed_at)
    if stale_at <= now:
        reason = _stale_reason(stale_at)
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.EXPIRED, last_error=reason)
        return Delivery.Status.EXPIRED
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            _send_email(delivery.reminder)
        else:
            _send_webhook(delivery.reminder)
    except Exception as error:  # any failure of this channel: retry it alone, later
        attempts = delivery.attempts
        # A refused address stays refused: no point retrying it.
        failed = attempts >= MAX_ATTEMPTS or isinstance(error, webhooks.WebhookRefused)
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            next_attempt_at=now + datetime.timedelta(seconds=BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]),
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("Delivery %s failed (attempt %s): %s", delivery_id, attempts, type(error).__name__)
        return Delivery.Status.FAILED if failed else "retry"
    Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return Delivery.Status.SENT


def _send_email(reminder: Reminder) -> None:
    message = EmailMultiAlternatives(subject=reminder.subject, body=reminder.text, to=[reminder.recipient.email])
    message.attach_alternative(reminder.html, "text/html")
    message.send()


def _send_webhook(reminder: Reminder) -> None:
    payload = {"msgtype": "markdown", "markdown": {"content": reminder.text}}
    body = webhooks.post_json(reminder.branch.webhook_url, payload, timeout=settings.OUTREACH_WEBHOOK_TIMEOUT)
    # WeCom answers 200 with {"errcode": 0}; anything else is a failure worth retrying.
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise RuntimeError(f"webhook refused: errcode {answer.get('errcode')}")


def notification_mark_read(*, user: User, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def next_planned_sends(*, today: datetime.date | None = None) -> list[tuple[Branch, datetime.date | None]]:
    """Each active branch with the next day its reminder goes out (for the office's overview)."""
    from .calendar import next_reminder_day

    today = today or timezone.localdate()
    holidays = holiday_map(around=today)
    return [
        (branch, next_reminder_day(branch.reminder_weekdays, today, holidays))
        for branch in Branch.objects.filter(is_active=True)
    ]


# --- The holiday calendar ------------------------------------------------------------------------


@dataclass
class HolidayRefresh:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept_exceptions: int = 0
    years: tuple = ()
    unpublished: tuple = ()  # years whose State Council notice the library does not carry yet


def holiday_years(today: datetime.date | None = None) -> tuple[int, int]:
    """The years the calendar keeps filled: the current one and the next."""
    today = today or timezone.localdate()
    return today.year, today.year + 1


@transaction.atomic
def holidays_refresh(*, years: tuple[int, ...] | None = None, today: datetime.date | None = None) -> HolidayRefresh:
    """Copy the statutory calendar of `years` (the current and next by default) from the library.

    Idempotent: a second run changes nothing. A date the office entered itself stays theirs (a row
    the office typed in that says the same as the library becomes the library's, so that the
    office's list shows only real exceptions). A library day the library no longer has (a notice
    corrected) is removed. Locks the calendar's rows of those years for the transaction, so two
    runs at once do not both insert.
    """
    result = HolidayRefresh(years=tuple(years or holiday_years(today)))
    for year in result.years:
        if not calendar_cn.arrangement_published(year):
            result.unpublished += (year,)
        wanted = {day.date: day for day in calendar_cn.statutory_days(year)}
        existing = {row.date: row for row in Holiday.objects.select_for_update().filter(date__year=year)}
        for date, day in wanted.items():
            row = existing.get(date)
            if row is None:
                Holiday.objects.create(date=date, kind=day.kind, name=day.name, source=Holiday.Source.LIBRARY)
                result.added += 1
            elif row.source == Holiday.Source.OFFICE and row.kind != day.kind:
                result.kept_exceptions += 1
            elif (row.source, row.kind, row.name) != (Holiday.Source.LIBRARY, day.kind, day.name):
                row.source, row.kind, row.name = Holiday.Source.LIBRARY, day.kind, day.name
                row.save(update_fields=["source", "kind", "name"])
                result.updated += 1
            else:
                result.unchanged += 1
        gone = [row.pk for date, row in existing.items() if row.source == Holiday.Source.LIBRARY and date not in wanted]
        if gone:
            Holiday.objects.filter(pk__in=gone).delete()
            result.removed += len(gone)
    return result


@transaction.atomic
def holiday_exception_save(*, user, date: datetime.date, kind: str, name: str) -> Holiday:
    """The office's own day (a university holiday, a statutory day the office works): it replaces
    the library's entry for that date, and a refresh leaves it."""
    require_office(user)
    row = Holiday.objects.select_for_update().filter(date=date).first() or Holiday(date=date)
    row.kind, row.name, row.source = kind, name.strip(), Holiday.Source.OFFICE
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def holiday_exception_remove(*, user, holiday: Holiday) -> Holiday | None:
    """Remove an office exception; the library's entry for that date, if any, comes back at once.

    The library's own days are not removed (the next refresh would bring them back): an exception
    on the same date replaces one. Returns the restored library day, if any.
    """
    require_office(user)
    row = Holiday.objects.select_for_update().filter(pk=holiday.pk).first()
    if row is None:
        return None
    if row.source != Holiday.Source.OFFICE:
        raise ValidationError(
            _("This day comes from the statutory calendar. To change it, add an exception on the same date.")
        )
    day = next((day for day in calendar_cn.statutory_days(row.date.year) if day.date == row.date), None)
    if day is None:
        row.delete()
        return None
    row.kind, row.name, row.source = day.kind, day.name, Holiday.Source.LIBRARY
    row.save(update_fields=["kind", "name", "source"])
    return row


def holiday_calendar_status(*, today: datetime.date | None = None) -> list[dict]:
    """For the holiday page: per kept year, whether the library has its notice, and the counts (one query)."""
    years = holiday_years(today)
    counts = {}
    for year, source in Holiday.objects.filter(date__year__in=years).values_list("date__year", "source"):
        counts.setdefault(year, {}).setdefault(source, 0)
        counts[year][source] += 1
    return [
        {
            "year": year,
            "published": calendar_cn.arrangement_published(year),
            "library": counts.get(year, {}).get(Holiday.Source.LIBRARY, 0),
            "office": counts.get(year, {}).get(Holiday.Source.OFFICE, 0),
        }
        for year in years
    ]
