"""People management (人员管理): who may, the one-secretary rule explained, every change audited."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "欧阳明远",
        "username": "13900001111",
        "phone": "13900001111",
        "email": "",
        "role": "branch",
        "branch": "",
        "position": "committee",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["secretary_a", "committee_a"])
def test_branch_workers_may_not_open_or_post_people_pages(request, login, persona, secretary_b):
    client = login(request.getfixturevalue(persona))
    for name, kwargs in [
        ("accounts:user_list", {}),
        ("accounts:user_create", {}),
        ("accounts:user_edit", {"pk": secretary_b.pk}),
        ("accounts:user_password_reset", {"pk": secretary_b.pk}),
        ("accounts:user_set_active", {"pk": secretary_b.pk}),
        ("accounts:user_import", {}),
    ]:
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 403, name
    secretary_b.refresh_from_db()
    assert secretary_b.is_active and not secretary_b.must_change_password


def test_anonymous_is_sent_to_login(client, secretary_b):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_list_shows_roles_branches_and_who_has_two_factor(login, office, secretary_a, committee_a, admin_user):
    TOTPDevice.objects.create(user=secretary_a, name="default", confirmed=True)
    TOTPDevice.objects.create(user=committee_a, name="default", confirmed=False)  # never confirmed: off
    html = login(office).get(reverse("accounts:user_list")).content.decode()
    assert f'data-user="{secretary_a.pk}"' in html and f'data-user="{admin_user.pk}"' in html
    rows = {person.pk: person for person in login(office).get(reverse("accounts:user_list")).context["page"]}
    assert rows[secretary_a.pk].has_two_factor is True
    assert rows[committee_a.pk].has_two_factor is False
    assert "第一党支部" in html and "支部书记" in html


def test_list_query_count_does_not_grow_with_people(login, office, branch_a, django_assert_num_queries):
    client = login(office)
    for number in range(3):
        make_user(f"w{number}", role=User.Role.BRANCH, branch=branch_a, position=User.Position.COMMITTEE)

    def count():
        with django_assert_num_queries(5) as captured:
            # session, user, the filter's branches, the page's count, the page (users, their
            # branch and the two-factor EXISTS in one query)
            assert client.get(reverse("accounts:user_list")).status_code == 200
        return len(captured)

    first = count()
    for number in range(3, 12):
        make_user(f"w{number}", role=User.Role.BRANCH, branch=branch_a, position=User.Position.COMMITTEE)
    assert count() == first


def test_list_filters_by_branch_and_hides_deactivated_by_default(login, office, secretary_a, secretary_b, branch_a):
    secretary_b.is_active = False
    secretary_b.save()
    client = login(office)
    shown = {u.pk for u in client.get(reverse("accounts:user_list")).context["page"]}
    assert secretary_a.pk in shown and secretary_b.pk not in shown
    shown = {u.pk for u in client.get(reverse("accounts:user_list"), {"state": "all"}).context["page"]}
    assert secretary_b.pk in shown
    shown = {u.pk for u in client.get(reverse("accounts:user_list"), {"branch": branch_a.pk}).context["page"]}
    assert shown == {secretary_a.pk}
    # Nonsense filters are ignored, not a server error.
    assert client.get(reverse("accounts:user_list"), {"branch": "abc", "state": "x" * 500}).status_code == 200


def test_create_shows_a_temporary_password_once_and_audits(login, office, branch_a):
    response = login(office).post(reverse("accounts:user_create"), form_data(branch=branch_a.pk))
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/password_once.html"
    created = User.objects.get(username="13900001111")
    password = response.context["password"]
    assert created.check_password(password) and created.must_change_password
    assert (created.last_name, created.first_name) == ("欧阳", "明远")
    assert created.branch == branch_a and created.position == "committee"
    event = AuditEvent.objects.get(action="user_create")
    assert event.actor == office and event.detail["target"] == created.pk
    assert password not in str(event.detail)


def test_second_secretary_is_refused_with_the_rule_explained(login, office, secretary_a, branch_a):
    client = login(office)
    response = client.post(reverse("accounts:user_create"), form_data(branch=branch_a.pk, position="secretary"))
    html = response.content.decode()
    assert not User.objects.filter(username="13900001111").exists()
    assert not AuditEvent.objects.filter(action="user_create").exists()
    # Who the current secretary is, and the two ways forward, on the form.
    errors = response.context["form"].errors["position"][0]
    assert str(secretary_a) in errors and "第一党支部" in errors
    assert "data-secretary-rule" in html and reverse("accounts:user_edit", args=[secretary_a.pk]) in html


def test_replace_makes_the_current_secretary_a_committee_member(login, office, secretary_a, branch_a):
    response = login(office).post(
        reverse("accounts:user_create"),
        form_data(branch=branch_a.pk, position="secretary", replace_secretary="on"),
    )
    assert response.status_code == 200
    secretary_a.refresh_from_db()
    assert secretary_a.position == "committee"
    assert User.objects.get(username="13900001111").position == "secretary"
    demoted = AuditEvent.objects.get(action="user_change", detail__target=secretary_a.pk)
    assert demoted.detail["position"] == ["secretary", "committee"]


def test_edit_changes_branch_and_position_and_audits_old_and_new(login, office, committee_a, branch_b):
    response = login(office).post(
        reverse("accounts:user_edit", args=[committee_a.pk]),
        form_data(name="陈 红", username=committee_a.username, branch=branch_b.pk, position="secretary"),
    )
    assert response.status_code == 302
    committee_a.refresh_from_db()
    assert (committee_a.branch, committee_a.position, committee_a.get_full_name()) == (branch_b, "secretary", "陈红")
    event = AuditEvent.objects.get(action="user_change")
    assert event.detail["branch"][1] == branch_b.pk
    assert event.detail["position"] == ["committee", "secretary"]
    assert set(event.detail["fields"]) >= {"branch_id", "position", "first_name", "last_name"}


def test_office_may_not_make_an_admin_nor_touch_one(login, office, admin_user, committee_a):
    client = login(office)
    response = client.post(reverse("accounts:user_create"), form_data(role="admin", position=""))
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="13900001111").exists()
    assert client.post(reverse("accounts:user_password_reset", args=[admin_user.pk])).status_code == 403
    assert client.post(reverse("accounts:user_set_active", args=[admin_user.pk]), {"active": "0"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active and not admin_user.must_change_password


def test_nobody_deactivates_themselves_or_changes_their_own_role(login, office):
    client = login(office)
    client.post(reverse("accounts:user_set_active", args=[office.pk]), {"active": "0"})
    office.refresh_from_db()
    assert office.is_active
    response = client.post(
        reverse("accounts:user_edit", args=[office.pk]),
        form_data(username=office.username, role="branch", branch="", position=""),
    )
    office.refresh_from_db()
    assert office.role == "office"
    assert response.status_code == 200


def test_deactivate_and_reactivate_are_audited_and_stop_sign_in(client, login, office, committee_a):
    login(office).post(reverse("accounts:user_set_active", args=[committee_a.pk]), {"active": "0"})
    committee_a.refresh_from_db()
    assert not committee_a.is_active
    assert AuditEvent.objects.filter(action="user_deactivate", detail__target=committee_a.pk).exists()
    client.post(reverse("accounts:user_set_active", args=[committee_a.pk]), {"active": "1"})
    committee_a.refresh_from_db()
    assert committee_a.is_active
    assert AuditEvent.objects.filter(action="user_activate", detail__target=committee_a.pk).exists()


def test_two_factor_reset_removes_the_device_and_is_audited(login, office, secretary_a):
    TOTPDevice.objects.create(user=secretary_a, name="default", confirmed=True)
    login(office).post(reverse("accounts:user_two_factor_reset", args=[secretary_a.pk]))
    assert not TOTPDevice.objects.filter(user=secretary_a).exists()
    assert AuditEvent.objects.filter(action="two_factor_reset", detail__target=secretary_a.pk).exists()


def test_edit_page_shows_the_accounts_history(login, office, committee_a):
    client = login(office)
    client.post(reverse("accounts:user_password_reset", args=[committee_a.pk]))
    html = client.get(reverse("accounts:user_edit", args=[committee_a.pk])).content.decode()
    assert "data-history" in html and 'data-action="password_reset"' in html
