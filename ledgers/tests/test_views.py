import datetime

import pytest
from django.urls import reverse

from ledgers.models import NucleicTest, VaccinationDose
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db


def test_branch_totals_show_rates_tests_and_exposure_in_scope(login, office, secretary_a, ledger_a, ledger_b):
    response = login(office).get(reverse("ledgers:index"), {"days": 3})
    rows = {row["branch"].name: row for row in response.context["totals"]}
    a = rows["第一党支部"]
    assert (a["total"], a["dose1"], a["dose2"], a["tested"], a["exposed"]) == (1, 1, 1, 1, 1)
    assert a["dose_cells"][1] == (1, 100.0)
    assert response.context["overall"]["exposed"] == 2
    secretary_view = login(secretary_a).get(reverse("ledgers:index"))
    assert [row["branch"].name for row in secretary_view.context["totals"]] == ["第一党支部"]
    assert "第二党支部" not in secretary_view.content.decode()


def test_tested_within_n_days_counts_only_recent_tests(login, office, ledger_a, frozen_day):
    NucleicTest.objects.filter(retiree=ledger_a).update(tested_on=frozen_day - datetime.timedelta(days=5))
    assert login(office).get(reverse("ledgers:index"), {"days": 3}).context["overall"]["tested"] == 0
    assert login(office).get(reverse("ledgers:index"), {"days": 7}).context["overall"]["tested"] == 1


def test_vaccination_ledger_filters_by_missing_dose(login, office, ledger_a, ledger_b):
    response = login(office).get(reverse("ledgers:vaccination"), {"lacks_dose": "2"})
    assert [row["retiree"] for row in response.context["rows"]] == [ledger_b]


def test_testing_ledger_lists_the_untested(login, office, ledger_a, ledger_b):
    response = login(office).get(reverse("ledgers:testing"), {"untested_days": "7"})
    assert [row["retiree"] for row in response.context["rows"]] == [ledger_b]


def test_exposure_ledger_shows_ongoing_by_default(login, office, ledger_a, ledger_b, frozen_day):
    ledger_a.exposureevents.update(status="lifted", ended_on=frozen_day)
    response = login(office).get(reverse("ledgers:exposure"))
    assert [row["retiree"] for row in response.context["rows"]] == [ledger_b]
    response = login(office).get(reverse("ledgers:exposure"), {"status": "all"})
    assert len(response.context["rows"]) == 2


def test_secretary_sees_only_their_branch_on_every_ledger(login, secretary_a, ledger_a, ledger_b):
    client = login(secretary_a)
    for name in ("vaccination", "testing", "exposure", "health"):
        response = client.get(reverse(f"ledgers:{name}"))
        assert {row["retiree"] for row in response.context["rows"]} == {ledger_a}, name
        assert ledger_b.name not in response.content.decode()


def test_secretary_records_a_second_dose_for_their_retiree(login, secretary_a, retiree_a, frozen_day):
    response = login(secretary_a).post(
        reverse("ledgers:dose_add", args=[retiree_a.pk]),
        {"dose_number": "2", "given_on": "2022-05-03", "arrangement": "transport", "product": "", "site": ""},
    )
    assert response.status_code == 302
    dose = VaccinationDose.objects.get()
    assert (dose.dose_number, dose.given_on, dose.recorded_by) == (2, datetime.date(2022, 5, 3), secretary_a)


def test_a_duplicate_dose_is_corrected_not_doubled(login, office, retiree_a, frozen_day):
    client = login(office)
    url = reverse("ledgers:dose_add", args=[retiree_a.pk])
    client.post(url, {"dose_number": "1", "given_on": "2022-05-01", "arrangement": "self"})
    client.post(url, {"dose_number": "1", "given_on": "2022-05-02", "arrangement": "self"})
    assert VaccinationDose.objects.get().given_on == datetime.date(2022, 5, 2)


def test_unwilling_without_reason_shows_the_error(login, secretary_a, retiree_a, frozen_day):
    response = login(secretary_a).post(
        reverse("ledgers:stance_add", args=[retiree_a.pk]), {"stance": "unwilling", "stated_on": "2022-05-10"}
    )
    assert response.status_code == 200
    assert "请填写不愿接种或不能接种的原因" in response.content.decode()


def test_a_refused_ledger_entry_says_nothing_was_saved(login, secretary_a, retiree_a, frozen_day):
    response = login(secretary_a).post(
        reverse("ledgers:stance_add", args=[retiree_a.pk]), {"stance": "unwilling", "stated_on": "2022-05-10"}
    )
    assert [str(message) for message in response.context["messages"]] == ["未保存：请修改下面标出的内容。"]


def test_outsider_gets_404_on_another_branchs_retiree(login, secretary_a, retiree_b, frozen_day):
    client = login(secretary_a)
    assert client.get(reverse("ledgers:retiree", args=[retiree_b.pk])).status_code == 404
    response = client.post(
        reverse("ledgers:test_add", args=[retiree_b.pk]), {"tested_on": "2022-05-10", "result": "negative"}
    )
    assert response.status_code == 404 and not NucleicTest.objects.exists()


def test_lifting_an_exposure(login, secretary_a, ledger_a, frozen_day):
    event = ledger_a.exposureevents.get()
    response = login(secretary_a).post(
        reverse("ledgers:exposure_lift", args=[ledger_a.pk]), {"event": event.pk, "ended_on": "2022-05-10"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "lifted"


def test_retiree_page_shows_the_ledger_summary(login, secretary_a, ledger_a):
    content = login(secretary_a).get(reverse("retirees:detail", args=[ledger_a.pk])).content.decode()
    assert "data-ledger-summary" in content and "密切接触者" in content


def test_ledger_page_query_count_does_not_grow_with_rows(
    login, office, branch_a, frozen_day, django_assert_num_queries
):
    for _ in range(5):
        retiree = make_retiree(branch_a, "王明")
        VaccinationDose.objects.create(retiree=retiree, dose_number=1, given_on=frozen_day)
    client = login(office)
    # 1 session, 2 user, 3 branches for the filter's choices, 4 count, 5 the page of rows
    # (subqueries, no query per row)
    with django_assert_num_queries(5):
        client.get(reverse("ledgers:vaccination"))
