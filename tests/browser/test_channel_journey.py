"""The retirees' own channel (随时求助, issue #16), walked in a browser on a 390 px phone.

Office staff issue the branch's links and print the letters with each retiree's QR code → the
retiree opens her link (no account, no JavaScript needed) → "我很好" → "我需要帮助: 帮我取药" →
"请给我回电话" → the branch secretary has the alert in the app, and the call list shows her first
with the reason and her self check-in, until the secretary's call answers it.
"""

import re

import pytest
from playwright.sync_api import expect

from assistance.models import AssistanceRequest
from checkins.models import CallbackRequest, ContactLog
from reminders.models import Notification, Reminder
from selfservice.views import qr_svg
from tests.browser.conftest import PHONE, log_in
from tests.factories import make_retiree

pytestmark = pytest.mark.browser

PATH_D = re.compile(r'<path d="([^"]+)"')


def _phone(chromium, live_server, *, javascript=True):
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=javascript, **PHONE
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_a_retiree_checks_in_asks_for_medicine_and_a_call_and_the_branch_sees_it(
    chromium, live_server, transactional_db, settings, office, secretary_a, branch_a
):
    settings.OUTREACH_PUBLIC_URL = live_server.url
    wang = make_retiree(branch_a, "王秀兰")
    other = make_retiree(branch_a, "赵从未")  # never reached: first on the list until wang asks for a call

    # Office staff issue the branch's links and print the letters.
    context, page = _phone(chromium, live_server)
    log_in(page, office)
    page.goto(f"/links/?branch={branch_a.pk}")
    page.locator("[data-issue-missing]").tap()
    expect(page.locator(".alert-success").first).to_contain_text("2")
    page.locator("[data-print-letters]").tap()
    letter = page.locator(f"[data-card='{wang.pk}']")
    expect(letter).to_contain_text("尊敬的王老师")
    url = letter.get_attribute("data-qr-url")
    assert url.startswith(f"{live_server.url}/r/") and "王" not in url and str(wang.pk) not in url.split("/r/")[1]
    expect(letter.locator(".link-url")).to_have_text(url)
    svg = letter.locator(".link-qr svg")
    expect(svg).to_be_visible()
    # The QR code on the letter is the one of this link (the same path the encoder draws for it).
    assert PATH_D.search(letter.locator(".link-qr").inner_html())[1] == PATH_D.search(qr_svg(url))[1]
    context.close()

    # The retiree opens her link on her own phone: no account, and no JavaScript needed.
    context, page = _phone(chromium, live_server, javascript=False)
    page.goto(url)
    expect(page.locator("h1")).to_have_text("王老师，您好")
    expect(page.locator("body")).not_to_contain_text("王秀兰")
    ok = page.locator("[data-action=ok]")
    assert ok.bounding_box()["height"] >= 60  # a big button for an 80-year-old's finger
    ok.tap()
    expect(page.locator("[data-done=ok]")).to_contain_text("谢谢您")
    contact = ContactLog.objects.get(retiree=wang)
    assert (contact.channel, contact.reached, contact.contacted_by) == ("self_checkin", "retiree", None)

    page.locator("[data-action=help]").tap()
    page.fill("textarea[name=details]", "降压药吃完了")
    page.locator("[data-kind=medicine]").tap()
    expect(page.locator("[data-done=help]")).to_be_visible()
    help_request = AssistanceRequest.objects.get(retiree=wang)
    assert (help_request.kind, help_request.details, help_request.from_retiree) == ("medicine", "降压药吃完了", True)
    expect(page.locator(f"[data-request='{help_request.pk}']")).to_contain_text("已收到，正在安排")

    page.locator("[data-action=call]").tap()
    expect(page.locator("[data-callback]")).to_be_visible()
    context.close()

    # The secretary is alerted once, at once: in the app (and by email, and the chat if any).
    alerts = Reminder.objects.filter(kind=Reminder.Kind.ALERT, retiree=wang, episode=f"help:{help_request.pk}")
    assert sorted(alerts.values_list("recipient__username", flat=True)) == ["office", "sec_a"]
    assert Notification.objects.filter(recipient=secretary_a, reminder__in=alerts).count() == 1

    context, page = _phone(chromium, live_server)
    log_in(page, secretary_a)
    # The call list: she is first, in the call-back section with the reason, and her last contact
    # is her own self check-in.
    first = page.locator(".call-row").first
    assert first.get_attribute("data-retiree") == str(wang.pk)
    assert first.get_attribute("data-callback") is not None
    expect(first.locator("[data-callback-why]")).to_contain_text("本人在专属页面提出")
    expect(first).to_contain_text("自助报平安")
    expect(page.locator(".call-section").first).to_contain_text("请求回电")
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("王秀兰")
    expect(page.locator("main")).to_contain_text("求助")

    # The secretary calls her back: the request is answered and she leaves the top.
    page.goto("/")
    page.locator(f"#call-row-{wang.pk} [data-quick-log=all_well]").tap()
    expect(page.locator(f"#call-row-{wang.pk}")).not_to_have_attribute("data-callback", "")
    assert not CallbackRequest.objects.open().filter(retiree=wang).exists()
    page.goto("/")
    assert page.locator(".call-row").first.get_attribute("data-retiree") == str(other.pk)
    context.close()


def test_the_retirees_page_passes_axe_and_the_phone_measurements(
    chromium, live_server, transactional_db, office, branch_a
):
    from notices import services as notice_services
    from selfservice import services
    from tests.browser.test_accessibility import _axe_problems, _phone_problems

    wang = make_retiree(branch_a, "王秀兰")
    notice_services.notice_publish(user=office, title="致全体离退休老同志的一封信", body="天气转凉，注意保暖。")
    token = services.link_token(services.link_issue(user=office, retiree=wang))
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True, **PHONE)
    page = context.new_page()
    problems = []
    for path in (f"/r/{token}/", f"/r/{token}/help/", f"/r/{token}/?done=ok", "/r/not-a-link/"):
        page.goto(path)
        problems += [f"{path}: {problem}" for problem in _axe_problems(page) + _phone_problems(page)]
    context.close()
    assert not problems, "\n".join(problems)
