import pytest
from playwright.sync_api import expect

from checkins.models import ContactLog
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _covered(page) -> int:
    page.goto("/checkins/dashboard/")
    return int(page.locator("[data-totals] [data-total=covered]").inner_text())


def test_secretary_logs_reached_all_well_in_one_tap_and_the_dashboard_moves(
    phone_page, secretary_a, retiree_a, retiree_b
):
    page = phone_page
    log_in(page, secretary_a)  # home is the call list
    assert _covered(page) == 0

    page.goto("/")
    row = page.locator(f"#call-row-{retiree_a.pk}")
    assert row.get_attribute("data-due-state") == "overdue"  # never reached
    assert row.locator(f"a[href='tel:{retiree_a.phone}']").is_visible()
    assert retiree_b.name not in page.content()

    row.locator("[data-quick-log=all_well]").tap()  # the one tap
    row = page.locator(f"#call-row-{retiree_a.pk}")
    row.locator("[data-just-logged=all_well]").wait_for()
    assert row.get_attribute("data-due-state") == "covered"
    assert page.url.endswith("/")  # htmx swapped the row in place: no page load

    log = ContactLog.objects.get()
    assert (log.retiree_id, log.contacted_by_id, log.outcome) == (retiree_a.pk, secretary_a.pk, "all_well")
    assert _covered(page) == 1


def test_office_sees_the_weekly_chart_drawn_from_local_assets(browser_page, office, retiree_a):
    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, office)  # home is the dashboard
    page.locator("#coverage-chart").wait_for()
    assert page.evaluate("() => typeof window.Chart") == "function"
    assert page.evaluate("() => window.Chart.getChart(document.getElementById('coverage-chart')) !== undefined")
    assert all(url.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]) for url in requests)


def test_secretary_verifies_a_round_in_two_taps_on_the_phone(phone_page, office, secretary_a, retiree_a):
    """摸排: "reached, all well", then "nothing has changed": the retiree counts as verified."""
    import datetime

    from checkins.models import RoundVerification
    from checkins.services import round_create
    from core.dates import local_today

    today = local_today()
    checkin_round = round_create(
        user=office,
        title="疫情摸排",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
        verify_vaccination=True,
    )
    page = phone_page
    log_in(page, secretary_a)
    row = page.locator(f"#call-row-{retiree_a.pk}")
    expect(row.locator("[data-round-pending]")).to_be_visible()  # the row says a round asks something
    row.locator(".call-more > summary").tap()  # and a tap on that line says what, before the call
    assert "疫情摸排" in row.locator("[data-round-check]").inner_text()
    assert not row.locator("[data-round-confirm]").count()  # nothing to confirm before a reach

    row.locator("[data-quick-log=all_well]").tap()
    page.locator(f"#call-row-{retiree_a.pk} [data-round-confirm]").tap()
    page.locator(f"#call-row-{retiree_a.pk} [data-just-confirmed]").wait_for()
    assert page.url.endswith("/")  # swapped in place
    confirmed = RoundVerification.objects.get()
    assert (confirmed.retiree_id, confirmed.health, confirmed.vaccination) == (retiree_a.pk, True, True)

    page.goto(checkin_round.get_absolute_url())
    # On the phone the table is a card per branch, each count labelled (core/templatetags/cards.py).
    verified = page.locator(f"[data-round-table] tr[data-branch='{retiree_a.branch_id}'] [data-stat=verified]")
    assert verified.is_visible() and verified.inner_text() == "1"
    assert verified.get_attribute("data-label") == "已核实"
    assert page.locator("[data-unverified]").count() == 0
