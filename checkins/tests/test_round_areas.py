"""Rounds narrowed to residence areas: coverage, the lists and the closing freeze follow the areas."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from checkins import selectors, services
from checkins.models import CheckinRound
from tests.factories import at, log_at, make_retiree

NOW = at(2026, 5, 20, 9, 0)
START, END = datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)


@pytest.fixture
def gate_round(branch_a, branch_b, secretary_a, office):
    """A round of the East and North family areas (the gate rules reminder), over two branches."""
    with time_machine.travel(NOW, tick=False):
        checkin_round = services.round_create(
            user=office, title="家属区校门管理提醒", starts_on=START, ends_on=END, areas=["east", "north"]
        )
    people = {
        "a_east": make_retiree(branch_a, "甲东", residence_area="east"),
        "a_north": make_retiree(branch_a, "甲北", residence_area="north"),
        "a_off": make_retiree(branch_a, "甲外"),
        "b_east": make_retiree(branch_b, "乙东", residence_area="east"),
        "b_off": make_retiree(branch_b, "乙外"),
    }
    log_at(at(2026, 5, 12), user=secretary_a, retiree=people["a_east"], health_seen="good")
    log_at(at(2026, 5, 12), user=secretary_a, retiree=people["a_off"], health_seen="good")
    return {"round": checkin_round, **people}


def _counts(office, checkin_round):
    return {
        row["branch_name"]: (row["total"], row["reached"], row["missing"])
        for row in selectors.round_coverage(user=office, checkin_round=checkin_round)
    }


def test_coverage_counts_only_the_residents_of_the_rounds_areas(office, gate_round, branch_a, branch_b):
    # 甲外 was reached but lives off campus: not part of this round.
    assert _counts(office, gate_round["round"]) == {branch_a.name: (2, 1, 1), branch_b.name: (1, 0, 1)}
    assert [r.name for r in selectors.round_missing(user=office, checkin_round=gate_round["round"])] == ["甲北", "乙东"]


def test_closing_freezes_the_area_counts(office, gate_round, branch_a):
    with time_machine.travel(NOW, tick=False):
        closed = services.round_close(user=office, checkin_round=gate_round["round"])
    assert closed.closing_counts["totals"]["total"] == 3
    frozen = selectors.round_closing_counts(user=office, checkin_round=closed)
    assert {row["branch_name"]: row["total"] for row in frozen["branches"]}[branch_a.name] == 2


def test_a_round_without_areas_covers_everybody_as_before(office, branch_a):
    make_retiree(branch_a, "甲东", residence_area="east")
    make_retiree(branch_a, "甲外")
    checkin_round = services.round_create(user=office, title="五月摸排", starts_on=START, ends_on=END)
    assert _counts(office, checkin_round) == {branch_a.name: (2, 0, 2)}


def test_an_unknown_area_is_refused_and_nothing_saved(office, branch_a):
    with pytest.raises(ValidationError) as error:
        services.round_create(user=office, title="摸排", starts_on=START, ends_on=END, areas=["west"])
    assert "areas" in error.value.error_dict and not CheckinRound.objects.exists()


def test_the_round_form_narrows_to_an_area_and_the_pages_say_so(login, office, branch_a):
    client = login(office)
    assert "只计住在" in client.get(reverse("checkins:round_create"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    response = client.post(
        reverse("checkins:round_create"),
        {
            "title": "东家属区摸排",
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-20",
            "scope": "all",
            "areas": ["east"],
        },
    )
    checkin_round = CheckinRound.objects.get()
    assert response.status_code == 302
    assert list(checkin_round.areas.values_list("code", flat=True)) == ["east"]
    listing = client.get(reverse("checkins:round_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "只计住在 东家属区" in listing
    detail = client.get(checkin_round.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "只计住在 东家属区" in detail


def test_the_round_list_costs_the_same_queries_for_one_round_or_many(
    login, office, branch_a, django_assert_num_queries
):
    services.round_create(user=office, title="摸排", starts_on=START, ends_on=END, areas=["east"])
    client = login(office)
    client.get(reverse("checkins:round_list"))  # warm the session
    for number in range(4):
        services.round_create(
            user=office, title=f"摸排{number}", starts_on=START, ends_on=END, branches=[branch_a], areas=["north"]
        )
    # 1 session, 2 user, 3 the rounds, 4 their branches, 5 their areas (prefetched, not per round)
    with django_assert_num_queries(5):
        response = client.get(reverse("checkins:round_list"))
    assert response.content.decode().count("只计住在") == 5
