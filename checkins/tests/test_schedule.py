"""The check-in schedule: cadence resolution and due / overdue, computed in the database."""

import datetime

import pytest
import time_machine

from checkins import schedule, services
from checkins.models import CadencePolicy
from retirees.models import Retiree
from tests.factories import at, grant_exemption, log_at, make_retiree

TODAY = datetime.date(2026, 3, 10)


def scheduled(retiree, today=TODAY):
    return schedule.with_schedule(Retiree.objects.filter(pk=retiree.pk), today, with_source=True).get()


@pytest.fixture
def people(branch_a, branch_b):
    return {
        "tuixiu_76": make_retiree(branch_a, "退休甲", birth_date=datetime.date(1950, 1, 1)),
        "tuixiu_76_b": make_retiree(branch_b, "退休乙", birth_date=datetime.date(1950, 1, 1)),
        "lixiu_75": make_retiree(branch_a, "离休甲", category="lixiu", birth_date=datetime.date(1951, 1, 1)),
        "lixiu_92": make_retiree(branch_a, "离休乙", category="lixiu", birth_date=datetime.date(1934, 1, 1)),
        "dependent_70": make_retiree(branch_a, "失能甲", care_level="dependent", birth_date=datetime.date(1956, 1, 1)),
        # 80 on 10 March 2026 exactly, 80 only tomorrow
        "eighty_today": make_retiree(branch_a, "八十甲", birth_date=datetime.date(1946, 3, 10)),
        "eighty_tomorrow": make_retiree(branch_a, "八十乙", birth_date=datetime.date(1946, 3, 11)),
    }


def test_default_cadence_frail_before_lixiu_before_others(people):
    assert scheduled(people["tuixiu_76"]).cadence_days == 14
    assert scheduled(people["lixiu_75"]).cadence_days == 7
    assert scheduled(people["lixiu_92"]).cadence_days == 3  # 80+ beats the 离休 weekly call
    assert scheduled(people["dependent_70"]).cadence_days == 3
    assert scheduled(people["eighty_today"]).cadence_days == 3
    assert scheduled(people["eighty_tomorrow"]).cadence_days == 14
    assert scheduled(people["tuixiu_76"]).cadence_source == "default"


def test_office_wide_policy_beats_the_default(people):
    CadencePolicy.objects.create(category="tuixiu", cadence_days=10)
    assert scheduled(people["tuixiu_76"]).cadence_days == 10
    assert scheduled(people["tuixiu_76_b"]).cadence_days == 10
    assert scheduled(people["tuixiu_76"]).cadence_source == "office"
    assert scheduled(people["lixiu_75"]).cadence_days == 7  # rule does not match: default


def test_branch_policy_beats_office_wide_policy_for_its_branch_only(people, branch_a):
    CadencePolicy.objects.create(category="tuixiu", cadence_days=10)
    CadencePolicy.objects.create(branch=branch_a, cadence_days=21)  # everybody in branch A
    assert scheduled(people["tuixiu_76"]).cadence_days == 21
    assert scheduled(people["tuixiu_76"]).cadence_source == "branch"
    assert scheduled(people["tuixiu_76_b"]).cadence_days == 10


def test_most_specific_branch_rule_wins_then_the_shortest(people, branch_a):
    CadencePolicy.objects.create(branch=branch_a, category="tuixiu", cadence_days=12)
    CadencePolicy.objects.create(branch=branch_a, age_band="70s", cadence_days=5)
    assert scheduled(people["tuixiu_76"]).cadence_days == 5  # equally specific: the shortest
    CadencePolicy.objects.create(branch=branch_a, category="tuixiu", age_band="70s", cadence_days=9)
    assert scheduled(people["tuixiu_76"]).cadence_days == 9  # two criteria beat one


def test_age_band_rule_follows_the_birthday(people, branch_a):
    CadencePolicy.objects.create(branch=branch_a, age_band="80s", cadence_days=2)
    assert scheduled(people["eighty_today"]).cadence_days == 2
    assert scheduled(people["eighty_tomorrow"]).cadence_days == 14
    assert scheduled(people["eighty_tomorrow"], TODAY + datetime.timedelta(days=1)).cadence_days == 2


