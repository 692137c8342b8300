"""Regenerate docs/screenshots/: the call list, contact form, dashboard and a ledger, phone and desktop.

Run with `make screenshots`: it loads the demo into a scratch directory (SQLite, nothing else
touched), serves it on 127.0.0.1:8799 and photographs each page as the person who uses it, in
Chinese, at 390 px (a phone) and 1366 px (an office screen). Needs Chromium (/usr/bin/chromium)
and the CJK fonts (Debian: chromium, fonts-noto-cjk).
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8799
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "Outreach-demo-2026"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_for_server(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("The demo server did not start.")


def log_in(page, username):
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def shoot(browser, username, name, path, *, open_first_log=False):
    for label, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()
        log_in(page, username)
        page.goto(f"{BASE}{path}")
        if open_first_log:
            page.locator("a[href*='/log/']").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / f"{name}-{label}.png")  # the first screen: what one sees on opening it
        context.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(DEBUG="true", OUTREACH_VAR_DIR=scratch)
        manage("migrate", "--noinput", env=env)
        manage("load_demo", env=env)
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_server()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                shoot(browser, "sec1", "call-list", "/checkins/")
                shoot(browser, "sec1", "contact-form", "/checkins/", open_first_log=True)
                shoot(browser, "office", "dashboard", "/checkins/dashboard/")
                shoot(browser, "office", "vaccination-ledger", "/ledgers/vaccination/")
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Screenshots written to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
