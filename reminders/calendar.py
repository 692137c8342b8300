"""Which days reminders go out: branch weekdays, moved off statutory holidays (pure functions).

A reminder day that falls on a statutory holiday moves to the next working day; a make-up
working day (调休) on a weekend counts as a working day. Weekends chosen on purpose stay.
"""

import datetime

from .models import Holiday

HolidayMap = dict[datetime.date, str]  # date -> Holiday.Kind value

SEARCH_DAYS = 21  # the longest holiday (Spring Festival with weekends) is well inside this


def is_working_day(day: datetime.date, holidays: HolidayMap) -> bool:
    kind = holidays.get(day)
    if kind == Holiday.Kind.WORKDAY:
        return True
    if kind == Holiday.Kind.HOLIDAY:
        return False
    return day.weekday() < 5


def effective_day(nominal: datetime.date, holidays: HolidayMap) -> datetime.date:
    """The day a reminder planned for `nominal` is actually sent."""
    if holidays.get(nominal) != Holiday.Kind.HOLIDAY:
        return nominal
    day = nominal + datetime.timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        if is_working_day(day, holidays):
            return day
        day += datetime.timedelta(days=1)
    return day


def weekday_bits(day: datetime.date) -> int:
    return 1 << day.weekday()


def is_reminder_day(mask: int, today: datetime.date, holidays: HolidayMap) -> bool:
    """True when some configured weekday, moved off holidays, lands on `today`."""
    for back in range(SEARCH_DAYS):
        nominal = today - datetime.timedelta(days=back)
        if mask & weekday_bits(nominal) and effective_day(nominal, holidays) == today:
            return True
    return False


def next_reminder_day(mask: int, today: datetime.date, holidays: HolidayMap) -> datetime.date | None:
    """The next day (today included) on which a branch with weekday `mask` is reminded."""
    for ahead in range(SEARCH_DAYS * 2):
        day = today + datetime.timedelta(days=ahead)
        if is_reminder_day(mask, day, holidays):
            return day
    return None
