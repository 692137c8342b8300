"""The main menu (outreach/menu.py, drawn by base.html): who sees which link, and that every link opens."""

import re

import pytest
from django.urls import reverse

from outreach.menu import menu_for

PERSONAS = ["office", "admin_user", "secretary_a", "committee_a"]


def _links(user, view_name="home"):
    return {link["url"]: link for group in menu_for(user, view_name) for link in group["links"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_link_opens_for_the_persona_who_sees_it(request, client, persona, retiree_a):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in _links(user):
        response = client.get(url)
        assert response.status_code == 200, url


def test_office_pages_are_in_the_menu_of_office_staff_only(office, admin_user, secretary_a, committee_a):
    office_only = {
        reverse(name) for name in ("checkins:policy_list", "ledgers:import", "reminders:holidays", "ledgers:export_log")
    }
    assert office_only <= set(_links(office))
    assert office_only <= set(_links(admin_user))
    assert not office_only & set(_links(secretary_a))
    assert not office_only & set(_links(committee_a))
    assert reverse("admin:index") in _links(admin_user)
    assert reverse("admin:index") not in _links(office)
    # A branch worker's menu has no empty Administration group.
    assert "admin" not in {group["key"] for group in menu_for(secretary_a, "home")}


def test_the_current_page_and_its_group_are_marked(office):
    groups = {group["key"]: group for group in menu_for(office, "ledgers:exposure")}
    assert groups["ledgers"]["current"] and not groups["checkins"]["current"]
    current = [link["url"] for group in groups.values() for link in group["links"] if link["current"]]
    assert current == [reverse("ledgers:exposure")]
    # A page no link names lights its app's group: a retiree's page is under Registry.
    assert [g["key"] for g in menu_for(office, "retirees:detail") if g["current"]] == ["registry"]
    # The roster import is under Registry, although its URL is the ledgers app's.
    assert [g["key"] for g in menu_for(office, "ledgers:import") if g["current"]] == ["registry"]


def test_the_page_has_a_skip_link_and_marks_the_current_link(login, office):
    html = login(office).get(reverse("ledgers:health")).content.decode()
    # The skip link comes before the menu and leads to the main landmark.
    assert html.index('class="skip-link" href="#content"') < html.index("<nav")
    assert '<main id="content"' in html
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>', html)
    assert len(current) == 1 and reverse("ledgers:health") in current[0]


def test_the_language_menu_is_in_the_top_bar_for_visitors_too(client):
    html = client.get(reverse("login")).content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert f'action="{reverse("set_language")}"' in nav
    assert 'name="language" value="en"' in nav
