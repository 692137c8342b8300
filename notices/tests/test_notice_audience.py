"""Notices to residence areas as well as branches (core.addressing through notices.services.notice_publish)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_retiree
from core.addressing import Audience
from notices import services
from notices.models import Notice, NoticeDelivery

CREATE = reverse("notices:notice_create")


@pytest.fixture
def residents(branch_a, branch_b):
    """Retirees of two branches in the East and North family areas and off campus."""
    return {
        "a_east": make_retiree(branch_a, "甲东", residence_area="east"),
        "a_off": make_retiree(branch_a, "甲外", residence_area="off_campus"),
        "b_east": make_retiree(branch_b, "乙东", residence_area="east"),
        "b_north": make_retiree(branch_b, "乙北", residence_area="north"),
        "b_off": make_retiree(branch_b, "乙外", residence_area="off_campus"),
    }


def _publish(office, audience):
    return services.notice_publish(
        user=office, title="致家属区居民的一封信", body="请遵守校门管理规定。", audience=audience
    )


def _recipients(notice):
    return sorted(notice.deliveries.values_list("retiree__name", flat=True))


def test_a_branch_and_an_area_together_reach_each_retiree_once(office, branch_a, residents):
    notice = _publish(office, Audience.chosen(branches=[branch_a], areas=["east"]))
    # 甲东 is in branch A and lives in the East area: one delivery, not two.
    assert _recipients(notice) == sorted(["甲东", "甲外", "乙东"])
    assert NoticeDelivery.objects.filter(notice=notice, retiree=residents["a_east"]).count() == 1


def test_the_family_areas_reach_their_residents_of_every_branch(office, residents):
    notice = _publish(office, Audience.chosen(areas=["east", "north"]))
    assert _recipients(notice) == sorted(["甲东", "乙东", "乙北"])
    assert not notice.all_branches and notice.within_branch_id is None


def test_a_moved_retiree_in_the_area_gets_no_copy(office, residents):
    residents["b_east"].status = "moved"
    residents["b_east"].moved_on = residents["b_east"].birth_date.replace(year=2022)
    residents["b_east"].save()
    assert _recipients(_publish(office, Audience.chosen(areas=["east"]))) == ["甲东"]


def test_a_notice_to_an_area_is_seen_by_the_branches_that_have_residents_there(
    login, office, secretary_a, secretary_b, residents
):
    notice = _publish(office, Audience.chosen(areas=["north"]))  # only branch B has a North resident
    client_b = login(secretary_b)
    page = client_b.get(notice.get_absolute_url())
    assert page.status_code == 200
    assert "乙北" in page.content.decode() and "北家属区" in page.content.decode()
    assert notice.title in client_b.get(reverse("notices:notice_list")).content.decode()
    client_a = login(secretary_a)
    assert client_a.get(notice.get_absolute_url()).status_code == 404
    assert notice.title not in client_a.get(reverse("notices:notice_list")).content.decode()


def test_a_secretary_sees_only_their_own_branchs_copies_of_an_area_notice(login, office, secretary_a, residents):
    notice = _publish(office, Audience.chosen(areas=["east"]))
    html = login(secretary_a).get(notice.get_absolute_url()).content.decode()
    assert "甲东" in html and "乙东" not in html


def test_nobody_chosen_and_an_unknown_area_are_refused_and_nothing_saved(office, residents):
    with pytest.raises(ValidationError):
        _publish(office, Audience.chosen())
    with pytest.raises(ValidationError) as error:
        _publish(office, Audience.chosen(areas=["west"]))
    assert "areas" in error.value.error_dict
    assert not Notice.objects.exists() and not NoticeDelivery.objects.exists()


def test_a_notice_cannot_name_retirees_one_by_one(office, residents):
    with pytest.raises(ValueError):
        _publish(office, Audience.chosen(retirees=[residents["a_east"]]))


def test_the_form_offers_the_family_areas_in_the_seeds_words(login, office, residents):
    html = login(office).get(CREATE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发给谁" in html and "东家属区" in html and "北家属区" in html and "校外社区" in html
    assert "东区家属区" not in html
    assert 'name="retirees"' not in html  # notices are for branches and areas, not people by name


def test_the_form_publishes_to_the_chosen_areas(login, office, residents):
    response = login(office).post(CREATE, {"title": "一封信", "body": "正文", "areas": ["north"]})
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert _recipients(notice) == ["乙北"]
    assert list(notice.areas.values_list("code", flat=True)) == ["north"]


def test_all_branches_ticked_with_an_area_is_refused_in_chinese(login, office, residents):
    response = login(office).post(
        CREATE,
        {"title": "一封信", "body": "正文", "all_branches": "on", "areas": ["east"]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "请取消勾选“全部支部”" in response.content.decode()
    assert not Notice.objects.exists()


def test_nothing_ticked_is_refused_in_chinese(login, office, residents):
    response = login(office).post(CREATE, {"title": "一封信", "body": "正文"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请至少选择一个支部或居住区域，或选择全部支部。" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_notice_list_costs_the_same_queries_for_one_notice_or_many(
    login, office, branch_a, residents, django_assert_num_queries
):
    _publish(office, Audience.chosen(areas=["east"]))
    client = login(office)
    client.get(reverse("notices:notice_list"))  # warm the session
    for _ in range(4):
        _publish(office, Audience.chosen(branches=[branch_a], areas=["north", "east"]))
    # 1 session, 2 user, 3 count, 4 the page of notices with their delivery counts (subqueries)
    with django_assert_num_queries(4):
        client.get(reverse("notices:notice_list"))
