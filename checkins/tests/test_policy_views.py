"""Office staff edit the cadence rules; the schedule follows."""

import datetime

from django.urls import reverse

from checkins import schedule
from checkins.models import CadencePolicy
from retirees.models import Retiree


def test_office_adds_a_branch_rule_and_the_cadence_follows(login, office, branch_a, retiree_a):
    response = login(office).post(
        reverse("checkins:policy_create"),
        {"branch": branch_a.pk, "category": "", "age_band": "", "care_level": "", "cadence_days": 5},
    )
    assert response.status_code == 302
    assert CadencePolicy.objects.get().updated_by == office
    row = schedule.with_schedule(Retiree.objects.filter(pk=retiree_a.pk), datetime.date(2026, 3, 1)).get()
    assert row.cadence_days == 5


def test_duplicate_office_wide_rule_is_refused(login, office):
    CadencePolicy.objects.create(category="lixiu", cadence_days=7)
    response = login(office).post(
        reverse("checkins:policy_create"),
        {"branch": "", "category": "lixiu", "age_band": "", "care_level": "", "cadence_days": 5},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert CadencePolicy.objects.count() == 1


def test_rule_out_of_range_is_refused(login, office):
    response = login(office).post(reverse("checkins:policy_create"), {"cadence_days": 0})
    assert "cadence_days" in response.context["form"].errors
    assert not CadencePolicy.objects.exists()


def test_secretaries_do_not_edit_rules(login, secretary_a):
    assert login(secretary_a).get(reverse("checkins:policy_list")).status_code == 403
