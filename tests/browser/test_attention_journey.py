"""The loop the product exists for (摸排 → 台账 → 精准服务), walked in a browser on a phone.

A call finds the retiree's community sealed → the form says it will record an exposure and put
her under attention → saved, the exposure event is in the ledger → she is under attention: daily
cadence, first on the call list with the reason → the next day she is due again → that day's call
finds the community normal → the exposure is lifted, attention ends, the normal cadence is back.
The secretary and office staff are alerted once, on day one, and the alert is on the secretary's
notifications page.
"""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from checkins.models import AttentionEpisode
from ledgers.models import ExposureEvent
from reminders.models import Notification, Reminder
from tests.browser.conftest import log_in
from tests.factories import at, log_at, make_retiree

pytestmark = pytest.mark.browser

DAY_ONE = at(2026, 5, 20, 9, 0)
DAY_TWO = at(2026, 5, 21, 9, 0)


def _log_community(page, retiree, status: str, *, expect_finding: str, expect_attention: bool):
    """From the call list, open the full contact form for `retiree`, answer the community question,
    check what the form says it will record, and save (back to the call list)."""
    row = page.locator(f"#call-row-{retiree.pk}")
    if row.evaluate("e => e.tagName == 'DETAILS' && !e.open"):
        row.locator("summary").tap()  # reached this cycle: the row is folded to one line
    row.locator("a[href*='/log/']").tap()
    page.wait_for_url(f"**/retirees/{retiree.pk}/log/**")
    # Nothing is preselected on the form: say whom the call reached and what came of it.
    page.locator("input[name=reached][value=retiree]").check()
    page.locator("input[name=outcome][value=all_well]").check()
    page.locator("details[data-section=health] > summary").tap()  # the health questions are folded
    page.select_option("select[name=community_status]", status)
    findings = page.locator("#contact-findings")
    expect(findings).to_contain_text(expect_finding)  # refreshed by htmx on the change
    expect(findings.locator("[data-findings-attention]")).to_have_count(1 if expect_attention else 0)
    page.locator("form.contact-form button[type=submit]").tap()
    page.wait_for_url("**/")
    expect(page.locator(".alert-success").first).to_be_visible()


def test_a_call_finds_a_sealed_community_and_the_next_days_call_lifts_it(phone_page, secretary_a, office, branch_a):
    page = phone_page
    with time_machine.travel(DAY_ONE, tick=True) as traveller:
        wang = make_retiree(branch_a, "王秀兰", birth_date=datetime.date(1955, 1, 1))
        log_at(at(2026, 5, 17), user=secretary_a, retiree=wang)  # reached 3 days ago: every 14 days
        never = make_retiree(branch_a, "赵从未", birth_date=datetime.date(1955, 1, 1))  # overdue: first today
        log_in(page, secretary_a)
        rows = page.locator(".call-row")
        assert rows.first.get_attribute("data-retiree") == str(never.pk)
        assert page.locator(f"#call-row-{wang.pk}").get_attribute("data-due-state") == "covered"

        # Day one: the call finds her community sealed.
        _log_community(page, wang, "sealed", expect_finding="涉疫情况：封控区，自 05-20 起", expect_attention=True)
        event = ExposureEvent.objects.get(retiree=wang)
        assert (event.kind, event.started_on, event.status) == ("sealed_community", DAY_ONE.date(), "ongoing")
        episode = AttentionEpisode.objects.get(retiree=wang)
        assert (episode.episode, episode.status) == (f"exposure:{event.pk}", "open")
        # Alerted at once, one alert each for the branch's secretary and the office, this episode.
        alerts = Reminder.objects.filter(kind=Reminder.Kind.ALERT, retiree=wang)
        assert sorted(alerts.values_list("recipient__username", "episode")) == [
            ("office", episode.episode),
            ("sec_a", episode.episode),
        ]
        assert Notification.objects.filter(reminder__in=alerts).count() == 2

        # Under attention: first on the call list, in its own section, with the reason.
        first = rows.first
        assert first.get_attribute("data-retiree") == str(wang.pk)
        assert first.get_attribute("data-attention") is not None
        expect(first.locator("[data-attention-why]")).to_have_text("涉疫情况：封控区 · 自 5月20日")
        expect(page.locator(".call-section").first).to_contain_text("重点关注")
        # Her page: called every day, and why.
        page.goto(f"/retirees/{wang.pk}/")
        expect(page.locator("[data-cadence-source=attention]")).to_contain_text("涉疫情况：封控区")
        expect(page.locator("#checkins dl")).to_contain_text("每 1 天")

        page.goto("/notifications/")
        expect(page.locator("main")).to_contain_text("王秀兰")

        # Day two: due again (daily), still first.
        traveller.move_to(DAY_TWO)
        log_in(page, secretary_a)  # a new day, a new session
        first = page.locator(".call-row").first
        assert first.get_attribute("data-retiree") == str(wang.pk)
        assert first.get_attribute("data-due-state") == "due"

        # The day's call finds the community normal again: it lifts the exposure.
        _log_community(
            page, wang, "normal", expect_finding="涉疫情况：封控区（05-20 起）于 05-21 解除", expect_attention=False
        )
        event.refresh_from_db()
        assert (event.status, event.ended_on) == ("lifted", DAY_TWO.date())
        episode.refresh_from_db()
        assert episode.status == "resolved"

        # Back to the normal cadence: off the top, reached this cycle, every 14 days.
        row = page.locator(f"#call-row-{wang.pk}")
        assert row.get_attribute("data-attention") is None
        assert row.get_attribute("data-due-state") == "covered"
        assert page.locator(".call-row").first.get_attribute("data-retiree") == str(never.pk)
        page.goto(f"/retirees/{wang.pk}/")
        expect(page.locator("[data-cadence-source=default]")).to_be_visible()
        expect(page.locator("#checkins dl")).to_contain_text("每 14 天")
        expect(page.locator("[data-attention-history]")).to_contain_text("已消除")
        # No second alert: the lift ends the episode, it does not start one.
        assert Reminder.objects.filter(kind=Reminder.Kind.ALERT, retiree=wang).count() == 2
