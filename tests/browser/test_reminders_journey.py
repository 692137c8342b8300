import pytest

from reminders import services
from reminders.models import Notification
from reminders.tests.conftest import MONDAY_0900
from tests.browser.conftest import log_in
from tests.factories import make_retiree

pytestmark = pytest.mark.browser


def test_bell_shows_a_new_reminder_after_a_tick_and_opening_marks_it_read(phone_page, secretary_a):
    page = phone_page
    make_retiree(secretary_a.branch, "王从未", phone="13500001111")
    log_in(page, secretary_a)
    page.wait_for_selector("#bell i.bi-bell-fill")
    assert page.locator("#bell [data-unread]").count() == 0

    services.reminder_tick(now=MONDAY_0900)
    page.reload()
    badge = page.locator("#bell [data-unread]")
    badge.wait_for()
    assert badge.inner_text() == "1"

    page.click("#bell")
    page.click(".list-group-item:has-text('联络提醒')")
    assert page.locator("text=王从未").first.is_visible()
    assert Notification.objects.get(recipient=secretary_a).read_at is not None
    page.goto("/")
    page.wait_for_selector("#bell i.bi-bell-fill")
    assert page.locator("#bell [data-unread]").count() == 0
