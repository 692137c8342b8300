"""checkins.attention: the rule on plain values (no database)."""

import datetime

from django.utils import translation

from checkins.attention import Cause, attention_causes, attention_reason, attention_span

TODAY = datetime.date(2026, 5, 20)
D = datetime.date


def causes(**facts):
    values = {"exposures": [], "positive_tests": [], "health": [], "contacts": [], "today": TODAY, "test_days": 14}
    values.update(facts)
    return attention_causes(**values)


def test_nothing_recorded_is_no_attention():
    assert causes() == []


def test_every_ongoing_exposure_is_a_cause_of_its_own():
    found = causes(exposures=[(4, "sealed_community", D(2026, 5, 18)), (9, "close_contact", D(2026, 5, 19))])
    assert [(c.episode, c.detail, c.since) for c in found] == [
        ("exposure:4", "sealed_community", D(2026, 5, 18)),
        ("exposure:9", "close_contact", D(2026, 5, 19)),
    ]


def test_positive_test_holds_for_the_test_days_then_ends_by_itself():
    fresh, last_day, over = (1, D(2026, 5, 20)), (2, D(2026, 5, 7)), (3, D(2026, 5, 6))
    found = causes(positive_tests=[fresh, last_day, over])
    assert [(c.episode, c.expires_on) for c in found] == [("test:1", D(2026, 6, 3)), ("test:2", D(2026, 5, 21))]
    assert causes(positive_tests=[last_day], today=D(2026, 5, 21)) == []


def test_unwell_records_in_a_row_are_one_episode_from_the_first_with_the_latest_condition():
    health = [(1, D(2026, 5, 1), "good"), (2, D(2026, 5, 10), "unwell"), (3, D(2026, 5, 15), "hospitalised")]
    assert causes(health=health) == [Cause("health", 2, "hospitalised", D(2026, 5, 10))]


def test_a_record_of_good_or_stable_health_ends_unwell():
    assert causes(health=[(2, D(2026, 5, 10), "unwell"), (3, D(2026, 5, 15), "good")]) == []
    assert causes(health=[(2, D(2026, 5, 10), "unwell"), (3, D(2026, 5, 15), "stable")]) == []
    # unwell again after a good record: a new episode, from the new record
    again = [(2, D(2026, 5, 10), "unwell"), (3, D(2026, 5, 15), "good"), (4, D(2026, 5, 18), "unwell")]
    assert [c.episode for c in causes(health=again)] == ["health:4"]


def test_urgent_or_needs_help_ends_only_with_a_later_all_well_contact():
    urgent = (7, D(2026, 5, 10), "urgent")
    assert [c.episode for c in causes(contacts=[urgent])] == ["contact:7"]
    # a concern or a contact that reached nobody does not end it; the run keeps its first row
    later = [
        urgent,
        (8, D(2026, 5, 11), "concern"),
        (9, D(2026, 5, 12), "not_reached"),
        (10, D(2026, 5, 13), "needs_help"),
    ]
    assert causes(contacts=later) == [Cause("contact", 7, "needs_help", D(2026, 5, 10))]
    assert causes(contacts=[urgent, (11, D(2026, 5, 14), "all_well")]) == []


def test_span_is_open_ended_while_any_cause_has_no_end_of_its_own():
    assert attention_span([]) == (None, None)
    assert attention_span([(D(2026, 5, 10), D(2026, 5, 24)), (D(2026, 5, 12), None)]) == (D(2026, 5, 10), None)
    assert attention_span([(D(2026, 5, 10), D(2026, 5, 24)), (D(2026, 5, 12), D(2026, 5, 26))]) == (
        D(2026, 5, 10),
        D(2026, 5, 26),
    )


def test_reason_names_the_cause_and_its_detail_in_chinese():
    with translation.override("zh-hans"):
        assert str(attention_reason("exposure", "sealed_community")) == "涉疫情况：封控区"
        assert str(attention_reason("test", "positive")) == "核酸检测：阳性"
        assert str(attention_reason("health", "unwell")) == "健康状况：身体不适"
