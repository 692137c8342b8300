import datetime

from reminders.calendar import effective_day, is_reminder_day, next_reminder_day

MON_THU = 1 | 8
# National Day week 2026: 1-7 October off, Saturday 10 October a make-up working day.
HOLIDAYS = {datetime.date(2026, 10, d): "holiday" for d in range(1, 8)} | {datetime.date(2026, 10, 10): "workday"}


def test_ordinary_weeks_follow_the_weekdays():
    assert is_reminder_day(MON_THU, datetime.date(2026, 11, 30), {})  # Monday
    assert not is_reminder_day(MON_THU, datetime.date(2026, 12, 1), {})  # Tuesday
    assert is_reminder_day(MON_THU, datetime.date(2026, 12, 3), {})  # Thursday


def test_a_holiday_moves_to_the_next_working_day():
    # Thursday 1 October and Monday 5 October are holidays: both move to Thursday 8 October.
    assert effective_day(datetime.date(2026, 10, 1), HOLIDAYS) == datetime.date(2026, 10, 8)
    assert not is_reminder_day(MON_THU, datetime.date(2026, 10, 1), HOLIDAYS)
    assert not is_reminder_day(MON_THU, datetime.date(2026, 10, 5), HOLIDAYS)
    assert is_reminder_day(MON_THU, datetime.date(2026, 10, 8), HOLIDAYS)


def test_a_make_up_working_day_counts_as_working():
    # A Saturday-only branch: Saturday 3 October is a holiday, the next working day is Thursday 8th.
    saturday = 32
    assert effective_day(datetime.date(2026, 10, 3), HOLIDAYS) == datetime.date(2026, 10, 8)
    assert is_reminder_day(saturday, datetime.date(2026, 10, 10), HOLIDAYS)


def test_next_reminder_day_skips_holidays():
    assert next_reminder_day(MON_THU, datetime.date(2026, 9, 30), HOLIDAYS) == datetime.date(2026, 10, 8)


def test_a_make_up_working_day_gets_no_reminder_of_its_own():
    # Saturday 10 October stands in for a weekday, but a Monday/Thursday branch is not reminded on it.
    assert not is_reminder_day(MON_THU, datetime.date(2026, 10, 10), HOLIDAYS)


def test_a_make_up_working_day_receives_a_reminder_moved_onto_it():
    # Friday 9 October a holiday here: a Friday branch's reminder moves to the make-up Saturday.
    holidays = {datetime.date(2026, 10, 9): "holiday", datetime.date(2026, 10, 10): "workday"}
    friday = 16
    assert not is_reminder_day(friday, datetime.date(2026, 10, 9), holidays)
    assert is_reminder_day(friday, datetime.date(2026, 10, 10), holidays)
