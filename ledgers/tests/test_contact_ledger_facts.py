"""The contact form records ledger facts in the same transaction as the contact."""

import datetime

from django.urls import reverse
from django.utils import timezone

from checkins.models import ContactLog
from ledgers.models import ExposureEvent, NucleicTest, VaccinationDose, VaccinationStance


def _post(client, retiree, **extra):
    now = timezone.localtime().replace(second=0, microsecond=0)
    data = {
        "contacted_at": now.strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "reached": "retiree",
        "outcome": "all_well",
        "notes": "",
    }
    data.update(extra)
    return client.post(reverse("checkins:contact_create", args=[retiree.pk]), data)


def test_second_dose_and_a_negative_test_are_recorded_with_the_call(login, secretary_a, retiree_a):
    response = _post(
        login(secretary_a),
        retiree_a,
        **{"ledger-dose_number": "2", "ledger-dose_given_on": "2026-11-20", "ledger-test_result": "negative"},
    )
    assert response.status_code == 302
    contact = ContactLog.objects.get(retiree=retiree_a)
    dose = VaccinationDose.objects.get(retiree=retiree_a)
    assert (dose.dose_number, dose.given_on) == (2, datetime.date(2026, 11, 20))
    assert NucleicTest.objects.get(retiree=retiree_a).tested_on == timezone.localdate(contact.contacted_at)


def test_a_bad_ledger_fact_saves_neither_the_contact_nor_the_fact(login, secretary_a, retiree_a):
    response = _post(
        login(secretary_a),
        retiree_a,
        **{"ledger-stance": "unwilling", "ledger-stance_reason": "", "ledger-test_result": "negative"},
    )
    assert response.status_code == 200
    assert "原因" in response.content.decode()
    assert not ContactLog.objects.exists() and not NucleicTest.objects.exists()


def test_a_dose_in_the_future_rolls_back_the_contact(login, secretary_a, retiree_a):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = _post(login(secretary_a), retiree_a, **{"ledger-dose_number": "1", "ledger-dose_given_on": future})
    assert response.status_code == 200
    assert not ContactLog.objects.exists() and not VaccinationDose.objects.exists()


def test_an_exposure_and_a_stance_are_recorded(login, secretary_a, retiree_a):
    _post(
        login(secretary_a),
        retiree_a,
        **{
            "ledger-exposure_kind": "sealed_community",
            "ledger-stance": "contraindicated",
            "ledger-stance_reason": "正在化疗",
        },
    )
    assert ExposureEvent.objects.get(retiree=retiree_a).status == "ongoing"
    assert VaccinationStance.objects.get(retiree=retiree_a).reason == "正在化疗"


def test_no_facts_no_ledger_rows(login, secretary_a, retiree_a):
    assert _post(login(secretary_a), retiree_a).status_code == 302
    assert ContactLog.objects.count() == 1
    assert not VaccinationDose.objects.exists() and not NucleicTest.objects.exists()
