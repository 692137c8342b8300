"""generate_city on tiny numbers, in the test database, so that the generator cannot rot unnoticed.

Runs in a few seconds: 5 branches, 200 retirees, 2,000 contacts. The database itself enforces
the CHECK, UNIQUE and foreign-key constraints as the rows go in; these tests check the counts,
the Python-side constraint validation, and that the check-in states are what the contact
service would have left.
"""

import datetime
import io
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from accounts.models import User
from branches.models import Branch
from checkins.models import CheckinState, ContactLog, WeeklyReach
from checkins.services import checkin_state_refresh, weekly_reach_refresh
from ledgers.models import NucleicTest, VaccinationDose
from perf.city import BULK_TABLES, CityGenerator, CitySize
from perf.management.commands.generate_city import Command as GenerateCity
from retirees.choices import Gender
from retirees.models import HouseholdContact, Retiree
from retirees.pinyin import name_search_keys
from retirees.validators import validate_id_number

SMALL = {"retirees": 200, "branches": 5, "contacts": 2000, "doses": 500, "tests": 300}


def generate(**extra):
    out = io.StringIO()
    call_command(GenerateCity(), alias="default", stdout=out, **{**SMALL, **extra})
    return out.getvalue()


@pytest.mark.django_db
def test_generates_the_requested_counts():
    generate()
    assert Branch.objects.count() == 5
    assert Retiree.objects.count() == 200
    assert ContactLog.objects.count() == 2000
    assert VaccinationDose.objects.count() == 500
    assert NucleicTest.objects.count() == 300
    # A secretary and a committee member per branch, plus office staff and an admin.
    assert User.objects.filter(position=User.Position.SECRETARY).count() == 5
    assert User.objects.filter(position=User.Position.COMMITTEE).count() == 5
    assert User.objects.count() == 12
    assert CheckinState.objects.count() == ContactLog.objects.values("retiree").distinct().count()
    assert HouseholdContact.objects.exists()


@pytest.mark.django_db
def test_rows_pass_the_models_validation():
    generate()
    for model in (Branch, User, Retiree, HouseholdContact, ContactLog, CheckinState, VaccinationDose, NucleicTest):
        for obj in model.objects.all()[:150]:
            obj.full_clean(validate_unique=True, validate_constraints=True)
    for retiree in Retiree.objects.all()[:50]:
        assert (retiree.name_pinyin, retiree.name_initials) == name_search_keys(retiree.name)
    # Each contact was made by a worker of the retiree's branch.
    assert not ContactLog.objects.exclude(contacted_by__branch=F("retiree__branch")).exists()


@pytest.mark.django_db
def test_checkin_states_match_the_contact_service():
    generate()
    retirees = list(Retiree.objects.filter(checkin_state__isnull=False)[:40])
    stored = {s.retiree_id: s for s in CheckinState.objects.filter(retiree__in=retirees)}
    for retiree in retirees:
        before = stored[retiree.pk]
        after = checkin_state_refresh(retiree=retiree)
        assert (after.last_contact_at, after.last_reached_at, after.last_reached_on) == (
            before.last_contact_at,
            before.last_reached_at,
            before.last_reached_on,
        )
        assert after.consecutive_failures == before.consecutive_failures
        assert (after.unreachable_since is None) == (before.unreachable_since is None)


def _keys_and_indexes():
    """Every constraint and index of the bulk tables, and every foreign key that points at one."""
    with connection.cursor() as cursor:
        found = {table: connection.introspection.get_constraints(cursor, table) for table in BULK_TABLES}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[])",
            [BULK_TABLES],
        )
        pointing = set(cursor.fetchall())
    return found, pointing


@pytest.mark.django_db
def test_keeps_the_indexes_and_foreign_keys_of_every_bulk_table():
    before, pointing_before = _keys_and_indexes()
    generate()
    after, pointing_after = _keys_and_indexes()
    assert {table: set(found) for table, found in after.items()} == {t: set(found) for t, found in before.items()}
    assert after["retirees_retiree"] == before["retirees_retiree"]  # same columns, same kinds
    assert after["checkins_contactlog"] == before["checkins_contactlog"]
    # The keys of the other tables (visits, ledgers, history…) that point at the bulk tables, dropped
    # with the primary keys they rely on, are back too.
    assert len(pointing_before) > 10
    assert pointing_after == pointing_before


@pytest.mark.django_db
def test_every_id_number_is_valid_and_every_phone_unique():
    generate()
    numbers = list(Retiree.objects.exclude(id_number=None).values_list("id_number", "birth_date", "gender"))
    assert 40 < len(numbers) < 120  # about two in five of 200
    for number, birth_date, gender in numbers:
        validate_id_number(number)
        assert number[6:14] == f"{birth_date:%Y%m%d}"
        assert int(number[16]) % 2 == (1 if gender == Gender.MALE else 0)
    phones = list(Retiree.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones) == 200


@pytest.mark.django_db
def test_doses_and_tests_follow_each_other_per_retiree():
    generate()
    for retiree_id in VaccinationDose.objects.values_list("retiree", flat=True).distinct()[:60]:
        doses = list(VaccinationDose.objects.filter(retiree=retiree_id).order_by("dose_number"))
        assert [d.dose_number for d in doses] == list(range(1, len(doses) + 1))  # 1, 2, … without gaps
        assert all(later.given_on > earlier.given_on for earlier, later in pairwise(doses))
    for retiree_id in NucleicTest.objects.values_list("retiree", flat=True).distinct()[:60]:
        days = list(
            NucleicTest.objects.filter(retiree=retiree_id).order_by("tested_on").values_list("tested_on", flat=True)
        )
        assert all(2 <= (later - earlier).days <= 21 for earlier, later in pairwise(days))


@pytest.mark.django_db
# The dataset is laid out back from today: both runs on the same day, at 23:59:30 in Beijing.
@time_machine.travel(datetime.datetime(2026, 11, 30, 15, 59, 30, tzinfo=datetime.UTC), tick=False)
def test_the_same_seed_gives_the_same_people():
    def people():
        return list(Retiree.objects.order_by("id").values_list("name", "phone", "birth_date", "id_number", "branch"))

    def contacts():
        return list(ContactLog.objects.order_by("id").values_list("retiree", "contacted_at", "reached")[:500])

    generate()
    first = people(), contacts(), list(VaccinationDose.objects.order_by("id").values_list("retiree", "given_on"))
    CityGenerator(connection, CitySize(**SMALL)).reset()
    generate()
    again = people(), contacts(), list(VaccinationDose.objects.order_by("id").values_list("retiree", "given_on"))
    assert again == first


@pytest.mark.django_db
def test_refuses_a_database_that_has_data(branch_a):
    with pytest.raises(CommandError, match="already has data"):
        generate()


def test_refuses_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command(GenerateCity(), database_url="sqlite:////tmp/outreach-not-here.sqlite3", stdout=io.StringIO())


@pytest.mark.django_db
def test_weeks_reached_match_the_contact_service():
    generate()
    retirees = list(Retiree.objects.filter(checkin_state__isnull=False)[:40])
    for retiree in retirees:
        generated = set(WeeklyReach.objects.filter(retiree=retiree).values_list("week", flat=True))
        days = list(ContactLog.objects.filter(retiree=retiree).values_list("contacted_on", flat=True))
        weekly_reach_refresh(retiree=retiree, days=days)
        assert set(WeeklyReach.objects.filter(retiree=retiree).values_list("week", flat=True)) == generated
