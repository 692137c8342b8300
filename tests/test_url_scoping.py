"""Walk every URL in the URL configuration as every persona.

A new URL is checked automatically; one whose parameters this test cannot fill fails until it
is added to OBJECT_URLS, so nothing reaches production unchecked.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# URLs anybody may open.
PUBLIC = {"login", "set_language", "logout"}
# URL name -> which persona object fills its <pk>.
OBJECT_URLS = {
    "retirees:detail": "retiree",
    "retirees:edit": "retiree",
    "branches:detail": "branch",
    "checkins:quick_log": "retiree",
    "checkins:contact_create": "retiree",
    "checkins:exemption_create": "retiree",
    "checkins:follow_up_done": "contact",
    "checkins:exemption_revoke": "exemption",
    "checkins:round_detail": "round",
    "checkins:round_close": "round",
    "checkins:round_summary": "round",
    "checkins:policy_edit": "policy",
    "ledgers:retiree": "retiree",
    "ledgers:dose_add": "retiree",
    "ledgers:stance_add": "retiree",
    "ledgers:test_add": "retiree",
    "ledgers:exposure_add": "retiree",
    "ledgers:exposure_lift": "retiree",
    "ledgers:health_add": "retiree",
}


def walk(patterns=None, namespace=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site is checked on its own below
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, f"{namespace}:{ns}" if namespace and entry.namespace else ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


ALL_URLS = sorted(dict(walk()).items())


def url_for(name, pattern, objects):
    params = list(pattern.pattern.regex.groupindex)
    if not params:
        return reverse(name)
    if name not in OBJECT_URLS:
        pytest.fail(f"{name} takes {params}: add it to OBJECT_URLS so that its scoping is checked")
    return reverse(name, kwargs={"pk": objects[OBJECT_URLS[name]].pk})


@pytest.fixture
def b_objects(retiree_b, checkin_objects):
    return {"retiree": retiree_b, "branch": retiree_b.branch, **checkin_objects(retiree_b)}


@pytest.fixture
def a_objects(retiree_a, checkin_objects):
    return {"retiree": retiree_a, "branch": retiree_a.branch, **checkin_objects(retiree_a)}


@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_anonymous_is_sent_to_login(client, b_objects, name, pattern):
    if name in PUBLIC:
        return
    url = url_for(name, pattern, b_objects)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), (name, method)


@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_secretary_never_sees_another_branch(login, secretary_a, a_objects, b_objects, name, pattern):
    if name in PUBLIC:
        return
    client = login(secretary_a)
    url = url_for(name, pattern, b_objects)
    get = client.get(url)
    post = client.post(url)
    if pattern.pattern.regex.groupindex:
        assert get.status_code == 404 and post.status_code == 404, name
    else:
        assert get.status_code in (200, 403), name
        assert b_objects["retiree"].name not in get.content.decode(), name
        assert b_objects["branch"].name not in get.content.decode(), name
    # The same URL for their own branch's object opens.
    own = client.get(url_for(name, pattern, a_objects))
    assert own.status_code in (200, 403), name


@pytest.mark.parametrize("persona", ["office", "admin_user"])
@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_office_and_admin_open_every_page(request, login, b_objects, persona, name, pattern):
    if name in PUBLIC:
        return
    client = login(request.getfixturevalue(persona))
    assert client.get(url_for(name, pattern, b_objects)).status_code == 200, name


def test_admin_site_is_for_admins_only(client, login, secretary_a, office, admin_user):
    index = reverse("admin:index")
    assert client.get(index).status_code == 302
    assert login(secretary_a).get(index).status_code == 302
    assert login(office).get(index).status_code == 302
    assert login(admin_user).get(index).status_code == 200


def test_admin_has_every_model(login, admin_user, retiree_a):
    client = login(admin_user)
    for name in ("accounts_user", "branches_branch", "retirees_retiree", "retirees_householdcontact"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:retirees_retiree_change", args=[retiree_a.pk])).status_code == 200
