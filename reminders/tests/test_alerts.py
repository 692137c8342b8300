"""Immediate alerts: who is told, what they read, and exactly once whatever the faults.

The findings come from checkins (urgent outcome, top of the escalation ladder) through
contact_log, end to end; "came under attention" is sent here as checkins would send it.
"""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from checkins import signals
from checkins.choices import HealthSeen, Outcome
from reminders import digests, services
from reminders.models import Delivery, Notification, Reminder
from tests.factories import at, log_at, make_retiree

# A Tuesday before 08:00 (Asia/Shanghai): no digest is due, so a tick here only retries alerts.
RAISED = at(2026, 12, 1, 7, 30)


def _send_all(now):
    """What the worker does: send every pending delivery that is due."""
    for delivery in Delivery.objects.filter(status="pending", next_attempt_at__lte=now):
        services.delivery_send(delivery_id=delivery.pk, now=now)


@pytest.fixture
def alerted(branch_a, secretary_a, committee_a, secretary_b, office, retiree_a, webhook_server):
    """Branch A with a group chat, its secretary and a committee member, office staff, and the
    secretary of branch B; everyone has an email address (the factories give one)."""
    branch_a.webhook_url = webhook_server.url
    branch_a.save()
    retiree_a.consent_given, retiree_a.consent_on = False, None  # the chat names her 曾某
    retiree_a.save()
    return retiree_a


def _urgent(secretary, retiree, **fields):
    fields.setdefault("needs", "胸闷气短，已叫120")
    return log_at(RAISED, user=secretary, retiree=retiree, outcome="urgent", health_seen="unwell", **fields)


def _attention(retiree, episode="exposure:42", reason=None):
    """Send attention_entered as checkins does: inside the transaction that wrote the finding."""
    with time_machine.travel(RAISED, tick=False), transaction.atomic():
        signals.attention_entered.send(
            sender=None, retiree=retiree, episode=episode, reason=reason or gettext_lazy("Needs help")
        )


# --- Who is told, right away --------------------------------------------------------------------


def test_an_urgent_contact_alerts_the_branch_secretary_office_staff_and_the_chat(
    alerted, secretary_a, office, webhook_server
):
    contact = _urgent(secretary_a, alerted)

    alerts = Reminder.objects.filter(kind="alert")
    assert set(alerts.values_list("recipient__username", flat=True)) == {"sec_a", "office"}  # not com_a, not sec_b
    assert set(alerts.values_list("episode", flat=True)) == {f"contact:{contact.pk}"}
    assert Reminder.objects.filter(kind="alert_chat", branch=alerted.branch).count() == 1
    # In the app at once, not on the next digest day.
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"sec_a", "office"}

    _send_all(RAISED)
    assert sorted(message.to[0] for message in mail.outbox) == ["office@example.org", "sec_a@example.org"]
    email = next(message for message in mail.outbox if message.to == ["sec_a@example.org"])
    assert email.subject == "紧急：曾宪梅（第一党支部）需要立即帮助"
    for what in ("曾宪梅", "紧急", "胸闷气短", alerted.phone, "曾小红", "13911112222", f"/retirees/{alerted.pk}/"):
        assert what in email.body, what
    assert email.alternatives[0][1] == "text/html" and f'href="tel:{alerted.phone}"' in email.alternatives[0][0]
    assert len(webhook_server.received) == 1


def test_the_group_chat_is_told_to_call_and_nothing_about_health(alerted, secretary_a, webhook_server):
    _urgent(secretary_a, alerted, notes="住院观察，血压很高")
    _send_all(RAISED)
    chat = webhook_server.received[0]["markdown"]["content"]
    assert "请今天联系曾某" in chat and f"/retirees/{alerted.pk}/" in chat
    # No name without consent, no phone, no cause, no reason, no health word of any kind.
    health = [str(label) for label in HealthSeen.labels + Outcome.labels if label]
    for secret in ["曾宪梅", alerted.phone, "13911112222", "胸闷", "住院", "血压", "120", "紧急", *health]:
        assert secret not in chat, secret


def test_the_top_of_the_escalation_ladder_alerts_once_per_run(alerted, secretary_a, webhook_server):
    run = [log_at(at(2026, 11, day), user=secretary_a, retiree=alerted, reached="nobody") for day in (28, 29, 30)]
    assert not Reminder.objects.exists()  # three failures: a home visit, not yet the office
    log_at(at(2026, 12, 1, 7, 0), user=secretary_a, retiree=alerted, reached="nobody")
    log_at(RAISED, user=secretary_a, retiree=alerted, reached="nobody")  # a fifth: still the same run

    alerts = Reminder.objects.filter(kind="alert")
    assert alerts.count() == 2 and set(alerts.values_list("episode", flat=True)) == {f"escalation:{run[0].pk}"}
    _send_all(RAISED)
    subjects = {message.subject for message in mail.outbox}
    assert subjects == {"联系不上：曾宪梅（第一党支部），请离退休工作处处理"} and len(mail.outbox) == 2
    assert "已连续4次联系不上曾宪梅（最近一次在12月1日）" in mail.outbox[0].body


def test_a_retiree_under_attention_alerts_with_the_reason_but_the_chat_gets_none(alerted, secretary_a, webhook_server):
    _attention(alerted, reason=gettext_lazy("Needs help"))
    notification = Notification.objects.get(recipient=secretary_a)
    assert notification.title == "需要关注：曾宪梅（第一党支部）"
    assert "曾宪梅需要关注：需要帮助" in notification.body  # the reason, translated for the reader
    _send_all(RAISED)
    assert len(mail.outbox) == 2
    assert "需要帮助" not in webhook_server.received[0]["markdown"]["content"]


