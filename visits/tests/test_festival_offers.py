"""A month before Spring Festival and Double Ninth (重阳), the office is offered a visit campaign."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import at
from visits import selectors
from visits.models import FestivalOfferDismissal, VisitCampaign

pytestmark = pytest.mark.django_db
DOUBLE_NINTH_2026 = datetime.date(2026, 10, 18)
SPRING_2027 = datetime.date(2027, 2, 6)


def test_double_ninth_is_offered_from_a_month_ahead_until_the_day(office):
    assert selectors.festival_offers(user=office, today=datetime.date(2026, 9, 17)) == []
    offers = selectors.festival_offers(user=office, today=datetime.date(2026, 9, 18))
    assert [(o["festival"], o["date"], o["year"]) for o in offers] == [("double_ninth", DOUBLE_NINTH_2026, 2026)]
    assert selectors.festival_offers(user=office, today=DOUBLE_NINTH_2026)
    assert selectors.festival_offers(user=office, today=DOUBLE_NINTH_2026 + datetime.timedelta(days=1)) == []


def test_spring_festival_of_next_year_is_offered_in_january(office):
    offers = selectors.festival_offers(user=office, today=datetime.date(2027, 1, 10))
    assert [(o["festival"], o["date"]) for o in offers] == [("spring_festival", SPRING_2027)]
    # Late December looks at next year's Spring Festival when it is near (2028-01-26).
    offers = selectors.festival_offers(user=office, today=datetime.date(2027, 12, 31))
    assert [(o["festival"], o["year"]) for o in offers] == [("spring_festival", 2028)]


def test_branch_workers_are_not_offered(secretary_a):
    assert selectors.festival_offers(user=secretary_a, today=datetime.date(2026, 10, 1)) == []


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_the_offer_prefills_the_campaign_form_and_disappears_once_opened(login, office, branch_a):
    client = login(office)
    html = client.get(reverse("visits:visit_list")).content.decode()
    assert 'data-festival-offer="double_ninth-2026"' in html and "10月18日" in html
    form = client.get(reverse("visits:campaign_create"), {"festival": "double_ninth", "year": "2026"}).context["form"]
    assert form.initial["kind"] == "double_ninth" and form.initial["target"] == "frail"
    assert form.initial["starts_on"] == datetime.date(2026, 10, 4)  # two weeks before
    assert form.initial["ends_on"] == datetime.date(2026, 10, 25)  # a week after
    assert "2026" in form.initial["title"]
    response = client.post(
        reverse("visits:campaign_create"),
        {
            "title": form.initial["title"],
            "kind": "double_ninth",
            "target": "frail",
            "starts_on": "2026-10-04",
            "ends_on": "2026-10-25",
            "all_branches": "on",
        },
    )
    assert response.status_code == 302 and VisitCampaign.objects.filter(kind="double_ninth").exists()
    assert "data-festival-offer" not in client.get(reverse("visits:visit_list")).content.decode()


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_dismissed_for_the_year_by_office_only(login, office, secretary_a):
    assert (
        login(secretary_a)
        .post(reverse("visits:festival_dismiss"), {"festival": "double_ninth", "year": "2026"})
        .status_code
        == 403
    )
    assert not FestivalOfferDismissal.objects.exists()
    client = login(office)
    client.post(reverse("visits:festival_dismiss"), {"festival": "double_ninth", "year": "2026"})
    client.post(reverse("visits:festival_dismiss"), {"festival": "double_ninth", "year": "2026"})  # twice: one row
    assert FestivalOfferDismissal.objects.count() == 1
    assert "data-festival-offer" not in client.get(reverse("visits:visit_list")).content.decode()
    # Next year's offer is not dismissed.
    assert selectors.festival_offers(user=office, today=datetime.date(2027, 9, 20))


@time_machine.travel(at(2026, 10, 1), tick=False)
def test_bad_dismissals_and_prefills_write_nothing(login, office):
    client = login(office)
    for data in ({"festival": "x", "year": "2026"}, {"festival": "double_ninth", "year": "abc"}, {}):
        assert client.post(reverse("visits:festival_dismiss"), data).status_code == 302
    assert not FestivalOfferDismissal.objects.exists()
    for params in ({"festival": "x", "year": "2026"}, {"festival": "double_ninth", "year": "99999"}):
        assert client.get(reverse("visits:campaign_create"), params).context["form"].initial == {}
