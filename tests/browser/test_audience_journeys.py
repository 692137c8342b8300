"""A secretary calls a meeting of representatives found by name, on a phone; htmx and the page script do it."""

import pytest
from django.urls import reverse

from conftest import make_retiree
from meetings.models import Meeting
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_secretary_invites_a_representative_found_by_name(phone_page, secretary_a, branch_a, branch_b):
    representative = make_retiree(branch_a, "白芳茂", residence_area="north")
    make_retiree(branch_a, "白振振")
    make_retiree(branch_b, "白顺兴")  # another branch: never offered
    page = phone_page
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, secretary_a)
    page.goto(reverse("meetings:meeting_create"))
    page.fill("input[name=title]", "老同志代表座谈会")
    page.check("input[name=mode][value=online]")
    page.fill("input[name=starts_at]", "2026-06-01T09:30")
    assert page.is_checked("input[name=all_branches]")

    page.fill("input[name=retirees_q]", "bfm")
    page.locator(f"input[name=retirees][value='{representative.pk}']").wait_for()
    page.keyboard.press("Enter")  # searches again; does not send the form
    options = page.locator(".picker-options").inner_text()
    assert "白芳茂" in options and "白顺兴" not in options
    page.check(f"input[name=retirees][value='{representative.pk}']")
    assert not page.is_checked("input[name=all_branches]")  # a choice unticks "everybody"

    # A new search keeps the one ticked.
    page.fill("input[name=retirees_q]", "bai")
    page.locator(".picker-options", has_text="白振振").wait_for()
    assert page.is_checked(f"input[name=retirees][value='{representative.pk}']")

    page.click("[data-save]")
    page.wait_for_url("**/care/meetings/*/")
    meeting = Meeting.objects.get()
    assert list(meeting.invitations.values_list("retiree__name", flat=True)) == ["白芳茂"]
    assert meeting.within_branch_id == branch_a.pk
    assert problems == []
