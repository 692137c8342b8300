"""Everything people receive — email subject, text and HTML, the in-app notification, the group-chat
post — is in the recipient's language: rendered in Chinese, not one English word slips through."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils.html import strip_tags

from assistance.services import assistance_request_create
from care.services import care_plan_save
from checkins.services import round_create
from reminders import services
from reminders.models import Delivery, Notification, Reminder
from reminders.tests.conftest import MONDAY_0900
from tests.factories import make_retiree

# Words of three or more ASCII letters, after URLs and markup are removed.
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
URL = re.compile(r"https?://\S+?(?=[)\s]|$)")
ALLOWED = {"WeCom", "PDF", "Excel"}  # brand and file-format names that stay as they are


def english_words(text: str) -> set[str]:
    text = URL.sub(" ", strip_tags(text))
    return set(ENGLISH_WORD.findall(text)) - ALLOWED


def test_the_word_check_catches_what_the_issue_saw():
    assert english_words("**离退休第一党支部 check-in reminder 11月29日**") == {"check", "reminder"}
    assert not english_words('<a href="https://x.example/a">打开</a> [名单](http://127.0.0.1:8000/)')


@pytest.fixture
def busy_day(reminded_branch, secretary_a, committee_a, office, webhook_server):
    """A branch with something in every section of its digest, and a group chat."""
    for user, surname in ((secretary_a, "孙"), (committee_a, "周")):
        user.last_name, user.first_name = surname, "书记"
        user.save()
    office.email = "office@example.org"
    office.last_name, office.first_name = "吴", "老师"  # alerts greet their reader by name
    office.save()
    reminded_branch.webhook_url = webhook_server.url
    reminded_branch.save()
    day = MONDAY_0900.date()
    with time_machine.travel(MONDAY_0900 - datetime.timedelta(days=1), tick=False):
        round_create(user=office, title="十一月摸排", starts_on=day - datetime.timedelta(days=5), ends_on=day)
        cared = make_retiree(reminded_branch, "赵照护", category="lixiu")
        care_plan_save(user=office, retiree=cared, responsible=secretary_a, review_on=day)
        assistance_request_create(user=office, retiree=cared, kind="medicine", needed_by=day)
    make_retiree(reminded_branch, "钱今日")
    return reminded_branch


def _raise_every_alert(branch, secretary, office):
    """One alert of each cause: an urgent contact, a run of failures to the top of the ladder, and
    a retiree come under attention (sent as checkins sends it)."""
    from django.db import transaction
    from django.utils.translation import gettext_lazy

    from checkins.signals import attention_entered
    from tests.factories import log_at

    log_at(MONDAY_0900, user=secretary, retiree=make_retiree(branch, "孙紧急"), outcome="urgent", needs="头晕")
    failing = make_retiree(branch, "李失联", consent_given=False)
    for hours in (4, 3, 2, 1):
        log_at(MONDAY_0900 - datetime.timedelta(hours=hours), user=secretary, retiree=failing, reached="nobody")
    with time_machine.travel(MONDAY_0900, tick=False), transaction.atomic():
        attention_entered.send(
            sender=None, retiree=make_retiree(branch, "周关注"), episode="exposure:1", reason=gettext_lazy("Needs help")
        )


def test_every_kind_of_message_reads_in_chinese(busy_day, secretary_a, office, webhook_server):
    _raise_every_alert(busy_day, secretary_a, office)
    with time_machine.travel(MONDAY_0900, tick=False):
        services.reminder_tick(now=MONDAY_0900)
        services.weekly_report_tick(now=MONDAY_0900)  # the office's weekly report
        for delivery in Delivery.objects.filter(status="pending"):
            services.delivery_send(delivery_id=delivery.pk, now=MONDAY_0900)
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert kinds == set(Reminder.Kind.values)
    assert set(Reminder.objects.filter(kind="alert").values_list("episode", flat=True).distinct()) >= {"exposure:1"}
    assert Reminder.objects.filter(kind="alert").values("episode").distinct().count() == 3

    received = {}
    for number, message in enumerate(mail.outbox):
        received[f"email {number} subject to {message.to[0]}"] = message.subject
        received[f"email {number} text to {message.to[0]}"] = message.body
        received[f"email {number} HTML to {message.to[0]}"] = message.alternatives[0][0]
    for notification in Notification.objects.select_related("recipient"):
        received[f"notification {notification.pk} title for {notification.recipient}"] = notification.title
        received[f"notification {notification.pk} body for {notification.recipient}"] = notification.body
    for number, payload in enumerate(webhook_server.received):
        received[f"group chat post {number}"] = payload["markdown"]["content"]
    assert len(webhook_server.received) == 4 and len(mail.outbox) >= 3 + 3 * 2

    english = {where: words for where, text in received.items() if (words := english_words(text))}
    assert english == {}, english
    # The sections were really rendered (an empty message would pass the check trivially).
    chats = [payload["markdown"]["content"] for payload in webhook_server.received]
    assert any("联络提醒" in chat and "十一月摸排" in chat for chat in chats)
    assert sum("请今天联系" in chat for chat in chats) == 3
    subjects = {message.subject for message in mail.outbox}
    assert {"紧急：孙紧急（第一党支部）需要立即帮助", "需要关注：周关注（第一党支部）"} <= subjects
    assert "联系不上：李失联（第一党支部），请离退休工作处处理" in subjects
    office_daily = next(m for m in mail.outbox if m.to == ["office@example.org"] and "逾期" in m.subject)
    assert "李失联" in office_daily.body.split("无法联系")[1]  # the unreachable section
