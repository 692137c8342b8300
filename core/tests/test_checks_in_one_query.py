"""ChecksInOneQuery: the model's CHECK constraints in one query, with the answers Django gives."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkins.choices import Channel, Outcome, Reached
from checkins.models import ContactLog, Exemption
from core.db import ChecksInOneQuery
from tests.factories import make_user


def errors_of(validate) -> dict | None:
    try:
        validate()
    except ValidationError as error:
        return {field: sorted(str(message) for message in messages) for field, messages in error.message_dict.items()}
    return None


def django_errors(instance, exclude=None):
    return errors_of(lambda: models.Model.validate_constraints(instance, exclude=exclude))


def our_errors(instance, exclude=None):
    return errors_of(lambda: instance.validate_constraints(exclude=exclude))


@pytest.fixture
def contact(retiree_a):
    worker = make_user("caller", role="office")
    now = timezone.now()

    def make(**changes):
        fields = dict(
            retiree=retiree_a,
            contacted_by=worker,
            contacted_at=now,
            contacted_on=timezone.localdate(now),
            channel=Channel.PHONE,
            reached=Reached.RETIREE,
            outcome=Outcome.ALL_WELL,
        )
        fields.update(changes)
        return ContactLog(**fields)

    return make


BROKEN = {
    "valid": {},
    "unknown channel": {"channel": "pigeon"},
    "reached nobody, all well": {"reached": Reached.NOBODY},
    "self check-in by a worker": {"channel": Channel.SELF_CHECKIN},
    "follow-up before the contact": {"follow_up_on": datetime.date(2000, 1, 1)},
    "done without a follow-up": {"follow_up_done_at": timezone.now()},
    "three at once": {"channel": "pigeon", "reached": Reached.NOBODY, "follow_up_done_at": timezone.now()},
}


@pytest.mark.parametrize("case", BROKEN)
def test_the_same_errors_as_django_gives(contact, case):
    instance = contact(**BROKEN[case])
    expected = django_errors(instance)
    assert our_errors(instance) == expected
    assert (expected is None) == (case == "valid")


def test_a_condition_on_an_excluded_field_is_not_checked(contact):
    instance = contact(channel=Channel.SELF_CHECKIN)
    assert our_errors(instance, exclude={"contacted_by"}) == django_errors(instance, exclude={"contacted_by"})
    assert our_errors(instance, exclude={"contacted_by"}) is None


def test_one_query_for_every_check(contact):
    instance = contact(reached=Reached.NOBODY, channel="pigeon")
    checks = [c for c in ContactLog._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert len(checks) >= 8
    # In a transaction (as a service runs, and as this test does) each SELECT has its savepoint.
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        django_errors(instance)
    assert len(queries) == 3 * len(checks)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        our_errors(instance)
    assert len(queries) == 3


def test_unique_constraints_are_still_validated(retiree_a, office):
    today = timezone.localdate()
    Exemption.objects.create(
        retiree=retiree_a, reason="travelling", starts_on=today, ends_on=today, requested_by=office
    )
    second = Exemption(retiree=retiree_a, reason="travelling", starts_on=today, ends_on=today, requested_by=office)
    assert isinstance(second, ChecksInOneQuery)
    assert our_errors(second) == django_errors(second) is not None
