import datetime

import pytest
from django.utils import timezone

from assistance import services as assistance_services
from assistance.models import AssistanceRequest
from conftest import make_retiree
from ledgers.models import VaccinationDose
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
    page.check("input[name=reached][value=retiree]")
    page.check("input[name=outcome][value=needs_help]")
    page.fill("[name=needs]", "降压药吃完了，需要代取")
    page.locator(".contact-form button[type=submit]").first.click()

    # Saved, the page offers the request at once: one tap, the need and its kind filled in.
    page.locator("[data-open-request]").click()
    assert page.locator("input[name=kind][value=medicine]").is_checked()
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

    # The secretary marks it done, with what was delivered.
    page.goto(request.get_absolute_url())
    page.fill("[data-complete-form] input[name=brought]", "降压药两盒")
    page.fill("[data-complete-form] textarea[name=outcome]", "志愿者已送药上门")
    page.locator("[data-complete-form] button[type=submit]").click()
    page.locator("[data-status=done]").wait_for()
    request.refresh_from_db()
    assert (request.status, request.brought, request.outcome, request.closed_by) == (
        "done",
        "降压药两盒",
        "志愿者已送药上门",
        secretary_a,
    )
    assert page.locator("[data-brought]").inner_text() == "降压药两盒"


def test_a_home_vaccination_closes_with_the_dose_in_the_ledger(phone_page, secretary_a, office, retiree_a):
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=datetime.date(2021, 4, 1))
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=2, given_on=datetime.date(2021, 5, 3))
    request = assistance_services.assistance_request_create(user=office, retiree=retiree_a, kind="home_vaccination")
    page = phone_page
    log_in(page, secretary_a)
    page.goto(request.get_absolute_url())
    form = page.locator("[data-complete-form]")
    # The dose's fields and the reasons wait for the first answer.
    assert form.locator("select[name=dose_number]").is_hidden()
    assert form.locator("input[name=no_dose_reason]").first.is_hidden()
    form.locator("input[name=given][value=no]").check()
    assert form.locator("input[name=no_dose_reason]").first.is_visible()
    form.locator("input[name=given][value=yes]").check()
    assert form.locator("select[name=dose_number]").is_visible()
    assert form.locator("input[name=no_dose_reason]").first.is_hidden()
    assert form.locator("select[name=dose_number]").input_value() == "3"  # doses 1 and 2 are not offered
    form.locator("input[name=site]").fill("家中")
    form.locator("button[type=submit]").click()
    page.locator("[data-status=done]").wait_for()
    dose = VaccinationDose.objects.get(dose_number=3)
    assert (dose.arrangement, dose.site, dose.recorded_by) == ("home", "家中", secretary_a)
    page.locator("[data-dose] a").click()
    entry = page.locator(f"#dose-{dose.pk}")
    entry.wait_for()
    assert f"来自第 {request.pk} 号求助" in entry.inner_text()


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
