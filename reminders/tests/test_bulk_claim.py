"""The tick's wave: a branch's digests built from one set of queries and claimed in one statement."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from checkins.selectors import call_list
from checkins.services import contact_log
from reminders import digests, services
from reminders.models import Delivery, Notification, Reminder
from reminders.tests.conftest import MONDAY_0900
from tests.factories import make_retiree, make_user

TODAY = MONDAY_0900.date()


@pytest.fixture
def busy_branch(reminded_branch, secretary_a):
    """Branch A with people overdue (never reached), due today and covered."""
    for number in range(4):
        make_retiree(reminded_branch, f"李逾期{number}")
    due = make_retiree(reminded_branch, "赵今日")
    covered = make_retiree(reminded_branch, "钱已访")
    contact_log(
        user=secretary_a,
        retiree=due,
        contacted_at=MONDAY_0900 - datetime.timedelta(days=3),  # 81 years old: every 3 days
        channel="phone",
        reached="retiree",
        outcome="all_well",
    )
    contact_log(
        user=secretary_a,
        retiree=covered,
        contacted_at=MONDAY_0900 - datetime.timedelta(days=1),
        channel="phone",
        reached="retiree",
        outcome="all_well",
    )
    return reminded_branch


def test_branch_digests_say_what_each_person_digest_says(busy_branch, secretary_a, committee_a):
    together = digests.branch_digests(users=[secretary_a, committee_a], today=TODAY)
    for user in (secretary_a, committee_a):
        alone = digests.branch_digest(user=user, today=TODAY)
        assert (together[user.pk].subject, together[user.pk].text, together[user.pk].html) == (
            alone.subject,
            alone.text,
            alone.html,
        )
    context = together[secretary_a.pk].context
    assert context["overdue_count"] == 5 and context["due_count"] == 1
    # The sections are the call list's rows, in its order.
    expected = [r.name for r in call_list(user=secretary_a, today=TODAY) if r.due_state == "overdue"]
    assert [r.name for r in context["overdue"]["rows"]] == expected


def test_branch_digests_cost_the_same_queries_for_one_worker_or_many(busy_branch, secretary_a, committee_a):
    extra = [
        make_user(f"com_a{n}", role=User.Role.BRANCH, branch=busy_branch, position=User.Position.COMMITTEE)
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as one:
        digests.branch_digests(users=[secretary_a], today=TODAY)
    with CaptureQueriesContext(connection) as many:
        digests.branch_digests(users=[secretary_a, committee_a, *extra], today=TODAY)
    assert len(many) == len(one)


def test_a_wave_of_two_branches_keeps_each_branch_to_its_own(busy_branch, secretary_a, committee_a, secretary_b):
    from tests.factories import make_retiree as add

    add(secretary_b.branch, "孙乙支")
    together = digests.branch_digests(users=[secretary_a, secretary_b, committee_a], today=TODAY)
    for user in (secretary_a, committee_a, secretary_b):
        assert together[user.pk].text == digests.branch_digest(user=user, today=TODAY).text
    assert "孙乙支" in together[secretary_b.pk].text and "孙乙支" not in together[secretary_a.pk].text
    assert "李逾期0" not in together[secretary_b.pk].text


def test_sections_show_the_first_rows_and_count_them_all(reminded_branch, secretary_a):
    for number in range(digests.LIST_LIMIT + 2):
        make_retiree(reminded_branch, f"周多{number:02d}")
    context = digests.branch_digests(users=[secretary_a], today=TODAY)[secretary_a.pk].context
    assert context["overdue_count"] == digests.LIST_LIMIT + 3  # and 王从未
    assert len(context["overdue"]["rows"]) == digests.LIST_LIMIT and context["overdue"]["more"]
    expected = [r.pk for r in call_list(user=secretary_a, today=TODAY)][: digests.LIST_LIMIT]
    assert [r.pk for r in context["overdue"]["rows"]] == expected


def test_digests_claim_writes_notifications_and_email_deliveries(busy_branch, secretary_a, committee_a):
    committee_a.email = ""
    committee_a.save()
    messages = digests.branch_digests(users=[secretary_a, committee_a], today=TODAY)
    claimed = services.digests_claim(
        kind=Reminder.Kind.BRANCH_DIGEST,
        period=TODAY,
        now=MONDAY_0900,
        messages=[(secretary_a, messages[secretary_a.pk]), (committee_a, messages[committee_a.pk])],
    )
    assert {reminder.recipient for reminder in claimed} == {secretary_a, committee_a}
    stored = Reminder.objects.get(recipient=secretary_a)
    assert stored.text == messages[secretary_a.pk].text and stored.pk in {r.pk for r in claimed}
    assert Notification.objects.get(recipient=committee_a).body == messages[committee_a.pk].text
    # Email only for the one who has an address; due at once.
    delivery = Delivery.objects.get()
    assert delivery.reminder == stored and delivery.channel == "email" and delivery.next_attempt_at == MONDAY_0900


def test_digests_claim_leaves_out_what_was_claimed_already(busy_branch, secretary_a, committee_a):
    messages = digests.branch_digests(users=[secretary_a, committee_a], today=TODAY)
    pairs = [(secretary_a, messages[secretary_a.pk]), (committee_a, messages[committee_a.pk])]
    first = services.digests_claim(kind=Reminder.Kind.BRANCH_DIGEST, period=TODAY, now=MONDAY_0900, messages=pairs[:1])
    second = services.digests_claim(kind=Reminder.Kind.BRANCH_DIGEST, period=TODAY, now=MONDAY_0900, messages=pairs)
    assert [r.recipient for r in first] == [secretary_a] and [r.recipient for r in second] == [committee_a]
    again = services.digests_claim(kind=Reminder.Kind.BRANCH_DIGEST, period=TODAY, now=MONDAY_0900, messages=pairs)
    assert again == []
    assert Reminder.objects.count() == 2 and Notification.objects.count() == 2 and Delivery.objects.count() == 2


def test_digests_claim_takes_only_daily_digests(secretary_a):
    with pytest.raises(ValueError):
        services.digests_claim(kind=Reminder.Kind.ALERT, period=TODAY, now=MONDAY_0900, messages=[])


def test_tick_costs_a_set_of_queries_per_branch_not_per_person(busy_branch, secretary_a, committee_a):
    with CaptureQueriesContext(connection) as two:
        assert services.reminder_tick(now=MONDAY_0900).claimed == 2
    Reminder.objects.all().delete()
    for n in range(4):
        make_user(f"com_a{n}", role=User.Role.BRANCH, branch=busy_branch, position=User.Position.COMMITTEE)
    with CaptureQueriesContext(connection) as six:
        assert services.reminder_tick(now=MONDAY_0900).claimed == 6
    assert len(six) == len(two)
