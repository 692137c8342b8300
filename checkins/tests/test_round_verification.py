"""Rounds verify, not only reach: the verified rule, the one-tap confirmation, the round pages and
the frozen counts (issue #13, item 4)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Branch
from checkins import selectors, services
from checkins.choices import RoundItem
from checkins.models import CheckinRound, RoundVerification
from tests.factories import at, log_at, make_retiree

NOW = at(2026, 5, 15, 10, 0)
START, END = datetime.date(2026, 5, 10), datetime.date(2026, 5, 20)


@pytest.fixture
def survey(branch_a, branch_b, office):
    """A round asking health, vaccination and community status, under way on NOW."""
    with time_machine.travel(NOW, tick=False):
        return services.round_create(
            user=office,
            title="五月疫情摸排",
            starts_on=START,
            ends_on=END,
            verify_health=True,
            verify_vaccination=True,
            verify_community=True,
        )


def status(user, checkin_round, retiree):
    return selectors.round_retirees(user=user, checkin_round=checkin_round, with_items=True).get(pk=retiree.pk)


def confirm(user, checkin_round, retiree, moment=NOW):
    with time_machine.travel(moment, tick=False):
        return services.round_verification_confirm(user=user, checkin_round=checkin_round, retiree=retiree)


# --- The rule ---------------------------------------------------------------------------------


def test_verified_when_several_contacts_in_the_window_answer_every_item(office, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲一")
    log_at(at(2026, 5, 11), user=secretary_a, retiree=retiree, health_seen="good")
    assert not status(office, survey, retiree).verified_in_round
    assert selectors.round_missing_items(status(office, survey, retiree), survey) == [
        RoundItem.VACCINATION,
        RoundItem.COMMUNITY,
    ]
    log_at(at(2026, 5, 12), user=secretary_a, retiree=retiree, checked_vaccination=True)
    log_at(at(2026, 5, 13), user=secretary_a, retiree=retiree, community_status="normal")
    assert status(office, survey, retiree).verified_in_round


def test_answers_outside_the_window_or_from_nobody_reached_do_not_count(office, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲二")
    answers = {"health_seen": "good", "checked_vaccination": True, "community_status": "normal"}
    log_at(at(2026, 5, 9, 23, 59), user=secretary_a, retiree=retiree, **answers)  # the day before
    log_at(at(2026, 5, 12), user=secretary_a, retiree=retiree, reached="nobody", **answers)
    assert not status(office, survey, retiree).reached_in_round
    log_at(at(2026, 5, 13), user=secretary_a, retiree=retiree)  # reached, nothing asked
    row = status(office, survey, retiree)
    assert row.reached_in_round and not row.verified_in_round
    assert len(selectors.round_missing_items(row, survey)) == 3


def test_a_round_that_asks_nothing_is_verified_by_the_reach(office, secretary_a, branch_a):
    with time_machine.travel(NOW, tick=False):
        checkin_round = services.round_create(
            user=office, title="节日问候", starts_on=START, ends_on=END, verify_health=False
        )
    retiree = make_retiree(branch_a, "甲三")
    log_at(at(2026, 5, 11), user=secretary_a, retiree=retiree)
    assert status(office, checkin_round, retiree).verified_in_round


# --- The one-tap confirmation -----------------------------------------------------------------


def test_confirming_records_the_missing_items_and_the_retiree_counts_verified(office, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲四")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, health_seen="good")
    verification = confirm(secretary_a, survey, retiree)
    assert verification.confirmed_items() == [RoundItem.VACCINATION, RoundItem.COMMUNITY]
    assert not verification.health  # answered by the call, not by the tap
    assert verification.confirmed_by == secretary_a
    assert status(office, survey, retiree).verified_in_round
    row = selectors.round_coverage(user=office, checkin_round=survey)[0]
    assert (row["reached"], row["verified"], row["unverified"]) == (1, 1, 0)


def test_a_double_tap_is_one_confirmation(secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲五")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree)
    first = confirm(secretary_a, survey, retiree)
    second = confirm(secretary_a, survey, retiree, moment=at(2026, 5, 15, 10, 1))
    assert first.pk == second.pk
    assert RoundVerification.objects.count() == 1
    assert first.history.count() == 1  # the second tap changed nothing
    second.refresh_from_db()
    assert second.confirmed_at == NOW


def test_confirming_what_the_calls_already_answered_records_nothing(secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲六")
    log_at(
        at(2026, 5, 14),
        user=secretary_a,
        retiree=retiree,
        health_seen="good",
        checked_vaccination=True,
        community_status="normal",
    )
    assert confirm(secretary_a, survey, retiree) is None
    assert not RoundVerification.objects.exists()


def test_confirming_before_the_retiree_was_reached_is_refused(secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲七")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, reached="nobody")
    with pytest.raises(ValidationError, match="请先记录通话"):
        confirm(secretary_a, survey, retiree)
    assert not RoundVerification.objects.exists()


@pytest.mark.parametrize("moment", [at(2026, 5, 21, 0, 1), at(2026, 5, 9, 23, 0)])
def test_confirming_outside_the_window_is_refused(secretary_a, branch_a, survey, moment):
    retiree = make_retiree(branch_a, "甲八")
    log_at(at(2026, 5, 9, 22, 0), user=secretary_a, retiree=retiree)
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree)
    with pytest.raises(ValidationError, match="不在进行中"):
        confirm(secretary_a, survey, retiree, moment=moment)


def test_confirming_in_a_closed_round_is_refused(office, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲九")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree)
    with time_machine.travel(NOW, tick=False):
        services.round_close(user=office, checkin_round=survey)
    with pytest.raises(ValidationError, match="不在进行中"):
        confirm(secretary_a, survey, retiree)


def test_a_retiree_outside_the_round_cannot_be_confirmed(office, secretary_b, branch_a, branch_b):
    with time_machine.travel(NOW, tick=False):
        only_a = services.round_create(
            user=office, title="一支部摸排", starts_on=START, ends_on=END, branches=[branch_a]
        )
    retiree = make_retiree(branch_b, "乙一")
    log_at(at(2026, 5, 14), user=secretary_b, retiree=retiree)
    with pytest.raises(ValidationError, match="不在本轮摸排范围内"):
        confirm(office, only_a, retiree)


def test_a_secretary_cannot_confirm_another_branch(secretary_a, secretary_b, branch_b, survey):
    retiree = make_retiree(branch_b, "乙二")
    log_at(at(2026, 5, 14), user=secretary_b, retiree=retiree)
    with pytest.raises(PermissionDenied):
        confirm(secretary_a, survey, retiree)
    assert not RoundVerification.objects.exists()


def test_a_confirmation_counts_for_its_own_round_only(office, secretary_a, branch_a, survey):
    with time_machine.travel(NOW, tick=False):
        other = services.round_create(
            user=office, title="疫苗专项", starts_on=START, ends_on=END, verify_vaccination=True
        )
    retiree = make_retiree(branch_a, "甲十")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, health_seen="good")
    confirm(secretary_a, survey, retiree)
    assert status(office, survey, retiree).verified_in_round
    assert not status(office, other, retiree).verified_in_round


def test_the_database_keeps_one_confirmation_per_round_and_retiree(secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十一")
    fields = {"checkin_round": survey, "retiree": retiree, "confirmed_by": secretary_a, "confirmed_at": NOW}
    RoundVerification.objects.create(health=True, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundVerification.objects.create(testing=True, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundVerification.objects.filter(retiree=retiree).update(health=False)


# --- The confirmation page and its taps -------------------------------------------------------


def confirm_url(retiree):
    return reverse("checkins:round_confirm", args=[retiree.pk])


@time_machine.travel(NOW, tick=False)
def test_tap_from_the_round_list_swaps_the_item_in_place(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十二")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, health_seen="good")
    client = login(secretary_a)
    data = {"round": survey.pk, "from": "round"}
    response = client.post(confirm_url(retiree), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="verify-{survey.pk}-{retiree.pk}"' in html and "疫苗接种、小区涉疫情况" in html
    again = client.post(confirm_url(retiree), data, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert RoundVerification.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_tap_from_the_call_list_returns_the_row_without_the_button(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十三")
    client = login(secretary_a)
    row = client.post(
        reverse("checkins:quick_log", args=[retiree.pk]), {"result": "all_well"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "data-round-confirm" in row and "核实无变化" in row  # reached now: the tap is offered
    row = client.post(confirm_url(retiree), {"round": survey.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="call-row-{retiree.pk}"' in row and "data-just-confirmed" in row
    assert "data-round-confirm" not in row
    assert status(secretary_a, survey, retiree).verified_in_round


@time_machine.travel(NOW, tick=False)
def test_without_javascript_the_tap_returns_to_the_page_with_a_message(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十四")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree)
    client = login(secretary_a)
    response = client.post(confirm_url(retiree), {"round": survey.pk, "next": survey.get_absolute_url()}, follow=True)
    assert response.redirect_chain[-1][0] == survey.get_absolute_url()
    assert "已核实无变化" in response.content.decode()
    assert RoundVerification.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_refused_tap_is_a_clear_message_not_an_error(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十五")  # not reached yet
    client = login(secretary_a)
    response = client.post(confirm_url(retiree), {"round": survey.pk, "from": "round"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "请先记录通话" in response.content.decode()
    response = client.post(confirm_url(retiree), {"round": survey.pk}, follow=True)
    assert "请先记录通话" in response.content.decode()
    assert not RoundVerification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_page_lists_what_each_round_still_asks(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十六")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, health_seen="good")
    response = login(secretary_a).get(confirm_url(retiree))
    assert response.status_code == 200
    html = response.content.decode()
    assert "五月疫情摸排" in html and "疫苗接种、小区涉疫情况" in html and 'name="round"' in html


@time_machine.travel(NOW, tick=False)
def test_another_branch_tap_is_a_404_and_saves_nothing(login, secretary_a, secretary_b, branch_b, survey):
    retiree = make_retiree(branch_b, "乙三")
    log_at(at(2026, 5, 14), user=secretary_b, retiree=retiree)
    assert login(secretary_a).post(confirm_url(retiree), {"round": survey.pk}).status_code == 404
    assert not RoundVerification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_round_id_that_is_not_a_number_is_a_404(login, secretary_a, retiree_a, survey):
    assert login(secretary_a).post(confirm_url(retiree_a), {"round": "abc"}).status_code == 404


# --- The call list and the contact form -------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_call_list_tells_what_the_round_asks_and_offers_the_tap_once_reached(login, secretary_a, branch_a, survey):
    waiting = make_retiree(branch_a, "未联系")
    reached = make_retiree(branch_a, "已联系")
    done = make_retiree(branch_a, "已核实")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=reached, health_seen="good")
    log_at(
        at(2026, 5, 14),
        user=secretary_a,
        retiree=done,
        health_seen="good",
        checked_vaccination=True,
        community_status="normal",
    )
    response = login(secretary_a).get(reverse("checkins:call_list"))
    checks = response.context["round_checks"]
    assert set(checks) == {waiting.pk, reached.pk}
    assert checks[waiting.pk][0]["missing"] == [RoundItem.HEALTH, RoundItem.VACCINATION, RoundItem.COMMUNITY]
    assert checks[reached.pk][0]["reached"] and not checks[waiting.pk][0]["reached"]
    html = response.content.decode()
    assert html.count("data-round-confirm") == 1


def _grow(branch, user, count, start):
    for number in range(count):
        retiree = make_retiree(branch, f"丙{start + number}")
        log_at(at(2026, 5, 11 + number % 4), user=user, retiree=retiree, health_seen="good" if number % 2 else "")


@time_machine.travel(NOW, tick=False)
def test_call_list_queries_stay_constant_while_a_round_runs(login, secretary_a, branch_a, survey):
    client = login(secretary_a)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("checkins:call_list")).status_code == 200
        return len(captured)

    _grow(branch_a, secretary_a, 3, 0)
    small = count()
    _grow(branch_a, secretary_a, 30, 100)
    # The 10 + 3 of test_call_list_query_count_does_not_grow_with_rows, and the page's state in
    # the one round under way.
    assert small == count() == count() == 11 + 3


@time_machine.travel(NOW, tick=False)
def test_contact_form_says_what_the_round_asks(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十七")
    log_at(at(2026, 5, 14), user=secretary_a, retiree=retiree, health_seen="good")
    response = login(secretary_a).get(reverse("checkins:contact_create", args=[retiree.pk]))
    html = response.content.decode()
    assert "data-round-ask" in html and "疫苗接种、小区涉疫情况" in html
    form = response.context["form"]
    assert form.fields["checked_vaccination"].widget.attrs["data-round-item"] == "vaccination"
    assert "data-round-item" not in form.fields["health_seen"].widget.attrs  # already answered


@time_machine.travel(NOW, tick=False)
def test_contact_form_has_no_notice_without_a_round(login, secretary_a, retiree_a):
    html = login(secretary_a).get(reverse("checkins:contact_create", args=[retiree_a.pk])).content.decode()
    assert "data-round-ask" not in html


@time_machine.travel(NOW, tick=False)
def test_the_answers_of_the_contact_form_verify_the_retiree(login, secretary_a, branch_a, survey):
    retiree = make_retiree(branch_a, "甲十八")
    response = login(secretary_a).post(
        reverse("checkins:contact_create", args=[retiree.pk]),
        {
            "contacted_at": "2026-05-15T09:30",
            "channel": "phone",
            "reached": "retiree",
            "outcome": "all_well",
            "health_seen": "good",
            "community_status": "normal",
            "checked_vaccination": "on",
        },
    )
    assert response.status_code == 302
    assert status(secretary_a, survey, retiree).verified_in_round


# --- The round pages --------------------------------------------------------------------------


@pytest.fixture
def worked(survey, branch_a, branch_b, secretary_a, secretary_b):
    """Branch A: verified by calls, verified by a tap, reached only, not reached. Branch B: reached only."""
    a = [make_retiree(branch_a, name) for name in ("甲核实", "甲确认", "甲待核", "甲未联系")]
    log_at(
        at(2026, 5, 11),
        user=secretary_a,
        retiree=a[0],
        health_seen="good",
        checked_vaccination=True,
        community_status="normal",
    )
    log_at(at(2026, 5, 12), user=secretary_a, retiree=a[1], health_seen="good")
    confirm(secretary_a, survey, a[1])
    log_at(at(2026, 5, 13), user=secretary_a, retiree=a[2], community_status="normal")
    b = make_retiree(branch_b, "乙待核")
    log_at(at(2026, 5, 13), user=secretary_b, retiree=b)
    return {"a": a, "b": b}


@time_machine.travel(NOW, tick=False)
def test_round_detail_shows_reached_and_verified_per_branch_and_what_is_missing(
    login, office, survey, worked, branch_a, branch_b
):
    response = login(office).get(survey.get_absolute_url())
    rows = {row["branch_name"]: row for row in response.context["rows"]}
    keys = ("total", "reached", "verified", "unverified", "percent", "verified_percent")
    pick = lambda row: {k: row[k] for k in keys}  # noqa: E731
    assert pick(rows[branch_a.name]) == {
        "total": 4,
        "reached": 3,
        "verified": 2,
        "unverified": 1,
        "percent": 75,
        "verified_percent": 50,
    }
    assert pick(rows[branch_b.name]) == {
        "total": 1,
        "reached": 1,
        "verified": 0,
        "unverified": 1,
        "percent": 100,
        "verified_percent": 0,
    }
    unverified = {r.name: r.missing_items for r in response.context["unverified"]}
    assert unverified == {
        "甲待核": [RoundItem.HEALTH, RoundItem.VACCINATION],
        "乙待核": [RoundItem.HEALTH, RoundItem.VACCINATION, RoundItem.COMMUNITY],
    }
    html = response.content.decode()
    assert html.count("data-round-confirm") == 2


@time_machine.travel(NOW, tick=False)
def test_secretary_sees_their_own_branch_to_verify_only(login, secretary_a, survey, worked):
    response = login(secretary_a).get(survey.get_absolute_url())
    assert [r.name for r in response.context["unverified"]] == ["甲待核"]
    assert "乙待核" not in response.content.decode()


def test_round_detail_runs_the_same_queries_for_any_number_of_retirees_and_branches(
    login, office, survey, worked, secretary_a
):
    client = login(office)

    def count():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(survey.get_absolute_url()).status_code == 200
        return len(captured)

    before = count()
    for number in range(3):
        branch = Branch.objects.create(name=f"第{number + 5}党支部", short_name=f"{number + 5}支")
        survey.branches.add(branch)
        for person in range(3):
            retiree = make_retiree(branch, f"丁{number}{person}")
            log_at(at(2026, 5, 12), user=office, retiree=retiree, health_seen="good")
    # session, user, the round, its branches (two) and its areas, the counts by branch, the to-verify
    # list with what each one misses, the ledger sign-off panel's sign-offs, the not-yet-reached list,
    # the exempt list: the same for three more branches and nine more retirees. The branches as the
    # user sees them (the counts' rows, the sign-off panel) come from the round's prefetched
    # branches, already in Branch.Meta.ordering.
    assert before == count() == 10


@time_machine.travel(NOW, tick=False)
def test_closing_freezes_reached_and_verified_and_the_summary_prints_both(login, office, secretary_a, survey, worked):
    client = login(office)
    assert client.post(reverse("checkins:round_close", args=[survey.pk]), {"summary": ""}).status_code == 302
    survey.refresh_from_db()
    assert (survey.closing_counts["totals"]["reached"], survey.closing_counts["totals"]["verified"]) == (4, 2)
    # A tap or a call after closing changes nothing in the summary.
    late = {"health_seen": "good", "checked_vaccination": True}
    log_at(at(2026, 5, 15, 9, 0), user=secretary_a, retiree=worked["a"][2], **late)
    summary = client.get(reverse("checkins:round_summary", args=[survey.pk]))
    totals = summary.context["closing"]["totals"]
    assert (totals["reached"], totals["verified"], totals["unverified"]) == (4, 2, 2)
    html = summary.content.decode()
    assert "已核实" in html and "已联系、待核实" in html


@time_machine.travel(NOW, tick=False)
def test_a_round_closed_before_verified_counts_were_kept_still_prints(login, office, branch_a, survey):
    CheckinRound.objects.filter(pk=survey.pk).update(
        status="closed",
        closed_at=NOW,
        closed_by=office,
        closing_counts={
            "branches": [
                {
                    "branch_id": branch_a.pk,
                    "branch_name": branch_a.name,
                    "total": 4,
                    "reached": 3,
                    "exempt": 0,
                    "missing": 1,
                    "percent": 75,
                    "complete": False,
                }
            ],
            "totals": {"total": 4, "reached": 3, "exempt": 0, "missing": 1, "percent": 75, "complete": False},
        },
    )
    response = login(office).get(reverse("checkins:round_summary", args=[survey.pk]))
    assert response.status_code == 200
    assert response.context["closing"]["totals"]["verified"] is None
    html = response.content.decode()
    assert "本轮结束时尚未统计核实情况" in html
