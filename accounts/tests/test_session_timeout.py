"""The inactivity timeout: a session ends SESSION_COOKIE_AGE after the last request, within a minute."""

import datetime

import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.factories import PASSWORD

START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_activity_keeps_the_session_alive_and_idleness_ends_it(client, secretary_a, settings):
    settings.SESSION_COOKIE_AGE = 1800
    with time_machine.travel(START, tick=False):
        client.post(reverse("login"), {"username": secretary_a.username, "password": PASSWORD})
    assert _expiry(client) == START + datetime.timedelta(seconds=1800)
    with time_machine.travel(START + datetime.timedelta(seconds=30), tick=False):
        assert client.get(reverse("retirees:list")).status_code == 200
    assert _expiry(client) == START + datetime.timedelta(seconds=1800)  # within the minute: no write
    later = START + datetime.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("retirees:list")).status_code == 200
    assert _expiry(client) == later + datetime.timedelta(seconds=1800)  # pushed back
    with time_machine.travel(later + datetime.timedelta(seconds=1801), tick=False):
        response = client.get(reverse("retirees:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
