"""Through a real Celery worker on real Redis: the beat's task, fanned-out sends, delivered mail."""

import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from outreach.celery import app
from reminders import tasks
from reminders.models import Delivery, Notification
from reminders.tests.conftest import MONDAY_0900

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the suite runs against real Redis"
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_tick_through_the_worker_delivers_each_digest_once(reminded_branch, worker):
    with time_machine.travel(MONDAY_0900, tick=True):
        tasks.tick.delay()
        assert _wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2)
        tasks.tick.delay()  # a duplicate tick
        time.sleep(1.5)
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["com_a@example.org", "sec_a@example.org"]


def test_digests_left_by_an_outage_expire_in_the_worker_and_only_todays_go_out(reminded_branch, worker, monkeypatch):
    from kombu.messaging import Producer

    from tests.factories import at

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("Redis down")

    with monkeypatch.context() as outage, time_machine.travel(MONDAY_0900, tick=True):
        outage.setattr(Producer, "publish", refuse)
        tasks.tick.run()  # Monday's beat tick ran, but nothing could be enqueued
    assert Delivery.objects.filter(status="pending").count() == 2

    with time_machine.travel(at(2026, 12, 3, 9), tick=True):  # Thursday: Redis is back
        tasks.tick.delay()
        assert _wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2)
    assert set(Delivery.objects.filter(reminder__period="2026-11-30").values_list("status", flat=True)) == {"expired"}
    assert sorted(m.subject[:10] for m in mail.outbox) == ["联络提醒 12月3日"] * 2
    assert Notification.objects.count() == 4  # Monday's in-app messages stay


def test_task_messages_carry_ids_only(reminded_branch, monkeypatch, django_capture_on_commit_callbacks):
    """What reaches the broker when the tick enqueues deliveries: the row's id, nothing personal."""
    import json

    from kombu.messaging import Producer

    from reminders import services

    published = []

    def record(self, body, *args, **kwargs):  # the last step before the bytes leave for Redis
        published.append({"body": body, "headers": kwargs.get("headers") or {}})

    monkeypatch.setattr(Producer, "publish", record)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminder_tick(now=MONDAY_0900)

    ids = set(Delivery.objects.values_list("id", flat=True))
    assert len(published) == len(ids) == 2
    for message in published:
        args, kwargs, _embed = message["body"]  # Celery's message protocol 2
        assert message["headers"]["task"] == "reminders.send_delivery"
        assert len(args) == 1 and args[0] in ids and kwargs == {}
        wire = json.dumps(message, default=str, ensure_ascii=False)
        for personal in ("王从未", "13500001111", "sec_a", "com_a", "@example.org", "逾期"):
            assert personal not in wire


def test_an_urgent_contact_is_emailed_by_the_worker_as_soon_as_it_commits(
    branch_a, secretary_a, office, retiree_a, worker
):
    """No tick involved: the alert's deliveries are enqueued on commit and sent right away."""
    from checkins.services import contact_log
    from reminders.models import Reminder

    contact_log(user=secretary_a, retiree=retiree_a, reached="retiree", outcome="urgent", needs="摔倒了")
    assert _wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["office@example.org", "sec_a@example.org"]
    assert all("紧急" in m.subject and "摔倒了" in m.body for m in mail.outbox)
    assert Reminder.objects.filter(kind="alert", episode__startswith="contact:").count() == 2