def test_care_plan_override_beats_every_policy(people, branch_a, office):
    CadencePolicy.objects.create(branch=branch_a, category="tuixiu", age_band="70s", cadence_days=9)
    CadencePolicy.objects.create(category="tuixiu", cadence_days=10)
    services.checkin_state_set_cadence_override(user=office, retiree=people["tuixiu_76"], cadence_days=30)
    row = scheduled(people["tuixiu_76"])
    assert (row.cadence_days, row.cadence_source) == (30, "care_plan")
    services.checkin_state_set_cadence_override(user=office, retiree=people["tuixiu_76"], cadence_days=None)
    assert scheduled(people["tuixiu_76"]).cadence_days == 9


def test_never_reached_is_overdue(people):
    row = scheduled(people["tuixiu_76"])
    assert row.next_due_on is None
    assert row.due_state == "overdue"


def test_due_and_overdue_around_shanghai_midnight(secretary_a, branch_a):
    late = make_retiree(branch_a, "晚联系", birth_date=datetime.date(1950, 1, 1))  # every 14 days
    early = make_retiree(branch_a, "早联系", birth_date=datetime.date(1950, 1, 1))
    # 23:59 on 1 March and 00:01 on 2 March in Shanghai are both 1 March in UTC.
    log_at(at(2026, 3, 1, 23, 59), user=secretary_a, retiree=late)
    log_at(at(2026, 3, 2, 0, 1), user=secretary_a, retiree=early)
    assert scheduled(late).last_reached_on == datetime.date(2026, 3, 1)
    assert scheduled(early).last_reached_on == datetime.date(2026, 3, 2)
    assert scheduled(late).next_due_on == datetime.date(2026, 3, 15)
    assert scheduled(early).next_due_on == datetime.date(2026, 3, 16)

    with time_machine.travel(at(2026, 3, 15, 23, 59), tick=False):
        assert scheduled(late, None).due_state == "due"
        assert scheduled(early, None).due_state == "covered"
    with time_machine.travel(at(2026, 3, 16, 0, 1), tick=False):
        assert scheduled(late, None).due_state == "overdue"
        assert scheduled(early, None).due_state == "due"


def test_only_a_contact_that_reached_somebody_moves_the_schedule(secretary_a, branch_a):
    retiree = make_retiree(branch_a, "王五", birth_date=datetime.date(1950, 1, 1))
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree)
    log_at(at(2026, 3, 5), user=secretary_a, retiree=retiree, reached="nobody")
    assert scheduled(retiree).next_due_on == datetime.date(2026, 3, 15)
    log_at(at(2026, 3, 6), user=secretary_a, retiree=retiree, reached="family")
    assert scheduled(retiree).next_due_on == datetime.date(2026, 3, 20)


def test_a_late_entry_of_an_older_contact_does_not_move_the_schedule_back(secretary_a, branch_a):
    retiree = make_retiree(branch_a, "王六", birth_date=datetime.date(1950, 1, 1))
    log_at(at(2026, 3, 8), user=secretary_a, retiree=retiree)
    with time_machine.travel(at(2026, 3, 9), tick=False):
        services.contact_log(user=secretary_a, retiree=retiree, contacted_at=at(2026, 3, 2))
    assert scheduled(retiree).last_reached_on == datetime.date(2026, 3, 8)


def test_exempt_retiree_is_neither_due_nor_overdue(office, secretary_a, branch_a):
    retiree = make_retiree(branch_a, "住院者", birth_date=datetime.date(1950, 1, 1))
    grant_exemption(
        requester=secretary_a,
        approver=office,
        retiree=retiree,
        reason="in_hospital",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=7),
    )
    assert scheduled(retiree).due_state == "exempt"
    assert scheduled(retiree, TODAY + datetime.timedelta(days=8)).due_state == "overdue"
