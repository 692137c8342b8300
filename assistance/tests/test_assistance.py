import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import services as assistance_services
from assistance.models import AssistanceRequest
from checkins.services import contact_log
from conftest import make_retiree
from volunteers.models import Volunteer


@pytest.fixture
def contact(secretary_a, retiree_a):
    return contact_log(user=secretary_a, retiree=retiree_a, outcome="needs_help", needs="降压药吃完了")


def test_request_from_a_contact_in_one_step(login, secretary_a, contact, today):
    response = login(secretary_a).post(
        reverse("assistance:request_from_contact", args=[contact.pk]),
        {"kind": "medicine", "needed_by": today.isoformat(), "details": contact.needs},
    )
    request = AssistanceRequest.objects.get()
    assert response.status_code == 302 and response.url == request.get_absolute_url()
    assert (request.contact, request.retiree, request.kind, request.status) == (
        contact,
        contact.retiree,
        "medicine",
        "open",
    )
    assert request.details == "降压药吃完了" and request.created_by == secretary_a


def test_timeline_offers_the_request_button_for_a_contact_with_needs(login, secretary_a, contact):
    html = login(secretary_a).get(contact.retiree.get_absolute_url()).content.decode()
    assert f'data-request-from-contact="{contact.pk}"' in html


def test_assign_to_a_volunteer_then_done_with_who_and_when(office, secretary_a, contact, volunteer_a):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="medicine")
    assistance_services.assistance_request_assign(user=office, request=request, volunteer=volunteer_a)
    request.refresh_from_db()
    assert (request.status, request.assigned_volunteer, request.assigned_by) == ("assigned", volunteer_a, office)
    assert request.assigned_at is not None
    assistance_services.assistance_request_complete(
        user=secretary_a, request=request, brought="降压药两盒", outcome="药已送到"
    )
    request.refresh_from_db()
    assert (request.status, request.closed_by, request.outcome) == ("done", secretary_a, "药已送到")
    assert request.brought == "降压药两盒"
    assert request.closed_at is not None


def test_done_without_an_outcome_is_refused_and_saves_nothing(login, secretary_a, contact):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="other")
    with pytest.raises(ValidationError):
        assistance_services.assistance_request_complete(user=secretary_a, request=request, outcome="  ")
    response = login(secretary_a).post(reverse("assistance:request_complete", args=[request.pk]), {"outcome": ""})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == "open"


def test_the_database_refuses_a_done_request_without_outcome(secretary_a, contact):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="other")
    request.status = "done"
    request.closed_at = request.created_at
    with pytest.raises(IntegrityError), transaction.atomic():
        request.save()


def test_request_for_another_branch_is_a_404(login, secretary_b, secretary_a, contact):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="other")
    client = login(secretary_b)
    assert client.get(request.get_absolute_url()).status_code == 404
    assert client.post(reverse("assistance:request_complete", args=[request.pk]), {"outcome": "x"}).status_code == 404
    assert (
        client.post(reverse("assistance:request_from_contact", args=[contact.pk]), {"kind": "other"}).status_code == 404
    )
    assert contact.retiree.name not in client.get(reverse("assistance:request_list")).content.decode()


def test_only_office_staff_assign(login, secretary_a, contact, volunteer_a):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="other")
    response = login(secretary_a).post(
        reverse("assistance:request_assign", args=[request.pk]), {"volunteer": volunteer_a.pk}
    )
    assert response.status_code == 403


def test_list_filters_and_overdue_highlight(login, office, secretary_a, retiree_a, retiree_b, volunteer_a, today):
    late = assistance_services.assistance_request_create(
        user=office, retiree=retiree_a, kind="medicine", needed_by=today - datetime.timedelta(days=1)
    )
    assistance_services.assistance_request_create(user=office, retiree=retiree_b, kind="parcel")
    assistance_services.assistance_request_assign(user=office, request=late, volunteer=volunteer_a)
    client = login(office)
    page = lambda query: list(client.get(reverse("assistance:request_list"), query).context["page"])  # noqa: E731
    assert page({"kind": "medicine"}) == [late]
    assert page({"branch": retiree_b.branch.pk})[0].retiree == retiree_b
    assert page({"assignee": f"v-{volunteer_a.pk}"}) == [late]
    assert page({"overdue": "true"}) == [late]
    assert page({"status": "done"}) == []
    assert "data-overdue" in client.get(reverse("assistance:request_list")).content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("assistance:request_list"))
    assert response.status_code == 200
    return len(captured)


def test_request_list_query_count_does_not_grow_with_rows(login, office, branch_a, volunteer_a):
    client = login(office)

    def grow(count, start):
        for number in range(count):
            retiree = make_retiree(branch_a, f"求助{start + number}")
            request = assistance_services.assistance_request_create(user=office, retiree=retiree, kind="medicine")
            if number % 2:
                assistance_services.assistance_request_assign(user=office, request=request, volunteer=volunteer_a)

    grow(2, 0)
    small = _queries(client)
    grow(20, 100)
    large = _queries(client)
    # session, user, assignee choices (volunteers, staff), branch choices, count, page with retiree,
    # branch, assignees (the session's expiry is refreshed at most once a minute)
    assert small == large == 7


def test_volunteers_appear_as_assignees(login, office, secretary_a, contact, volunteer_a):
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="parcel")
    form = login(office).get(request.get_absolute_url()).context["assign_form"]
    assert volunteer_a in form.fields["volunteer"].queryset
    Volunteer.objects.filter(pk=volunteer_a.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        assistance_services.assistance_request_assign(user=office, request=request, volunteer=volunteer_a)


def test_a_cancel_that_cannot_be_saved_says_nothing_was_saved(login, secretary_a, contact):
    """The cancel form shares the other forms' shape (core.forms.form_post): a reason too long is
    refused with the "nothing was saved" message, and the request stays open."""
    request = assistance_services.assistance_request_from_contact(user=secretary_a, contact=contact, kind="medicine")
    response = login(secretary_a).post(
        reverse("assistance:request_cancel", args=[request.pk]), {"reason": "太长" * 300}, follow=True
    )
    assert response.status_code == 200
    assert "未保存：请修改下面标出的内容。" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "open"
