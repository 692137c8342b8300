"""Coverage counts kept between requests (checkins.coverage): after every kind of change they equal
the counts made from scratch, and only the branches that changed are counted again."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from checkins import coverage, selectors, services
from checkins.models import BranchCoverage, CadencePolicy, CallbackRequest, CheckinState, CoverageChange
from tests.factories import at, grant_exemption, log_at, make_retiree

NOW = at(2026, 3, 20, 9, 0)
BORN = datetime.date(1950, 1, 1)

# Committed for real, as requests are: a transaction that has written keeps nothing (coverage.py).
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kept on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(branch_a, branch_b, secretary_a, secretary_b, office):
    a = [make_retiree(branch_a, f"甲{n}", birth_date=BORN) for n in range(4)]
    b = [make_retiree(branch_b, f"乙{n}", birth_date=BORN) for n in range(3)]
    log_at(at(2026, 3, 19), user=secretary_a, retiree=a[0])
    log_at(at(2026, 3, 6), user=secretary_a, retiree=a[1])
    log_at(at(2026, 3, 10), user=secretary_b, retiree=b[0])
    return {"a": a, "b": b}


def _counted(user):
    """The counts (and weeks) as kept, and as counted from scratch with nothing kept."""
    kept = {row["branch"].pk: row for row in selectors.branch_coverage(user=user)}
    with mock.patch.object(coverage, "kept", return_value=False):
        live = {row["branch"].pk: row for row in selectors.branch_coverage(user=user)}
        live_weeks = selectors.weekly_coverage(user=user)
    kept_weeks = selectors.weekly_coverage(
        user=user,
        reached=[sum(row["weekly"][week] for row in kept.values()) for week in range(selectors.WEEKS_IN_CHART)],
    )
    for row in kept.values():
        row.pop("weekly")
    return kept, live, kept_weeks, live_weeks


def _overview(user, **kwargs):
    """coverage_overview as plain data: totals, weeks, and every row in both orders."""
    found = selectors.coverage_overview(user=user, **kwargs)
    weeks = selectors.weekly_coverage(
        user=user, total=found.totals["total"], reached=found.weekly, branch=kwargs.get("branch")
    )
    return found.totals, weeks, list(found.rows[: len(found.rows)]), list(found.by_coverage[: len(found.by_coverage)])


def assert_kept_equals_live(user):
    kept, live, kept_weeks, live_weeks = _counted(user)
    assert kept == live
    assert kept_weeks == live_weeks
    # The dashboard's and the call list's read, in SQL over the kept rows, agrees too.
    kept_overview = _overview(user)
    assert isinstance(selectors.coverage_overview(user=user).rows, selectors._KeptRows)
    with mock.patch.object(coverage, "kept", return_value=False):
        live_overview = _overview(user)
    assert kept_overview == live_overview
    assert kept_overview[0] == selectors.coverage_totals(list(live.values()))
    assert kept_overview[1] == live_weeks


def _recounted(user, branches) -> set[int]:
    """The branches whose counts the next page view counts again."""
    seen = []
    original = selectors._branch_counts

    def spy(ids, today, policies):
        seen.extend(ids)
        return original(ids, today, policies)

    with mock.patch.object(selectors, "_branch_counts", spy):
        selectors.branch_coverage(user=user)
    return set(seen)


@time_machine.travel(NOW, tick=False)
def test_an_unchanged_branch_is_not_counted_again(office, world, branch_a, branch_b):
    assert _recounted(office, None) == {branch_a.pk, branch_b.pk}
    assert _recounted(office, None) == set()
    assert BranchCoverage.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_contact_recounts_its_branch_only(office, secretary_a, world, branch_a, branch_b):
    assert_kept_equals_live(office)
    services.contact_log(user=secretary_a, retiree=world["a"][2], channel="phone", reached="retiree")
    assert _recounted(office, None) == {branch_a.pk}
    assert_kept_equals_live(office)


@time_machine.travel(NOW, tick=False)
def test_every_change_the_counts_read_is_seen(office, secretary_a, secretary_b, world, branch_a, branch_b):
    a, b = world["a"], world["b"]
    assert_kept_equals_live(office)
    changes = [
        # the retiree's own columns: status, branch (both branches), cadence criteria
        lambda: type(a[3]).objects.filter(pk=a[3].pk).update(status="deceased", deceased_on=NOW.date()),
        lambda: type(b[2]).objects.filter(pk=b[2].pk).update(branch=branch_a),
        lambda: type(a[1]).objects.filter(pk=a[1].pk).update(birth_date=datetime.date(1940, 1, 1)),
        lambda: type(a[0]).objects.filter(pk=a[0].pk).update(category="lixiu"),
        # the check-in state (a care plan's cadence), an exemption, a call-back, a week reached
        lambda: CheckinState.objects.filter(retiree=a[0]).update(cadence_override_days=1),
        lambda: grant_exemption(
            requester=secretary_b,
            approver=office,
            retiree=b[1],
            reason="travelling",
            starts_on=NOW.date(),
            ends_on=NOW.date() + datetime.timedelta(days=5),
        ),
        lambda: CallbackRequest.objects.create(retiree=b[0], requested_at=NOW),
        lambda: CallbackRequest.objects.filter(retiree=b[0]).update(answered_at=NOW),
        # the cadence rules: a branch's, then an office-wide one
        lambda: CadencePolicy.objects.create(branch=branch_b, cadence_days=3),
        lambda: CadencePolicy.objects.create(branch=None, category="tuixiu", cadence_days=1),
        lambda: CadencePolicy.objects.all().delete(),
    ]
    for change in changes:
        change()
        assert_kept_equals_live(office)
        assert_kept_equals_live(secretary_a)


@time_machine.travel(NOW, tick=False)
def test_a_change_the_counts_do_not_read_recounts_nothing(office, world):
    selectors.branch_coverage(user=office)
    assert not CoverageChange.objects.exists()  # taken in by the counts just kept
    type(world["a"][0]).objects.filter(pk=world["a"][0].pk).update(name="甲零", phone="13800000000")
    assert not CoverageChange.objects.exists()
    assert _recounted(office, None) == set()


@time_machine.travel(NOW, tick=False)
def test_a_change_made_while_counting_is_not_kept_as_current(office, secretary_a, world, branch_a):
    """The count is kept with the snapshot taken before it; a change committed after that
    snapshot leaves the kept row stale, so the next view counts again instead of trusting it."""
    original = selectors._branch_counts

    def count_then_change(ids, today, policies):
        counted = original(ids, today, policies)
        services.contact_log(user=secretary_a, retiree=world["a"][3], channel="phone", reached="retiree")
        return counted

    with mock.patch.object(selectors, "_branch_counts", count_then_change):
        selectors.branch_coverage(user=office)
    assert branch_a.pk in _recounted(office, None)
    assert_kept_equals_live(office)


def test_a_new_day_or_new_rules_count_again(office, world, branch_a, branch_b):
    with time_machine.travel(NOW, tick=False):
        selectors.branch_coverage(user=office)
        assert _recounted(office, None) == set()
        with override_settings(OUTREACH_ATTENTION_CADENCE_DAYS=2):
            assert _recounted(office, None) == {branch_a.pk, branch_b.pk}
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert _recounted(office, None) == {branch_a.pk, branch_b.pk}
        assert_kept_equals_live(office)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_reads_kept_counts(login, office, world):
    client = login(office)
    first = client.get("/checkins/dashboard/").context
    second = client.get("/checkins/dashboard/").context
    assert [row["total"] for row in first["page"]] == [row["total"] for row in second["page"]]
    assert first["weeks"] == second["weeks"] == selectors.weekly_coverage(user=office)


@time_machine.travel(NOW, tick=False)
def test_the_beat_keeps_stale_branches_counted(office, secretary_a, world, branch_a, branch_b):
    from checkins.tasks import keep_coverage

    assert keep_coverage() == {"counted": 2}
    assert keep_coverage() == {"counted": 0}
    services.contact_log(user=secretary_a, retiree=world["a"][2], channel="phone", reached="retiree")
    assert keep_coverage() == {"counted": 1}
    assert _recounted(office, None) == set()
    assert_kept_equals_live(office)


@time_machine.travel(NOW, tick=False)
def test_another_days_counts_leave_todays_kept(office, world, branch_a, branch_b):
    selectors.branch_coverage(user=office)
    last_sunday = NOW.date() - datetime.timedelta(days=5)
    with mock.patch.object(coverage, "kept", return_value=False):
        expected = {row["branch"].pk: row["total"] for row in selectors.branch_coverage(user=office, today=last_sunday)}
    assert {
        row["branch"].pk: row["total"] for row in selectors.branch_coverage(user=office, today=last_sunday)
    } == expected
    assert set(BranchCoverage.objects.values_list("day", flat=True)) == {NOW.date()}
    assert _recounted(office, None) == set()


@time_machine.travel(NOW, tick=False)
def test_a_transaction_that_has_written_keeps_nothing(office, secretary_a, world):
    from django.db import transaction

    with transaction.atomic():
        services.contact_log(user=secretary_a, retiree=world["a"][2], channel="phone", reached="retiree")
        selectors.branch_coverage(user=office)
        assert not BranchCoverage.objects.exists()
    assert_kept_equals_live(office)


@time_machine.travel(NOW, tick=False)
def test_kept_and_unchanged_pages_count_nothing(login, office, secretary_a, world):
    from django.test.utils import CaptureQueriesContext

    def queries(client, url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client = login(office)
    first = queries(client, "/checkins/dashboard/")
    # the dashboard's 10 (test_dashboard_query_count_does_not_grow_with_rows): nothing counted
    assert queries(client, "/checkins/dashboard/") == 10 < first
    client = login(secretary_a)
    queries(client, "/checkins/")
    # the call list's 11 (test_call_list_query_count_does_not_grow_with_rows)
    assert queries(client, "/checkins/") == 11


def test_the_kept_row_has_a_column_per_count():
    assert set(coverage.count_columns()) == {*selectors.COUNT_FIELDS, "percent"}


@time_machine.travel(NOW, tick=False)
def test_the_overview_reads_kept_rows_in_a_few_queries(office, secretary_a, world, branch_a, branch_b):
    from django.test.utils import CaptureQueriesContext

    selectors.coverage_overview(user=office)  # counts and keeps both branches
    with CaptureQueriesContext(connection) as captured:
        found = selectors.coverage_overview(user=office)
        page = found.by_coverage[0:50]
    # which rows are stale, the sums, the page: whatever the number of branches
    assert len(captured) == 3
    assert [row["branch"] for row in page] == sorted(
        [branch_a, branch_b], key=lambda branch: next(r["percent"] for r in page if r["branch"] == branch)
    )
    assert found.totals["total"] == 7 and len(found.rows) == 2


@time_machine.travel(NOW, tick=False)
def test_the_overview_of_one_branch_and_of_a_secretary(office, secretary_a, world, branch_a, branch_b):
    assert_kept_equals_live(office)
    for user, kwargs in ((office, {"branch": branch_a}), (secretary_a, {})):
        kept = _overview(user, **kwargs)
        with mock.patch.object(coverage, "kept", return_value=False):
            assert _overview(user, **kwargs) == kept
        assert [row["branch"] for row in kept[2]] == [branch_a]
        assert kept[0]["total"] == 4


@time_machine.travel(NOW, tick=False)
def test_a_closed_branch_without_retirees_has_no_row(office, world, branch_a, branch_b):
    type(world["b"][0]).objects.filter(branch=branch_b).update(status="deceased", deceased_on=NOW.date())
    type(branch_b).objects.filter(pk=branch_b.pk).update(is_active=False)
    kept = _overview(office)
    with mock.patch.object(coverage, "kept", return_value=False):
        assert _overview(office) == kept
    assert [row["branch"] for row in kept[2]] == [branch_a]


@time_machine.travel(NOW, tick=False)
def test_the_overview_within_a_transaction_that_has_written(office, secretary_a, world):
    """Nothing can be kept then (coverage.keep_fresh): the overview is counted from scratch."""
    from django.db import transaction

    with transaction.atomic():
        services.contact_log(user=secretary_a, retiree=world["a"][2], channel="phone", reached="retiree")
        found = selectors.coverage_overview(user=office)
        assert isinstance(found.rows, list) and found.totals["covered"] == 3
    assert_kept_equals_live(office)
