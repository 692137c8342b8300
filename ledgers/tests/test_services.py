import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ledgers import services
from ledgers.models import ExposureEvent, NucleicTest, VaccinationDose

pytestmark = pytest.mark.django_db


def test_vaccination_record_sets_recorder_and_corrects_a_repeated_dose(secretary_a, retiree_a, frozen_day):
    dose = services.vaccination_record(
        user=secretary_a, retiree=retiree_a, dose_number=2, given_on=datetime.date(2022, 5, 3), arrangement="home"
    )
    assert dose.recorded_by == secretary_a
    services.vaccination_record(user=secretary_a, retiree=retiree_a, dose_number=2, given_on=datetime.date(2022, 5, 4))
    assert VaccinationDose.objects.get(retiree=retiree_a).given_on == datetime.date(2022, 5, 4)


def test_recording_for_another_branch_is_refused(secretary_a, retiree_b, frozen_day):
    with pytest.raises(PermissionDenied):
        services.nucleic_test_record(user=secretary_a, retiree=retiree_b, tested_on=frozen_day, result="negative")
    assert not NucleicTest.objects.exists()


def test_a_future_date_is_refused_in_chinese(secretary_a, retiree_a, frozen_day):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.health_record(
            user=secretary_a, retiree=retiree_a, recorded_on=frozen_day + datetime.timedelta(days=1), condition="good"
        )
    assert "不能晚于今天" in str(error.value.message_dict["recorded_on"])


def test_the_same_test_day_updates_the_pending_result(secretary_a, retiree_a, frozen_day):
    services.nucleic_test_record(
        user=secretary_a, retiree=retiree_a, tested_on=frozen_day, result="pending", site="校医院"
    )
    services.nucleic_test_record(user=secretary_a, retiree=retiree_a, tested_on=frozen_day, result="negative")
    test = NucleicTest.objects.get()
    assert (test.result, test.site) == ("negative", "校医院")


def test_unwilling_without_reason_is_a_validation_error(secretary_a, retiree_a, frozen_day):
    with pytest.raises(ValidationError):
        services.vaccination_stance_record(
            user=secretary_a, retiree=retiree_a, stance="unwilling", stated_on=frozen_day
        )


def test_exposure_lift_sets_end_and_status(secretary_a, retiree_a, frozen_day):
    event = services.exposure_record(
        user=secretary_a, retiree=retiree_a, kind="close_contact", started_on=frozen_day - datetime.timedelta(days=7)
    )
    services.exposure_lift(user=secretary_a, event=event, ended_on=frozen_day)
    event = ExposureEvent.objects.get()
    assert (event.status, event.ended_on) == ("lifted", frozen_day)


def test_exposure_end_before_start_is_a_validation_error(secretary_a, retiree_a, frozen_day):
    with pytest.raises(ValidationError):
        services.exposure_record(
            user=secretary_a,
            retiree=retiree_a,
            kind="close_contact",
            started_on=frozen_day,
            ended_on=frozen_day - datetime.timedelta(days=1),
        )


def test_vaccination_dose_add_refuses_a_recorded_dose_instead_of_correcting_it(secretary_a, ledger_a, frozen_day):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.vaccination_dose_add(user=secretary_a, retiree=ledger_a, dose_number=2, given_on=frozen_day)
    assert error.value.message_dict["dose_number"] == ["曾宪梅的第 2 剂已记录在台账中，请选择其他剂次。"]
    assert VaccinationDose.objects.get(retiree=ledger_a, dose_number=2).given_on == datetime.date(2021, 5, 3)


def test_vaccination_dose_add_names_its_source_in_the_notes_and_the_history(secretary_a, ledger_a, frozen_day):
    dose = services.vaccination_dose_add(
        user=secretary_a,
        retiree=ledger_a,
        dose_number=3,
        given_on=frozen_day,
        product=" 科兴 ",
        arrangement="home",
        source="来自第 7 号求助（上门接种）",
    )
    assert (dose.product, dose.arrangement, dose.notes, dose.recorded_by) == (
        "科兴",
        "home",
        "来自第 7 号求助（上门接种）",
        secretary_a,
    )
    history = dose.history.get()
    assert (history.history_user, history.history_change_reason) == (secretary_a, "来自第 7 号求助（上门接种）")


def test_vaccination_dose_add_is_refused_outside_the_scope(secretary_a, retiree_b, frozen_day):
    with pytest.raises(PermissionDenied):
        services.vaccination_dose_add(user=secretary_a, retiree=retiree_b, dose_number=1, given_on=frozen_day)
    assert not VaccinationDose.objects.exists()
