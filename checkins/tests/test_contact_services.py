"""checkins.services.contact_log and the state it keeps: unreachable flag, escalation, bad input."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from checkins import services
from checkins.choices import Escalation
from checkins.models import CheckinState, ContactLog
from tests.factories import at, log_at


def state_of(retiree) -> CheckinState:
    return CheckinState.objects.get(retiree=retiree)


def test_flagged_unreachable_after_three_contacts_that_reached_nobody(secretary_a, retiree_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, reached="nobody")
    log_at(at(2026, 3, 2), user=secretary_a, retiree=retiree_a, reached="nobody", channel="wechat")
    assert state_of(retiree_a).unreachable_since is None
    log_at(at(2026, 3, 3), user=secretary_a, retiree=retiree_a, reached="nobody")
    state = state_of(retiree_a)
    assert state.consecutive_failures == 3
    assert state.unreachable_since is not None
    assert state.escalation == Escalation.HOME_VISIT


def test_threshold_is_configurable(settings, secretary_a, retiree_a):
    settings.OUTREACH_UNREACHABLE_AFTER = 1
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, reached="nobody")
    assert state_of(retiree_a).unreachable_since is not None


def test_reaching_a_family_member_clears_the_flag_and_the_ladder(secretary_a, retiree_a):
    for day in (1, 2, 3, 4):
        log_at(at(2026, 3, day), user=secretary_a, retiree=retiree_a, reached="nobody")
    assert state_of(retiree_a).escalation == Escalation.OFFICE
    log_at(at(2026, 3, 5), user=secretary_a, retiree=retiree_a, reached="family")
    state = state_of(retiree_a)
    assert (state.consecutive_failures, state.unreachable_since, state.escalation) == (0, None, Escalation.NONE)


def test_escalation_ladder_climbs_one_step_per_failed_contact(secretary_a, retiree_a):
    steps = []
    for day in range(1, 6):
        log_at(at(2026, 3, day), user=secretary_a, retiree=retiree_a, reached="nobody")
        steps.append(state_of(retiree_a).escalation)
    assert steps == [
        Escalation.TRY_WECHAT,
        Escalation.TRY_HOUSEHOLD,
        Escalation.HOME_VISIT,
        Escalation.OFFICE,
        Escalation.OFFICE,
    ]


def test_contact_that_reached_nobody_is_recorded_as_not_reached(secretary_a, retiree_a):
    log = log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, reached="nobody")
    assert log.outcome == "not_reached"
    assert not log.counts_towards_coverage


@time_machine.travel(at(2026, 3, 10, 9, 0), tick=False)
def test_contact_in_the_future_is_refused_and_nothing_saved(secretary_a, retiree_a):
    with pytest.raises(ValidationError) as error:
        services.contact_log(user=secretary_a, retiree=retiree_a, contacted_at=at(2026, 3, 10, 9, 1))
    assert "contacted_at" in error.value.error_dict
    assert not ContactLog.objects.exists()
    assert not CheckinState.objects.exists()


@time_machine.travel(at(2026, 3, 10, 9, 0), tick=False)
def test_follow_up_before_the_contact_is_refused(secretary_a, retiree_a):
    with pytest.raises(ValidationError):
        services.contact_log(
            user=secretary_a,
            retiree=retiree_a,
            contacted_at=at(2026, 3, 9, 23, 30),
            follow_up_on=datetime.date(2026, 3, 8),
        )
    assert not ContactLog.objects.exists()


@time_machine.travel(at(2026, 3, 10, 9, 0), tick=False)
def test_outcome_must_match_whom_it_reached(secretary_a, retiree_a):
    with pytest.raises(ValidationError):
        services.contact_log(user=secretary_a, retiree=retiree_a, reached="retiree", outcome="not_reached")
    assert not ContactLog.objects.exists()


def test_logging_for_a_retiree_of_another_branch_is_refused(secretary_a, retiree_b):
    with pytest.raises(PermissionDenied):
        services.contact_log(user=secretary_a, retiree=retiree_b)
    assert not ContactLog.objects.exists()
    assert not CheckinState.objects.exists()


def test_no_contact_for_a_deceased_retiree(secretary_a, retiree_a):
    retiree_a.status, retiree_a.deceased_on = "deceased", datetime.date(2026, 1, 1)
    retiree_a.save()
    with pytest.raises(ValidationError):
        services.contact_log(user=secretary_a, retiree=retiree_a)
    assert not ContactLog.objects.exists()


def test_follow_up_can_be_closed_once(secretary_a, retiree_a):
    log = log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, follow_up_on=datetime.date(2026, 3, 4))
    closed = services.contact_follow_up_close(user=secretary_a, contact=log)
    again = services.contact_follow_up_close(user=secretary_a, contact=log)
    assert closed.follow_up_done_at == again.follow_up_done_at is not None


def test_only_office_staff_set_a_cadence_override(secretary_a, retiree_a):
    with pytest.raises(PermissionDenied):
        services.checkin_state_set_cadence_override(user=secretary_a, retiree=retiree_a, cadence_days=2)


# --- The findings sent to whoever alerts people (checkins.signals) --------------------------------


@pytest.fixture
def findings():
    """Every finding contact_log sends, as (signal name, retiree id, episode, contact id)."""
    from checkins import signals

    sent = []

    def record(signal_name):
        def receiver(sender, *, retiree, episode, contact=None, **kwargs):
            sent.append((signal_name, retiree.pk, episode, contact.pk if contact else None))

        return receiver

    receivers = {name: record(name) for name in ("escalation_topped", "urgent_outcome")}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, weak=False)
    yield sent
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def test_an_urgent_outcome_is_sent_with_the_contact_as_its_episode(secretary_a, retiree_a, findings):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, outcome="needs_help")
    assert findings == []
    urgent = log_at(at(2026, 3, 2), user=secretary_a, retiree=retiree_a, outcome="urgent")
    assert findings == [("urgent_outcome", retiree_a.pk, f"contact:{urgent.pk}", urgent.pk)]


def test_the_top_of_the_ladder_is_sent_once_per_run_of_failures(secretary_a, retiree_a, findings):
    run = [log_at(at(2026, 3, day), user=secretary_a, retiree=retiree_a, reached="nobody") for day in (1, 2, 3, 4)]
    log_at(at(2026, 3, 5), user=secretary_a, retiree=retiree_a, reached="nobody")  # still at the top: nothing new
    assert findings == [("escalation_topped", retiree_a.pk, f"escalation:{run[0].pk}", run[3].pk)]

    log_at(at(2026, 3, 6), user=secretary_a, retiree=retiree_a, reached="family")  # the run ends
    again = [log_at(at(2026, 3, day), user=secretary_a, retiree=retiree_a, reached="nobody") for day in (7, 8, 9, 10)]
    assert findings[1:] == [("escalation_topped", retiree_a.pk, f"escalation:{again[0].pk}", again[3].pk)]


def test_a_failure_logged_late_names_the_run_it_belongs_to(secretary_a, retiree_a, findings):
    # Three failures, then a fourth that happened before them is logged late: the run's first
    # failure is the late one, and the run tops now.
    for day in (3, 4, 5):
        log_at(at(2026, 3, day), user=secretary_a, retiree=retiree_a, reached="nobody")
    with time_machine.travel(at(2026, 3, 6), tick=False):
        late = services.contact_log(user=secretary_a, retiree=retiree_a, contacted_at=at(2026, 3, 2), reached="nobody")
    assert findings == [("escalation_topped", retiree_a.pk, f"escalation:{late.pk}", late.pk)]


def test_a_refused_contact_sends_nothing(secretary_a, retiree_a, findings):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False), pytest.raises(ValidationError):
        services.contact_log(user=secretary_a, retiree=retiree_a, reached="nobody", outcome="urgent")
    assert findings == []
