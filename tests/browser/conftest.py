"""Playwright harness: Debian's Chromium against pytest-django's live server.

Use the `browser_page` fixture for a desktop viewport, `phone_page` for a phone-sized one, and
`log_in(page, user)` to sign a persona in through the real login form.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `bash scripts/services.sh` (apt-get install chromium)")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls that the
    # tests make meanwhile are still synchronous and safe. Set for the browser tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _page(chromium, live_server, options):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def browser_page(chromium, live_server, transactional_db):
    context, page = _page(chromium, live_server, {"viewport": {"width": 1280, "height": 900}})
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium, live_server, transactional_db):
    context, page = _page(chromium, live_server, PHONE)
    yield page
    context.close()


def log_in(page, user, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
