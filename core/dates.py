"""The range a date typed by a user may take, in one place.

Python's dates end at year 1 and 9999: a date at either edge overflows as soon as it is shifted
by a time zone or a week, so every user-typed date is held to a range that makes sense for what
it records, and checked before anything else touches it.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Nothing this office records happened before the People's Republic was founded.
FOUNDING = datetime.date(1949, 10, 1)


def _today() -> datetime.date:
    return timezone.localdate()


def _days_from_today(days: int) -> Callable[[], datetime.date]:
    return lambda: _today() + datetime.timedelta(days=days)


@dataclass(frozen=True)
class DateRange:
    """The earliest and latest date allowed, each a date or a function of today; `late_message`
    says what is wrong with a later date more plainly than the range does ("in the future")."""

    earliest: datetime.date | Callable[[], datetime.date]
    latest: datetime.date | Callable[[], datetime.date]
    late_message: str | None = None

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        return earliest, latest

    def __contains__(self, day: datetime.date) -> bool:
        earliest, latest = self.bounds()
        return earliest <= day <= latest

    def __call__(self, value) -> None:
        """A field validator. A datetime is judged by its wall-clock date: comparing it as an
        aware datetime would shift it by the time zone and overflow at the edges."""
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day not in self:
            earliest, latest = self.bounds()
            if self.late_message and day > latest:
                raise ValidationError(self.late_message, code="date_out_of_range")
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="date_out_of_range",
                params={"earliest": date_format(earliest), "latest": date_format(latest)},
            )


# What already happened (a contact, a dose, a test, a move): from 1949 to tomorrow (a contact
# logged just after midnight in another time zone of the same day).
PAST = DateRange(FOUNDING, _days_from_today(1))
BIRTH = DateRange(datetime.date(1900, 1, 1), _today, _("The date of birth cannot be in the future."))
# What is planned or scheduled (rounds, shifts, meetings, visits, reviews): from 2000 to five
# years ahead, so that an old record can still be edited and nothing is planned for the year 9999.
SCHEDULE = DateRange(datetime.date(2000, 1, 1), _days_from_today(5 * 366))
# Any other date a user types.
ANY = DateRange(FOUNDING, _days_from_today(5 * 366))


class DateRangeMixin:
    """Holds every date and datetime field of a form to a range: `date_ranges` names the range of
    a field, the others get `default_date_range`. Put it first among a form's bases."""

    date_ranges: dict[str, DateRange] = {}
    default_date_range: DateRange = ANY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(self.date_ranges.get(name, self.default_date_range))


def date_param(request, name: str, date_range: DateRange = SCHEDULE) -> datetime.date | None:
    """A date from the query string (`?week=2026-05-18`): None when it is missing, not a date,
    or outside the range, so that the page falls back to its default."""
    try:
        day = datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None
    return day if day in date_range else None


def local_today() -> datetime.date:
    """Today's calendar date in Asia/Shanghai (the project's TIME_ZONE)."""
    return timezone.localdate()


# The number tokens of Django's date formats, written without Django's DateFormat object.
_NUMBER_TOKENS = {
    "Y": lambda value: f"{value.year:04d}",
    "m": lambda value: f"{value.month:02d}",
    "n": lambda value: str(value.month),
    "d": lambda value: f"{value.day:02d}",
    "j": lambda value: str(value.day),
    "H": lambda value: f"{value.hour:02d}",
    "i": lambda value: f"{value.minute:02d}",
}


@functools.lru_cache(maxsize=32)
def date_formatter(format_string: str) -> Callable[[datetime.date], str]:
    """A function writing dates (or local datetimes) in a Django format such as "n月j日".

    The same result as `django.utils.dateformat.format`, at about a tenth of its cost for the
    numbers-only formats of outreach/formats: a list of fifty rows writes a few dates per row
    (issue #8 holds the call list to 50 ms). A format with names in it (English "M j") goes to
    Django, which translates them.
    """
    pieces = dateformat.re_formatchars.split(format_string)
    tokens = pieces[1::2]
    if not all(token in _NUMBER_TOKENS for token in tokens):
        return functools.partial(dateformat.format, format_string=format_string)
    parts = [_NUMBER_TOKENS[piece] if index % 2 else piece.replace("\\", "") for index, piece in enumerate(pieces)]

    def write(value) -> str:
        return "".join(part(value) if callable(part) else part for part in parts)

    return write
