import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from retirees.models import HouseholdContact, Retiree

CREATE = reverse("retirees:create")


def retiree_post(branch, **overrides):
    data = {
        "name": "欧 阳华",
        "gender": "female",
        "birth_date": "1943-09-09",
        "category": "tuixiu",
        "branch": str(branch.pk),
        "phone": "138-0000-1234",
        "residence_area": "north",
        "living_situation": "caregiver",
        "care_level": "dependent",
        "status": "active",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "刘阿姨",
        "contacts-0-relation": "caregiver",
        "contacts-0-phone": "139 1111 2222",
        "contacts-0-lives_with_retiree": "on",
        "contacts-0-is_primary": "on",
    }
    data.update(overrides)
    return data


def test_office_adds_a_retiree_with_a_caregiver(login, office, branch_a):
    response = login(office).post(CREATE, retiree_post(branch_a))
    retiree = Retiree.objects.get()
    assert response.status_code == 302 and response.url == retiree.get_absolute_url()
    assert retiree.name == "欧阳华"
    assert (retiree.name_pinyin, retiree.name_initials) == ("ouyanghua", "oyh")
    assert retiree.phone == "13800001234"
    assert retiree.created_by == office
    caregiver = retiree.household_contacts.get()
    assert (caregiver.relation, caregiver.phone, caregiver.is_primary) == ("caregiver", "13911112222", True)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"phone": "12345"}, "phone", "电话号码"),
        ({"birth_date": "2099-01-01"}, "birth_date", "不能晚于今天"),
        ({"status": "deceased"}, "deceased_on", "去世日期"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_saved(login, office, branch_a, overrides, field, message):
    response = login(office).post(CREATE, retiree_post(branch_a, **overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not Retiree.objects.exists() and not HouseholdContact.objects.exists()


def test_household_contact_without_phone_is_refused(login, office, branch_a):
    response = login(office).post(CREATE, retiree_post(branch_a, **{"contacts-0-phone": ""}))
    assert response.status_code == 200
    assert "phone" in response.context["contacts"].forms[0].errors
    assert not Retiree.objects.exists()


def test_errors_are_in_english_when_switched(login, office, branch_a):
    client = login(office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(CREATE, retiree_post(branch_a, id_number="110105194912310021"))
    assert "check digit is wrong" in " ".join(response.context["form"].errors["id_number"])
    translation.activate("zh-hans")


def test_secretary_cannot_create(login, secretary_a):
    assert login(secretary_a).get(CREATE).status_code == 403


def edit_post(retiree, **overrides):
    """The edit form's data for `retiree` with its household contact unchanged."""
    contact = retiree.household_contacts.get()
    return retiree_post(
        retiree.branch,
        name=retiree.name,
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-name": contact.name,
            "contacts-0-relation": "child",
            "contacts-0-phone": contact.phone,
            **overrides,
        },
    )


def test_secretary_edits_own_retiree(login, secretary_a, retiree_a):
    url = reverse("retirees:edit", args=[retiree_a.pk])
    response = login(secretary_a).post(url, edit_post(retiree_a, phone="13600001111"))
    assert response.status_code == 302
    retiree_a.refresh_from_db()
    assert retiree_a.phone == "13600001111"


def test_secretary_cannot_move_a_retiree_to_another_branch(login, secretary_a, retiree_a, branch_b):
    url = reverse("retirees:edit", args=[retiree_a.pk])
    response = login(secretary_a).post(url, retiree_post(branch_b, name="曾宪梅"))
    assert response.status_code == 200
    retiree_a.refresh_from_db()
    assert retiree_a.branch == secretary_a.branch and retiree_a.name == "曾宪梅"


def test_secretary_gets_404_for_another_branch(login, secretary_a, retiree_b):
    client = login(secretary_a)
    for name in ("retirees:detail", "retirees:edit"):
        assert client.get(reverse(name, args=[retiree_b.pk])).status_code == 404
    response = client.post(reverse("retirees:edit", args=[retiree_b.pk]), retiree_post(secretary_a.branch))
    assert response.status_code == 404
    retiree_b.refresh_from_db()
    assert retiree_b.name == "单立新"


def test_detail_shows_household_contacts(login, office, retiree_a):
    response = login(office).get(reverse("retirees:detail", args=[retiree_a.pk]))
    assert "曾小红" in response.content.decode()


def test_deceased_with_date_is_saved_as_a_state(login, office, retiree_a):
    data = retiree_post(
        retiree_a.branch, name="曾宪梅", status="deceased", deceased_on="2025-03-01", **{"contacts-TOTAL_FORMS": "0"}
    )
    login(office).post(reverse("retirees:edit", args=[retiree_a.pk]), data)
    retiree_a.refresh_from_db()
    assert (retiree_a.status, retiree_a.deceased_on) == ("deceased", datetime.date(2025, 3, 1))


VALID_ID = "11010519491231002X"
OTHER_ID = "110105195001010012"


def test_edit_form_shows_the_id_number_masked_and_keeps_it_when_untouched(login, secretary_a, retiree_a):
    Retiree.objects.filter(pk=retiree_a.pk).update(id_number=VALID_ID)
    retiree_a.refresh_from_db()
    client = login(secretary_a)
    url = reverse("retirees:edit", args=[retiree_a.pk])
    page = client.get(url).content.decode()
    assert VALID_ID not in page and "1101**********002X" in page
    response = client.post(url, edit_post(retiree_a, id_number="1101**********002X"))
    assert response.status_code == 302
    retiree_a.refresh_from_db()
    assert retiree_a.id_number == VALID_ID
    # A new number typed in replaces it; a cleared field removes it.
    assert client.post(url, edit_post(retiree_a, id_number=OTHER_ID)).status_code == 302
    retiree_a.refresh_from_db()
    assert retiree_a.id_number == OTHER_ID
    assert client.post(url, edit_post(retiree_a, id_number="")).status_code == 302
    retiree_a.refresh_from_db()
    assert retiree_a.id_number is None
