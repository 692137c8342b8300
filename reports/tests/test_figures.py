"""The weekly report's figures, against numbers counted by hand on a small dataset, and against the
same figures on the dashboard and the ledger page (the same selectors, so they must agree)."""

import datetime

import pytest
import time_machine

from assistance import services as assistance_services
from checkins import selectors as checkin_selectors
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger_services
from ledgers.choices import ExposureStatus
from reports import presenters, services
from reports.choices import ReportScope
from reports.selectors import Scope, report_figures
from tests.factories import at, log_at, make_retiree
from visits.models import Visit
from volunteers.models import PatrolAssignment, PatrolShift, Volunteer

NOW = at(2026, 11, 25, 10)  # a Wednesday
WEEK = datetime.date(2026, 11, 16)  # the week reported: Monday 16 to Sunday 22 November
D = datetime.date


@pytest.fixture
def dataset(office, secretary_a, secretary_b, retiree_a, retiree_b, branch_a, branch_b):
    """Branch A: a1 (86, off campus), a2 (68, 离休, east), a3 (58, east). Branch B: b1 (76, off
    campus), b2 (82, north)."""
    a1, b1 = retiree_a, retiree_b
    a2 = make_retiree(branch_a, "王建华", birth_date=D(1958, 1, 1), category="lixiu", residence_area="east")
    a3 = make_retiree(branch_a, "李春生", birth_date=D(1968, 6, 1), residence_area="east")
    b2 = make_retiree(branch_b, "赵桂兰", birth_date=D(1944, 2, 2), residence_area="north")
    # Reached: a1 and b1 this week, a2 and b1 last week; a3 not reached this week.
    log_at(at(2026, 11, 17), user=secretary_a, retiree=a1, channel="phone", reached="retiree", outcome="all_well")
    log_at(at(2026, 11, 10), user=secretary_a, retiree=a2, channel="phone", reached="retiree", outcome="all_well")
    log_at(at(2026, 11, 11), user=secretary_b, retiree=b1, channel="phone", reached="retiree", outcome="all_well")
    log_at(at(2026, 11, 18), user=secretary_b, retiree=b1, channel="phone", reached="family", outcome="all_well")
    log_at(at(2026, 11, 19), user=secretary_a, retiree=a3, channel="phone", reached="nobody", outcome="not_reached")
    with time_machine.travel(NOW, tick=False):
        dose = ledger_services.vaccination_dose_add
        dose(user=office, retiree=a1, dose_number=1, given_on=D(2026, 11, 2))
        dose(user=office, retiree=a1, dose_number=2, given_on=D(2026, 11, 18))
        dose(user=office, retiree=a2, dose_number=1, given_on=D(2026, 11, 12))
        dose(user=office, retiree=b1, dose_number=1, given_on=D(2026, 10, 1))
        test = ledger_services.nucleic_test_record
        test(user=office, retiree=a1, tested_on=D(2026, 11, 20), result="negative")
        test(user=office, retiree=a3, tested_on=D(2026, 11, 16), result="negative")
        test(user=office, retiree=b2, tested_on=D(2026, 11, 14), result="negative")
        exposure = ledger_services.exposure_record
        exposure(user=office, retiree=a3, kind="close_contact", started_on=D(2026, 11, 17))
        exposure(
            user=office,
            retiree=b1,
            kind="close_contact",
            started_on=D(2026, 11, 5),
            ended_on=D(2026, 11, 18),
            status=ExposureStatus.LIFTED,
        )
        exposure(
            user=office,
            retiree=b2,
            kind="close_contact",
            started_on=D(2026, 11, 10),
            ended_on=D(2026, 11, 12),
            status=ExposureStatus.LIFTED,
        )
    with time_machine.travel(at(2026, 11, 17, 9), tick=False):
        medicine = assistance_services.assistance_request_create(user=office, retiree=a1, kind="medicine")
    with time_machine.travel(at(2026, 11, 19, 9), tick=False):
        assistance_services.assistance_request_complete(user=office, request=medicine, brought="降压药")
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        assistance_services.assistance_request_create(user=office, retiree=a2, kind="parcel")
    Visit.objects.create(retiree=b2, status="done", visited_on=D(2026, 11, 19), created_by=office)
    volunteer = Volunteer.objects.create(retiree=a2, area="east")
    this_shift = PatrolShift.objects.create(
        area="east", date=D(2026, 11, 18), starts_at="09:00", ends_at="11:00", volunteers_needed=2, created_by=office
    )
    last_shift = PatrolShift.objects.create(
        area="north", date=D(2026, 11, 10), starts_at="09:00", ends_at="11:00", volunteers_needed=1, created_by=office
    )
    PatrolAssignment.objects.create(shift=this_shift, volunteer=volunteer, assigned_by=office)
    PatrolAssignment.objects.create(shift=last_shift, volunteer=volunteer, assigned_by=office)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2}


