"""The retiree's own page: the three choices, notices, safety headers, and what the office sees."""

import pytest
from django.urls import reverse

from assistance.models import AssistanceRequest
from audit.models import AuditEvent
from checkins.models import CallbackRequest, ContactLog
from notices import services as notice_services
from notices.models import NoticeDelivery
from reminders.models import Notification, Reminder
from selfservice import services


@pytest.fixture
def token(office, retiree_a):
    return services.link_token(services.link_issue(user=office, retiree=retiree_a))


def _url(name, token, *args):
    return reverse(f"selfservice:{name}", args=[token, *args])


def test_page_shows_the_salutation_and_three_choices_and_nothing_personal(client, token, retiree_a):
    response = client.get(_url("page", token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "曾老师" in html
    for words in ("我很好", "我需要帮助", "请给我回电话"):
        assert words in html
    assert retiree_a.name not in html  # no full name
    assert retiree_a.phone not in html
    assert "曾小红" not in html and "13911112222" not in html  # nor the household
    assert "<script" not in html


def test_page_has_its_own_strict_csp_no_store_and_keeps_its_address_to_itself(client, token):
    response = client.get(_url("page", token))
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_a_wrong_or_revoked_link_gets_the_same_kind_404(client, office, token):
    assert client.get(_url("page", "x" * 43)).status_code == 404
    services.link_revoke(user=office, link=services.link_find(token))
    response = client.get(_url("page", token))
    assert response.status_code == 404
    assert "此链接已失效" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_i_am_well_is_a_self_checkin_that_reached_the_retiree(client, token, retiree_a):
    response = client.post(_url("checkin", token))
    assert response.status_code == 302 and response["Location"].endswith("?done=ok")
    contact = ContactLog.objects.get(retiree=retiree_a)
    assert (contact.channel, contact.reached, contact.contacted_by) == ("self_checkin", "retiree", None)
    assert "谢谢" in client.get(response["Location"]).content.decode()
    uses = AuditEvent.objects.filter(action=AuditEvent.Action.LINK_USE, retiree=retiree_a)
    assert set(event.detail["what"] for event in uses) == {"checkin", "open"}


def test_help_request_opens_a_request_and_alerts_once_without_details_in_the_chat(
    client, token, retiree_a, secretary_a, office, branch_a
):
    type(branch_a).objects.filter(pk=branch_a.pk).update(
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    )
    response = client.post(_url("help", token), {"kind": "medicine", "details": "降压药吃完了"})
    assert response.status_code == 302 and response["Location"].endswith("?done=help")
    request = AssistanceRequest.objects.get(retiree=retiree_a)
    assert (request.kind, request.details, request.from_retiree, request.created_by) == (
        "medicine",
        "降压药吃完了",
        True,
        None,
    )
    alerts = Reminder.objects.filter(kind="alert", episode=f"help:{request.pk}")
    assert set(alerts.values_list("recipient__username", flat=True)) == {"sec_a", "office"}
    assert Notification.objects.filter(recipient=secretary_a).exists()
    assert all("通过随时求助请求帮助" in alert.subject for alert in alerts)
    assert all("代取药品" in alert.text and "降压药" not in alert.subject for alert in alerts)
    chat = Reminder.objects.get(kind="alert_chat", episode=f"help:{request.pk}")
    assert "降压药" not in chat.text and "取药" not in chat.text and "medicine" not in chat.text
    # Sent again (a retried task, a second receiver): still one alert each.
    from reminders import services as reminder_services
    from reminders.digests import AlertCause

    reminder_services.alert_raise(retiree=retiree_a, episode=f"help:{request.pk}", cause=AlertCause.HELP)
    assert Reminder.objects.filter(episode=f"help:{request.pk}").count() == 3
    # The page says where the request stands.
    assert "正在安排" in client.get(_url("page", token)).content.decode()


def test_help_request_with_an_unknown_kind_is_refused_in_chinese(client, token, retiree_a):
    response = client.post(_url("help", token), {"kind": "spaceship"})
    assert response.status_code == 400
    assert "请选择" in response.content.decode()
    assert not AssistanceRequest.objects.exists()


def test_the_page_says_when_somebody_has_taken_the_request(client, token, retiree_a, office):
    client.post(_url("help", token), {"kind": "parcel"})
    from assistance import services as assistance_services

    assistance_services.assistance_request_assign(user=office, request=AssistanceRequest.objects.get(), assignee=office)
    assert "已有人负责" in client.get(_url("page", token)).content.decode()


def test_call_back_request_stays_open_until_somebody_reaches_the_retiree(client, token, retiree_a, secretary_a):
    client.post(_url("callback", token))
    client.post(_url("callback", token))  # asking twice keeps one request
    assert CallbackRequest.objects.open().filter(retiree=retiree_a).count() == 1
    assert "我们会给您回电话" in client.get(_url("page", token)).content.decode()
    from checkins import services as checkin_services

    checkin_services.contact_log(user=secretary_a, retiree=retiree_a, reached="nobody")
    assert CallbackRequest.objects.open().filter(retiree=retiree_a).exists()  # no answer: still waiting
    contact = checkin_services.contact_log(user=secretary_a, retiree=retiree_a)
    callback = CallbackRequest.objects.get(retiree=retiree_a)
    assert callback.answered_by == contact and callback.answered_at is not None


def test_i_have_read_it_marks_the_same_delivery_row(client, token, retiree_a, retiree_b, office):
    notice = notice_services.notice_publish(
        user=office, title="致全体离退休老同志的一封信", body="天气转凉，注意保暖。"
    )
    mine = NoticeDelivery.objects.get(notice=notice, retiree=retiree_a)
    theirs = NoticeDelivery.objects.get(notice=notice, retiree=retiree_b)
    page = client.get(_url("page", token)).content.decode()
    assert notice.title in page
    assert "天气转凉" in client.get(_url("notice", token, mine.pk)).content.decode()
    assert client.get(_url("notice", token, theirs.pk)).status_code == 404  # nobody else's
    assert client.post(_url("notice_read", token, theirs.pk)).status_code == 404
    client.post(_url("notice_read", token, mine.pk))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.acknowledged_at is not None and mine.method == "own_page"
    assert theirs.acknowledged_at is None


def test_posts_are_rate_limited_per_link(settings, client, token, retiree_a):
    settings.OUTREACH_LINK_POSTS_PER_HOUR = 2
    for _ in range(2):
        client.post(_url("checkin", token))
    response = client.post(_url("checkin", token))
    assert response["Location"].endswith("?done=busy")
    assert ContactLog.objects.filter(retiree=retiree_a).count() == 2
    assert "请稍后再试" in client.get(response["Location"]).content.decode()


def test_get_does_not_check_in(client, token, retiree_a):
    assert client.get(_url("checkin", token)).status_code == 405
    assert not ContactLog.objects.exists()


# --- The office's pages ---------------------------------------------------------------------------


def test_office_sees_last_use_and_can_reissue_and_revoke(login, office, token, retiree_a, branch_a, client):
    client.post(_url("checkin", token))
    office_client = login(office)
    page = office_client.get(reverse("selfservice:link_list") + f"?branch={branch_a.pk}").content.decode()
    assert retiree_a.name in page and "重新生成" in page
    office_client.post(reverse("selfservice:link_issue", args=[retiree_a.pk]))
    assert services.link_find(token) is None


def test_branch_workers_cannot_reach_the_link_pages(login, secretary_a, branch_a, retiree_a, office):
    link = services.link_issue(user=office, retiree=retiree_a)
    worker = login(secretary_a)
    assert worker.get(reverse("selfservice:link_list")).status_code == 403
    assert worker.get(reverse("selfservice:link_print") + f"?branch={branch_a.pk}").status_code == 403
    assert worker.post(reverse("selfservice:link_revoke", args=[link.pk])).status_code == 403
    assert worker.post(reverse("selfservice:link_issue", args=[retiree_a.pk])).status_code == 403


def test_print_sheet_has_a_qr_code_of_each_link(login, office, token, branch_a, retiree_a):
    from selfservice.views import qr_svg

    html = login(office).get(reverse("selfservice:link_print") + f"?branch={branch_a.pk}").content.decode()
    url = services.link_url(services.link_find(token))
    assert f'data-qr-url="{url}"' in html
    assert qr_svg(url) in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_EXPORT, detail__what="print:cards").exists()


def test_csv_download_lists_the_links_and_is_audited(login, office, token, branch_a, retiree_a):
    response = login(office).get(reverse("selfservice:link_list") + f"?branch={branch_a.pk}&export=csv")
    body = b"".join(response.streaming_content).decode()
    assert retiree_a.name in body and services.link_url(services.link_find(token)) in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_EXPORT, detail__what="csv").exists()


