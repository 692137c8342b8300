"""A password the office set is temporary: the next sign-in leads to the password page, and only there."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_reset_then_sign_in_forces_the_change_before_any_other_page(client, login, office, secretary_a):
    response = login(office).post(reverse("accounts:user_password_reset", args=[secretary_a.pk]))
    temporary = response.context["password"]
    assert "data-temporary-password" in response.content.decode()
    assert AuditEvent.objects.filter(action="password_reset", detail__target=secretary_a.pk).exists()
    client.logout()

    assert sign_in(client, "sec_a", temporary).status_code == 302
    for path in ("/", reverse("retirees:list"), reverse("checkins:call_list")):
        response = client.get(path)
        assert response.status_code == 302 and response.url == reverse("password_change"), path
    # The bell's in-page update gets nothing, not the password page inside the bell.
    assert client.get(reverse("reminders:badge"), HTTP_HX_REQUEST="true").status_code == 204
    assert client.get(reverse("password_change")).status_code == 200

    new = "Branch-own-pass-77"
    response = client.post(
        reverse("password_change"),
        {"old_password": temporary, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response.url == reverse("login")
    secretary_a.refresh_from_db()
    assert not secretary_a.must_change_password and secretary_a.check_password(new)
    assert sign_in(client, "sec_a", new).status_code == 302
    assert client.get(reverse("checkins:call_list")).status_code == 200


def test_reset_ends_open_sessions_and_lifts_a_lockout(client, login, office, secretary_a, settings):
    other = type(client)()
    other.force_login(secretary_a)
    AccessAttempt.objects.create(
        username="sec_a", ip_address="127.0.0.1", failures_since_start=99, get_data="", post_data=""
    )
    login(office).post(reverse("accounts:user_password_reset", args=[secretary_a.pk]))
    assert other.get(reverse("checkins:call_list")).status_code == 302  # the old session is gone
    assert not AccessAttempt.objects.filter(username="sec_a").exists()


def test_a_bad_new_password_keeps_the_flag(client, secretary_a):
    secretary_a.must_change_password = True
    secretary_a.set_password("Temp-pass-2026-x")
    secretary_a.save()
    client.force_login(secretary_a)
    client.post(
        reverse("password_change"), {"old_password": "Temp-pass-2026-x", "new_password1": "123", "new_password2": "123"}
    )
    assert User.objects.get(pk=secretary_a.pk).must_change_password
