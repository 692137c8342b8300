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
ALLOWED = {"WeCom"}  # brand names that stay as they are


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


def test_every_kind_of_message_reads_in_chinese(busy_day, office, webhook_server):
    with time_machine.travel(MONDAY_0900, tick=False):
        services.reminder_tick(now=MONDAY_0900)
        for delivery in Delivery.objects.filter(status="pending"):
            services.delivery_send(delivery_id=delivery.pk, now=MONDAY_0900)
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert kinds == {"branch_digest", "office_daily", "branch_chat"}

    received = {}
    for message in mail.outbox:
        received[f"email subject to {message.to[0]}"] = message.subject
        received[f"email text to {message.to[0]}"] = message.body
        received[f"email HTML to {message.to[0]}"] = message.alternatives[0][0]
    for notification in Notification.objects.select_related("recipient"):
        received[f"notification title for {notification.recipient}"] = notification.title
        received[f"notification body for {notification.recipient}"] = notification.body
    for payload in webhook_server.received:
        received["group chat post"] = payload["markdown"]["content"]
    assert len(webhook_server.received) == 1 and len(mail.outbox) >= 3

    english = {where: words for where, text in received.items() if (words := english_words(text))}
    assert english == {}, english
    # The sections were really rendered (an empty digest would pass the check trivially).
    chat = received["group chat post"]
    assert "联络提醒" in chat and "十一月摸排" in chat