def test_issue_missing_issues_a_link_to_those_without(login, office, branch_a, retiree_a):
    from tests.factories import make_retiree

    make_retiree(branch_a, "王建华")
    login(office).post(reverse("selfservice:links_issue_missing"), {"branch": branch_a.pk})
    from selfservice.models import RetireeLink

    assert RetireeLink.objects.live().filter(retiree__branch=branch_a).count() == 2


def test_the_link_list_costs_the_same_queries_for_one_retiree_or_many(
    login, office, branch_a, retiree_a, django_assert_num_queries
):
    from tests.factories import make_retiree

    client = login(office)
    url = reverse("selfservice:link_list") + f"?branch={branch_a.pk}"
    client.get(url)  # warm the session
    for number in range(5):
        services.link_issue(user=office, retiree=make_retiree(branch_a, f"王{number}"))
    # 1 session, 2 user, 3 the chosen branch, 4 the retirees with their link (subqueries),
    # 5 the branches to choose from
    with django_assert_num_queries(5):
        client.get(url)


def test_asking_for_help_works_with_redis_down(
    monkeypatch, django_capture_on_commit_callbacks, client, token, retiree_a
):
    """The broker is touched only after commit, and a dead one fails nothing: the alert waits for the tick."""
    from outreach.celery import app
    from reminders.models import Delivery

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    reset()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("help", token), {"kind": "company"})
    finally:
        monkeypatch.undo()
        reset()
    assert response.status_code == 302 and response["Location"].endswith("?done=help")
    assert AssistanceRequest.objects.filter(retiree=retiree_a, kind="company").exists()
    assert Delivery.objects.filter(status="pending").exists()  # sent by the next tick
