"""Meetings invite branches, residence areas and representatives chosen by name; secretaries call their branch's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conftest import make_retiree
from core.addressing import EVERYBODY, Audience
from meetings import services
from meetings.models import Invitation, Meeting

CREATE = reverse("meetings:meeting_create")


@pytest.fixture
def people(branch_a, branch_b):
    return {
        "a_east": make_retiree(branch_a, "甲东", residence_area="east"),
        "a_off": make_retiree(branch_a, "甲外", residence_area="off_campus"),
        "b_east": make_retiree(branch_b, "乙东", residence_area="east"),
        "b_off": make_retiree(branch_b, "乙外", residence_area="off_campus"),
    }


def _call(user, audience, title="老同志代表座谈会"):
    return services.meeting_create(
        user=user, title=title, kind="forum", mode="online", starts_at=timezone.now(), audience=audience
    )


def _invited(meeting):
    return sorted(meeting.invitations.values_list("retiree__name", flat=True))


def test_representatives_chosen_by_name_join_a_branch_each_invited_once(office, branch_a, people):
    meeting = _call(office, Audience.chosen(branches=[branch_a], retirees=[people["a_east"], people["b_off"]]))
    assert _invited(meeting) == sorted(["甲东", "甲外", "乙外"])
    assert Invitation.objects.filter(meeting=meeting, retiree=people["a_east"]).count() == 1


def test_a_meeting_of_representatives_only_invites_only_them(office, people):
    meeting = _call(office, Audience.chosen(retirees=[people["a_off"], people["b_east"]]))
    assert _invited(meeting) == sorted(["甲外", "乙东"])


def test_a_branch_with_a_representative_sees_the_meeting_and_only_its_own_invitation(
    login, office, secretary_a, secretary_b, people
):
    meeting = _call(office, Audience.chosen(retirees=[people["b_east"]]))
    html = login(secretary_b).get(meeting.get_absolute_url()).content.decode()
    assert "乙东" in html and "按姓名选定 1 人" in html
    assert login(secretary_a).get(meeting.get_absolute_url()).status_code == 404


def test_a_secretary_calls_their_area_residents_and_reaches_their_own_branch_only(
    login, office, secretary_a, secretary_b, people
):
    meeting = _call(secretary_a, Audience.chosen(areas=["east"]), title="东家属区支部会")
    # Branch B has an East resident too, but a secretary's meeting stays within their branch.
    assert _invited(meeting) == ["甲东"]
    assert meeting.within_branch_id == secretary_a.branch_id
    assert login(secretary_b).get(meeting.get_absolute_url()).status_code == 404
    assert "东家属区支部会" not in login(secretary_b).get(reverse("meetings:meeting_list")).content.decode()
    assert login(office).get(meeting.get_absolute_url()).status_code == 200


def test_everybody_for_a_secretary_means_everybody_in_their_branch(secretary_a, people):
    meeting = _call(secretary_a, EVERYBODY)
    assert _invited(meeting) == sorted(["甲东", "甲外"])


def test_a_secretary_cannot_name_another_branch_or_its_retirees(secretary_a, branch_b, people):
    with pytest.raises(PermissionDenied):
        _call(secretary_a, Audience.chosen(retirees=[people["b_east"]]))
    with pytest.raises(PermissionDenied):
        _call(secretary_a, Audience.chosen(branches=[branch_b]))
    assert not Meeting.objects.exists()


def test_a_committee_member_does_not_call_meetings(login, committee_a, people):
    assert login(committee_a).get(CREATE).status_code == 403
    with pytest.raises(PermissionDenied):
        _call(committee_a, EVERYBODY)
    assert "新建会议活动" not in login(committee_a).get(reverse("meetings:meeting_list")).content.decode()


def test_the_secretarys_form_offers_their_branch_and_picks_only_their_retirees(login, secretary_a, branch_b, people):
    client = login(secretary_a)
    html = client.get(CREATE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "本支部全体" in html and "东家属区" in html and branch_b.name not in html
    assert "甲东" not in html  # the picker lists nobody until a name is typed
    data = {"title": "支部会", "kind": "forum", "mode": "online", "starts_at": "2026-06-01T09:00"}
    response = client.post(CREATE, {**data, "retirees": [people["b_east"].pk]})
    assert response.status_code == 200 and not Meeting.objects.exists()  # not a choice they have
    response = client.post(CREATE, {**data, "retirees": [people["a_off"].pk]})
    assert response.status_code == 302
    assert _invited(Meeting.objects.get()) == ["甲外"]


def test_the_form_keeps_the_chosen_people_ticked_when_it_comes_back_with_an_error(login, office, people):
    response = login(office).post(
        CREATE, {"kind": "forum", "mode": "online", "starts_at": "2026-06-01T09:00", "retirees": [people["b_east"].pk]}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()  # no title
    assert f'value="{people["b_east"].pk}" id="id_retirees_{people["b_east"].pk}" checked' in html
    assert "乙东" in html and "甲东" not in html  # only the chosen, never the whole registry


def test_the_office_form_invites_a_branch_an_area_and_representatives(login, office, branch_b, people):
    response = login(office).post(
        CREATE,
        {
            "title": "线上座谈会",
            "kind": "forum",
            "mode": "online",
            "starts_at": "2026-06-01T09:00",
            "branches": [branch_b.pk],
            "areas": ["east"],
            "retirees": [people["a_off"].pk],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert _invited(meeting) == sorted(["甲东", "甲外", "乙东", "乙外"])
    html = login(office).get(meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发送对象" in html and "东家属区" in html and "按姓名选定 1 人" in html


def test_the_meeting_list_costs_the_same_queries_for_one_meeting_or_many(
    login, office, branch_a, people, django_assert_num_queries
):
    _call(office, Audience.chosen(areas=["east"], retirees=[people["b_off"]]))
    client = login(office)
    client.get(reverse("meetings:meeting_list"))  # warm the session
    for _ in range(4):
        _call(office, Audience.chosen(branches=[branch_a], areas=["east"], retirees=[people["b_off"]]))
    # 1 session, 2 user, 3 count, 4 the page of meetings with their invitation counts (subqueries)
    with django_assert_num_queries(4):
        client.get(reverse("meetings:meeting_list"))
