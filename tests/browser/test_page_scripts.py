"""The shared page behaviour in static/js/app.js: bound once per page, on every page."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

# window.print replaced by a counter, so that a click shows how many handlers it ran.
COUNT_PRINTS = "() => { window.printed = 0; window.print = () => { window.printed += 1; }; }"


@pytest.mark.parametrize("path", ["/care/roster/", "/checkins/sheet/"])
def test_a_print_button_opens_the_print_dialog_once(browser_page, office, path):
    page = browser_page
    log_in(page, office)
    page.goto(path)
    page.evaluate(COUNT_PRINTS)
    page.locator("[data-print]").first.click()
    assert page.evaluate("window.printed") == 1


def test_coverage_bars_are_sized_from_their_data_width(browser_page, office, retiree_a):
    page = browser_page
    log_in(page, office)
    page.goto("/checkins/dashboard/")
    bar = page.locator(".progress-bar[data-width]").first
    assert bar.evaluate("bar => bar.style.width") == bar.get_attribute("data-width") + "%"
