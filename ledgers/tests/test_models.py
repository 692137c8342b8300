import datetime

import pytest
from django.db import IntegrityError, transaction

from ledgers.models import ExposureEvent, VaccinationDose, VaccinationStance

pytestmark = pytest.mark.django_db
DAY = datetime.date(2022, 5, 3)


def test_a_dose_number_is_recorded_once_per_retiree(retiree_a):
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=2, given_on=DAY)
    with pytest.raises(IntegrityError, match="ledgers_vaccinationdose_one_per_number"), transaction.atomic():
        VaccinationDose.objects.create(retiree=retiree_a, dose_number=2, given_on=DAY)


def test_dose_number_outside_one_to_four_is_refused(retiree_a):
    with pytest.raises(IntegrityError, match="ledgers_vaccinationdose_number_range"), transaction.atomic():
        VaccinationDose.objects.create(retiree=retiree_a, dose_number=5, given_on=DAY)


def test_exposure_cannot_end_before_it_starts(retiree_a):
    with pytest.raises(IntegrityError, match="ledgers_exposureevent_end_not_before_start"), transaction.atomic():
        ExposureEvent.objects.create(
            retiree=retiree_a, kind="close_contact", started_on=DAY, ended_on=DAY - datetime.timedelta(days=1)
        )


def test_lifted_exposure_needs_an_end_date(retiree_a):
    with pytest.raises(IntegrityError, match="ledgers_exposureevent_lifted_has_end"), transaction.atomic():
        ExposureEvent.objects.create(retiree=retiree_a, kind="close_contact", started_on=DAY, status="lifted")


def test_unwilling_needs_a_reason(retiree_a):
    with pytest.raises(IntegrityError, match="ledgers_vaccinationstance_reason_required"), transaction.atomic():
        VaccinationStance.objects.create(retiree=retiree_a, stance="unwilling", stated_on=DAY)
    VaccinationStance.objects.create(retiree=retiree_a, stance="willing", stated_on=DAY)


def test_ledger_entries_are_scoped_through_the_retiree(retiree_a, retiree_b, secretary_a, office):
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=DAY)
    VaccinationDose.objects.create(retiree=retiree_b, dose_number=1, given_on=DAY)
    assert list(VaccinationDose.objects.visible_to(secretary_a).values_list("retiree", flat=True)) == [retiree_a.pk]
    assert VaccinationDose.objects.visible_to(office).count() == 2
