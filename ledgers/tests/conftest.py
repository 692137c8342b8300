import datetime

import pytest

from ledgers.models import ExposureEvent, NucleicTest, VaccinationDose

DAY = datetime.date(2022, 5, 10)


@pytest.fixture
def frozen_day(time_machine):
    """Freeze time at 10 May 2022, 10:00 in Beijing (the report's season)."""
    time_machine.move_to(datetime.datetime(2022, 5, 10, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    return DAY


@pytest.fixture
def ledger_a(retiree_a, frozen_day):
    """Retiree A with two doses, a negative test yesterday and an ongoing close-contact event."""
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=datetime.date(2021, 4, 1), product="科兴")
    VaccinationDose.objects.create(
        retiree=retiree_a, dose_number=2, given_on=datetime.date(2021, 5, 3), arrangement="transport"
    )
    NucleicTest.objects.create(retiree=retiree_a, tested_on=DAY - datetime.timedelta(days=1), result="negative")
    ExposureEvent.objects.create(retiree=retiree_a, kind="close_contact", started_on=DAY - datetime.timedelta(days=3))
    return retiree_a


@pytest.fixture
def ledger_b(retiree_b, frozen_day):
    VaccinationDose.objects.create(retiree=retiree_b, dose_number=1, given_on=datetime.date(2021, 6, 1))
    ExposureEvent.objects.create(retiree=retiree_b, kind="sealed_community", started_on=DAY)
    return retiree_b
