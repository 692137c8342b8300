"""The office's call list over every branch read from the kept order (checkins.call_order): after
every kind of change its pages are exactly the call list's own ORDER BY, counted from scratch."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.db import connection

from branches.models import Branch
from checkins import call_order, selectors, services
from checkins.models import CadencePolicy, CallbackRequest, CallDue, CheckinState
from retirees.models import Retiree
from tests.factories import at, grant_exemption, log_at, make_retiree

NOW = at(2026, 3, 20, 9, 0)
TODAY = NOW.date()
PAGE = 4

# Committed for real, as requests are: a transaction that has written keeps nothing (coverage.py).
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kept on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def branch_c(db):
    return Branch.objects.create(name="第三党支部", short_name="三支部")


@pytest.fixture
def world(branch_a, branch_b, branch_c, secretary_a, secretary_b, office):
    """Three branches, a branch rule, retirees in every place of the list: never reached, overdue,
    due today, covered, exempt, under attention, asking for a call back, frail (3-day cadence),
    two of the same name (the id decides)."""
    CadencePolicy.objects.create(branch=branch_b, cadence_days=7)
    people = {}
    for branch, prefix, secretary in (
        (branch_a, "甲", secretary_a),
        (branch_b, "乙", secretary_b),
        (branch_c, "丙", office),
    ):
        people[prefix] = [
            make_retiree(branch, f"{prefix}{name}", birth_date=born)
            for name, born in (
                ("从未", datetime.date(1950, 1, 1)),
                ("很久", datetime.date(1950, 2, 1)),
                ("今天", datetime.date(1950, 3, 1)),
                ("最近", datetime.date(1950, 4, 1)),
                ("免除", datetime.date(1950, 5, 1)),
                ("关注", datetime.date(1950, 6, 1)),
                ("回电", datetime.date(1950, 7, 1)),
                ("高龄", datetime.date(1938, 1, 1)),
            )
        ]
        people[prefix].append(make_retiree(branch, f"{prefix}同名", birth_date=datetime.date(1951, 1, 1)))
        people[prefix].append(make_retiree(branch, f"{prefix}同名", birth_date=datetime.date(1951, 1, 1)))
        never, long_ago, due_today, recent, exempt, attention, callback, frail, same, same_too = people[prefix]
        cadence = 7 if branch == branch_b else 14
        log_at(at(2026, 1, 5), user=secretary, retiree=long_ago)
        log_at(NOW - datetime.timedelta(days=cadence), user=secretary, retiree=due_today)
        log_at(at(2026, 3, 19), user=secretary, retiree=recent)
        log_at(at(2026, 3, 18), user=secretary, retiree=frail)
        log_at(at(2026, 3, 12), user=secretary, retiree=same)
        log_at(at(2026, 3, 12), user=secretary, retiree=same_too)
        log_at(at(2026, 3, 1), user=secretary, retiree=exempt)
        if secretary != office:  # the two-person rule: a branch's secretary asks, the office approves
            grant_exemption(
                requester=secretary,
                approver=office,
                retiree=exempt,
                reason="travelling",
                starts_on=TODAY,
                ends_on=TODAY + datetime.timedelta(days=5),
            )
        CheckinState.objects.filter(retiree=attention).update(attention_since=TODAY - datetime.timedelta(days=2))
        with time_machine.travel(NOW - datetime.timedelta(hours=len(people)), tick=False):
            services.callback_request(retiree=callback)
    return people


def live_order(user, today=None) -> list[int]:
    """The call list's ids in its own ORDER BY, every retiree's schedule computed now."""
    return list(selectors.call_list(user=user, today=today).values_list("pk", flat=True))


def office_pages(client) -> list[int]:
    """The office's call list over every branch, page after page, as the view shows it."""
    ids, number = [], 1
    while True:
        response = client.get(f"/checkins/?page={number}")
        assert response.status_code == 200
        page = response.context["page"]
        ids += [row.pk for row in page.object_list]
        if not page.has_next():
            return ids
        number += 1


@pytest.fixture
def office_client(login, office, monkeypatch):
    from checkins import views

    monkeypatch.setattr(views, "CALL_LIST_PAGE_SIZE", PAGE)
    used = []
    original = call_order.office_page_ids

    def spy(today):
        found = original(today)
        used.append(found is not None)
        return found

    monkeypatch.setattr(call_order, "office_page_ids", spy)
    client = login(office)
    client.used_kept_order = used
    return client


def assert_office_list_is_live(client, office):
    client.used_kept_order.clear()
    assert office_pages(client) == live_order(office)
    assert client.used_kept_order and all(client.used_kept_order)  # read from CallDue, not computed
    assert CallDue.objects.count() == Retiree.objects.active().count()


