"""A digest not sent by the end of its day is expired, never sent late; the in-app message stays."""

import datetime
import logging

from django.core import mail

from reminders import services
from reminders.models import ALERT_KINDS, DIGEST_KINDS, WEEKLY_KINDS, Delivery, Notification, Reminder
from reminders.tests.conftest import MONDAY_0900
from tests.factories import at


def _send_all(now):
    for delivery in Delivery.objects.filter(status="pending", next_attempt_at__lte=now):
        services.delivery_send(delivery_id=delivery.pk, now=now)


def test_monday_digest_left_pending_through_an_outage_expires_on_thursday(reminded_branch, webhook_server, caplog):
    reminded_branch.webhook_url = webhook_server.url
    reminded_branch.save()
    services.reminder_tick(now=MONDAY_0900)  # claimed; the broker was down, nothing was sent
    assert Delivery.objects.filter(status="pending").count() == 3

    thursday = at(2026, 12, 3, 9)
    with caplog.at_level(logging.INFO, logger="reminders.services"):
        result = services.reminder_tick(now=thursday)
    assert result.expired == 3 and result.claimed == 3
    assert "3 expired" in caplog.text
    _send_all(thursday)

    monday = Delivery.objects.filter(reminder__period=MONDAY_0900.date())
    assert set(monday.values_list("status", flat=True)) == {"expired"}
    assert all("2026-12-01 00:00" in d.last_error for d in monday)  # the reason, with the deadline
    assert all(d.sent_at is None for d in monday)
    # Only Thursday's digests went out: two emails and one chat post.
    assert len(mail.outbox) == 2 and all("12月3日" in m.subject for m in mail.outbox)
    assert len(webhook_server.received) == 1 and "12月3日" in webhook_server.received[0]["markdown"]["content"]
    # The in-app notifications of Monday stay, to be read.
    assert Notification.objects.filter(reminder__period=MONDAY_0900.date()).count() == 2
    assert services.deliveries_expired_count(days=7, today=thursday.date()) == 3


def test_a_digest_still_sends_before_the_end_of_its_day(reminded_branch):
    services.reminder_tick(now=MONDAY_0900)
    late_evening = at(2026, 11, 30, 23, 55)
    assert services.reminder_tick(now=late_evening).expired == 0
    _send_all(late_evening)
    assert len(mail.outbox) == 2


def test_a_send_run_after_the_deadline_expires_instead(reminded_branch):
    # Enqueued in time, taken by a worker only after midnight (a backlog): not sent.
    services.reminder_tick(now=MONDAY_0900)
    delivery = Delivery.objects.first()
    assert services.delivery_send(delivery_id=delivery.pk, now=at(2026, 12, 1, 0, 1)) == "expired"
    delivery.refresh_from_db()
    assert delivery.status == "expired" and len(mail.outbox) == 0


def test_the_deadline_is_configurable(reminded_branch, settings):
    settings.OUTREACH_DIGEST_STALE_AFTER = datetime.timedelta(hours=12)  # noon on the day
    services.reminder_tick(now=MONDAY_0900)
    assert services.reminder_tick(now=at(2026, 11, 30, 11, 59)).expired == 0
    assert services.reminder_tick(now=at(2026, 11, 30, 12, 0)).expired == 2


def test_a_sent_or_failed_delivery_is_never_expired(reminded_branch):
    services.reminder_tick(now=MONDAY_0900)
    _send_all(MONDAY_0900)
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(status="failed", sent_at=None)
    assert services.reminder_tick(now=at(2026, 12, 3, 9)).expired == 0
    assert not Delivery.objects.filter(reminder__period=MONDAY_0900.date(), status="expired").exists()


def test_the_staleness_rule_by_kind():
    monday = MONDAY_0900.date()
    claimed = MONDAY_0900
    for kind in DIGEST_KINDS:  # a digest: the end of its day
        assert services.delivery_stale_at(kind=kind, period=monday, claimed_at=claimed) == at(2026, 12, 1, 0)
    for kind in ALERT_KINDS:  # an alert: a day after it was raised, whatever its day
        assert services.delivery_stale_at(kind=kind, period=monday, claimed_at=claimed) == at(2026, 12, 1, 9)
    for kind in WEEKLY_KINDS:  # the weekly report (frozen figures): a week after it was claimed
        assert services.delivery_stale_at(kind=kind, period=monday, claimed_at=claimed) == at(2026, 12, 7, 9)
    assert set(DIGEST_KINDS) | set(ALERT_KINDS) | set(WEEKLY_KINDS) == set(Reminder.Kind.values)  # every kind
