"""What a request carries (a return path, an id, a date) is checked before it is used: bad input is
a message or a 404, never a server error, and nothing is half-saved."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from care.models import Invitation, PatrolAssignment, Visit
from checkins.models import ContactLog
from outreach.dates import BIRTH, PAST
from outreach.forms import int_or_none

UNSAFE_NEXT = ["abc", "//evil.example", "https://evil.example/", "/\\evil.example"]


@pytest.fixture
def client_as(db):
    """A client that raises what the view raises (a 500 in production) instead of hiding it."""

    def _client(user):
        client = Client(raise_request_exception=True)
        client.force_login(user)
        return client

    return _client


def _contact_data(**overrides):
    now = timezone.localtime()
    return {
        "contacted_at": now.strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "reached": "retiree",
        "outcome": "all_well",
        "health_seen": "unwell",
        "community_status": "normal",
        **overrides,
    }


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_quick_log_goes_to_the_call_list_when_next_is_not_a_local_path(client_as, secretary_a, retiree_a, target):
    url = reverse("checkins:quick_log", args=[retiree_a.pk])
    response = client_as(secretary_a).post(url, {"result": "all_well", "next": target})
    assert response.status_code == 302 and response.url == reverse("checkins:call_list")


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_contact_form_goes_to_the_retiree_when_next_is_not_a_local_path(client_as, secretary_a, retiree_a, target):
    url = reverse("checkins:contact_create", args=[retiree_a.pk]) + "?next=" + target
    response = client_as(secretary_a).post(url, _contact_data(next=target))
    assert response.status_code == 302 and response.url == retiree_a.get_absolute_url()
    assert ContactLog.objects.count() == 1


def test_a_local_next_path_is_followed(client_as, secretary_a, retiree_a):
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    response = client_as(secretary_a).post(url, _contact_data(next="/checkins/?page=2"))
    assert response.url == "/checkins/?page=2"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_follow_up_done_goes_to_the_retiree_when_next_is_not_a_local_path(
    client_as, secretary_a, retiree_a, checkin_objects, target
):
    contact = checkin_objects(retiree_a)["contact"]
    response = client_as(secretary_a).post(reverse("checkins:follow_up_done", args=[contact.pk]), {"next": target})
    assert response.status_code == 302 and response.url == retiree_a.get_absolute_url()


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_notice_delivery_goes_to_the_notice_when_next_is_not_a_local_path(
    client_as, secretary_a, retiree_a, care_objects, target
):
    notice = care_objects(retiree_a)["notice"]
    response = client_as(secretary_a).post(
        reverse("care:notice_deliver", args=[notice.pk]), {"retiree": retiree_a.pk, "method": "phone", "next": target}
    )
    assert response.status_code == 302 and response.url == notice.get_absolute_url()


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_visit_edit_goes_to_the_retiree_when_next_is_not_a_local_path(
    client_as, secretary_a, retiree_a, care_objects, target
):
    visit = care_objects(retiree_a)["visit"]
    data = {"status": "done", "visited_on": timezone.localdate().isoformat(), "next": target}
    response = client_as(secretary_a).post(reverse("care:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302 and response.url == retiree_a.get_absolute_url()


def test_a_meeting_invitation_that_is_not_a_number_is_not_found(client_as, secretary_a, retiree_a, care_objects):
    meeting = care_objects(retiree_a)["meeting"]
    response = client_as(secretary_a).post(meeting.get_absolute_url(), {"invitation": "abc", "attended": "yes"})
    assert response.status_code == 404
    assert not Invitation.objects.filter(attended=True).exists()


def test_a_shift_assignment_that_is_not_a_number_is_not_found(client_as, office, retiree_a, care_objects):
    shift = care_objects(retiree_a)["shift"]
    response = client_as(office).post(
        reverse("care:shift_edit", args=[shift.pk]), {"action": "remove", "assignment": "abc"}
    )
    assert response.status_code == 404
    assert PatrolAssignment.objects.filter(shift=shift).exists()


@pytest.mark.parametrize("value", ["12", "²", "١٢", "-1", "1.5", "abc", "", None, "9" * 19])
def test_only_plain_digits_are_an_id(value):
    assert int_or_none(value) == (12 if value == "12" else None)


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1949-09-30T12:00"])
def test_a_contact_at_the_edge_of_time_is_a_field_error(client_as, secretary_a, retiree_a, when):
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    response = client_as(secretary_a).post(url, _contact_data(contacted_at=when))
    assert response.status_code == 200
    assert response.context["form"].errors["contacted_at"]
    assert not ContactLog.objects.exists()


def test_the_date_range_message_is_in_chinese(client_as, secretary_a, retiree_a):
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    response = client_as(secretary_a).post(url, _contact_data(contacted_at="0001-01-01T00:00"))
    assert "请输入" in response.context["form"].errors["contacted_at"][0]


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_meeting_at_the_edge_of_time_is_a_field_error(client_as, office, branch_a, when):
    data = {"title": "座谈会", "kind": "forum", "mode": "online", "starts_at": when, "all_branches": "on"}
    response = client_as(office).post(reverse("care:meeting_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"]


@pytest.mark.parametrize("visited_on", ["0001-01-01", "9999-12-31"])
def test_a_visit_at_the_edge_of_time_is_a_field_error(client_as, secretary_a, retiree_a, care_objects, visited_on):
    visit = care_objects(retiree_a)["visit"]
    response = client_as(secretary_a).post(
        reverse("care:visit_edit", args=[visit.pk]), {"status": "done", "visited_on": visited_on}
    )
    assert response.status_code == 200 and response.context["form"].errors["visited_on"]
    assert Visit.objects.get(pk=visit.pk).visited_on == timezone.localdate()


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_the_roster_shows_this_week_for_a_week_out_of_range(client_as, office, week):
    response = client_as(office).get(reverse("care:roster"), {"week": week})
    assert response.status_code == 200
    assert response.context["monday"] <= timezone.localdate() < response.context["monday"] + datetime.timedelta(7)
    assert [str(m) for m in response.context["messages"]]


def test_birth_dates_run_from_1900_to_today():
    today = timezone.localdate()
    assert datetime.date(1900, 1, 1) in BIRTH and today in BIRTH
    assert datetime.date(1899, 12, 31) not in BIRTH and today + datetime.timedelta(1) not in BIRTH
    assert datetime.date(1949, 9, 30) not in PAST and today + datetime.timedelta(1) in PAST


def test_every_form_with_a_date_holds_it_to_a_range():
    """A new form with a date field gets a range too (DateRangeMixin), or this test names it."""
    from django import forms

    from outreach.dates import DateRangeMixin

    ours = ("accounts", "branches", "retirees", "checkins", "ledgers", "care", "audit", "reminders")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import care.forms  # noqa: F401  (load every app's forms)
    import checkins.forms  # noqa: F401
    import ledgers.forms  # noqa: F401
    import retirees.forms  # noqa: F401

    missing = [
        f"{form.__module__}.{form.__name__}"
        for form in set(subclasses(forms.BaseForm))
        if form.__module__.split(".")[0] in ours
        and not form.__module__.startswith("reminders")  # the holiday calendar is reminders' own
        and any(isinstance(f, forms.DateField | forms.DateTimeField) for f in form.base_fields.values())
        and not issubclass(form, DateRangeMixin)
    ]
    assert missing == []

