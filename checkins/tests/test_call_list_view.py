"""The call list: urgency order, quick log by htmx, scoping, constant query count."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkins.models import ContactLog
from tests.factories import at, grant_exemption, log_at, make_retiree

CALL_LIST = reverse("checkins:call_list")
NOW = at(2026, 3, 20, 9, 0)


def names(response):
    return [retiree.name for retiree in response.context["page"]]


@pytest.fixture
def urgency(branch_a, secretary_a, office):
    """Four retirees of branch A (every 14 days), one per state on 20 March."""
    born = datetime.date(1950, 1, 1)
    people = {
        "covered": make_retiree(branch_a, "已联系", birth_date=born),
        "due": make_retiree(branch_a, "今天到期", birth_date=born),
        "overdue": make_retiree(branch_a, "已逾期", birth_date=born),
        "never": make_retiree(branch_a, "从未联系", birth_date=born),
        "exempt": make_retiree(branch_a, "已豁免", birth_date=born),
    }
    log_at(at(2026, 3, 18), user=secretary_a, retiree=people["covered"])
    log_at(at(2026, 3, 6), user=secretary_a, retiree=people["due"])
    log_at(at(2026, 3, 1), user=secretary_a, retiree=people["overdue"])
    with time_machine.travel(NOW, tick=False):
        grant_exemption(
            requester=secretary_a,
            approver=office,
            retiree=people["exempt"],
            reason="in_hospital",
            starts_on=datetime.date(2026, 3, 15),
            ends_on=datetime.date(2026, 3, 30),
        )
    return people


@time_machine.travel(NOW, tick=False)
def test_overdue_first_then_due_today_then_the_rest_then_exempt(login, secretary_a, urgency):
    response = login(secretary_a).get(CALL_LIST)
    assert names(response) == ["从未联系", "已逾期", "今天到期", "已联系", "已豁免"]
    totals = response.context["totals"]
    assert (totals["overdue"], totals["due"], totals["covered"], totals["exempt"]) == (2, 1, 1, 1)
    html = response.content.decode()
    assert f'href="tel:{urgency["due"].phone}"' in html


@time_machine.travel(NOW, tick=False)
def test_secretary_sees_only_their_branch(login, secretary_a, retiree_a, retiree_b):
    response = login(secretary_a).get(CALL_LIST)
    assert names(response) == [retiree_a.name]
    assert retiree_b.name not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_home_of_a_secretary_is_their_call_list_with_the_search_box(login, secretary_a, retiree_a):
    response = login(secretary_a).get(reverse("home"))
    assert response.templates[0].name == "checkins/call_list.html"
    assert 'name="q"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_quick_log_by_htmx_returns_the_updated_row(login, secretary_a, retiree_a):
    client = login(secretary_a)
    url = reverse("checkins:quick_log", args=[retiree_a.pk])
    response = client.post(url, {"result": "all_well"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.templates[0].name == "checkins/_call_row.html"
    assert 'data-due-state="covered"' in response.content.decode()
    log = ContactLog.objects.get()
    assert (log.retiree, log.contacted_by, log.reached, log.outcome, log.channel) == (
        retiree_a,
        secretary_a,
        "retiree",
        "all_well",
        "phone",
    )
    assert log.contacted_at == NOW


@time_machine.travel(NOW, tick=False)
def test_quick_log_without_htmx_returns_to_the_list(login, secretary_a, retiree_a):
    response = login(secretary_a).post(
        reverse("checkins:quick_log", args=[retiree_a.pk]), {"result": "no_answer", "next": CALL_LIST}
    )
    assert response.status_code == 302 and response.url == CALL_LIST
    assert ContactLog.objects.get().reached == "nobody"


def test_quick_log_for_another_branch_is_a_404_and_saves_nothing(login, secretary_a, retiree_b):
    response = login(secretary_a).post(reverse("checkins:quick_log", args=[retiree_b.pk]), {"result": "all_well"})
    assert response.status_code == 404
    assert not ContactLog.objects.exists()


def test_quick_log_needs_a_result(login, secretary_a, retiree_a):
    response = login(secretary_a).post(reverse("checkins:quick_log", args=[retiree_a.pk]), {"result": "maybe"})
    assert response.status_code == 302
    assert not ContactLog.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_call_sheet_lists_everybody_to_print(login, secretary_a, urgency):
    response = login(secretary_a).get(reverse("checkins:call_sheet"))
    assert [r.name for r in response.context["rows"]][:2] == ["从未联系", "已逾期"]
    assert "call-sheet-table" in response.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(branch, user, count, start):
    for number in range(count):
        retiree = make_retiree(branch, f"甲{start + number}")
        if number % 2:
            log_at(at(2026, 3, 1 + number % 15), user=user, retiree=retiree, follow_up_on=datetime.date(2026, 3, 19))
        else:
            log_at(at(2026, 3, 1 + number % 15), user=user, retiree=retiree, reached="nobody")


@time_machine.travel(NOW, tick=False)
def test_call_list_query_count_does_not_grow_with_rows(login, secretary_a, branch_a):
    client = login(secretary_a)
    _grow(branch_a, secretary_a, 4, 0)
    small = _queries(client, CALL_LIST)
    _grow(branch_a, secretary_a, 40, 100)
    large = _queries(client, CALL_LIST)
    unchanged = _queries(client, CALL_LIST)
    # session, user, the cadence rules, the stale kept counts (checkins.coverage.keep_fresh), the
    # page of retirees in call order with schedule and last contact (one query: a branch's list
    # needs no ids first), their household contacts, follow-ups due, the user's branch in the
    # navigation bar, the page's unacknowledged notices (care), the rounds under way that ask
    # something (none here); and, since a test's transaction has written (nothing is kept from
    # it), the snapshot, then the counts counted live: the branches and the counts (which also
    # give the page count). Kept and unchanged: 11, the sums read in SQL (test_coverage_kept).
    assert small == large == unchanged == 10 + 3


# --- A compact call list (issue #14) -------------------------------------------------------------


def _row(html: str, pk: int) -> str:
    """Row `pk` of the page, from its opening tag to the next row's."""
    at = html.index(f'id="call-row-{pk}"')
    start, following = html.rindex("<", 0, at), html.find('id="call-row-', at + 1)
    return html[start : following if following != -1 else None]


