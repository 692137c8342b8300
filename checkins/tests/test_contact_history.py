"""The retiree page shows the latest contacts; the whole history is a page of its own."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from checkins.models import ContactLog
from checkins.panels import TIMELINE_SHOWN
from checkins.views import CONTACT_HISTORY_PAGE_SIZE
from tests.factories import make_user


def log_contacts(retiree, count: int) -> list[ContactLog]:
    """`count` phone calls a day apart, the newest today, noted 第1次 (oldest) … 第N次 (newest)."""
    now = timezone.now()
    worker = make_user(f"caller{retiree.pk}", role=User.Role.OFFICE)
    return ContactLog.objects.bulk_create(
        ContactLog(
            retiree=retiree,
            contacted_by=worker,
            contacted_at=now - datetime.timedelta(days=count - number),
            contacted_on=timezone.localdate(now - datetime.timedelta(days=count - number)),
            notes=f"第{number}次",
        )
        for number in range(1, count + 1)
    )


def test_the_retiree_page_shows_the_latest_contacts_and_links_to_all(login, secretary_a, retiree_a):
    count = TIMELINE_SHOWN + 5
    log_contacts(retiree_a, count)
    page = login(secretary_a).get(retiree_a.get_absolute_url()).content.decode()
    assert page.count('class="timeline-item') == TIMELINE_SHOWN
    assert f"第{count}次" in page and f"第{count - TIMELINE_SHOWN + 1}次" in page
    assert f"第{count - TIMELINE_SHOWN}次" not in page
    assert reverse("checkins:contact_history", args=[retiree_a.pk]) in page
    assert "全部联系记录" in page


def test_no_link_when_every_contact_is_shown(login, secretary_a, retiree_a):
    log_contacts(retiree_a, TIMELINE_SHOWN)
    page = login(secretary_a).get(retiree_a.get_absolute_url()).content.decode()
    assert page.count('class="timeline-item') == TIMELINE_SHOWN
    assert "data-contact-history-link" not in page


def test_the_history_page_has_every_contact_newest_first_a_page_at_a_time(login, secretary_a, retiree_a):
    count = CONTACT_HISTORY_PAGE_SIZE + 3
    log_contacts(retiree_a, count)
    client = login(secretary_a)
    url = reverse("checkins:contact_history", args=[retiree_a.pk])
    first = client.get(url).content.decode()
    assert first.count('class="timeline-item') == CONTACT_HISTORY_PAGE_SIZE
    assert first.index(f"第{count}次") < first.index(f"第{count - 1}次")
    assert f"共 {count} 条" in first and "第 1 页，共 2 页" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="timeline-item') == 3
    assert "第1次" in second and "第3次" in second
    # A page that is not a number, or past the end, is still a page (no error).
    assert client.get(url, {"page": "abc"}).status_code == 200
    assert client.get(url, {"page": "99"}).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_RETIREE, retiree=retiree_a).count() == 4


def test_the_history_page_of_a_retiree_of_another_branch_is_a_404(login, secretary_b, retiree_a):
    log_contacts(retiree_a, 2)
    response = login(secretary_b).get(reverse("checkins:contact_history", args=[retiree_a.pk]))
    assert response.status_code == 404


def test_the_history_page_without_contacts(login, office, retiree_a):
    page = login(office).get(reverse("checkins:contact_history", args=[retiree_a.pk])).content.decode()
    assert "尚无联系记录" in page