@time_machine.travel(NOW, tick=False)
def test_figures_for_all_branches_equal_the_hand_count(office, dataset, branch_a, branch_b):
    figures = report_figures(user=office, week=WEEK, scope=Scope())
    weeks = figures["coverage"]["weeks"]
    assert figures["coverage"]["total"] == 5
    assert weeks[-1] == {"week": "2026-11-16", "reached": 2, "percent": 40}  # a1, b1
    assert weeks[-2] == {"week": "2026-11-09", "reached": 2, "percent": 40}  # a2, b1
    assert len(weeks) == 12
    vaccination = figures["vaccination"]
    assert vaccination["this"] == {"total": 5, "doses": [3, 1, 0, 0]}
    assert vaccination["last"] == {"total": 5, "doses": [3, 0, 0, 0]}  # a1's second dose came on the 18th
    assert vaccination["groups"]["age60"]["this"] == {"total": 4, "doses": [3, 1, 0, 0]}
    assert vaccination["groups"]["age80"]["this"] == {"total": 2, "doses": [1, 1, 0, 0]}
    assert vaccination["groups"]["lixiu"]["this"] == {"total": 1, "doses": [1, 0, 0, 0]}
    assert vaccination["groups"]["lixiu"]["last"] == {"total": 1, "doses": [1, 0, 0, 0]}
    assert figures["tests"]["this"] == {"total": 5, "tested": 2}  # a1 and a3
    assert figures["tests"]["last"] == {"total": 5, "tested": 1}  # b2
    flows = figures["flows"]
    assert flows["this"]["exposures"] == {"opened": 1, "lifted": 1}
    assert flows["last"]["exposures"] == {"opened": 1, "lifted": 1}
    assert figures["exposed"] == {"this": 1, "last": None}  # a3; no report last week
    assert flows["this"]["services"]["medicine"] == {"requested": 1, "done": 1}
    assert flows["last"]["services"]["parcel"] == {"requested": 1, "done": 0}
    assert flows["this"]["visits"] == 1 and flows["last"]["visits"] == 0
    assert flows["this"]["shifts"] == {"shifts": 1, "needed": 2, "filled": 1, "full": 0}
    assert flows["last"]["shifts"] == {"shifts": 1, "needed": 1, "filled": 1, "full": 1}
    state = {row["name"]: row for row in figures["state"]["rows"]}
    assert state[branch_a.name]["total"] == 3 and state[branch_b.name]["total"] == 2
    assert state[branch_a.name]["attention"] == 1  # a3, exposed


@time_machine.travel(NOW, tick=False)
def test_figures_equal_the_dashboard_and_the_ledger_page(office, dataset):
    figures = report_figures(user=office, week=WEEK, scope=Scope())
    # The dashboard today: its coverage per branch and its chart (whose week before this one is the report's).
    rows = checkin_selectors.branch_coverage(user=office)
    totals = checkin_selectors.coverage_totals(rows)
    for field in ("total", "covered", "exempt", "overdue", "unreachable", "attention", "percent"):
        assert figures["state"]["totals"][field] == totals[field], field
    chart = checkin_selectors.weekly_coverage(user=office, total=totals["total"])
    assert chart[-2]["reached"] == figures["coverage"]["weeks"][-1]["reached"]
    assert chart[-2]["percent"] == figures["coverage"]["weeks"][-1]["percent"]
    # The ledger page today: no dose was given since the week's end, so the dose counts agree.
    _rows, overall = ledger_selectors.branch_totals(user=office)
    assert figures["vaccination"]["this"]["doses"] == [overall[f"dose{n}"] for n in ledger_selectors.DOSE_NUMBERS]
    assert figures["exposed"]["this"] == overall["exposed"]
    # The ledger page's "tested within 7 days" on the week's Sunday is the report's figure.
    _rows, sunday = ledger_selectors.branch_totals(user=office, today=D(2026, 11, 22))
    assert figures["tests"]["this"]["tested"] == sunday["tested"]


