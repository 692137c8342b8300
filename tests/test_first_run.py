"""The first-run checklist: on an empty installation the office's home page says what to do first."""

import pytest
from django.urls import reverse

from accounts.models import User
from outreach.setup import first_run_steps
from reminders.services import holidays_refresh
from retirees.models import HouseholdContact
from tests.factories import make_retiree, make_user

pytestmark = pytest.mark.django_db


def states(user):
    return {step.key: step.state for step in first_run_steps(user=user)}


def test_an_empty_installation_shows_the_checklist_on_the_office_home_page(login, office):
    response = login(office).get(reverse("home"))
    assert response.templates[0].name == "setup.html"
    html = response.content.decode()
    for key in ("branches", "users", "roster", "contacts", "ledgers", "reminders"):
        assert f'data-step="{key}"' in html
    assert states(office) == dict.fromkeys(("branches", "users", "roster", "contacts", "ledgers", "reminders"), "todo")


def test_steps_turn_done_as_the_installation_fills(login, office, branch_a, branch_b, secretary_a):
    assert states(office)["branches"] == "done"
    assert states(office)["users"] == "started"  # one of two branches has a secretary
    make_user("sec_b", role=User.Role.BRANCH, branch=branch_b, position=User.Position.SECRETARY)
    retiree = make_retiree(branch_a, "王一")
    other = make_retiree(branch_b, "李二")
    HouseholdContact.objects.create(retiree=retiree, name="王小", relation="child", phone="13911112222")
    current = states(office)
    assert (current["users"], current["roster"], current["contacts"]) == ("done", "done", "started")
    HouseholdContact.objects.create(retiree=other, name="李小", relation="child", phone="13911113333")
    holidays_refresh()
    current = states(office)
    assert (current["contacts"], current["reminders"], current["ledgers"]) == ("done", "done", "todo")
    # With branches and retirees, the home page is the dashboard again; the checklist stays reachable.
    assert login(office).get(reverse("home")).templates[0].name == "checkins/dashboard.html"
    assert login(office).get(reverse("setup")).status_code == 200


def test_only_office_staff_see_the_checklist(login, secretary_a):
    assert login(secretary_a).get(reverse("setup")).status_code == 403
    assert first_run_steps(user=secretary_a) == []
