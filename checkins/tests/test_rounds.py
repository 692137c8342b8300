"""Check-in rounds: coverage per branch against hand-computed cases, bad input, closing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from checkins import selectors, services
from checkins.models import CheckinRound
from tests.factories import at, grant_exemption, log_at, make_retiree

NOW = at(2026, 5, 20, 9, 0)
START, END = datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)


@pytest.fixture
def survey(branch_a, branch_b, secretary_a, secretary_b, office):
    with time_machine.travel(NOW, tick=False):
        checkin_round = services.round_create(
            user=office, title="五月疫情摸排", starts_on=START, ends_on=END, verify_community=True
        )
    a = [make_retiree(branch_a, f"甲{n}") for n in range(4)]
    b = [make_retiree(branch_b, f"乙{n}") for n in range(2)]
    log_at(at(2026, 5, 10, 0, 1), user=secretary_a, retiree=a[0], health_seen="good", community_status="normal")
    log_at(at(2026, 5, 12), user=secretary_a, retiree=a[1], health_seen="good")  # reached, not verified
    log_at(at(2026, 5, 9, 23, 59), user=secretary_a, retiree=a[2])  # before the window
    log_at(at(2026, 5, 15), user=secretary_a, retiree=a[2], reached="nobody")  # reached nobody
    with time_machine.travel(NOW, tick=False):
        grant_exemption(
            requester=secretary_a, approver=office, retiree=a[3], reason="in_hospital", checkin_round=checkin_round
        )
    log_at(at(2026, 5, 20, 23, 59), user=secretary_b, retiree=b[0], health_seen="good", community_status="sealed")
    return {"round": checkin_round, "a": a, "b": b}


def test_round_coverage_per_branch_matches_hand_computed(office, survey, branch_a, branch_b):
    rows = {row["branch_name"]: row for row in selectors.round_coverage(user=office, checkin_round=survey["round"])}
    strip = lambda row: {k: row[k] for k in ("total", "reached", "verified", "exempt", "missing", "percent")}  # noqa: E731
    assert strip(rows[branch_a.name]) == {
        "total": 4,
        "reached": 2,
        "verified": 1,
        "exempt": 1,
        "missing": 1,
        "percent": 75,
    }
    assert strip(rows[branch_b.name]) == {
        "total": 2,
        "reached": 1,
        "verified": 1,
        "exempt": 0,
        "missing": 1,
        "percent": 50,
    }
    totals = selectors.round_totals(list(rows.values()))
    assert (totals["total"], totals["reached"], totals["exempt"], totals["missing"]) == (6, 3, 1, 2)
    missing = selectors.round_missing(user=office, checkin_round=survey["round"])
    assert [r.name for r in missing] == ["甲2", "乙1"]
    assert [e.retiree for e in selectors.round_exemptions(user=office, checkin_round=survey["round"])] == [
        survey["a"][3]
    ]


def test_secretary_sees_the_round_for_their_branch_only(login, secretary_a, survey, branch_b):
    response = login(secretary_a).get(reverse("checkins:round_detail", args=[survey["round"].pk]))
    assert [row["branch_name"] for row in response.context["rows"]] == [survey["a"][0].branch.name]
    assert branch_b.name not in response.content.decode()
    assert "乙1" not in response.content.decode()


def test_round_for_other_branches_is_a_404(login, secretary_a, office, branch_b):
    checkin_round = services.round_create(
        user=office, title="二支部摸排", starts_on=START, ends_on=END, branches=[branch_b]
    )
    assert login(secretary_a).get(reverse("checkins:round_detail", args=[checkin_round.pk])).status_code == 404


def test_round_ending_before_it_starts_is_a_field_error_and_nothing_saved(login, office):
    response = login(office).post(
        reverse("checkins:round_create"),
        {"title": "倒序", "starts_on": "2026-05-20", "ends_on": "2026-05-10", "scope": "all", "verify_health": "on"},
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not CheckinRound.objects.exists()


def test_office_creates_a_round_for_chosen_branches(login, office, branch_a, branch_b):
    response = login(office).post(
        reverse("checkins:round_create"),
        {
            "title": "一支部摸排",
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-20",
            "scope": "chosen",
            "branches": [branch_a.pk],
        },
    )
    checkin_round = CheckinRound.objects.get()
    assert response.status_code == 302 and response.url == checkin_round.get_absolute_url()
    assert list(checkin_round.branches.all()) == [branch_a]
    assert not checkin_round.all_branches


def test_secretary_cannot_create_or_close_a_round(login, secretary_a, survey):
    client = login(secretary_a)
    assert client.get(reverse("checkins:round_create")).status_code == 403
    assert client.post(reverse("checkins:round_close", args=[survey["round"].pk])).status_code == 403
    survey["round"].refresh_from_db()
    assert survey["round"].is_open


def test_closing_freezes_the_counts_in_the_printable_summary(login, office, secretary_a, survey):
    client = login(office)
    response = client.post(
        reverse("checkins:round_close", args=[survey["round"].pk]), {"summary": "一人住院，已豁免。"}
    )
    assert response.status_code == 302
    checkin_round = CheckinRound.objects.get()
    assert checkin_round.status == "closed" and checkin_round.closed_by == office
    assert checkin_round.closing_counts["totals"]["reached"] == 3
    log_at(at(2026, 5, 20, 10, 0), user=secretary_a, retiree=survey["a"][2])  # a late contact changes nothing
    summary = client.get(reverse("checkins:round_summary", args=[checkin_round.pk]))
    assert "一人住院，已豁免。" in summary.content.decode()
    assert summary.context["round"].closing_counts["totals"]["missing"] == 2


def test_closed_summary_shows_a_secretary_their_own_branch_only(login, office, secretary_a, survey, branch_a, branch_b):
    services.round_close(user=office, checkin_round=survey["round"])
    summary = login(secretary_a).get(reverse("checkins:round_summary", args=[survey["round"].pk]))
    assert summary.status_code == 200
    assert [row["branch_name"] for row in summary.context["closing"]["branches"]] == [branch_a.name]
    assert summary.context["closing"]["totals"]["total"] == 4  # branch A's four, not the round's six
    assert branch_b.name not in summary.content.decode()
    # The office still sees every branch and the round's totals.
    office_summary = login(office).get(reverse("checkins:round_summary", args=[survey["round"].pk]))
    assert office_summary.context["closing"]["totals"]["total"] == 6
