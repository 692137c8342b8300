"""The login form: bad input is a form error, never a server error."""

from django.test import Client
from django.urls import reverse


def test_a_user_name_too_long_is_a_form_error_not_a_failed_login_log(db):
    response = Client(raise_request_exception=True).post(
        reverse("login"), {"username": "x" * 10_000, "password": "wrong"}
    )
    assert response.status_code == 200 and response.context["form"].errors
