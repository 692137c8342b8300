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
