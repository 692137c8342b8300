"""Closing a request records what it achieved: a vaccination request the dose, in the vaccination
ledger and in the same transaction (or why no dose was given); a pickup what was delivered."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from assistance import services
from assistance.forms import CompleteForm
from assistance.models import AssistanceRequest
from ledgers.models import VaccinationDose
from tests.factories import at, make_retiree


@pytest.fixture
def home_visit(office, retiree_a):
    """A home-vaccination request for retiree A, who already had doses 1 and 2."""
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=datetime.date(2021, 4, 1), product="科兴")
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=2, given_on=datetime.date(2021, 5, 3), product="科兴")
    return services.assistance_request_create(user=office, retiree=retiree_a, kind="home_vaccination")


@pytest.fixture
def ride(office, retiree_a):
    return services.assistance_request_create(user=office, retiree=retiree_a, kind="vaccination_transport")


def _complete_url(request):
    return reverse("assistance:request_complete", args=[request.pk])


def _nothing_written(request, doses_before: int):
    request.refresh_from_db()
    assert (request.status, request.dose_id, request.no_dose_reason, request.closed_at) == ("open", None, "", None)
    assert VaccinationDose.objects.count() == doses_before


# --- the service ---------------------------------------------------------------------------------


def test_a_home_vaccination_done_records_the_dose_in_the_ledger(secretary_a, home_visit, today):
    with translation.override("zh-hans"):
        done = services.assistance_request_complete(
            user=secretary_a,
            request=home_visit,
            dose_number=3,
            given_on=today,
            product="科兴",
            site="家中",
            outcome="护士上门，接种顺利",
        )
    dose = done.dose
    assert (done.status, done.closed_by, done.outcome) == ("done", secretary_a, "护士上门，接种顺利")
    assert (dose.retiree, dose.dose_number, dose.given_on, dose.product, dose.site) == (
        home_visit.retiree,
        3,
        today,
        "科兴",
        "家中",
    )
    assert (dose.arrangement, dose.recorded_by) == ("home", secretary_a)
    # The ledger says where the fact came from, in its notes and in its change history.
    assert dose.notes == f"来自第 {home_visit.pk} 号求助（上门接种）"
    history = dose.history.get()
    assert history.history_user == secretary_a and history.history_change_reason == dose.notes


def test_a_ride_to_vaccination_records_the_dose_as_transport(secretary_a, ride, today):
    done = services.assistance_request_complete(user=secretary_a, request=ride, dose_number=1, given_on=today)
    assert (done.dose.dose_number, done.dose.arrangement) == (1, "transport")


def test_no_dose_given_is_recorded_with_its_reason_and_writes_no_dose(secretary_a, ride):
    done = services.assistance_request_complete(user=secretary_a, request=ride, no_dose_reason="refused")
    assert (done.status, done.no_dose_reason, done.dose) == ("done", "refused", None)
    assert not VaccinationDose.objects.exists()


@pytest.mark.parametrize(
    "answer",
    [
        {},  # neither a dose nor a reason
        {"dose_number": 3, "given_on": datetime.date(2022, 5, 1), "no_dose_reason": "refused"},  # both
        {"no_dose_reason": "not_recorded"},  # the migration's reason is never offered
        {"no_dose_reason": "other"},  # "other" says which in the notes
    ],
)
def test_a_vaccination_request_needs_exactly_one_answer(secretary_a, home_visit, answer):
    with pytest.raises(ValidationError):
        services.assistance_request_complete(user=secretary_a, request=home_visit, **answer)
    _nothing_written(home_visit, doses_before=2)


def test_a_dose_already_recorded_is_refused_and_not_overwritten(secretary_a, home_visit, today):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.assistance_request_complete(user=secretary_a, request=home_visit, dose_number=2, given_on=today)
    assert error.value.message_dict["dose_number"] == ["曾宪梅的第 2 剂已记录在台账中，请选择其他剂次。"]
    _nothing_written(home_visit, doses_before=2)
    assert VaccinationDose.objects.get(dose_number=2).given_on == datetime.date(2021, 5, 3)


def test_a_dose_date_in_the_future_is_refused_and_nothing_is_written(secretary_a, home_visit, today):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.assistance_request_complete(
            user=secretary_a, request=home_visit, dose_number=3, given_on=today + datetime.timedelta(days=1)
        )
    assert "不能晚于今天" in str(error.value.message_dict["given_on"])
    _nothing_written(home_visit, doses_before=2)


def test_the_dose_is_rolled_back_when_the_request_cannot_be_saved(secretary_a, home_visit, today, monkeypatch):
    """All or nothing: the dose is written first; a request that then fails to save takes it back."""

    def refuse(self, *args, **kwargs):
        raise ValidationError({"outcome": "refused for the test"})

    monkeypatch.setattr(AssistanceRequest, "full_clean", refuse)
    with pytest.raises(ValidationError):
        services.assistance_request_complete(user=secretary_a, request=home_visit, dose_number=3, given_on=today)
    _nothing_written(home_visit, doses_before=2)


@pytest.mark.django_db(transaction=True)
def test_a_dose_recorded_by_somebody_else_meanwhile_is_a_clear_message(secretary_a, office, home_visit, today):
    """The race the check before saving cannot see: another transaction records dose 3 and commits
    while this one is saving it. The unique constraint decides; the user gets the same message."""
    inserted, finished = threading.Event(), threading.Event()

    def other_user_records_dose_3():
        try:
            with transaction.atomic():
                VaccinationDose.objects.create(retiree=home_visit.retiree, dose_number=3, given_on=today)
                inserted.set()
                finished.wait(timeout=0.5)  # commit while the completion waits on the unique index
        finally:
            connection.close()

    other = threading.Thread(target=other_user_records_dose_3)
    other.start()
    assert inserted.wait(timeout=5)
    try:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
            services.assistance_request_complete(user=secretary_a, request=home_visit, dose_number=3, given_on=today)
    finally:
        finished.set()
        other.join()
    assert "第 3 剂已记录在台账中" in error.value.message_dict["dose_number"][0]
    home_visit.refresh_from_db()
    assert (home_visit.status, home_visit.dose_id) == ("open", None)
    assert VaccinationDose.objects.filter(dose_number=3).count() == 1


def test_a_pickup_done_records_what_was_delivered(committee_a, office, retiree_a):
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind="medicine")
    done = services.assistance_request_complete(user=committee_a, request=request, brought="  降压药两盒 ")
    assert (done.status, done.brought, done.outcome, done.closed_by) == ("done", "降压药两盒", "", committee_a)
    assert not VaccinationDose.objects.exists()


def test_a_pickup_without_what_was_delivered_is_refused(secretary_a, office, retiree_a):
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind="parcel")
    with pytest.raises(ValidationError) as error:
        services.assistance_request_complete(user=secretary_a, request=request, brought=" ", outcome="已送到")
    assert "brought" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == "open"


def test_completion_is_refused_outside_the_scope_and_writes_nothing(secretary_b, home_visit, today):
    with pytest.raises(PermissionDenied):
        services.assistance_request_complete(user=secretary_b, request=home_visit, dose_number=3, given_on=today)
    _nothing_written(home_visit, doses_before=2)


def test_a_closed_request_cannot_record_a_second_dose(secretary_a, home_visit, today):
    services.assistance_request_complete(user=secretary_a, request=home_visit, no_dose_reason="postponed")
    with pytest.raises(ValidationError):
        services.assistance_request_complete(user=secretary_a, request=home_visit, dose_number=3, given_on=today)
    assert VaccinationDose.objects.count() == 2


def test_the_request_history_records_who_closed_it_with_what(secretary_a, home_visit, today):
    services.assistance_request_complete(user=secretary_a, request=home_visit, dose_number=3, given_on=today)
    latest = home_visit.history.first()
    assert (latest.status, latest.history_user, latest.dose.dose_number) == ("done", secretary_a, 3)


# --- the database's own rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, fields",
    [
        ("home_vaccination", {}),  # done without a dose or a reason
        ("vaccination_transport", {"no_dose_reason": "refused", "brought": "x"}),  # a pickup's field
        ("medicine", {}),  # done without what was delivered
        ("parcel", {"brought": "快递", "no_dose_reason": "refused"}),  # a vaccination's field
        ("other", {"brought": "x", "outcome": "办好了"}),
    ],
)
def test_the_database_refuses_a_done_request_without_its_result(office, retiree_a, kind, fields):
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind=kind)
    AssistanceRequest.objects.filter(pk=request.pk).update(outcome="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceRequest.objects.filter(pk=request.pk).update(status="done", closed_at=request.created_at, **fields)


def test_the_database_refuses_a_result_on_an_open_request(office, retiree_a):
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind="medicine")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceRequest.objects.filter(pk=request.pk).update(brought="降压药")


# --- the form and the pages ----------------------------------------------------------------------


def test_the_form_offers_only_the_doses_not_recorded_and_preselects_the_next(login, secretary_a, home_visit, today):
    form = login(secretary_a).get(home_visit.get_absolute_url()).context["complete_form"]
    assert [number for number, _label in form.fields["dose_number"].widget.choices] == [3, 4]
    assert (form.initial["dose_number"], form.initial["given_on"], form.initial["product"]) == (3, today, "科兴")
    assert "given" in form.fields and "brought" not in form.fields


def test_the_dose_date_defaults_to_the_day_in_beijing_just_after_midnight(secretary_a, home_visit, time_machine):
    time_machine.move_to(at(2022, 5, 10, 0, 30))  # still 9 May in UTC
    form = CompleteForm(item=home_visit, doses=list(VaccinationDose.objects.all()))
    assert form.initial["given_on"] == datetime.date(2022, 5, 10)


def test_when_every_dose_is_recorded_only_no_dose_can_be_chosen(office, retiree_a):
    doses = [
        VaccinationDose.objects.create(retiree=retiree_a, dose_number=n, given_on=datetime.date(2022, n, 1))
        for n in range(1, 5)
    ]
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind="home_vaccination")
    form = CompleteForm(item=request, doses=doses)
    assert [value for value, _label in form.fields["given"].choices] == ["no"]


def test_completing_a_home_vaccination_on_the_page_links_the_request_and_the_dose(
    login, secretary_a, home_visit, today
):
    client = login(secretary_a)
    response = client.post(
        _complete_url(home_visit),
        {"given": "yes", "dose_number": "3", "given_on": today.isoformat(), "product": "科兴", "site": "家中"},
        follow=True,
    )
    dose = VaccinationDose.objects.get(dose_number=3)
    html = response.content.decode()
    assert "第 3 剂已记入疫苗接种台账" in html
    assert f'href="{reverse("ledgers:retiree", args=[dose.retiree_id])}#dose-{dose.pk}"' in html
    ledger = client.get(reverse("ledgers:retiree", args=[dose.retiree_id])).content.decode()
    assert f'id="dose-{dose.pk}"' in ledger and f"来自第 {home_visit.pk} 号求助" in ledger
    panel = client.get(home_visit.retiree.get_absolute_url()).content.decode()
    assert f"#dose-{dose.pk}" in panel


def test_a_duplicate_dose_on_the_page_is_a_message_on_the_field(login, secretary_a, home_visit, today):
    response = login(secretary_a).post(
        _complete_url(home_visit), {"given": "yes", "dose_number": "2", "given_on": today.isoformat()}
    )
    assert response.status_code == 200
    form = response.context["complete_form"]
    assert form.errors["dose_number"] == ["曾宪梅的第 2 剂已记录在台账中，请选择其他剂次。"]
    assert "未保存" in response.content.decode()
    _nothing_written(home_visit, doses_before=2)


def test_a_failure_after_the_dose_on_the_page_saves_nothing(login, secretary_a, home_visit, today, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ValidationError({"outcome": "refused for the test"})

    monkeypatch.setattr(AssistanceRequest, "full_clean", refuse)
    response = login(secretary_a).post(
        _complete_url(home_visit), {"given": "yes", "dose_number": "3", "given_on": today.isoformat()}
    )
    assert response.status_code == 200 and "未保存" in response.content.decode()
    _nothing_written(home_visit, doses_before=2)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"outcome": ""}, "given", "请选择是否已接种。"),
        ({"given": "no"}, "no_dose_reason", "请选择未接种的原因。"),
        ({"given": "no", "no_dose_reason": "other"}, "outcome", "请在备注中说明未接种的原因。"),
        ({"given": "yes", "dose_number": "3", "given_on": ""}, "given_on", "请填写接种日期。"),
        ({"given": "yes", "dose_number": "3", "given_on": "9999-12-31"}, "given_on", None),
        ({"given": "yes", "dose_number": "9", "given_on": "2022-05-01"}, "dose_number", None),
        ({"given": "yes", "dose_number": "3", "given_on": "2022-05-01", "product": "x" * 60}, "product", None),
    ],
)
def test_bad_answers_are_chinese_messages_on_their_fields(login, secretary_a, home_visit, data, field, message):
    response = login(secretary_a).post(_complete_url(home_visit), data)
    assert response.status_code == 200
    errors = response.context["complete_form"].errors[field]
    assert errors and (message is None or errors == [message])
    assert all(any("\u4e00" <= char <= "\u9fff" for char in error) for error in errors)
    _nothing_written(home_visit, doses_before=2)


def test_no_dose_given_on_the_page(login, secretary_a, ride):
    response = login(secretary_a).post(
        _complete_url(ride), {"given": "no", "no_dose_reason": "unfit", "outcome": "血压偏高"}, follow=True
    )
    html = response.content.decode()
    assert "data-no-dose" in html and "当天不宜接种" in html
    ride.refresh_from_db()
    assert (ride.status, ride.no_dose_reason, ride.outcome) == ("done", "unfit", "血压偏高")


def test_a_pickup_on_the_page_shows_what_was_delivered_on_the_request_and_the_retiree(
    login, committee_a, office, retiree_a
):
    request = services.assistance_request_create(user=office, retiree=retiree_a, kind="parcel")
    client = login(committee_a)
    form = client.get(request.get_absolute_url()).context["complete_form"]
    assert set(form.fields) == {"brought", "outcome"} and not form.fields["outcome"].required
    refused = client.post(_complete_url(request), {"brought": "", "outcome": "已送到"})
    assert refused.context["complete_form"].errors["brought"] == ["请先填写送到的物品，再标记为已办结。"]
    html = client.post(_complete_url(request), {"brought": "快递一件（书）"}, follow=True).content.decode()
    assert "快递一件（书）" in html and "data-brought" in html
    panel = client.get(retiree_a.get_absolute_url()).content.decode()
    assert "data-request-brought" in panel and "快递一件（书）" in panel


def test_another_branch_cannot_complete_and_nothing_is_written(login, secretary_b, home_visit, today):
    response = login(secretary_b).post(
        _complete_url(home_visit), {"given": "yes", "dose_number": "3", "given_on": today.isoformat()}
    )
    assert response.status_code == 404
    _nothing_written(home_visit, doses_before=2)


@pytest.mark.parametrize("kind", ["home_vaccination", "medicine", "other"])
def test_nasty_values_in_any_field_are_refused_without_a_server_error(login, office, branch_a, kind, today):
    """tests/test_fuzz.py walks one request (a pickup); the vaccination form's fields get the same values here."""
    from tests.test_fuzz import NASTY

    def fresh_request():
        retiree = make_retiree(branch_a, "测试老同志")
        return services.assistance_request_create(user=office, retiree=retiree, kind=kind)

    request = fresh_request()
    client = login(office)
    fields = list(client.get(request.get_absolute_url()).context["complete_form"].fields)
    good = {"given": "yes", "dose_number": "1", "given_on": today.isoformat(), "brought": "药", "outcome": "好"}
    for name in fields:
        for value in [*NASTY, "²", "2026-02-30", " "]:
            response = client.post(_complete_url(request), {**good, name: value})
            assert response.status_code in (200, 302), (name, value)
            if response.status_code == 302:  # a value that is fine after all (a blank note)
                request = fresh_request()
