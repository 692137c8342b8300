"""The statutory calendar and the lunar festivals, as the holidays library gives them."""

import datetime

import pytest

from core import calendar_cn


@pytest.mark.parametrize(
    "festival, year, expected",
    [
        # Known dates (万年历): 春节 2026-02-17 and 2027-02-06; 重阳 2026-10-18 and 2027-10-08.
        (calendar_cn.SPRING_FESTIVAL, 2026, datetime.date(2026, 2, 17)),
        (calendar_cn.SPRING_FESTIVAL, 2027, datetime.date(2027, 2, 6)),
        (calendar_cn.DOUBLE_NINTH, 2026, datetime.date(2026, 10, 18)),
        (calendar_cn.DOUBLE_NINTH, 2027, datetime.date(2027, 10, 8)),
        (calendar_cn.DOUBLE_NINTH, 2025, datetime.date(2025, 10, 29)),
    ],
)
def test_festival_dates(festival, year, expected):
    assert calendar_cn.festival_date(festival, year) == expected


def test_an_unknown_festival_is_an_error():
    with pytest.raises(ValueError):
        calendar_cn.festival_date("moon_landing", 2026)


def test_2026_has_the_state_councils_arrangement_with_its_make_up_days():
    """国办发明电〔2025〕7号: Spring Festival 15-23 February, worked Saturdays 14 and 28 February."""
    assert calendar_cn.arrangement_published(2026)
    days = {day.date: day for day in calendar_cn.statutory_days(2026)}
    for offset in (16, 17, 18, 19, 20, 23):
        assert days[datetime.date(2026, 2, offset)].kind == calendar_cn.HOLIDAY
    assert days[datetime.date(2026, 2, 14)] == calendar_cn.Day(datetime.date(2026, 2, 14), "workday", "春节调休上班")
    assert days[datetime.date(2026, 9, 20)].name == "国庆节调休上班"
    assert days[datetime.date(2026, 10, 7)].name == "国庆节（调休）"
    assert {day.date for day in days.values() if day.kind == calendar_cn.WORKDAY} == {
        datetime.date(2026, 1, 4),
        datetime.date(2026, 2, 14),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 5, 9),
        datetime.date(2026, 9, 20),
        datetime.date(2026, 10, 10),
    }
    assert all(len(day.name) <= calendar_cn.NAME_LENGTH for day in days.values())


def test_a_year_without_a_notice_has_only_the_days_the_law_fixes():
    if calendar_cn.arrangement_published(2027):
        pytest.skip("the installed library carries the 2027 notice")
    days = calendar_cn.statutory_days(2027)
    # 元旦 1, 春节 4 (eve and three days), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
    assert len(days) == 13 and all(day.kind == calendar_cn.HOLIDAY for day in days)
    assert datetime.date(2027, 2, 5) in {day.date for day in days}  # 除夕
