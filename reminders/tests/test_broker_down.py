"""The web app never waits on the broker: with Redis unreachable, nothing fails or hangs."""

import time

import pytest
from django.db import transaction

from outreach.celery import app
from outreach.queue import enqueue_on_commit
from reminders import services, tasks
from reminders.models import Delivery
from reminders.tests.conftest import MONDAY_0900


@pytest.fixture
def broker_down(monkeypatch):
    """Point Celery at a port where nothing listens, as when Redis is stopped."""

    def reset_pools():  # Celery caches its connection pools: rebuild them for the new broker URL
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    reset_pools()
    yield
    monkeypatch.undo()
    reset_pools()


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
