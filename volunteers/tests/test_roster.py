import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_retiree
from volunteers import services as volunteers_services
from volunteers.models import PatrolAssignment, PatrolShift, Volunteer


def _shift(office, day, start, end, area="east", needed=2):
    return volunteers_services.patrol_shift_save(
        user=office,
        shift=PatrolShift(
            area=area, date=day, starts_at=datetime.time(*start), ends_at=datetime.time(*end), volunteers_needed=needed
        ),
    )


def test_a_shift_ending_before_it_starts_is_refused_and_saves_nothing(login, office, today):
    with pytest.raises(ValidationError) as error:
        _shift(office, today, (10, 0), (9, 0))
    assert "ends_at" in error.value.error_dict
    response = login(office).post(
        reverse("volunteers:shift_create"),
        {
            "action": "save",
            "shift-area": "east",
            "shift-date": today.isoformat(),
            "shift-starts_at": "21:00",
            "shift-ends_at": "20:00",
            "shift-volunteers_needed": "2",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "班次结束时间必须晚于开始时间" in response.content.decode()
    assert not PatrolShift.objects.exists()


def test_the_database_refuses_a_shift_ending_before_it_starts(office, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatrolShift.objects.create(
            area="east", date=today, starts_at=datetime.time(10), ends_at=datetime.time(9), created_by=office
        )


def test_a_volunteer_is_never_double_booked_on_overlapping_shifts(office, volunteer_a, today):
    morning = _shift(office, today, (8, 0), (10, 0))
    overlapping = _shift(office, today, (9, 30), (11, 0), area="north")
    after = _shift(office, today, (10, 0), (12, 0))
    volunteers_services.patrol_assign(user=office, shift=morning, volunteer=volunteer_a)
    with pytest.raises(ValidationError) as error:
        volunteers_services.patrol_assign(user=office, shift=overlapping, volunteer=volunteer_a)
    assert "volunteer" in error.value.error_dict
    volunteers_services.patrol_assign(user=office, shift=after, volunteer=volunteer_a)  # back to back is fine
    assert PatrolAssignment.objects.filter(volunteer=volunteer_a).count() == 2


def test_double_booking_through_the_page_shows_the_error(login, office, volunteer_a, today):
    first = _shift(office, today, (8, 0), (10, 0))
    second = _shift(office, today, (9, 0), (11, 0))
    volunteers_services.patrol_assign(user=office, shift=first, volunteer=volunteer_a)
    response = login(office).post(
        reverse("volunteers:shift_edit", args=[second.pk]),
        {"action": "assign", "assign-volunteer": volunteer_a.pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "时间重叠" in response.content.decode()
    assert not second.assignments.exists()


def test_a_volunteer_patrols_only_their_area(office, branch_a, today):
    east_only = Volunteer.objects.create(retiree=make_retiree(branch_a, "东区"), area="east")
    with pytest.raises(ValidationError):
        volunteers_services.patrol_assign(
            user=office, shift=_shift(office, today, (8, 0), (9, 0), area="north"), volunteer=east_only
        )


def test_roster_highlights_unfilled_shifts_and_hides_other_branches_names(
    login, office, secretary_b, volunteer_a, today
):
    full = _shift(office, today, (8, 0), (10, 0), needed=1)
    empty = _shift(office, today, (14, 0), (16, 0))
    volunteers_services.patrol_assign(user=office, shift=full, volunteer=volunteer_a)
    html = login(office).get(reverse("volunteers:roster")).content.decode()
    assert f'data-shift="{empty.pk}" data-unfilled-shift' in html
    assert f'data-shift="{full.pk}" data-unfilled-shift' not in html
    assert volunteer_a.retiree.name in html
    other = login(secretary_b).get(reverse("volunteers:roster")).content.decode()
    assert volunteer_a.retiree.name not in other  # another branch's volunteer: counted, not named
    assert "style=" not in html and "<script>" not in html


def test_roster_query_count_does_not_grow_with_shifts(login, office, branch_a, today):
    client = login(office)
    monday = today - datetime.timedelta(days=today.weekday())

    def grow(count, start):
        for number in range(count):
            day = monday + datetime.timedelta(days=number % 7)
            shift = _shift(office, day, (6 + number // 7, 0), (7 + number // 7, 0))
            volunteer = Volunteer.objects.create(retiree=make_retiree(branch_a, f"巡{start + number}"), area="both")
            volunteers_services.patrol_assign(user=office, shift=shift, volunteer=volunteer)

    grow(2, 0)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("volunteers:roster")).status_code == 200
        return len(captured)

    small = queries()
    grow(12, 100)
    # session, user, the week's shifts with their counts, their visible volunteers
    assert small == queries() == 4
