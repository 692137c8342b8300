import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from retirees.models import HouseholdContact, Retiree, birth_date_bounds


def _violates(sql, params):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_deceased_without_date_is_refused_by_the_database(retiree_a):
    _violates("UPDATE retirees_retiree SET status = 'deceased' WHERE id = %s", [retiree_a.pk])


def test_date_of_death_on_a_living_retiree_is_refused_by_the_database(retiree_a):
    _violates("UPDATE retirees_retiree SET deceased_on = '2024-01-01' WHERE id = %s", [retiree_a.pk])


def test_unknown_category_is_refused_by_the_database(retiree_a):
    _violates("UPDATE retirees_retiree SET category = 'other' WHERE id = %s", [retiree_a.pk])


def test_id_number_is_unique(retiree_a, retiree_b):
    Retiree.objects.filter(pk=retiree_a.pk).update(id_number="11010519491231002X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Retiree.objects.filter(pk=retiree_b.pk).update(id_number="11010519491231002X")


def test_household_contact_needs_a_phone(retiree_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdContact.objects.create(retiree=retiree_a, name="王芳", relation="child", phone="")


def test_only_one_primary_household_contact(retiree_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdContact.objects.create(
            retiree=retiree_a, name="王芳", relation="child", phone="13900001111", is_primary=True
        )


def test_deceased_is_a_state_with_a_date(retiree_a):
    retiree_a.status = "deceased"
    retiree_a.deceased_on = datetime.date(2025, 2, 1)
    retiree_a.save()
    assert Retiree.objects.filter(pk=retiree_a.pk, status="deceased").exists()


def test_age_counts_birthdays():
    retiree = Retiree(birth_date=datetime.date(1940, 5, 3))
    assert retiree.age_on(datetime.date(2026, 5, 2)) == 85
    assert retiree.age_on(datetime.date(2026, 5, 3)) == 86


def test_birth_date_bounds_of_the_eighties():
    earliest, latest = birth_date_bounds(80, 89, datetime.date(2026, 11, 29))
    assert earliest == datetime.date(1936, 11, 30)
    assert latest == datetime.date(1946, 11, 29)
