"""What the ledgers offer the apps above for attention: the change signal, the community service,
the facts selector."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ledgers import selectors, services
from ledgers.models import ExposureEvent
from ledgers.signals import ledger_entry_changed
from tests.factories import at

NOW = at(2026, 5, 20, 9, 0)
TODAY = datetime.date(2026, 5, 20)


@pytest.fixture
def changes():
    """The ledger_entry_changed signals sent, as (retiree id, ledger)."""
    sent = []

    def receiver(sender, *, retiree, ledger, **kwargs):
        sent.append((retiree.pk, ledger))

    ledger_entry_changed.connect(receiver, dispatch_uid="test-ledger-changes")
    yield sent
    ledger_entry_changed.disconnect(dispatch_uid="test-ledger-changes")


@time_machine.travel(NOW, tick=False)
def test_every_service_write_announces_its_ledger(secretary_a, retiree_a, changes):
    services.vaccination_record(user=secretary_a, retiree=retiree_a, dose_number=1, given_on=TODAY)
    services.nucleic_test_record(user=secretary_a, retiree=retiree_a, tested_on=TODAY, result="negative")
    event = services.exposure_record(user=secretary_a, retiree=retiree_a, kind="close_contact", started_on=TODAY)
    services.exposure_lift(user=secretary_a, event=event, ended_on=TODAY)
    services.health_record(user=secretary_a, retiree=retiree_a, recorded_on=TODAY, condition="good")
    assert changes == [
        (retiree_a.pk, "vaccination"),
        (retiree_a.pk, "testing"),
        (retiree_a.pk, "exposure"),
        (retiree_a.pk, "exposure"),
        (retiree_a.pk, "health"),
    ]


@time_machine.travel(NOW, tick=False)
def test_an_admin_edit_announces_too(client, admin_user, secretary_a, retiree_a, changes):
    event = services.exposure_record(user=secretary_a, retiree=retiree_a, kind="close_contact", started_on=TODAY)
    changes.clear()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:ledgers_exposureevent_change", args=[event.pk]),
        {
            "retiree": retiree_a.pk,
            "kind": "close_contact",
            "started_on": "2026-05-20",
            "ended_on": "2026-05-20",
            "status": "lifted",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert changes == [(retiree_a.pk, "exposure")]


@time_machine.travel(NOW, tick=False)
def test_community_found_sealed_then_again_then_unrestricted(secretary_a, retiree_a):
    day_before = TODAY - datetime.timedelta(days=1)
    [sealed] = services.community_exposure_record(
        user=secretary_a, retiree=retiree_a, kind="sealed_community", day=day_before
    )
    assert (sealed.started_on, sealed.status) == (day_before, "ongoing")
    assert (
        services.community_exposure_record(user=secretary_a, retiree=retiree_a, kind="sealed_community", day=TODAY)
        == []
    )
    [lifted] = services.community_exposure_record(user=secretary_a, retiree=retiree_a, kind=None, day=TODAY)
    assert (lifted.pk, lifted.status, lifted.ended_on) == (sealed.pk, "lifted", TODAY)
    assert services.community_exposure_record(user=secretary_a, retiree=retiree_a, kind=None, day=TODAY) == []


@time_machine.travel(NOW, tick=False)
def test_a_late_contact_does_not_lift_a_restriction_that_started_after_it(secretary_a, retiree_a):
    services.community_exposure_record(user=secretary_a, retiree=retiree_a, kind="controlled_community", day=TODAY)
    earlier = TODAY - datetime.timedelta(days=3)
    assert services.community_exposure_record(user=secretary_a, retiree=retiree_a, kind=None, day=earlier) == []
    assert ExposureEvent.objects.get().status == "ongoing"


def test_community_service_checks_scope_and_kind(secretary_b, retiree_a):
    with pytest.raises(PermissionDenied):
        services.community_exposure_record(user=secretary_b, retiree=retiree_a, kind=None, day=TODAY)
    with pytest.raises(ValueError):
        services.community_exposure_record(user=secretary_b, retiree=retiree_a, kind="close_contact", day=TODAY)


@time_machine.travel(NOW, tick=False)
def test_attention_facts_are_the_open_exposures_recent_positive_tests_and_health(secretary_a, retiree_a):
    services.exposure_record(user=secretary_a, retiree=retiree_a, kind="close_contact", started_on=TODAY)
    old = services.exposure_record(
        user=secretary_a, retiree=retiree_a, kind="confirmed", started_on=datetime.date(2026, 4, 1)
    )
    services.exposure_lift(user=secretary_a, event=old, ended_on=datetime.date(2026, 4, 20))
    services.nucleic_test_record(
        user=secretary_a, retiree=retiree_a, tested_on=datetime.date(2026, 4, 1), result="positive"
    )
    recent = services.nucleic_test_record(user=secretary_a, retiree=retiree_a, tested_on=TODAY, result="positive")
    health = services.health_record(user=secretary_a, retiree=retiree_a, recorded_on=TODAY, condition="unwell")
    facts = selectors.attention_facts(retiree_id=retiree_a.pk, positive_since=datetime.date(2026, 5, 6))
    assert [kind for _pk, kind, _on in facts["exposures"]] == ["close_contact"]
    assert facts["positive_tests"] == [(recent.pk, TODAY)]
    assert facts["health"] == [(health.pk, TODAY, "unwell")]
