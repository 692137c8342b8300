"""Every Monday the office gets last week's report, once per person and week."""

import datetime

import pytest

from reminders import services as reminder_services
from reminders.models import Delivery, Notification, Reminder
from reports.models import WeeklyReport
from tests.factories import at

MONDAY_0700 = at(2026, 11, 30, 7)
MONDAY_0905 = at(2026, 11, 30, 9, 5)


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_monday_claims_last_weeks_report_once_per_office_member(office, secretary_a, retiree_a):
    assert reminder_services.weekly_report_tick(now=MONDAY_0700).claimed == 0  # before the office's digest time
    result = reminder_services.weekly_report_tick(now=MONDAY_0905)
    assert result.claimed == 1  # office staff only (not branch workers)
    reminder = Reminder.objects.get(kind=Reminder.Kind.WEEKLY_REPORT)
    assert reminder.recipient == office and reminder.period == datetime.date(2026, 11, 23)
    report = WeeklyReport.objects.get()
    assert report.week == datetime.date(2026, 11, 23) and report.issued_by is None
    assert report.get_absolute_url() in reminder.text
    assert Notification.objects.filter(recipient=office, reminder=reminder).exists()
    assert Delivery.objects.filter(reminder=reminder, channel=Delivery.Channel.EMAIL).exists()
    # A second beat, a later hour, another day of the week: nothing more.
    assert reminder_services.weekly_report_tick(now=MONDAY_0905).claimed == 0
    assert reminder_services.weekly_report_tick(now=at(2026, 12, 2, 10)).claimed == 0
    assert WeeklyReport.objects.count() == 1


def test_missed_monday_is_caught_up_later_in_the_week(office, retiree_a):
    assert reminder_services.weekly_report_tick(now=at(2026, 12, 1, 3)).claimed == 1
    assert Reminder.objects.get(kind=Reminder.Kind.WEEKLY_REPORT).period == datetime.date(2026, 11, 23)


def test_the_email_is_sent_and_stays_worth_sending_for_a_week(office, retiree_a, mailoutbox):
    reminder_services.weekly_report_tick(now=MONDAY_0905)
    delivery = Delivery.objects.get(reminder__kind=Reminder.Kind.WEEKLY_REPORT)
    reminder_services.delivery_send(delivery_id=delivery.pk, now=at(2026, 12, 3, 10))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mailoutbox) == 1 and "/reports/" in mailoutbox[0].body
