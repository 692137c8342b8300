"""The benchmark's coverage floor counts what the dashboard counts, on a small city with every
term of the cadence in play (rules of the office and of branches, care-plan overrides, attention,
exemptions), on several days: a floor that drifted from the app would make the benchmark fail."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from branches.models import Branch
from checkins.models import CadencePolicy, CheckinState
from checkins.selectors import branch_coverage
from perf import floors
from retirees.models import Retiree
from tests.factories import grant_exemption

from .test_generate_city import generate


@pytest.fixture
def small_city(db):
    generate()
    branches = list(Branch.objects.order_by("id"))
    CadencePolicy.objects.bulk_create(
        [
            CadencePolicy(care_level="partly_dependent", cadence_days=7),
            CadencePolicy(category="lixiu", age_band="70s", cadence_days=5),
            CadencePolicy(branch=branches[0], age_band="90plus", cadence_days=2),
            CadencePolicy(branch=branches[1], cadence_days=10),
            CadencePolicy(
                branch=branches[1], category="tuixiu", age_band="80s", care_level="self_care", cadence_days=4
            ),
        ]
    )
    today = timezone.localdate()
    states = list(CheckinState.objects.order_by("retiree_id"))
    for state in states[:10]:
        state.cadence_override_days = 9
    for state in states[10:20]:
        state.attention_since = today - datetime.timedelta(days=3)
        state.attention_until = None if state.retiree_id % 2 else today + datetime.timedelta(days=1)
    CheckinState.objects.bulk_update(states[:20], ["cadence_override_days", "attention_since", "attention_until"])
    office = User.objects.filter(role=User.Role.OFFICE).order_by("id")
    requester, approver = office[0], User.objects.filter(role=User.Role.ADMIN).first() or office[1]
    for retiree in Retiree.objects.filter(status="active").order_by("id")[30:34]:
        grant_exemption(
            requester=requester,
            approver=approver,
            retiree=retiree,
            reason="in_hospital",
            starts_on=today - datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=2),
        )
    return office[0]


def test_the_coverage_floor_counts_what_the_dashboard_counts(small_city):
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=2), today + datetime.timedelta(days=9)):
        floor = floors.coverage_floor(day)
        app = floors.coverage_of(branch_coverage(user=small_city, today=day))
        assert floors.differences(floor, app) == []
        totals = {field: sum(counts[i] for counts in floor.values()) for i, field in enumerate(floors.FIELDS)}
        assert totals["total"] == Retiree.objects.filter(status="active").count()
    assert totals["exempt"] == 0  # the exemptions have ended by then
    today_floor = floors.coverage_floor(today)
    assert sum(counts[1] for counts in today_floor.values()) and sum(counts[4] for counts in today_floor.values())
    assert sum(counts[2] for counts in today_floor.values()) == 4  # exempt today
    assert sum(counts[6] for counts in today_floor.values()) == 10  # under attention today


def test_a_difference_is_found():
    floor = {1: (3, 1, 0, 1, 1, 0, 0), 2: (0,) * 7}
    assert floors.differences(floor, {1: (3, 1, 0, 1, 1, 0, 0)}) == []  # an empty branch left out
    assert floors.differences(floor, {1: (3, 2, 0, 0, 1, 0, 0)}) == [1]