@time_machine.travel(NOW, tick=False)
def test_the_kept_order_is_the_call_lists_after_every_change(
    office_client, office, secretary_a, secretary_b, world, branch_a, branch_b, branch_c
):
    a, b, c = world["甲"], world["乙"], world["丙"]
    assert_office_list_is_live(office_client, office)
    assert len(set(live_order(office))) == 30
    changes = [
        # contacts: reached (covered now; the call-back answered), and not reached
        lambda: services.contact_log(user=secretary_a, retiree=a[0], channel="phone", reached="retiree"),
        lambda: services.contact_log(user=secretary_b, retiree=b[6], channel="phone", reached="retiree"),
        lambda: services.contact_log(user=secretary_b, retiree=b[1], channel="phone", reached="nobody"),
        # a call-back asked for, one answered by hand
        lambda: services.callback_request(retiree=c[3]),
        lambda: CallbackRequest.objects.filter(retiree=a[6]).update(answered_at=NOW),
        # an exemption, one revoked
        lambda: grant_exemption(
            requester=secretary_a,
            approver=office,
            retiree=a[1],
            reason="travelling",
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=3),
        ),
        lambda: services.exemption_revoke(user=office, exemption=b[4].checkin_exemptions.get()),
        # attention begins, another ends
        lambda: CheckinState.objects.filter(retiree=b[3]).update(attention_since=TODAY),
        lambda: CheckinState.objects.filter(retiree=c[5]).update(attention_until=TODAY),
        # a care plan's cadence, the cadence rules: a branch's, an office-wide one, none
        lambda: CheckinState.objects.filter(retiree=a[3]).update(cadence_override_days=1),
        lambda: CadencePolicy.objects.create(branch=branch_c, cadence_days=5),
        lambda: CadencePolicy.objects.create(branch=None, category="tuixiu", cadence_days=3),
        lambda: CadencePolicy.objects.all().delete(),
        # a rename that moves the later of two namesakes first (only the order reads the name),
        # an older retiree (the cadence's age)
        lambda: Retiree.objects.filter(pk=a[9].pk).update(name="甲啊", name_pinyin="a a"),
        lambda: Retiree.objects.filter(pk=b[2].pk).update(birth_date=datetime.date(1930, 1, 1)),
        # leaving: deceased, moved to another branch, a new retiree
        lambda: Retiree.objects.filter(pk=a[2].pk).update(status="deceased", deceased_on=TODAY),
        lambda: Retiree.objects.filter(pk=c[9].pk).update(branch=branch_a),
        lambda: make_retiree(branch_b, "乙新来", birth_date=datetime.date(1949, 1, 1)),
    ]
    for change in changes:
        change()
        assert_office_list_is_live(office_client, office)


@time_machine.travel(NOW, tick=False)
def test_a_branch_emptied_and_deleted_leaves_nothing(office_client, office, world, branch_a, branch_c):
    assert_office_list_is_live(office_client, office)
    Retiree.objects.filter(branch=branch_c).update(branch=branch_a)
    assert_office_list_is_live(office_client, office)
    branch_c.delete()
    assert_office_list_is_live(office_client, office)
    assert not CallDue.objects.filter(branch_id=branch_c.pk).exists()


def test_a_new_day(office_client, office, world):
    with time_machine.travel(NOW, tick=False):
        assert_office_list_is_live(office_client, office)
    for days in (1, 3, 8):
        with time_machine.travel(NOW + datetime.timedelta(days=days), tick=False):
            assert_office_list_is_live(office_client, office)


@time_machine.travel(NOW, tick=False)
def test_the_beat_keeps_the_order_too(office_client, office, secretary_a, world):
    from checkins.tasks import keep_coverage

    keep_coverage()
    assert CallDue.objects.count() == Retiree.objects.active().count()
    services.contact_log(user=secretary_a, retiree=world["甲"][0], channel="phone", reached="retiree")
    assert keep_coverage() == {"counted": 1}
    with mock.patch.object(selectors, "_branch_counts", side_effect=AssertionError("counted by the view")):
        assert_office_list_is_live(office_client, office)


@time_machine.travel(NOW, tick=False)
def test_the_check_fails_when_the_kept_order_is_not_refreshed(office_client, office, secretary_a, world):
    """The comparison above would see kept rows left as they were: with `keep` doing nothing after
    the first count, a contact that moves a retiree down the list shows in the wrong place."""
    assert_office_list_is_live(office_client, office)
    with mock.patch.object(call_order, "keep"):
        services.contact_log(user=secretary_a, retiree=world["甲"][0], channel="phone", reached="retiree")
        with pytest.raises(AssertionError):
            assert_office_list_is_live(office_client, office)


@time_machine.travel(NOW, tick=False)
def test_a_transaction_that_has_written_computes_the_order(office, secretary_a, world):
    from django.db import transaction

    selectors.branch_coverage(user=office)
    with transaction.atomic():
        services.contact_log(user=secretary_a, retiree=world["甲"][0], channel="phone", reached="retiree")
        selectors.branch_coverage(user=office)
        assert call_order.office_page_ids(TODAY) is None
    assert call_order.office_page_ids(TODAY) is not None


@time_machine.travel(NOW, tick=False)
def test_the_page_ids_are_read_along_the_index(office, world):
    selectors.branch_coverage(user=office)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE checkins_calldue; SET enable_seqscan = off")
    try:
        query = CallDue.objects.order_by(*call_order.sort_key("retiree_id")).values_list("retiree_id")[100:150]
        plan = query.explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
    assert "checkins_calldue_order" in plan and "Sort" not in plan


@time_machine.travel(NOW, tick=False)
def test_a_change_made_while_counting_is_caught_up_on(office_client, office, secretary_a, world):
    """Keys written after a change that committed while the counts were made may or may not show
    it; the branch is stale either way (the counts' snapshot did not see it), so the next view
    counts it again and the list is exact."""
    original = selectors._branch_counts
    changed = []

    def count_then_change(ids, today, policies):
        counted = original(ids, today, policies)
        if not changed:
            changed.append(
                services.contact_log(user=secretary_a, retiree=world["甲"][0], channel="phone", reached="retiree")
            )
        return counted

    with mock.patch.object(selectors, "_branch_counts", count_then_change):
        selectors.branch_coverage(user=office)
    assert changed
    assert_office_list_is_live(office_client, office)
