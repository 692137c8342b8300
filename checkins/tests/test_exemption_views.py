"""The exemption pages: a secretary requests from the retiree's page, office staff decide on the
list of pending requests, the dashboard counts them, and bad input gets a Chinese message."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from checkins import services
from checkins.models import Exemption
from reminders.models import Notification
from tests.factories import at, make_retiree, make_user

NOW = at(2026, 3, 10, 9, 0)
TODAY = NOW.date()
LIST = reverse("checkins:exemption_list")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office_2(db):
    return make_user("office2", role=User.Role.OFFICE)


def form_data(**fields):
    return {
        "reason": "in_hospital",
        "round": "",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=10)).isoformat(),
        "note": "市第一医院",
        **fields,
    }


def request_for(user, retiree, **fields):
    return services.exemption_request(
        user=user, retiree=retiree, reason="travelling", starts_on=TODAY, ends_on=TODAY, **fields
    )


def page(response) -> str:
    return response.content.decode()


# --- Requesting -------------------------------------------------------------------------------------


def test_a_secretary_requests_from_the_retirees_page_and_sees_it_pending(login, secretary_a, retiree_a):
    client = login(secretary_a)
    detail = page(client.get(retiree_a.get_absolute_url()))
    assert "data-request-exemption" in detail and "申请豁免" in detail

    response = client.post(reverse("checkins:exemption_create", args=[retiree_a.pk]), form_data())
    assert response.status_code == 302 and response.url == retiree_a.get_absolute_url()
    exemption = Exemption.objects.get()
    assert (exemption.status, exemption.requested_by, exemption.note) == ("pending", secretary_a, "市第一医院")

    detail = page(client.get(retiree_a.get_absolute_url()))
    assert "经工作人员批准后才生效" in detail  # the success message
    assert 'data-exemption-status="pending"' in detail and "待审批" in detail
    assert "data-request-exemption" not in detail  # one request at a time
    assert reverse("checkins:exemption_decide", args=[exemption.pk]) not in detail  # secretaries do not decide


def test_a_committee_member_is_not_offered_the_request(login, committee_a, retiree_a):
    client = login(committee_a)
    assert "data-request-exemption" not in page(client.get(retiree_a.get_absolute_url()))
    assert client.get(reverse("checkins:exemption_create", args=[retiree_a.pk])).status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_on": (TODAY - datetime.timedelta(days=1)).isoformat()}, "结束日期不能早于开始日期"),
        ({"ends_on": (TODAY + datetime.timedelta(days=200)).isoformat()}, "一次豁免最长 183 天"),
        ({"ends_on": ""}, "请填写豁免的结束日期"),
        ({"round": "999999"}, "选择一个有效的选项"),  # a tampered id
        ({"reason": "asleep"}, "选择一个有效的选项"),
        ({"note": "长" * 201}, "200"),
        ({"starts_on": "9999-12-31"}, "请输入"),  # out of the form's date range
    ],
)
def test_bad_requests_are_refused_in_chinese_and_save_nothing(login, secretary_a, retiree_a, fields, message):
    response = login(secretary_a).post(reverse("checkins:exemption_create", args=[retiree_a.pk]), form_data(**fields))
    assert response.status_code == 200
    assert message in page(response)
    assert "未保存" in page(response)
    assert not Exemption.objects.exists()


def test_a_second_request_while_one_is_pending_is_refused(login, secretary_a, office, retiree_a):
    request_for(office, retiree_a)
    response = login(secretary_a).post(reverse("checkins:exemption_create", args=[retiree_a.pk]), form_data())
    assert response.status_code == 200
    assert "已有一项待审批的豁免申请" in page(response)
    assert Exemption.objects.count() == 1


def test_another_branchs_retiree_is_a_404(login, secretary_a, retiree_b):
    response = login(secretary_a).post(reverse("checkins:exemption_create", args=[retiree_b.pk]), form_data())
    assert response.status_code == 404
    assert not Exemption.objects.exists()


# --- Deciding ---------------------------------------------------------------------------------------


def test_office_approves_from_the_list_and_the_requester_is_told(login, secretary_a, office, retiree_a):
    exemption = request_for(secretary_a, retiree_a)
    client = login(office)
    listed = page(client.get(LIST))
    assert retiree_a.name in listed and f'data-decide="{exemption.pk}"' in listed

    response = client.post(
        reverse("checkins:exemption_decide", args=[exemption.pk]), {"decision": "approve", "note": "", "next": LIST}
    )
    assert response.status_code == 302 and response.url == LIST
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by) == ("approved", office)
    assert f"已批准 {retiree_a.name} 的豁免" in page(client.get(LIST))

    notification = Notification.objects.get(recipient=secretary_a)
    assert notification.title == f"豁免已批准：{retiree_a.name}"
    assert "审批人：" in notification.body and retiree_a.get_absolute_url() in notification.body
    # The secretary sees the decision on the retiree's page.
    assert 'data-exemption-status="approved"' in page(login(secretary_a).get(retiree_a.get_absolute_url()))


def test_a_refusal_without_a_reason_is_refused_and_with_one_the_requester_reads_it(
    login, secretary_a, office, retiree_a
):
    exemption = request_for(secretary_a, retiree_a)
    client = login(office)
    url = reverse("checkins:exemption_decide", args=[exemption.pk])
    response = client.post(url, {"decision": "refuse", "note": "  "})
    assert response.status_code == 200 and "请说明不批准的理由" in page(response)
    exemption.refresh_from_db()
    assert exemption.status == "pending"
    assert not Notification.objects.exists()

    response = client.post(url, {"decision": "refuse", "note": "家属每天都能接电话"})
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=secretary_a)
    assert notification.title == f"豁免申请未获批准：{retiree_a.name}"
    assert "家属每天都能接电话" in notification.body
    detail = page(login(secretary_a).get(retiree_a.get_absolute_url()))
    assert 'data-exemption-status="refused"' in detail and "家属每天都能接电话" in detail


def test_approving_twice_says_it_was_decided(login, secretary_a, office, office_2, retiree_a):
    exemption = request_for(secretary_a, retiree_a)
    url = reverse("checkins:exemption_decide", args=[exemption.pk])
    assert login(office).post(url, {"decision": "approve"}).status_code == 302
    response = login(office_2).post(url, {"decision": "refuse", "note": "晚了"})
    assert response.status_code == 200
    assert "这项申请已经审批过了" in page(response)
    assert 'data-exemption-status="approved"' in page(response)  # shown as it is now
    assert f'data-decide="{exemption.pk}"' not in page(response)
    assert Notification.objects.filter(recipient=secretary_a).count() == 1


def test_an_office_worker_cannot_approve_their_own_request(login, office, office_2, retiree_a):
    exemption = request_for(office, retiree_a)
    client = login(office)
    listed = page(client.get(LIST))
    assert "data-own-request" in listed and f'data-decide="{exemption.pk}"' not in listed
    response = client.post(reverse("checkins:exemption_decide", args=[exemption.pk]), {"decision": "approve"})
    assert response.status_code == 200 and "不能审批自己提出的申请" in page(response)
    assert f'data-decide="{exemption.pk}"' in page(login(office_2).get(LIST))  # a colleague's list offers it


@pytest.mark.parametrize("decision", ["", "yes", "approve\x00"])
def test_a_tampered_decision_gets_a_message(login, secretary_a, office, retiree_a, decision):
    exemption = request_for(secretary_a, retiree_a)
    response = login(office).post(reverse("checkins:exemption_decide", args=[exemption.pk]), {"decision": decision})
    assert response.status_code == 200 and "请按“批准”或“不批准”" in page(response)
    exemption.refresh_from_db()
    assert exemption.status == "pending"


def test_deciding_is_for_office_staff_in_scope(login, secretary_a, secretary_b, office, retiree_a):
    exemption = request_for(office, retiree_a)
    url = reverse("checkins:exemption_decide", args=[exemption.pk])
    assert login(secretary_a).post(url, {"decision": "approve"}).status_code == 403
    assert login(secretary_b).post(url, {"decision": "approve"}).status_code == 404
    assert login(office).post(reverse("checkins:exemption_decide", args=[10**9]), {}).status_code == 404
    exemption.refresh_from_db()
    assert exemption.status == "pending"


def test_ending_a_pending_request_is_refused_with_a_message(login, secretary_a, office, retiree_a):
    exemption = request_for(secretary_a, retiree_a)
    client = login(office)
    response = client.post(reverse("checkins:exemption_revoke", args=[exemption.pk]), follow=True)
    assert "只有已批准的豁免才能结束" in page(response)
    exemption.refresh_from_db()
    assert exemption.revoked_at is None


# --- Where the pending requests show --------------------------------------------------------------


def test_the_dashboard_counts_the_requests_awaiting_approval(
    login, secretary_a, secretary_b, office, retiree_a, retiree_b
):
    request_for(secretary_a, retiree_a)
    request_for(secretary_b, retiree_b)
    dashboard = reverse("checkins:dashboard")
    assert 'data-exemptions-pending="2"' in page(login(office).get(dashboard))
    assert 'data-exemptions-pending="1"' in page(login(secretary_a).get(dashboard))  # their branch only


def test_a_secretary_sees_their_branchs_requests_without_the_buttons(login, secretary_a, office, retiree_a, retiree_b):
    request_for(secretary_a, retiree_a)
    request_for(office, retiree_b)
    listed = page(login(secretary_a).get(LIST))
    assert retiree_a.name in listed and retiree_b.name not in listed
    assert "data-decide=" not in listed


def _list_queries(client, django_assert_num_queries):
    # the session, the user, the pending requests (with their retiree, branch, requester and
    # round), the requests decided lately (the same, and who decided)
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert response.status_code == 200
    return response


def test_the_list_query_count_does_not_grow_with_rows(login, office, office_2, branch_a, django_assert_num_queries):
    client = login(office)
    _list_queries(client, django_assert_num_queries)
    survey = services.round_create(user=office_2, title="全校摸排", starts_on=TODAY, ends_on=TODAY)
    for number in range(6):
        retiree = make_retiree(branch_a, f"丙{number}")
        exemption = request_for(office_2, retiree, checkin_round=survey if number % 2 else None)
        if number % 3 == 0:
            services.exemption_approve(user=office, exemption=exemption)
    response = _list_queries(client, django_assert_num_queries)
    assert len(response.context["pending"]) == 4 and len(response.context["decided"]) == 2
