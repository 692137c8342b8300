"""Self check-ins ("我很好" on the retiree's own page) in the schedule, and call-back requests.

The rule is checkins.schedule.counted_reach: a self check-in counts as a contact that reached the
retiree, unless the care plan says it does not, or the branch requires a call every N of them.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from branches.signals import self_checkin_rule_changed
from care import services as care_services
from checkins import services
from checkins.choices import DueState
from checkins.models import CallbackRequest, ContactLog
from checkins.schedule import counted_reach, with_schedule
from retirees.models import Retiree
from tests.factories import at, log_at


def self_checkin_at(moment, retiree):
    with time_machine.travel(moment, tick=False):
        return services.self_checkin_record(retiree=retiree)


def schedule_of(retiree, today):
    return with_schedule(Retiree.objects.filter(pk=retiree.pk), today).get()


def test_counted_reach_rule():
    call, s1, s2, s3 = (datetime.datetime(2026, 3, day, 10, tzinfo=datetime.UTC) for day in (1, 2, 3, 4))
    kwargs = {"last_call_at": call, "self_checkins_since": [s1, s2, s3]}
    assert counted_reach(**kwargs, self_checkins_count=True, call_every=None) == s3
    assert counted_reach(**kwargs, self_checkins_count=False, call_every=None) == call
    assert counted_reach(**kwargs, self_checkins_count=True, call_every=2) == s2
    assert (
        counted_reach(last_call_at=None, self_checkins_since=[s1], self_checkins_count=False, call_every=None) is None
    )


def test_a_self_checkin_reaches_the_retiree_and_covers_the_cycle(secretary_a, retiree_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a)
    contact = self_checkin_at(at(2026, 3, 10), retiree_a)
    assert (contact.channel, contact.reached, contact.contacted_by_id) == ("self_checkin", "retiree", None)
    row = schedule_of(retiree_a, datetime.date(2026, 3, 10))
    assert row.last_reached_on == datetime.date(2026, 3, 10)
    assert row.due_state == DueState.COVERED


def test_care_plan_can_say_self_checkins_do_not_count(office, secretary_a, retiree_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a)
    self_checkin_at(at(2026, 3, 10), retiree_a)
    with time_machine.travel(at(2026, 3, 10, 12), tick=False):
        care_services.care_plan_save(
            user=office,
            retiree=retiree_a,
            responsible=office,
            review_on=datetime.date(2026, 6, 1),
            cadence_days=7,
            self_checkins_count=False,
        )
    row = schedule_of(retiree_a, datetime.date(2026, 3, 10))
    assert row.last_reached_on == datetime.date(2026, 3, 1)  # only the call counts
    assert row.due_state == DueState.OVERDUE


def test_branch_requires_a_call_every_n_self_checkins(secretary_a, retiree_a, branch_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a)
    for day in (3, 5, 7):
        self_checkin_at(at(2026, 3, day), retiree_a)
    assert schedule_of(retiree_a, datetime.date(2026, 3, 7)).last_reached_on == datetime.date(2026, 3, 7)
    branch_a.call_every_self_checkins = 2
    branch_a.save()
    self_checkin_rule_changed.send(sender=type(branch_a), branch=branch_a)
    # The first two after the call count; the third does not: due a cadence after 5 March.
    assert schedule_of(retiree_a, datetime.date(2026, 3, 7)).last_reached_on == datetime.date(2026, 3, 5)
    log_at(at(2026, 3, 8), user=secretary_a, retiree=retiree_a)  # a call starts the count again
    self_checkin_at(at(2026, 3, 9), retiree_a)
    assert schedule_of(retiree_a, datetime.date(2026, 3, 9)).last_reached_on == datetime.date(2026, 3, 9)


def test_a_self_checkin_does_not_end_the_attention_a_call_found(secretary_a, retiree_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, outcome="needs_help")
    self_checkin_at(at(2026, 3, 2), retiree_a)
    assert schedule_of(retiree_a, datetime.date(2026, 3, 2)).attention


def test_workers_cannot_log_a_self_checkin(secretary_a, retiree_a):
    with pytest.raises(ValidationError):
        services.contact_log(user=secretary_a, retiree=retiree_a, channel="self_checkin")
    assert not ContactLog.objects.exists()


def test_call_back_is_answered_by_a_contact_that_reaches_somebody(secretary_a, retiree_a):
    first = services.callback_request(retiree=retiree_a)
    assert services.callback_request(retiree=retiree_a) == first
    self_checkin_at(at(2026, 3, 2), retiree_a)  # their own check-in is not a call back
    assert CallbackRequest.objects.open().filter(retiree=retiree_a).exists()
    log_at(at(2026, 3, 3), user=secretary_a, retiree=retiree_a, reached="family")
    assert not CallbackRequest.objects.open().filter(retiree=retiree_a).exists()
