"""China's statutory holidays, make-up working days (调休) and lunar festivals, from a library.

The `holidays` package (vacanza/holidays on PyPI, pinned in requirements.txt) carries the State
Council's yearly holiday notices as data, including the weekend days worked in exchange
(`weekend_workdays`), and is released about monthly, with each new notice within weeks of its
publication (usually in November). Nobody types the calendar: `reminders.services.holidays_refresh`
copies the current and next year from here, and the office only adds its own exceptions.

For a year whose notice the installed library does not carry yet, only the days the law fixes
(全国年节及纪念日放假办法: New Year, Spring Festival eve and three days, Qingming, two Labour days,
Dragon Boat, Mid-Autumn, three National days) are given; their make-up days come with the notice
(upgrade the library, then refresh).

The lunar festivals (Spring Festival, Double Ninth 重阳 on the 9th of the 9th lunar month) come
from the library's Chinese lunisolar table (1901-2099), the one behind its Chinese holidays. It is
an underscored class, so it is read here and nowhere else, and core/tests/test_calendar_cn.py
pins known dates: an upgrade that moved it fails there, not in the office.

Part of the shared layer: it imports no app.
"""

import datetime
import re
from dataclasses import dataclass
from importlib.metadata import version

import holidays
from holidays.calendars.chinese import _ChineseLunisolar
from holidays.countries.china import ChinaStaticHolidays

HOLIDAY = "holiday"
WORKDAY = "workday"
SPRING_FESTIVAL = "spring_festival"
DOUBLE_NINTH = "double_ninth"
FESTIVALS = (SPRING_FESTIVAL, DOUBLE_NINTH)

# The library names a day off given in exchange for a worked weekend "休息日（由 2026-02-14 调休）".
_SWAPPED = re.compile(r"^休息日.*?(\d{4}-\d{2}-\d{2})")
_NOTE = re.compile(r"（.*?）")
NAME_LENGTH = 50


@dataclass(frozen=True)
class Day:
    date: datetime.date
    kind: str  # HOLIDAY or WORKDAY
    name: str


def library_version() -> str:
    return f"holidays {version('holidays')}"


def arrangement_published(year: int) -> bool:
    """Whether the installed library carries the State Council's notice for `year` (its exchanged days)."""
    return year in ChinaStaticHolidays.special_public_holidays


def statutory_days(year: int) -> list[Day]:
    """The year's days off and make-up working days, by date, named in Chinese."""
    published = arrangement_published(year)
    calendar = holidays.China(years=year, observed=published, language="zh_CN")
    entries = sorted((day, name) for day, name in calendar.items() if day.year == year)
    festivals = [(day, _NOTE.sub("", name)) for day, name in entries if not _SWAPPED.match(name)]

    def festival_near(day: datetime.date) -> str:
        return min(festivals, key=lambda item: abs((item[0] - day).days))[1] if festivals else ""

    days, workday_names = [], {}
    for day, name in entries:
        swapped = _SWAPPED.match(name)
        if swapped:
            festival = festival_near(day)
            workday_names[datetime.date.fromisoformat(swapped[1])] = f"{festival}调休上班"
            name = f"{festival}（调休）"
        days.append(Day(day, HOLIDAY, name[:NAME_LENGTH]))
    if published:
        for day in sorted(calendar.weekend_workdays):
            if day.year == year:
                days.append(Day(day, WORKDAY, workday_names.get(day, "调休上班")[:NAME_LENGTH]))
    return sorted(days, key=lambda item: item.date)


def festival_date(festival: str, year: int) -> datetime.date:
    """The Gregorian date of a lunar festival in `year` (Spring Festival: the 1st of the 1st lunar
    month; Double Ninth: the 9th of the 9th)."""
    table = _ChineseLunisolar()
    if festival == SPRING_FESTIVAL:
        day, _estimated = table.lunar_new_year_date(year)
    elif festival == DOUBLE_NINTH:
        day, _estimated = table.double_ninth_date(year)
    else:
        raise ValueError(festival)
    if day is None:
        raise ValueError(f"No {festival} date for {year}")
    return day
