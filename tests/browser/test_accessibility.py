"""Accessibility as a test (issue 14): every page the menu reaches, as every persona, on a phone and
on the office's screen, checked by axe-core and by measurements axe does not make.

- axe-core (vendored under tests/browser/vendor/, test-only): no violation of impact serious or
  critical, with text contrast held to 4.5:1 for large text too (WCAG 2.2 AA asks 3:1 there);
- on the phone: every link, button and form control is a touch target of 44 × 44 px or more (a
  check box or radio button together with its label; a link inside a sentence is exempt, as in
  WCAG 2.5.8), and the base font is 18 px or more;
- at 360 px, the narrowest phone: no page wider than the screen, no text one character per line.

The data is the demo's (what users are shown first), with the care services filled in. One
browser, one context per persona and viewport, one page reused; axe is injected into each page
through a context that bypasses the CSP (tests/browser/test_csp.py checks the CSP itself).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from checkins.models import CheckinRound
from outreach.menu import menu_for
from reminders import digests
from reminders.models import Notification, Reminder
from reports.selectors import Scope
from reports.services import last_week, report_issue
from retirees.models import Retiree
from tests.browser.conftest import PHONE, log_in

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text()
DEMO_PASSWORD = "Outreach-demo-2026"
PERSONAS = ("office", "sec1", "com1", "admin")
VIEWPORTS = {
    "phone": PHONE,
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
FAILING_IMPACTS = {"serious", "critical"}
# WCAG 2.2 AA asks 4.5:1 of normal text and 3:1 of large text; the issue asks 4.5:1 of all text.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "checks": {"color-contrast": {"options": {"contrastRatio": {"large": {"expected": 4.5}}}}},
}
MIN_TARGET = 44  # px, on the phone
MIN_BASE_FONT = 18  # px, on the phone

# Touch targets smaller than MIN_TARGET on the page: links, buttons and form controls as drawn.
SMALL_TARGETS_JS = """(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const rect = el.getBoundingClientRect();
    // Not drawn: a closed menu, a folded section, a visually hidden label, the skip link until focused.
    if (rect.width < 2 || rect.height < 2 || rect.bottom < 0 || getComputedStyle(el).visibility === 'hidden') continue;
    // A link inside a sentence keeps the sentence's line height (the WCAG 2.5.8 inline exception).
    if (el.tagName === 'A' && [...el.parentElement.childNodes].some(
        (node) => node.nodeType === Node.TEXT_NODE && /[\\p{L}\\p{N}]/u.test(node.textContent))) continue;
    let [left, top, right, bottom] = [rect.left, rect.top, rect.right, rect.bottom];
    // A check box or radio button is tapped through its label too.
    for (const label of ['checkbox', 'radio'].includes(el.type) ? el.labels : []) {
      const box = label.getBoundingClientRect();
      if (box.width < 2) continue;
      left = Math.min(left, box.left); top = Math.min(top, box.top);
      right = Math.max(right, box.right); bottom = Math.max(bottom, box.bottom);
    }
    const [width, height] = [right - left, bottom - top];
    if (width < minimum - 0.5 || height < minimum - 0.5) {
      const text = el.tagName === 'SELECT' ? (el.selectedOptions[0] || {}).text : el.innerText || el.value;
      const name = (text || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
      const classes = [...el.classList].map((name) => '.' + name).join('');
      small.push(`${el.tagName.toLowerCase()}${classes} "${name}" ${Math.round(width)}x${Math.round(height)}`);
    }
  }
  return small;
}"""


NARROW = 360  # px: the narrowest phone in use; no page may be wider, no text one character per line
# What a narrow phone shows wrong: a page wider than the screen (and what sticks out), and text
# squeezed to one character per line (a box narrower than two characters and taller than two lines).
NARROW_PROBLEMS_JS = """() => {
  const problems = [];
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth > width + 1) {
    const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > width + 1);
    const outer = wide.filter((el) => !wide.includes(el.parentElement)).slice(0, 3);
    const names = outer.map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
    problems.push(`page ${root.scrollWidth} px wide: ${names.join(', ')}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent).join('').trim();
    if (text.length < 2) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize), line = parseFloat(style.lineHeight) || size * 1.5;
    if (rect.height > 2.5 * line && rect.width < 1.6 * size) {
      problems.push(`one character per line: "${text.slice(0, 12)}"`);
    }
  }
  return problems;
}"""


@pytest.fixture
def demo(transactional_db, care_objects):
    """The demo data, plus care plans, help requests, a roster, notices, visits and meetings in
    the first branch (where sec1 and com1 work), and an immediate alert about one of its retirees
    in every persona's notifications. Returns the care objects."""
    with open("/dev/null", "w") as quiet:
        call_command("load_demo", stdout=quiet)
    secretary = User.objects.get(username="sec1")
    retiree = Retiree.objects.filter(branch=secretary.branch).order_by("pk").first()
    for user in User.objects.filter(username__in=PERSONAS):
        message = digests.alert(user=user, retiree=retiree, cause=digests.AlertCause.ATTENTION, reason="独居，近期摔倒")
        reminder = Reminder.objects.create(
            kind=Reminder.Kind.ALERT,
            period=timezone.localdate(),
            recipient=user,
            retiree=retiree,
            episode="attention:demo",
            subject=message.subject,
            text=message.text,
        )
        Notification.objects.create(recipient=user, reminder=reminder, title=message.subject, body=message.text)
    return care_objects(retiree)


def _pages(user, care) -> list[str]:
    """Every page the menu reaches for `user`, the pages of its top bar, and one page of each kind
    that a list leads to (a retiree, a branch, a round, a notice, a campaign, a meeting, an alert).
    The home page is left out: it is the coverage dashboard or the call list, both in the menu."""
    urls = [reverse("reminders:list"), reverse("password_change")]
    if user.is_office:
        urls.append(reverse("two_factor_setup"))
    urls += [link["url"] for group in menu_for(user, "") for link in group["links"] if link["url"] != "/admin/"]
    retiree = Retiree.objects.visible_to(user).order_by("pk").first()
    urls += [
        reverse("retirees:detail", args=[retiree.pk]),
        reverse("ledgers:retiree", args=[retiree.pk]),
        reverse("branches:detail", args=[retiree.branch_id]),
        reverse("checkins:round_detail", args=[CheckinRound.objects.order_by("-pk").first().pk]),
        # The first branch's, which every persona sees (the office all, sec1 and com1 their own).
        care["notice"].get_absolute_url(),
        care["campaign"].get_absolute_url(),
        care["meeting"].get_absolute_url(),
        reverse("reminders:detail", args=[user.notifications.get(reminder__kind=Reminder.Kind.ALERT).pk]),
    ]
    if user.is_office:  # a weekly report, as the Monday schedule issues it
        urls.append(report_issue(user=None, week=last_week(), scope=Scope()).get_absolute_url())
    return urls


def _open(page, url):
    page.goto(url, wait_until="load")
    # The notification bell fills itself in after the page loaded (htmx): let it finish first.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _axe_problems(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            nodes = "; ".join(
                f"{node['target']} {node['failureSummary'].splitlines()[-1].strip()}" for node in violation["nodes"][:3]
            )
            problems.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x) {nodes}")
    return problems


def _phone_problems(page) -> list[str]:
    problems = [
        f"touch target under {MIN_TARGET} px: {target}" for target in page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
    ]
    base = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    if base < MIN_BASE_FONT:
        problems.append(f"base font {base} px, under {MIN_BASE_FONT} px")
    # The same page on the narrowest phone (no reload: the layout follows the viewport).
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": size["height"]})
    problems += [f"at {NARROW} px: {problem}" for problem in page.evaluate(NARROW_PROBLEMS_JS)]
    page.set_viewport_size(size)
    return problems


def test_every_page_passes_axe_and_the_phone_measurements(chromium, live_server, demo):
    # One test for both viewports: the demo data is loaded once. Every problem is collected, so
    # that one run lists them all.
    problems = []
    for username in PERSONAS:
        user = User.objects.get(username=username)
        pages = _pages(user, demo)
        for viewport, options in VIEWPORTS.items():
            context = chromium.new_context(
                base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True, **options
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            log_in(page, user, password=DEMO_PASSWORD)
            for url in pages:
                _open(page, url)
                found = _axe_problems(page) + (_phone_problems(page) if viewport == "phone" else [])
                problems += [f"{username} {viewport} {url}: {problem}" for problem in found]
            context.close()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_the_keyboard_skips_to_the_content_and_every_stop_shows_a_focus_ring(browser_page, office, retiree_a):
    page = browser_page
    log_in(page, office)
    page.goto(reverse("retirees:list"))
    page.keyboard.press("Tab")
    skip = page.evaluate("() => [document.activeElement.className, document.activeElement.getBoundingClientRect().top]")
    assert skip[0] == "skip-link" and skip[1] >= 0  # the first stop, and shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"

    page.goto(reverse("retirees:list"))
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement, style = getComputedStyle(el);
                  return {tag: el.tagName, text: (el.innerText || el.name || '').trim().slice(0, 20),
                          ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
                }"""
            )
        )
    stops = [stop for stop in stops if stop["tag"] != "BODY"]  # past the last stop, focus leaves the page
    assert len(stops) > 20
    assert [stop for stop in stops if not stop["ring"]] == []
    # The language menu is in the top bar, a few stops from the start (it was 333 tabs away).
    language = next(index for index, stop in enumerate(stops) if stop["text"] == "语言")
    assert language < 10