@time_machine.travel(NOW, tick=False)
def test_a_branch_and_an_area_are_counted_alone(office, dataset, branch_b):
    branch = report_figures(user=office, week=WEEK, scope=Scope(kind=ReportScope.BRANCH, branch=branch_b))
    assert branch["coverage"]["total"] == 2
    assert branch["coverage"]["weeks"][-1]["reached"] == 1  # b1
    assert [row["name"] for row in branch["state"]["rows"]] == [branch_b.name]
    assert branch["tests"]["last"]["tested"] == 1  # b2
    assert branch["flows"]["this"]["exposures"] == {"opened": 0, "lifted": 1}
    east = report_figures(user=office, week=WEEK, scope=Scope(kind=ReportScope.AREA, area="east"))
    assert east["coverage"]["total"] == 2  # a2, a3
    assert east["coverage"]["weeks"][-1]["reached"] == 0
    assert east["coverage"]["weeks"][-2]["reached"] == 1  # a2
    assert east["vaccination"]["this"] == {"total": 2, "doses": [1, 0, 0, 0]}
    assert east["tests"]["this"]["tested"] == 1  # a3
    assert east["flows"]["this"]["shifts"]["shifts"] == 1  # the east shift only
    assert east["flows"]["last"]["shifts"]["shifts"] == 0


def test_an_issued_report_keeps_its_figures(office, secretary_a, dataset):
    with time_machine.travel(NOW, tick=False):
        report = services.report_issue(user=office, week=WEEK, scope=Scope())
    assert report.figures["coverage"]["weeks"][-1]["reached"] == 2
    # A contact logged later for the same week changes the ledgers, not the report.
    log_at(
        at(2026, 11, 21),
        user=secretary_a,
        retiree=dataset["a3"],
        channel="phone",
        reached="retiree",
        outcome="all_well",
    )
    with time_machine.travel(at(2026, 11, 26), tick=False):
        again = services.report_issue(user=office, week=WEEK, scope=Scope())
    assert again.pk == report.pk
    again.refresh_from_db()
    assert again.figures["coverage"]["weeks"][-1]["reached"] == 2
    # Next week's report puts this one's state figures beside its own.
    with time_machine.travel(at(2026, 12, 1), tick=False):
        following = services.report_issue(user=office, week=WEEK + datetime.timedelta(weeks=1), scope=Scope())
    assert following.figures["state"]["last"] == report.figures["state"]
    assert following.figures["exposed"]["last"] == report.figures["exposed"]["this"]


@time_machine.travel(NOW, tick=False)
def test_only_a_week_that_is_over_is_reported(office, dataset):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.report_issue(user=office, week=D(2026, 11, 23), scope=Scope())  # this week
    with pytest.raises(ValidationError):
        services.report_issue(user=office, week=D(2026, 11, 17), scope=Scope())  # not a Monday


@time_machine.travel(NOW, tick=False)
def test_many_branches_are_cut_to_the_lowest_on_paper_but_not_in_excel(office, dataset, monkeypatch):
    figures = report_figures(user=office, week=WEEK, scope=Scope())
    monkeypatch.setattr(presenters, "MAX_BRANCH_ROWS", 1)
    paper = {section.key: section for section in presenters.sections(figures)}
    excel = {section.key: section for section in presenters.sections(figures, every_branch=True)}
    assert len(paper["state"].tables[0].rows) == 1
    assert len(excel["state"].tables[0].rows) == 2
    lowest = min(figures["state"]["rows"], key=lambda row: row["percent"])
    assert paper["state"].tables[0].rows[0][0] == lowest["name"]
