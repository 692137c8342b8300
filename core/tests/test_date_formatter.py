"""core.dates.date_formatter writes what Django's dateformat writes, faster for number formats."""

import datetime

import pytest
from django.utils import dateformat, translation

from core.dates import date_formatter
from tests.factories import at


@pytest.mark.parametrize("format_string", ["n月j日", "Y-m-d", "Y-m-d H:i", "m-d", r"\Y Y", "M j", "D Y-m-d"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_as_django(format_string, language):
    with translation.override(language):
        days = [] if "H" in format_string else [datetime.date(2026, 1, 5), datetime.date(2026, 11, 29)]
        for value in [*days, at(2026, 3, 8, 7, 5), at(2026, 12, 31, 23, 59)]:
            assert date_formatter(format_string)(value) == dateformat.format(value, format_string)