@time_machine.travel(NOW, tick=False)
def test_big_buttons_only_where_a_call_is_due_the_rest_fold(login, secretary_a, urgency):
    html = login(secretary_a).get(CALL_LIST).content.decode()
    for key in ("never", "overdue", "due"):
        row = _row(html, urgency[key].pk)
        assert row.startswith("<div") and "data-quick-log" in row, key
    for key in ("covered", "exempt"):
        row = _row(html, urgency[key].pk)
        assert row.startswith("<details") and "data-quick-log" not in row, key
        assert "<summary" in row and " open" not in row.split(">", 1)[0]


@time_machine.travel(NOW, tick=False)
def test_section_headings_count_the_whole_list_not_the_page(login, secretary_a, branch_a, monkeypatch):
    from checkins import views

    monkeypatch.setattr(views, "CALL_LIST_PAGE_SIZE", 2)
    for number in range(5):
        make_retiree(branch_a, f"从未{number}", birth_date=datetime.date(1950, 1, 1))  # all overdue
    response = login(secretary_a).get(CALL_LIST)
    assert len(response.context["rows"]) == 2
    html = response.content.decode()
    assert 'id="section-count-overdue" data-section-count>5<' in html


@time_machine.travel(NOW, tick=False)
def test_quick_log_updates_the_counts_out_of_band(login, secretary_a, urgency):
    client = login(secretary_a)
    before = client.get(CALL_LIST).context["totals"]
    assert (before["overdue"], before["covered"], before["percent"]) == (2, 1, 40)
    url = reverse("checkins:quick_log", args=[urgency["never"].pk])
    response = client.post(url, {"result": "all_well"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    counts = html[html.index('id="call-counts"') :]
    assert 'hx-swap-oob="true"' in counts.split(">", 1)[0]
    assert 'data-stat="overdue">1<' in counts and 'data-stat="covered">2<' in counts
    assert 'data-stat="percent">60%<' in counts
    assert 'id="section-count-overdue" data-section-count hx-swap-oob="true">1<' in html
    # The row itself comes first (htmx swaps it in place), now folded with what was logged.
    assert html.lstrip().startswith("<details") and 'data-just-logged="all_well"' in html


@time_machine.travel(NOW, tick=False)
def test_quick_log_counts_keep_to_the_chosen_branch(login, office, retiree_a, retiree_b):
    client = login(office)
    response = client.post(
        reverse("checkins:quick_log", args=[retiree_a.pk]),
        {"result": "no_answer", "branch": retiree_a.branch_id},
        headers={"HX-Request": "true"},
    )
    counts = response.content.decode().split('id="call-counts"', 1)[1]
    assert 'data-stat="overdue">1<' in counts  # retiree_a's branch only, not both branches' 2


# --- The call list's queryset, built once and cloned ----------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_call_list_is_built_once_per_scope_and_day_and_cloned(secretary_a, committee_a, secretary_b, branch_a):
    from checkins import selectors
    from checkins.models import CadencePolicy

    retiree = make_retiree(branch_a, "甲", birth_date=datetime.date(1950, 1, 1))
    today = NOW.date()
    first = selectors.call_list(user=secretary_a, today=today)
    same_branch = selectors.call_list(user=committee_a, today=today)
    assert first is not same_branch and str(first.query) == str(same_branch.query)
    assert list(first) == [retiree] and same_branch._result_cache is None  # a clone holds no rows
    assert list(selectors.call_list(user=secretary_b, today=today)) == []
    assert str(selectors.call_list(user=secretary_a, today=today + datetime.timedelta(days=1)).query) != str(
        first.query
    )
    # A new cadence rule changes the list at once (the rules are part of what it is built for).
    assert selectors.call_list(user=secretary_a, today=today).get().cadence_days == 14
    CadencePolicy.objects.create(branch=branch_a, cadence_days=5)
    assert selectors.call_list(user=secretary_a, today=today).get().cadence_days == 5
