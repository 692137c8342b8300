import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from reminders import services
from reminders.models import Delivery, Holiday, Notification, Reminder
from reminders.tests.conftest import MONDAY_0900
from tests.factories import at


def _send_all(now):
    """What the worker does: send every pending delivery that is due."""
    for delivery in Delivery.objects.filter(status="pending", next_attempt_at__lte=now):
        services.delivery_send(delivery_id=delivery.pk, now=now)


def test_digest_goes_to_every_branch_worker_once_after_the_reminder_time(reminded_branch, secretary_a, committee_a):
    assert services.reminder_tick(now=at(2026, 11, 30, 8, 29)).claimed == 0  # before 08:30 Shanghai
    result = services.reminder_tick(now=MONDAY_0900)
    assert result.claimed == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"sec_a", "com_a"}
    notification = Notification.objects.get(recipient=secretary_a)
    assert "王从未" in notification.body and "13500001111" in notification.body
    _send_all(MONDAY_0900)
    assert sorted(m.to[0] for m in mail.outbox) == ["com_a@example.org", "sec_a@example.org"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert "逾期" in mail.outbox[0].subject


def test_not_on_other_weekdays(reminded_branch):
    assert services.reminder_tick(now=at(2026, 12, 1, 9)).claimed == 0  # Tuesday


def test_a_second_tick_claims_nothing_and_sends_nothing(reminded_branch):
    services.reminder_tick(now=MONDAY_0900)
    _send_all(MONDAY_0900)
    later = MONDAY_0900 + datetime.timedelta(minutes=5)
    assert services.reminder_tick(now=later).claimed == 0
    _send_all(later)
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2


def test_catch_up_after_downtime_sends_only_todays(reminded_branch):
    # Down from Sunday to Thursday afternoon: Monday's digest is not sent late, Thursday's once.
    result = services.reminder_tick(now=at(2026, 12, 3, 15))
    assert result.claimed == 2
    assert set(Reminder.objects.values_list("period", flat=True)) == {datetime.date(2026, 12, 3)}


def test_holiday_moves_the_reminder(reminded_branch):
    Holiday.objects.create(date=datetime.date(2026, 11, 30), name="测试假日")
    assert services.reminder_tick(now=MONDAY_0900).claimed == 0
    assert services.reminder_tick(now=at(2026, 12, 1, 9)).claimed == 2  # moved to Tuesday


def test_failed_email_is_retried_alone_with_backoff(reminded_branch, settings, webhook_server):
    reminded_branch.webhook_url = webhook_server.url
    reminded_branch.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    services.reminder_tick(now=MONDAY_0900)
    _send_all(MONDAY_0900)
    emails = Delivery.objects.filter(channel="email")
    assert set(emails.values_list("status", flat=True)) == {"pending"}
    assert all(d.last_error and d.next_attempt_at > MONDAY_0900 for d in emails)
    assert len(webhook_server.received) == 1  # the webhook went out regardless
    assert Delivery.objects.get(channel="webhook").status == "sent"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = MONDAY_0900 + datetime.timedelta(minutes=2)
    services.reminder_tick(now=later)
    _send_all(later)
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2 and len(webhook_server.received) == 1  # nothing sent twice


def test_crash_between_claim_and_send_is_picked_up_after_the_lease(reminded_branch):
    services.reminder_tick(now=MONDAY_0900)
    delivery = Delivery.objects.first()
    assert services.delivery_take(delivery_id=delivery.pk, now=MONDAY_0900)  # a worker takes it, then dies
    assert services.delivery_send(delivery_id=delivery.pk, now=MONDAY_0900 + datetime.timedelta(minutes=1)) == "skipped"
    after_lease = MONDAY_0900 + services.LEASE + datetime.timedelta(seconds=1)
    assert services.reminder_tick(now=after_lease).enqueued == 2
    _send_all(after_lease)
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(status="sent").count() == 2


def test_webhook_posts_one_digest_per_branch(reminded_branch, webhook_server):
    from retirees.models import Retiree

    Retiree.objects.filter(name="王从未").update(consent_given=True)
    reminded_branch.webhook_url = webhook_server.url
    reminded_branch.save()
    services.reminder_tick(now=MONDAY_0900)
    _send_all(MONDAY_0900)
    assert len(webhook_server.received) == 1  # one message for the group, not one per worker
    payload = webhook_server.received[0]
    assert payload["msgtype"] == "markdown" and "王从未" in payload["markdown"]["content"]


def test_group_chat_names_a_retiree_without_consent_by_surname_only(reminded_branch, secretary_a, webhook_server):
    from retirees.models import Retiree
    from tests.factories import make_retiree

    make_retiree(reminded_branch, "李同意", consent_given=True, consent_on=MONDAY_0900.date())
    Retiree.objects.filter(name="王从未").update(consent_given=False, consent_on=None)
    reminded_branch.webhook_url = webhook_server.url
    reminded_branch.save()
    services.reminder_tick(now=MONDAY_0900)
    _send_all(MONDAY_0900)
    chat = webhook_server.received[0]["markdown"]["content"]
    assert "王某" in chat and "王从未" not in chat and "13500001111" not in chat
    assert "李同意" in chat
    # The branch's own workers keep full names, in the app and by email.
    assert "王从未" in Notification.objects.get(recipient=secretary_a).body
    assert all("王从未" in message.body for message in mail.outbox)


def test_office_daily_digest_lists_the_long_overdue(office_with_email, branch_a):
    from tests.factories import make_retiree

    make_retiree(branch_a, "李久未")
    services.reminder_tick(now=at(2026, 12, 1, 8, 5))
    notification = Notification.objects.get(recipient=office_with_email)
    assert "李久未" in notification.body
    assert services.reminder_tick(now=at(2026, 12, 1, 9)).claimed == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_claim_each_reminder_once(branch_a, secretary_a, committee_a):
    errors = []

    def tick():
        try:
            services.reminder_tick(now=MONDAY_0900)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Reminder.objects.count() == 2 and Notification.objects.count() == 2


def test_digest_asks_for_the_ledger_signoff_until_it_is_done(reminded_branch, secretary_a, office):
    from checkins.services import round_create
    from ledgers.signoffs import ledger_signoff
    from reminders import digests

    day = MONDAY_0900.date()
    ending = round_create(
        user=office,
        title="十一月摸排",
        starts_on=day - datetime.timedelta(days=10),
        ends_on=day + datetime.timedelta(days=1),
    )
    later = round_create(
        user=office,
        title="十二月摸排",
        starts_on=day - datetime.timedelta(days=1),
        ends_on=day + datetime.timedelta(days=20),
    )
    digest = digests.branch_digest(user=secretary_a, today=day)
    assert (
        "台账待签核" in digest.text
        and ending.title in digest.text
        and later.title not in digest.text.split("台账待签核")[1]
    )
    assert f"/ledgers/rounds/{ending.pk}/signoff/" in digest.html
    ledger_signoff(user=secretary_a, checkin_round=ending)
    assert "台账待签核" not in digests.branch_digest(user=secretary_a, today=day).text
