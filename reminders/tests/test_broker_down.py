"""The web app never waits on the broker: with Redis unreachable, nothing fails or hangs."""

import logging
import socket
import threading
import time

import pytest
from django.db import transaction

from core.queue import enqueue_on_commit
from outreach.celery import app
from reminders import services, tasks
from reminders.models import Delivery
from reminders.tests.conftest import MONDAY_0900


def _reset_pools():  # Celery caches its connection pools: rebuild them for the new broker URL
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Point Celery at a port where nothing listens, as when Redis is stopped."""
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    _reset_pools()
    yield
    monkeypatch.undo()
    _reset_pools()


@pytest.fixture
def broker_frozen(monkeypatch):
    """Point Celery at a server on 127.0.0.1 that accepts connections and never answers (a frozen Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # keep it open, say nothing
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    _reset_pools()
    yield
    monkeypatch.undo()
    _reset_pools()
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def many_due(reminded_branch):
    """Sixteen branch workers with email: sixteen deliveries for one tick (the issue's case)."""
    from accounts.models import User

    User.objects.bulk_create(
        User(
            username=f"worker{number}",
            role=User.Role.BRANCH,
            branch=reminded_branch,
            position=User.Position.COMMITTEE,
            email=f"worker{number}@example.org",
        )
        for number in range(14)
    )
    return reminded_branch


@pytest.mark.parametrize("broker", ["broker_down", "broker_frozen"])
def test_a_tick_with_the_broker_out_stops_enqueuing_at_the_first_failure(
    many_due, broker, request, caplog, django_capture_on_commit_callbacks
):
    request.getfixturevalue(broker)
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            result = services.reminder_tick(now=MONDAY_0900)
    assert result.claimed == 16
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.queue"):
        for callback in callbacks:  # what runs once the tick's transaction commits: the enqueuing
            callback()
    elapsed = time.monotonic() - started
    # One broker timeout (2 s to connect, 2 s to answer), not one per row (16 × 2 s before).
    assert elapsed < 6, f"enqueuing took {elapsed:.1f} s"
    warnings = [r for r in caplog.records if r.name == "core.queue"]
    assert len(warnings) == 1 and "0 of 16" in warnings[0].getMessage()
    # Nothing lost: every row waits, pending, for the next tick.
    assert Delivery.objects.filter(status="pending").count() == 16


def test_enqueue_with_the_broker_down_loses_nothing(reminded_branch, broker_down, django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.reminder_tick(now=MONDAY_0900)
    assert time.monotonic() - started < 10
    # The rows are the source of truth: still pending, found again by the next tick.
    assert Delivery.objects.filter(status="pending").count() == 2
    assert services.reminder_tick(now=MONDAY_0900).enqueued == 2


def test_enqueue_never_raises(monkeypatch, django_capture_on_commit_callbacks, db):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_delivery, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(tasks.send_delivery, 1)


def test_logging_a_contact_works_with_the_broker_down(login, secretary_a, retiree_a, broker_down):
    from django.urls import reverse

    from checkins.models import ContactLog

    started = time.monotonic()
    response = login(secretary_a).post(
        reverse("checkins:quick_log", args=[retiree_a.pk]), {"result": "all_well"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and time.monotonic() - started < 5
    assert ContactLog.objects.filter(retiree=retiree_a, reached="retiree").count() == 1


@pytest.mark.parametrize("broker", ["broker_down", "broker_frozen"])
def test_an_urgent_contact_with_the_broker_out_is_logged_and_its_alert_waits_for_the_tick(
    broker, request, login, secretary_a, office, retiree_a, caplog, django_capture_on_commit_callbacks
):
    """The contact form's request claims the alert and commits; enqueuing its three deliveries
    after commit meets the broker out and costs one timeout, not three; the tick sends them later."""
    import time_machine
    from django.core import mail
    from django.urls import reverse

    from checkins.models import ContactLog
    from reminders.models import Reminder
    from tests.factories import at

    request.getfixturevalue(broker)
    form = {"contacted_at": "2026-12-01T07:20", "channel": "phone", "reached": "family", "outcome": "urgent"}
    form.update({"health_seen": "", "community_status": "", "needs": "", "follow_up_on": "", "notes": ""})
    with time_machine.travel(at(2026, 12, 1, 7, 30), tick=True):
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="core.queue"):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                response = login(secretary_a).post(reverse("checkins:contact_create", args=[retiree_a.pk]), form)
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 6, f"the request took {elapsed:.1f} s"
    assert len(callbacks) == 1  # one enqueue for every delivery of the alert
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.queue"]
    assert len(warnings) == 1 and "enqueued 0 of 2" in warnings[0]
    assert ContactLog.objects.get().outcome == "urgent"
    assert Reminder.objects.filter(kind="alert").count() == 2  # the secretary and office staff
    assert Delivery.objects.filter(status="pending").count() == 2  # nothing lost

    later = at(2026, 12, 1, 7, 35)  # the next tick, Redis back: the rows are found again
    assert services.reminder_tick(now=later).enqueued == 2
    for delivery in Delivery.objects.filter(status="pending"):
        services.delivery_send(delivery_id=delivery.pk, now=later)
    assert sorted(message.to[0] for message in mail.outbox) == ["office@example.org", "sec_a@example.org"]