def test_a_finding_rolled_back_raises_no_alert(alerted):
    with pytest.raises(RuntimeError), transaction.atomic():
        signals.attention_entered.send(sender=None, retiree=alerted, episode="exposure:7", reason="x")
        raise RuntimeError("the write failed after the finding")
    assert not Reminder.objects.exists() and not Notification.objects.exists() and not Delivery.objects.exists()


def test_an_alert_is_written_in_the_recipients_language(alerted, secretary_a):
    secretary_a.language = "en"  # users have no preference yet: recipient_language reads it when they do
    message = digests.alert(user=secretary_a, retiree=alerted, cause=digests.AlertCause.ATTENTION, reason="x")
    assert message.subject.startswith("Needs attention: 曾宪梅")
    secretary_a.language = ""
    message = digests.alert(user=secretary_a, retiree=alerted, cause=digests.AlertCause.ATTENTION, reason="x")
    assert message.subject.startswith("需要关注：曾宪梅")


# --- Exactly once -------------------------------------------------------------------------------


def test_the_same_finding_reported_twice_alerts_once(alerted, secretary_a, webhook_server):
    _attention(alerted, episode="contact:99")
    _attention(alerted, episode="contact:99")  # e.g. "under attention" and "urgent" for one contact
    _attention(alerted, episode="exposure:5")  # another episode: another alert
    assert Reminder.objects.filter(episode="contact:99").count() == 3  # two people and the chat
    assert Reminder.objects.filter(episode="exposure:5").count() == 3
    _send_all(RAISED)
    assert len(mail.outbox) == 4 and len(webhook_server.received) == 2


def test_the_database_refuses_a_second_alert_for_the_same_episode(alerted, secretary_a):
    _attention(alerted, episode="exposure:1")
    first = Reminder.objects.get(kind="alert", recipient=secretary_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            kind="alert", period=first.period, recipient=secretary_a, retiree=alerted, episode="exposure:1", subject="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # an alert names its episode
        Reminder.objects.create(kind="alert", period=first.period, recipient=secretary_a, retiree=alerted, subject="x")
    # Alerts and digests do not collide: a digest the same day is claimed as usual.
    Reminder.objects.create(kind="branch_digest", period=first.period, recipient=secretary_a, subject="x")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_of_the_same_finding_alert_once(branch_a, secretary_a, office):
    retiree = make_retiree(branch_a, "钱并发")
    start, errors = threading.Barrier(4), []

    def report():
        try:
            start.wait()
            with transaction.atomic():
                signals.attention_entered.send(sender=None, retiree=retiree, episode="exposure:3", reason="x")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Reminder.objects.filter(kind="alert").count() == 2 and Notification.objects.count() == 2
    _send_all(timezone.now())
    assert sorted(message.to[0] for message in mail.outbox) == ["office@example.org", "sec_a@example.org"]


def test_a_retried_send_task_sends_once(alerted, secretary_a, webhook_server):
    _urgent(secretary_a, alerted)
    for delivery in Delivery.objects.all():
        assert services.delivery_send(delivery_id=delivery.pk, now=RAISED) == "sent"
        assert services.delivery_send(delivery_id=delivery.pk, now=RAISED) == "skipped"  # the task ran again
    assert len(mail.outbox) == 2 and len(webhook_server.received) == 1


def test_two_beats_retry_an_alert_left_pending_once(alerted, secretary_a, webhook_server):
    _urgent(secretary_a, alerted)  # the broker took nothing: every delivery is still pending
    later = RAISED + datetime.timedelta(minutes=5)
    assert services.reminder_tick(now=later).enqueued == 3
    assert services.reminder_tick(now=later).enqueued == 3  # a second beat, by mistake
    for _beat in range(2):  # each beat's tasks run
        _send_all(later)
    assert len(mail.outbox) == 2 and len(webhook_server.received) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_an_alert_still_goes_out_after_its_day_but_not_a_day_after_it_was_raised(alerted, secretary_a):
    _urgent(secretary_a, alerted)  # claimed at RAISED, Tuesday 07:30; nothing sent (an outage)
    assert services.deliveries_expire_stale(now=at(2026, 12, 2, 0, 30)) == 0  # unlike a digest, not tied to its day
    assert services.deliveries_expire_stale(now=at(2026, 12, 2, 7, 29)) == 0
    assert services.deliveries_expire_stale(now=at(2026, 12, 2, 7, 30)) == 3
    assert all("2026-12-02 07:30" in delivery.last_error for delivery in Delivery.objects.all())
    # The in-app alerts stay, to be read.
    assert Notification.objects.filter(reminder__kind="alert").count() == 2


# --- The office's daily digest --------------------------------------------------------------------


def test_the_office_digest_lists_the_unreachable(branch_a, retiree_a, secretary_a, office, branch_b):
    alerted = retiree_a
    reachable = make_retiree(branch_b, "孙接通")
    for day in (20, 23, 26):
        log_at(at(2026, 11, day), user=secretary_a, retiree=alerted, reached="nobody")
    log_at(at(2026, 11, 26), user=office, retiree=reachable, reached="retiree")
    with time_machine.travel(at(2026, 12, 1, 8, 5), tick=False):
        digest = digests.office_digest(user=office, today=datetime.date(2026, 12, 1))
    unreachable = digest.text.split("无法联系: ")[1].split("逾期")[0]
    assert unreachable.startswith("1\n") and "曾宪梅" in unreachable and "孙接通" not in unreachable
    assert "自2026-11-26起无法联系（已连续3次未联系上）" in unreachable
    assert f"/retirees/{alerted.pk}/" in digest.html
