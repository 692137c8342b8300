"""Dates are written one way (outreach/formats): 2026-11-29, and 11月29日 for a day without its year."""

import datetime
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from tests.factories import at

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NOT_YET = set()  # templates still to be brought to the named formats: none left
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "MONTH_DAY_FORMAT", "D", "l"}  # named formats; weekday names


def test_dates_read_the_same_in_chinese_and_english():
    day = datetime.date(2026, 11, 29)
    moment = at(2026, 11, 29, 8, 30)
    with translation.override("zh-hans"):
        assert date_format(day) == "2026-11-29"
        assert date_format(day, "MONTH_DAY_FORMAT") == "11月29日"
        assert (
            Template('{{ day }} · {{ day|date }} · {{ moment|date:"DATETIME_FORMAT" }}').render(
                Context({"day": day, "moment": moment})
            )
            == "2026-11-29 · 2026-11-29 · 2026-11-29 08:30"
        )
    with translation.override("en"):
        assert date_format(day) == "2026-11-29"
        assert date_format(day, "MONTH_DAY_FORMAT") == "Nov 29"


def test_templates_name_a_format_instead_of_writing_a_pattern():
    # Double quotes: a date shown to people, by a named format. Single quotes: a date written into
    # a URL or a form field, always ISO.
    wrong = []
    for path in TEMPLATES.rglob("*"):
        name = path.relative_to(TEMPLATES).as_posix()
        if not path.is_file() or name in NOT_YET:
            continue
        text = path.read_text()
        wrong += [(name, f) for f in re.findall(r'(?:\|date:|{% now )"([^"]*)"', text) if f not in NAMED]
        wrong += [(name, f) for f in re.findall(r"(?:\|date:|{% now )'([^']*)'", text) if f != "Y-m-d"]
    assert wrong == []
