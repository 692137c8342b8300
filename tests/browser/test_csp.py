"""Every main page works under the Content-Security-Policy: the browser reports no violation."""

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PAGES = ["home", "retirees:list", "branches:list", "checkins:call_list", "checkins:dashboard", "ledgers:index"]


def test_no_csp_violation_on_the_main_pages(browser_page, office, retiree_a):
    page = browser_page
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))
    log_in(page, office)
    for name in PAGES:
        page.goto(reverse(name))
        page.wait_for_load_state("networkidle")
    page.goto(reverse("retirees:detail", args=[retiree_a.pk]))
    page.wait_for_load_state("networkidle")
    assert violations == []
