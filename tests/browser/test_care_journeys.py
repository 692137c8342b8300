import datetime

import pytest
from django.utils import timezone

from assistance.models import AssistanceRequest
from conftest import make_retiree
from tests.browser.conftest import log_in
from volunteers.models import PatrolShift, Volunteer

pytestmark = pytest.mark.browser


def test_a_call_reveals_a_medicine_need_that_a_volunteer_fetches(
    phone_page, browser_page, secretary_a, office, retiree_a
):
    volunteer = Volunteer.objects.create(
        retiree=make_retiree(retiree_a.branch, "热心人", residence_area="east"), area="east", skills="跑腿"
    )

    # The secretary, on a phone, logs a call that reveals a need.
    page = phone_page
    log_in(page, secretary_a)
    page.goto(f"/checkins/retirees/{retiree_a.pk}/log/")
    page.check("input[name=outcome][value=needs_help]")
    page.fill("[name=needs]", "降压药吃完了，需要代取")
    page.locator(".contact-form button[type=submit]").first.click()
    page.wait_for_url(f"**/retirees/{retiree_a.pk}/")

    # One step from the contact on the timeline to an open request.
    page.locator("[data-request-from-contact]").first.click()
    page.check("input[name=kind][value=medicine]")
    page.click("[data-save]")
    page.locator("[data-status=open]").wait_for()
    request = AssistanceRequest.objects.get()
    assert (request.kind, request.contact.needs, request.created_by) == (
        "medicine",
        "降压药吃完了，需要代取",
        secretary_a,
    )

    # Office staff assign it to a volunteer.
    desk = browser_page
    log_in(desk, office)
    desk.goto(request.get_absolute_url())
    desk.select_option("[data-assign-form] select[name=volunteer]", str(volunteer.pk))
    desk.locator("[data-assign-form] button[type=submit]").click()
    desk.locator("[data-status=assigned]").wait_for()
    assert volunteer.retiree.name in desk.locator("[data-assignee]").inner_text()

    # The secretary marks it done, with what was done.
    page.goto(request.get_absolute_url())
    page.fill("[data-complete-form] textarea[name=outcome]", "志愿者已送药上门")
    page.locator("[data-complete-form] button[type=submit]").click()
    page.locator("[data-status=done]").wait_for()
    request.refresh_from_db()
    assert (request.status, request.outcome, request.closed_by) == ("done", "志愿者已送药上门", secretary_a)


def test_the_weekly_roster_prints(browser_page, office, branch_a):
    today = timezone.localdate()
    volunteer = Volunteer.objects.create(retiree=make_retiree(branch_a, "巡逻员"), area="both")
    filled = PatrolShift.objects.create(
        area="east",
        date=today,
        starts_at=datetime.time(8),
        ends_at=datetime.time(10),
        volunteers_needed=1,
        created_by=office,
    )
    filled.assignments.create(volunteer=volunteer, assigned_by=office)
    PatrolShift.objects.create(
        area="north", date=today, starts_at=datetime.time(19), ends_at=datetime.time(21), created_by=office
    )
    page = browser_page
    log_in(page, office)
    page.goto("/care/roster/")
    assert page.locator("[data-unfilled-shift]").count() == 1
    assert page.locator(".roster-footer").is_hidden()
    assert page.locator("nav.navbar").is_visible()

    page.emulate_media(media="print")
    assert page.locator(".roster-footer").is_visible()  # the printable layout
    assert page.locator("nav.navbar").is_hidden()
    assert page.locator("[data-print]").is_hidden()
    assert page.locator("[data-roster=east]").is_visible() and page.locator("[data-roster=north]").is_visible()
    assert volunteer.retiree.name in page.locator("[data-roster=east]").inner_text()
    assert len(page.pdf(format="A4", landscape=True)) > 1000  # Chromium prints it
