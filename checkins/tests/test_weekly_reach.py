"""The maintained WeeklyReach rows behind the weekly chart: kept in step with the contacts, and the
chart counts what the contacts say (reached, distinct, active now, in the user's scope)."""

import datetime

import pytest
import time_machine
from django.db.models import Count
from django.db.models.functions import TruncWeek

from checkins import selectors, services
from checkins.models import ContactLog, WeeklyReach
from tests.factories import at, log_at, make_retiree

NOW = at(2026, 3, 20, 9, 0)  # a Friday; its week starts on Monday 16 March
MONDAY = datetime.date(2026, 3, 16)
PREVIOUS_MONDAY = datetime.date(2026, 3, 9)


def _weeks(retiree) -> list[datetime.date]:
    return list(WeeklyReach.objects.filter(retiree=retiree).values_list("week", flat=True))


def _chart(user) -> dict[datetime.date, int]:
    with time_machine.travel(NOW, tick=False):
        return {row["week"]: row["reached"] for row in selectors.weekly_coverage(user=user) if row["reached"]}


def _chart_from_contacts(user) -> dict[datetime.date, int]:
    """The chart as it was computed before WeeklyReach: distinct active retirees among reached contacts."""
    rows = (
        ContactLog.objects.visible_to(user)
        .reached()
        .filter(retiree__status="active")
        .annotate(week=TruncWeek("contacted_on"))
        .order_by()
        .values("week")
        .annotate(n=Count("retiree", distinct=True))
    )
    return {selectors._as_date(row["week"]): row["n"] for row in rows}


@pytest.mark.django_db
def test_a_reached_contact_counts_its_retiree_once_per_week(branch_a, secretary_a):
    retiree = make_retiree(branch_a, "张一")
    log_at(at(2026, 3, 16), user=secretary_a, retiree=retiree)
    log_at(at(2026, 3, 22, 21), user=secretary_a, retiree=retiree, reached="family")  # Sunday, same week
    log_at(at(2026, 3, 13), user=secretary_a, retiree=retiree)  # logged late, the week before
    assert sorted(_weeks(retiree)) == [PREVIOUS_MONDAY, MONDAY]


@pytest.mark.django_db
def test_a_contact_that_reached_nobody_adds_no_week(branch_a, secretary_a):
    retiree = make_retiree(branch_a, "张二")
    log_at(at(2026, 3, 17), user=secretary_a, retiree=retiree, reached="nobody")
    assert _weeks(retiree) == []


@pytest.mark.django_db
def test_deleting_the_only_reached_contact_of_a_week_removes_the_week(branch_a, secretary_a):
    retiree = make_retiree(branch_a, "张三")
    only = log_at(at(2026, 3, 10), user=secretary_a, retiree=retiree)
    first = log_at(at(2026, 3, 16), user=secretary_a, retiree=retiree)
    log_at(at(2026, 3, 18), user=secretary_a, retiree=retiree)
    services.contact_log_delete(contact=only)
    services.contact_log_delete(contact=first)  # another reached contact that week remains
    assert _weeks(retiree) == [MONDAY]
    assert retiree.checkin_state.last_reached_on == datetime.date(2026, 3, 18)


@pytest.mark.django_db
def test_deleting_a_contact_refreshes_the_schedule_state(branch_a, secretary_a):
    retiree = make_retiree(branch_a, "张四")
    log_at(at(2026, 3, 10), user=secretary_a, retiree=retiree)
    latest = log_at(at(2026, 3, 18), user=secretary_a, retiree=retiree)
    services.contact_log_delete(contact=latest)
    retiree.checkin_state.refresh_from_db()
    assert retiree.checkin_state.last_reached_on == datetime.date(2026, 3, 10)
    assert _weeks(retiree) == [PREVIOUS_MONDAY]


@pytest.mark.django_db
def test_chart_follows_status_and_branch_changes_without_touching_the_rows(
    branch_a, branch_b, secretary_a, secretary_b, office
):
    stays = make_retiree(branch_a, "李一")
    moves_branch = make_retiree(branch_a, "李二")
    leaves = make_retiree(branch_a, "李三")
    for retiree in (stays, moves_branch, leaves):
        log_at(at(2026, 3, 17), user=secretary_a, retiree=retiree)
    assert _chart(office)[MONDAY] == 3
    assert _chart(secretary_a)[MONDAY] == 3

    moves_branch.branch = branch_b
    moves_branch.save()
    leaves.status, leaves.moved_on = "moved", datetime.date(2026, 3, 19)
    leaves.save()

    assert _chart(office)[MONDAY] == 2  # the retiree who moved away no longer counts
    assert _chart(secretary_a)[MONDAY] == 1
    assert _chart(secretary_b)[MONDAY] == 1  # the history moved with the retiree (handover)
    for user in (office, secretary_a, secretary_b):
        assert _chart(user) == _chart_from_contacts(user)


@pytest.mark.django_db
def test_chart_matches_the_contacts_it_summarises(branch_a, branch_b, secretary_a, secretary_b, office):
    people = [make_retiree(branch_a if n % 2 else branch_b, f"王{n}") for n in range(6)]
    for n, retiree in enumerate(people):
        user = secretary_a if n % 2 else secretary_b
        for day in range(2 + n % 3, 20, 3 + n % 4):
            log_at(at(2026, 3, day), user=user, retiree=retiree, reached="nobody" if (n + day) % 4 == 0 else "retiree")
    people[0].status, people[0].deceased_on = "deceased", datetime.date(2026, 3, 19)
    people[0].save()
    for user in (office, secretary_a, secretary_b):
        assert _chart(user) == _chart_from_contacts(user)


@pytest.mark.django_db
def test_backfill_adds_the_weeks_of_contacts_written_in_bulk_and_keeps_the_rest(branch_a, secretary_a):
    kept, bulk = make_retiree(branch_a, "张七"), make_retiree(branch_a, "张八")
    log_at(at(2026, 3, 16), user=secretary_a, retiree=kept)  # through contact_log: its week is there already
    ContactLog.objects.bulk_create(
        [
            ContactLog(retiree=bulk, contacted_by=secretary_a, contacted_at=when, contacted_on=when.date(), **fields)
            for when, fields in (
                (at(2026, 3, 4), {}),
                (at(2026, 3, 6), {"reached": "family"}),  # the same week
                (at(2026, 3, 10), {"reached": "nobody", "outcome": "not_reached"}),  # no week
                (at(2026, 3, 18), {}),
            )
        ]
    )
    assert _weeks(bulk) == []

    assert services.weekly_reach_backfill() == 3  # (kept, 16 March), (bulk, 2 March), (bulk, 16 March)
    assert sorted(_weeks(bulk)) == [datetime.date(2026, 3, 2), MONDAY]
    assert _weeks(kept) == [MONDAY]
    services.weekly_reach_backfill(retiree_ids=[bulk.pk])  # again: nothing doubles
    assert WeeklyReach.objects.count() == 3
