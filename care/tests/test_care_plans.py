import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from care import selectors as care_selectors
from care import services as care_services
from care.models import CarePlan
from checkins.schedule import with_schedule
from reminders.digests import branch_digest
from retirees.models import Retiree


def _schedule(retiree):
    return with_schedule(Retiree.objects.filter(pk=retiree.pk), with_source=True).get()


def test_care_plan_cadence_feeds_the_schedule_and_clears_with_it(office, lixiu_a, today):
    assert _schedule(lixiu_a).cadence_days == 3  # aged 80+: the default
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today, cadence_days=2)
    scheduled = _schedule(lixiu_a)
    assert (scheduled.cadence_days, scheduled.cadence_source) == (2, "care_plan")
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today, cadence_days=None)
    assert _schedule(lixiu_a).cadence_source == "default"


def test_review_date_in_the_past_on_creation_saves_nothing(office, lixiu_a, today):
    with pytest.raises(ValidationError) as error:
        care_services.care_plan_save(
            user=office, retiree=lixiu_a, responsible=office, review_on=today - datetime.timedelta(days=1)
        )
    assert "review_on" in error.value.error_dict
    assert not CarePlan.objects.exists()


def test_review_date_in_the_past_through_the_form_shows_a_chinese_error(login, office, lixiu_a, today):
    response = login(office).post(
        reverse("care:plan_edit", args=[lixiu_a.pk]),
        {"responsible": office.pk, "preferred_channel": "phone", "review_on": "2000-01-01", "cadence_days": "3"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "复核日期不能早于今天" in response.content.decode()
    assert not CarePlan.objects.exists()


def test_only_office_staff_write_care_plans(secretary_a, lixiu_a, today):
    with pytest.raises(PermissionDenied):
        care_services.care_plan_save(user=secretary_a, retiree=lixiu_a, responsible=secretary_a, review_on=today)


def test_responsible_person_must_serve_the_retirees_branch(office, secretary_b, lixiu_a, today):
    with pytest.raises(ValidationError) as error:
        care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=secretary_b, review_on=today)
    assert "responsible" in error.value.error_dict


def test_cadence_out_of_range_is_refused_by_the_database(office, lixiu_a, today):
    plan = care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.filter(pk=plan.pk).update(cadence_days=400)


def test_plan_changes_are_kept_in_history(office, lixiu_a, today):
    plan = care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today)
    care_services.care_plan_save(
        user=office, retiree=lixiu_a, responsible=office, review_on=today, special_needs="需要助听器"
    )
    assert plan.history.count() == 2


def test_lixiu_without_plan_are_listed_and_flagged_in_the_registry(login, office, lixiu_a, retiree_a, today):
    assert list(care_selectors.lixiu_without_plan(user=office)) == [lixiu_a]
    html = login(office).get(reverse("retirees:list")).content.decode()
    assert html.count("data-no-care-plan") == 1
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today)
    assert not care_selectors.lixiu_without_plan(user=office).exists()
    assert "data-no-care-plan" not in login(office).get(reverse("retirees:list")).content.decode()


def test_plans_due_for_review_reach_the_responsible_persons_digest_and_the_dashboard(
    login, office, secretary_a, committee_a, lixiu_a, today
):
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=secretary_a, review_on=today)
    digest = branch_digest(user=secretary_a, today=today)
    assert [plan.retiree for plan in digest.context["plans_due"]["rows"]] == [lixiu_a]
    assert lixiu_a.name in digest.text and lixiu_a.name in digest.html
    assert branch_digest(user=committee_a, today=today).context["plans_due"]["rows"] == []
    response = login(office).get(reverse("checkins:dashboard"))
    assert 'data-care="plans_due">1<' in response.content.decode()


def test_outsider_gets_a_404_on_another_branchs_plan(login, office, secretary_b, lixiu_a, today):
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today)
    assert login(secretary_b).get(reverse("care:plan_edit", args=[lixiu_a.pk])).status_code == 404
    assert lixiu_a.name not in login(secretary_b).get(reverse("care:plan_list")).content.decode()


def test_lixiu_without_plan_ids_sees_only_plans_in_the_users_scope(office, secretary_a, secretary_b, lixiu_a, today):
    """The registry's "no care plan" badge reads plans through `visible_to`: a plan outside the
    user's scope is not counted (it used to be read without any scope)."""
    care_services.care_plan_save(user=office, retiree=lixiu_a, responsible=office, review_on=today)
    assert care_selectors.lixiu_without_plan_ids(user=secretary_a, retirees=[lixiu_a]) == set()
    assert care_selectors.lixiu_without_plan_ids(user=secretary_b, retirees=[lixiu_a]) == {lixiu_a.pk}
