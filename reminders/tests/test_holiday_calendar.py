"""The holiday calendar: filled from the library by a command (idempotent), the office's exceptions kept."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import calendar_cn
from reminders import services
from reminders.models import Holiday

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def calendar_state():
    return sorted(Holiday.objects.values_list("date", "kind", "name", "source"))


def refresh():
    out = io.StringIO()
    call_command("refresh_holidays", "--year", "2026", "--year", "2027", stdout=out)
    return out.getvalue()


def test_the_command_fills_both_years_and_a_second_run_changes_nothing():
    output = refresh()
    first = calendar_state()
    assert (datetime.date(2026, 2, 14), "workday", "春节调休上班", "library") in first
    assert (datetime.date(2027, 2, 6), "holiday", "春节", "library") in first
    assert "added" in output and "holidays 0." in output
    again = refresh()
    assert calendar_state() == first
    assert "0 added, 0 updated, 0 removed" in again


def test_the_default_years_are_this_and_next():
    assert services.holiday_years(TODAY) == (2026, 2027)
    result = services.holidays_refresh(today=TODAY)
    assert result.years == (2026, 2027)
    assert Holiday.objects.filter(date__year=2027).exists()


def test_office_exceptions_survive_a_refresh_and_a_matching_typed_row_becomes_the_librarys():
    services.holidays_refresh(years=(2026,))
    office_works = Holiday.objects.get(date=datetime.date(2026, 10, 7))
    office_works.kind, office_works.source, office_works.name = "workday", "office", "照常上班"
    office_works.save()
    Holiday.objects.create(date=datetime.date(2026, 9, 8), name="校庆", source="office")  # not statutory
    Holiday.objects.filter(date=datetime.date(2026, 10, 1)).update(source="office", name="国庆")  # typed by hand
    result = services.holidays_refresh(years=(2026,))
    assert result.kept_exceptions == 1
    assert Holiday.objects.get(date=datetime.date(2026, 10, 7)).name == "照常上班"
    assert Holiday.objects.get(date=datetime.date(2026, 9, 8)).source == "office"
    assert Holiday.objects.get(date=datetime.date(2026, 10, 1)).source == "library"


def test_a_day_the_library_dropped_is_removed(monkeypatch):
    services.holidays_refresh(years=(2026,))
    real = calendar_cn.statutory_days(2026)
    monkeypatch.setattr(
        calendar_cn, "statutory_days", lambda year: [d for d in real if d.date != datetime.date(2026, 10, 7)]
    )
    result = services.holidays_refresh(years=(2026,))
    assert result.removed == 1 and not Holiday.objects.filter(date=datetime.date(2026, 10, 7)).exists()


def test_office_adds_an_exception_over_a_statutory_day_and_removing_it_restores_the_day(login, office):
    services.holidays_refresh(years=(2026,))
    client = login(office)
    response = client.post(reverse("reminders:holidays"), {"date": "2026-10-07", "kind": "workday", "name": "照常上班"})
    assert response.status_code == 302
    row = Holiday.objects.get(date=datetime.date(2026, 10, 7))
    assert (row.kind, row.source) == ("workday", "office")
    client.post(reverse("reminders:holiday_delete", args=[row.pk]))
    row.refresh_from_db()
    assert (row.kind, row.name, row.source) == ("holiday", "国庆节（调休）", "library")


def test_a_statutory_day_cannot_be_removed_and_bad_input_writes_nothing(login, office):
    services.holidays_refresh(years=(2026,))
    before = calendar_state()
    client = login(office)
    row = Holiday.objects.get(date=datetime.date(2026, 10, 1))
    response = client.post(reverse("reminders:holiday_delete", args=[row.pk]), follow=True)
    assert "法定" in response.content.decode() or "statutory" in response.content.decode()
    for data in (
        {"date": "9999-12-31", "kind": "holiday", "name": "x"},
        {"date": "2026-10-08", "kind": "nonsense", "name": "x"},
        {"date": "2026-10-08", "kind": "holiday", "name": ""},
        {"date": "2026-10-08", "kind": "holiday", "name": "x" * 51},
    ):
        assert client.post(reverse("reminders:holidays"), data).status_code == 200
    assert calendar_state() == before


def test_the_page_says_which_years_are_published_and_only_office_may_refresh(login, office, secretary_a):
    html = login(office).get(reverse("reminders:holidays")).content.decode()
    assert "data-calendar-status" in html
    assert login(secretary_a).post(reverse("reminders:holidays_refresh")).status_code == 403
    assert not Holiday.objects.exists()
    login(office).post(reverse("reminders:holidays_refresh"))
    assert Holiday.objects.filter(source="library").exists()


def test_the_beat_task_refreshes():
    from reminders.tasks import refresh_holidays

    assert refresh_holidays()["added"] > 0
    assert refresh_holidays()["added"] == 0
