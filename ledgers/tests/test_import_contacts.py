"""Household contacts (family, caregivers/保姆): one row each or numbered columns, matched to the
retiree by ID number or name and date of birth, imported again to no change."""

import datetime

import pytest

from ledgers.tests.importing import imported, problems, summary, upload, xlsx_file
from retirees.models import HouseholdContact, Retiree
from retirees.validators import id_number_check_digit
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db

ID = "11010819400503002" + id_number_check_digit("11010819400503002")


@pytest.fixture
def people(branch_a, branch_b):
    wang = make_retiree(branch_a, "王明", birth_date=datetime.date(1940, 5, 3), id_number=ID)
    li = make_retiree(branch_b, "李华", gender="female", birth_date=datetime.date(1944, 2, 1))
    make_retiree(branch_b, "李华", gender="female", birth_date=datetime.date(1950, 8, 8))  # a namesake
    return {"wang": wang, "li": li}


def contacts_of(retiree):
    return sorted(
        retiree.household_contacts.values_list("name", "relation", "phone", "lives_with_retiree", "is_primary", "notes")
    )


def test_one_row_per_contact_imports_and_imports_again_to_no_change(login, office, people):
    rows = [
        ["老同志家属联系方式"],
        ["姓名", "身份证号", "出生日期", "联系人", "与老人关系", "联系电话", "是否同住", "首选联系人", "备注"],
        ["王明", ID, None, "王小红", "女儿", "139 1111 2222", "否", "是", "周末探望"],
        ["王明", ID, None, "刘阿姨", "保姆", "13722223333", "是", "否", None],
        ["李华", None, "1944-02-01", "张强", "老伴", "010-62751234", "√", None, None],
    ]
    client = login(office)
    done = imported(client, xlsx_file(rows), "contacts")
    assert done.summary == {"create": 3, "update": 0, "unchanged": 0}
    assert contacts_of(people["wang"]) == [
        ("刘阿姨", "caregiver", "13722223333", True, False, ""),
        ("王小红", "child", "13911112222", False, True, "周末探望"),
    ]
    assert contacts_of(people["li"]) == [("张强", "spouse", "01062751234", True, False, "")]
    history = HouseholdContact.history.count()
    again = upload(client, xlsx_file(rows), "contacts")
    assert summary(again) == {"create": 0, "update": 0, "unchanged": 3}
    assert HouseholdContact.history.count() == history


def test_numbered_columns_give_several_contacts_in_one_row(login, office, people):
    rows = [
        ["姓名", "出生日期", "联系人1", "联系人1关系", "联系人1电话", "第二联系人", "第二联系人关系", "第二联系人电话"],
        ["王明", "1940-05-03", "王小红", "女儿", "13911112222", "王小军", "儿子", "13911113333"],
        ["李华", "1944/2/1", "张强", "配偶", "13911114444", None, None, None],
    ]
    done = imported(login(office), xlsx_file(rows), "contacts")
    assert done.summary["create"] == 3
    assert [name for name, *_rest in contacts_of(people["wang"])] == ["王小军", "王小红"]


def test_a_contact_made_first_to_call_takes_the_place_of_the_previous_one(login, office, people):
    HouseholdContact.objects.create(
        retiree=people["wang"], name="王小红", relation="child", phone="13911112222", is_primary=True
    )
    rows = [
        ["姓名", "身份证号", "联系人", "关系", "电话", "首选联系人"],
        ["王明", ID, "王小军", "儿子", "13911113333", "是"],
    ]
    done = imported(login(office), xlsx_file(rows), "contacts")
    assert done.summary == {"create": 1, "update": 0, "unchanged": 0}
    primary = dict(people["wang"].household_contacts.values_list("name", "is_primary"))
    assert primary == {"王小红": False, "王小军": True}


def test_bad_contacts_are_listed_and_nothing_is_written(login, office, people):
    rows = [
        ["姓名", "出生日期", "联系人", "关系", "电话", "首选联系人"],
        ["王明", "1940-05-03", "王小红", "女儿", "12345", "是"],  # not a phone number (the model's validator)
        ["王明", "1940-05-03", "王小军", None, "13911113333", "是"],  # a new contact needs a relation
        ["王明", "1940-05-03", "王小兵", "儿子", "13911114444", "是"],  # a second first-to-call
        ["李华", None, "张强", "配偶", "13911114444", None],  # two 李华: which one?
        ["王明", "1940-05-04", "王小丽", "女儿", "13911115555", None],  # 王明 was born on the 3rd
    ]
    response = upload(login(office), xlsx_file(rows), "contacts")
    found = problems(response)
    assert (3, "关系", "此项必填。") in found
    assert (4, "首选联系人", "第 2 行已有此人的同一项内容。") in found
    assert (5, "姓名", "有多位老同志名叫“李华”：请填写身份证号或出生日期以便区分。") in found
    assert (6, "出生日期", "名叫“王明”的老同志中没有这个出生日期的。") in found
    assert not HouseholdContact.objects.exists()
    # Once the rest is right, the phone the model refuses is found by the check's rehearsal.
    response = upload(login(office), xlsx_file(rows[:2]), "contacts")
    assert [(row, column) for row, column, _message in problems(response)] == [(2, "电话")]
    assert not HouseholdContact.objects.exists()


def test_a_secretary_cannot_import(login, secretary_a):
    from django.urls import reverse

    assert login(secretary_a).get(reverse("ledgers:import")).status_code == 403
    assert Retiree.objects.count() == 0
