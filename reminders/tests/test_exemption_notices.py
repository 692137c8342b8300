"""The office hears of exemption requests awaiting a decision (its daily digest), and the requester
of the decision (an in-app notification written in the deciding transaction)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from checkins import services as checkins_services
from reminders import digests, services
from reminders.models import Notification
from tests.factories import at, make_user

DAY = datetime.date(2026, 12, 1)


def _request(user, retiree, **fields):
    return checkins_services.exemption_request(
        user=user, retiree=retiree, reason="in_hospital", starts_on=DAY, ends_on=DAY, **fields
    )


def test_the_office_digest_lists_the_requests_awaiting_approval(office_with_email, secretary_a, retiree_a, settings):
    _request(secretary_a, retiree_a)
    digest = digests.office_digest(user=office_with_email, today=DAY)
    assert digest.subject.endswith("，1 项豁免申请待审批")
    lines = digest.text.splitlines()
    start = lines.index("待审批的豁免申请: 1")  # after the unreachable (and those under attention)
    assert lines[start : start + 3] == [
        "待审批的豁免申请: 1",
        f"- 一支部  {retiree_a.name}  住院  2026-12-01 – 2026-12-01  申请人：{secretary_a}",
        f"去审批: {settings.OUTREACH_SITE_URL}/checkins/exemptions/",
    ]
    assert f"<li>一支部 · {retiree_a.name} · 住院 · 2026-12-01 – 2026-12-01 · 申请人：{secretary_a}</li>" in digest.html


def test_the_office_digest_says_none_when_nothing_waits(office_with_email):
    digest = digests.office_digest(user=office_with_email, today=DAY)
    assert "豁免申请待审批" not in digest.subject
    assert "待审批的豁免申请: 0" in digest.text


def test_the_daily_tick_carries_the_pending_requests_to_the_office(office_with_email, secretary_a, retiree_a):
    _request(secretary_a, retiree_a)
    services.reminder_tick(now=at(2026, 12, 1, 8, 5))
    notification = Notification.objects.get(recipient=office_with_email)
    assert "豁免申请待审批" in notification.title and retiree_a.name in notification.body


@time_machine.travel(at(2026, 11, 30, 10, 0), tick=False)
def test_the_requester_is_told_in_chinese(secretary_a, office, retiree_a, settings):
    exemption = _request(secretary_a, retiree_a)
    checkins_services.exemption_refuse(user=office, exemption=exemption, note="家属能接电话")
    notification = Notification.objects.get()
    assert notification.recipient == secretary_a
    assert notification.title == f"豁免申请未获批准：{retiree_a.name}"
    assert notification.body.splitlines() == [
        "住院，2026-12-01 至 2026-12-01",
        f"审批人：{office}，2026-11-30 10:00。",
        "审批意见：家属能接电话",
        f"{settings.OUTREACH_SITE_URL}{retiree_a.get_absolute_url()}",
    ]


def test_a_decision_refused_tells_nobody(office, retiree_a):
    exemption = _request(office, retiree_a)
    with pytest.raises(ValidationError):
        checkins_services.exemption_approve(user=office, exemption=exemption)  # their own request
    second_office = make_user("office_b", role=office.role)
    with pytest.raises(ValidationError):
        checkins_services.exemption_refuse(user=second_office, exemption=exemption, note="")  # no reason
    assert not Notification.objects.exists()
