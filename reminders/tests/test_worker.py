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


def test_task_messages_carry_ids_only(reminded_branch):
    message = tasks.send_delivery.s(42)
    assert message.args == (42,) and not message.kwargs
