"""core.forms.form_post: the POST shape every form page shares."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from core.forms import Saved, form_post


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _texts(request):
    return [str(message) for message in get_messages(request)]


def test_a_get_saves_nothing_and_says_nothing():
    request = _request("get")
    assert form_post(request, NameForm(), lambda: 1 / 0) is None
    assert _texts(request) == []


def test_a_valid_post_returns_what_the_service_returned_with_the_success_message():
    request = _request(data={"name": "x"})
    done = form_post(request, NameForm(request.POST), lambda: None, success=lambda value: f"saved {value}")
    assert done == Saved(None) and done  # truthy even when the service returns None
    assert _texts(request) == ["saved None"]


def test_a_service_error_lands_on_its_field_and_the_user_is_told_nothing_was_saved():
    request = _request(data={"name": "x"})
    form = NameForm(request.POST)

    def refuse():
        raise ValidationError({"name": "taken", "other": "on top"})

    assert form_post(request, form, refuse) is None
    assert form.errors["name"] == ["taken"] and form.non_field_errors() == ["on top"]
    assert len(_texts(request)) == 1


def test_an_invalid_form_never_calls_the_service():
    request = _request(data={})
    assert form_post(request, NameForm(request.POST), lambda: 1 / 0) is None
    assert len(_texts(request)) == 1


def test_an_invalid_second_form_never_calls_the_service_and_both_show_their_errors():
    request = _request(data={})
    form, other = NameForm(request.POST), NameForm(request.POST, prefix="other")
    assert form_post(request, form, lambda: 1 / 0, also=[other]) is None
    assert form.errors and other.errors
    assert len(_texts(request)) == 1


def test_errors_on_sends_a_service_error_to_the_form_it_belongs_to():
    request = _request(data={"name": "x", "other-name": "y"})
    form, other = NameForm(request.POST), NameForm(request.POST, prefix="other")

    def refuse():
        raise ValidationError({"name": "taken"})

    assert form_post(request, form, refuse, also=[other], errors_on=lambda error: other) is None
    assert other.errors["name"] == ["taken"] and not form.errors
