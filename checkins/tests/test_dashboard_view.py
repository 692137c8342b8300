"""The coverage dashboard: per-branch counts, the weekly chart, constant query count."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins import selectors
from tests.factories import at, grant_exemption, log_at, make_retiree

DASHBOARD = reverse("checkins:dashboard")
NOW = at(2026, 3, 20, 9, 0)  # a Friday
BORN = datetime.date(1950, 1, 1)  # every 14 days


@pytest.fixture
def world(branch_a, branch_b, secretary_a, secretary_b, office):
    a = [make_retiree(branch_a, f"甲{n}", birth_date=BORN) for n in range(5)]
    b = [make_retiree(branch_b, f"乙{n}", birth_date=BORN) for n in range(3)]
    make_retiree(branch_a, "已故", status="deceased", deceased_on=datetime.date(2026, 1, 1))
    log_at(at(2026, 3, 19), user=secretary_a, retiree=a[0])  # covered
    log_at(at(2026, 3, 6), user=secretary_a, retiree=a[1])  # due today
    log_at(at(2026, 3, 2), user=secretary_a, retiree=a[2], reached="family")  # overdue
    for day in (17, 18, 19):  # never reached, three failures: overdue and unreachable
        log_at(at(2026, 3, day), user=secretary_a, retiree=a[3], reached="nobody")
    with time_machine.travel(NOW, tick=False):
        grant_exemption(
            requester=secretary_a,
            approver=office,
            retiree=a[4],
            reason="travelling",
            starts_on=datetime.date(2026, 3, 20),
            ends_on=NOW.date(),
        )
    log_at(at(2026, 3, 10), user=secretary_b, retiree=b[0])  # covered
    log_at(at(2026, 3, 16), user=secretary_b, retiree=b[1])  # covered
    return {"a": a, "b": b}


def counts(row):
    return {key: row[key] for key in ("total", "covered", "exempt", "due", "overdue", "unreachable", "percent")}


@time_machine.travel(NOW, tick=False)
def test_counts_per_branch_and_totals_match_hand_computed(login, office, world, branch_a, branch_b):
    response = login(office).get(DASHBOARD)
    rows = {row["branch"]: counts(row) for row in response.context["page"]}
    # A: 5 active (the deceased is not counted): covered 1, exempt 1, due 1, overdue 2 (one never reached)
    assert rows[branch_a] == {
        "total": 5,
        "covered": 1,
        "exempt": 1,
        "due": 1,
        "overdue": 2,
        "unreachable": 1,
        "percent": 40,
    }
    # B: 3 active, 2 covered, 1 never reached
    assert rows[branch_b] == {
        "total": 3,
        "covered": 2,
        "exempt": 0,
        "due": 0,
        "overdue": 1,
        "unreachable": 0,
        "percent": 67,
    }
    totals = response.context["totals"]
    assert counts(totals) == {
        "total": 8,
        "covered": 3,
        "exempt": 1,
        "due": 1,
        "overdue": 3,
        "unreachable": 1,
        "percent": 50,
    }
    assert [e.retiree for e in response.context["exemptions"]] == [world["a"][4]]
    assert [r.name for r in response.context["escalations"]] == ["甲3"]


@time_machine.travel(NOW, tick=False)
def test_secretary_dashboard_shows_only_their_branch(login, secretary_a, world, branch_a, branch_b):
    response = login(secretary_a).get(DASHBOARD)
    assert [row["branch"] for row in response.context["page"]] == [branch_a]
    assert branch_b.name not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_home_of_office_staff_is_the_dashboard(login, office, world):
    response = login(office).get(reverse("home"))
    assert response.templates[0].name == "checkins/dashboard.html"


@time_machine.travel(NOW, tick=False)
def test_weekly_coverage_counts_distinct_retirees_reached_per_week(office, world, secretary_a):
    log_at(at(2026, 3, 20, 8, 0), user=secretary_a, retiree=world["a"][0])  # same retiree, same week: once
    weeks = selectors.weekly_coverage(user=office)
    assert len(weeks) == 12
    assert weeks[-1]["week"] == datetime.date(2026, 3, 16)  # the current week, Monday first
    assert weeks[0]["week"] == datetime.date(2025, 12, 29)
    by_week = {week["week"]: week["reached"] for week in weeks}
    # week of 16 March: a0 (19th, 20th) and b1 (16th); 9 March: b0; 2 March: a1 (6th), a2 (2nd, family)
    assert by_week[datetime.date(2026, 3, 16)] == 2
    assert by_week[datetime.date(2026, 3, 9)] == 1
    assert by_week[datetime.date(2026, 3, 2)] == 2
    assert weeks[-1]["percent"] == 25  # 2 of 8 active retirees


def test_a_contact_at_sunday_2359_shanghai_counts_in_that_week(office, secretary_a, branch_a):
    retiree = make_retiree(branch_a, "周日晚", birth_date=BORN)
    log_at(at(2026, 3, 15, 23, 59), user=secretary_a, retiree=retiree)  # Sunday, 15:59 UTC
    with time_machine.travel(NOW, tick=False):
        by_week = {w["week"]: w["reached"] for w in selectors.weekly_coverage(user=office)}
    assert by_week[datetime.date(2026, 3, 9)] == 1
    assert by_week[datetime.date(2026, 3, 16)] == 0


@time_machine.travel(NOW, tick=False)
def test_chart_data_goes_to_the_page_as_a_data_attribute(login, office, world):
    response = login(office).get(DASHBOARD)
    html = response.content.decode()
    assert "vendor/chartjs-4.5.1/chart.umd.min.js" in html
    assert 'data-chart="' in html
    chart = json.loads(response.context["chart_json"])
    assert len(chart["labels"]) == len(chart["percent"]) == 12
    assert "<script>" not in html  # no inline script: the CSP will forbid them


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured)


@time_machine.travel(NOW, tick=False)
def test_dashboard_query_count_does_not_grow_with_rows(login, office, world, branch_a, branch_b, secretary_a):
    client = login(office)
    small = _queries(client)
    for number in range(30):
        retiree = make_retiree(branch_a if number % 2 else branch_b, f"丙{number}", birth_date=BORN)
        log_at(
            at(2026, 3, 1 + number % 18), user=office, retiree=retiree, reached="nobody" if number % 3 else "retiree"
        )
    large = _queries(client)
    unchanged = _queries(client)
    # session, user, the stale kept counts (checkins.coverage.keep_fresh), escalations, exemption
    # requests awaiting approval (a count), exemptions in force, open rounds, the care counts;
    # and, since a test's transaction has written (so nothing is kept from it), the snapshot,
    # then everything counted live: the branches, the cadence rules, the counts, the weeks (5).
    # Kept and unchanged: 10, the sums and the page read in SQL (test_coverage_kept).
    assert small == large == unchanged == 8 + 5


@time_machine.travel(NOW, tick=False)
def test_branches_a_page_at_a_time_least_covered_first_on_request(
    login, office, world, branch_a, branch_b, monkeypatch
):
    from checkins import views

    monkeypatch.setattr(views, "DASHBOARD_BRANCHES_PAGE_SIZE", 1)
    client = login(office)
    listed = client.get(DASHBOARD)
    assert [row["branch"] for row in listed.context["page"]] == [branch_a]
    assert listed.context["totals"]["total"] == 8  # every branch, whatever the page
    assert "全部支部合计" in listed.content.decode()
    # A (40 %) is less covered than B (67 %): first when asked for.
    worst = client.get(DASHBOARD, {"order": "coverage", "page": "2"})
    assert [row["branch"] for row in worst.context["page"]] == [branch_b]
    assert worst.context["by_coverage"]
    # A page that is not a number or past the end: a page all the same, never an error.
    assert client.get(DASHBOARD, {"page": "x"}).context["page"].number == 1
    assert client.get(DASHBOARD, {"page": "99"}).context["page"].number == 2
