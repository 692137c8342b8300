"""Exemptions with a real approval: a request, another person's decision, and only the approved count.

The services (checkins.services.exemption_request / exemption_approve / exemption_refuse /
exemption_revoke) and the constraints behind them, on PostgreSQL.
"""

import datetime
import threading
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from audit.models import AuditEvent
from checkins import selectors, services
from checkins.models import Exemption
from checkins.schedule import with_schedule
from retirees.models import Retiree
from tests.factories import at, make_retiree, make_user

NOW = at(2026, 3, 10, 9, 0)
TODAY = NOW.date()
WEEK = {"starts_on": TODAY, "ends_on": TODAY + datetime.timedelta(days=6)}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office_2(db):
    return make_user("office2", role=User.Role.OFFICE)


def due_state(retiree, today=TODAY):
    return with_schedule(Retiree.objects.filter(pk=retiree.pk), today).get().due_state


def request(user, retiree, **fields):
    return services.exemption_request(
        user=user, retiree=retiree, reason=fields.pop("reason", "in_hospital"), **{**WEEK, **fields}
    )


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Who asks, who decides ------------------------------------------------------------------------


def test_a_request_exempts_nobody_until_an_office_worker_approves_it(secretary_a, office, retiree_a):
    exemption = request(secretary_a, retiree_a, note="市第一医院")
    assert exemption.status == "pending" and exemption.requested_by == secretary_a
    assert due_state(retiree_a) == "overdue"  # never reached, and the request counts for nothing yet
    assert list(selectors.exemptions_in_force(user=office, today=TODAY)) == []
    assert list(selectors.exemptions_pending(user=office)) == [exemption]

    services.exemption_approve(user=office, exemption=exemption)
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by, exemption.decided_at) == ("approved", office, NOW)
    assert due_state(retiree_a) == "exempt"
    assert list(selectors.exemptions_in_force(user=office, today=TODAY)) == [exemption]
    assert list(selectors.exemptions_pending(user=office)) == []


def test_a_refused_request_never_exempts_and_says_why(secretary_a, office, retiree_a):
    exemption = request(secretary_a, retiree_a)
    services.exemption_refuse(user=office, exemption=exemption, note="  家属可以接电话  ")
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decision_note) == ("refused", "家属可以接电话")
    assert due_state(retiree_a) == "overdue"


def test_a_refusal_needs_a_reason(secretary_a, office, retiree_a):
    exemption = request(secretary_a, retiree_a)
    with pytest.raises(ValidationError) as error:
        services.exemption_refuse(user=office, exemption=exemption, note="   ")
    assert "请说明不批准的理由" in messages_of(error.value)
    exemption.refresh_from_db()
    assert exemption.status == "pending" and exemption.decided_by is None


def test_an_office_worker_cannot_decide_their_own_request(office, office_2, retiree_a):
    exemption = request(office, retiree_a)
    for decide in (
        lambda: services.exemption_approve(user=office, exemption=exemption),
        lambda: services.exemption_refuse(user=office, exemption=exemption, note="撤回"),
    ):
        with pytest.raises(ValidationError) as error:
            decide()
        assert "不能审批自己提出的申请" in messages_of(error.value)
    exemption.refresh_from_db()
    assert exemption.status == "pending"
    services.exemption_approve(user=office_2, exemption=exemption)  # a colleague can
    assert due_state(retiree_a) == "exempt"


def test_a_request_is_decided_once(secretary_a, office, office_2, retiree_a):
    exemption = request(secretary_a, retiree_a)
    services.exemption_approve(user=office, exemption=exemption)
    with pytest.raises(ValidationError) as error:
        services.exemption_refuse(user=office_2, exemption=exemption, note="晚了一步")
    assert "这项申请已经审批过了" in messages_of(error.value)
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by) == ("approved", office)


def test_branch_workers_never_decide(secretary_a, committee_a, office, retiree_a):
    exemption = request(office, retiree_a)
    for user in (secretary_a, committee_a):
        with pytest.raises(PermissionDenied):
            services.exemption_approve(user=user, exemption=exemption)


def test_only_a_secretary_of_the_branch_or_office_staff_may_ask(committee_a, secretary_b, retiree_a):
    with pytest.raises(PermissionDenied):
        request(committee_a, retiree_a)
    with pytest.raises(PermissionDenied):
        request(secretary_b, retiree_a)  # another branch's retiree
    assert not Exemption.objects.exists()


def test_requests_and_decisions_are_audited(secretary_a, office, office_2, retiree_a):
    first = request(secretary_a, retiree_a)
    services.exemption_approve(user=office, exemption=first)
    services.exemption_revoke(user=office, exemption=first)
    second = request(secretary_a, retiree_a)
    services.exemption_refuse(user=office_2, exemption=second, note="已联系上")
    events = [
        (event.action, event.actor, event.retiree, event.detail["exemption"])
        for event in AuditEvent.objects.order_by("id")
    ]
    assert events == [
        ("exemption_request", secretary_a, retiree_a, first.pk),
        ("exemption_approve", office, retiree_a, first.pk),
        ("exemption_revoke", office, retiree_a, first.pk),
        ("exemption_request", secretary_a, retiree_a, second.pk),
        ("exemption_refuse", office_2, retiree_a, second.pk),
    ]


# --- What a request may ask for -------------------------------------------------------------------


def test_a_window_that_ends_before_it_starts_is_refused(secretary_a, retiree_a):
    with pytest.raises(ValidationError) as error:
        request(secretary_a, retiree_a, starts_on=TODAY, ends_on=TODAY - datetime.timedelta(days=1))
    assert "结束日期不能早于开始日期" in messages_of(error.value)


def test_a_window_longer_than_half_a_year_is_refused(secretary_a, retiree_a):
    longest = TODAY + datetime.timedelta(days=182)  # 183 days counting both ends
    with pytest.raises(ValidationError) as error:
        request(secretary_a, retiree_a, ends_on=longest + datetime.timedelta(days=1))
    assert "最长 183 天" in messages_of(error.value)
    assert request(secretary_a, retiree_a, ends_on=longest).status == "pending"


def test_one_pending_request_per_retiree(secretary_a, office, retiree_a):
    exemption = request(secretary_a, retiree_a)
    with pytest.raises(ValidationError) as error:
        request(office, retiree_a, reason="travelling")
    assert "已有一项待审批的豁免申请" in messages_of(error.value)
    services.exemption_refuse(user=office, exemption=exemption, note="不需要")
    assert request(office, retiree_a).status == "pending"  # once decided, a new request may follow


def test_a_round_request_needs_an_open_round_of_the_retirees_branch(secretary_a, office, retiree_a, branch_b):
    other = services.round_create(user=office, title="二支部摸排", branches=[branch_b], **WEEK)
    with pytest.raises(PermissionDenied):
        request(secretary_a, retiree_a, checkin_round=other)  # a round the secretary cannot see
    with pytest.raises(ValidationError):
        request(office, retiree_a, checkin_round=other)
    survey = services.round_create(user=office, title="全校摸排", **WEEK)
    exemption = services.exemption_request(
        user=secretary_a, retiree=retiree_a, reason="travelling", checkin_round=survey
    )
    assert (exemption.starts_on, exemption.ends_on) == (survey.starts_on, survey.ends_on)


def test_no_request_for_a_retiree_no_longer_active(secretary_a, retiree_a):
    Retiree.objects.filter(pk=retiree_a.pk).update(status="moved")
    with pytest.raises(ValidationError):
        request(secretary_a, retiree_a)


def test_rounds_count_only_approved_exemptions(secretary_a, office, branch_a):
    survey = services.round_create(user=office, title="全校摸排", **WEEK)
    waiting, refused, approved = (make_retiree(branch_a, name) for name in ("待批", "未批", "已批"))
    for retiree in (waiting, refused, approved):
        services.exemption_request(user=secretary_a, retiree=retiree, reason="travelling", checkin_round=survey)
    pending = {e.retiree: e for e in selectors.exemptions_pending(user=office)}
    services.exemption_refuse(user=office, exemption=pending[refused], note="可以联系")
    services.exemption_approve(user=office, exemption=pending[approved])
    assert [e.retiree for e in selectors.round_exemptions(user=office, checkin_round=survey)] == [approved]
    assert selectors.round_totals(selectors.round_coverage(user=office, checkin_round=survey))["exempt"] == 1


def test_only_an_approved_exemption_can_be_ended(secretary_a, office, retiree_a):
    exemption = request(secretary_a, retiree_a)
    with pytest.raises(ValidationError):
        services.exemption_revoke(user=office, exemption=exemption)
    services.exemption_approve(user=office, exemption=exemption)
    services.exemption_revoke(user=office, exemption=exemption)
    assert due_state(retiree_a) == "overdue"


# --- The database keeps the rules when the services are bypassed ---------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": "approved", "decided_at": NOW}, id="decided-without-decider"),
        pytest.param({"decided_by_id": "requester", "decided_at": NOW, "status": "approved"}, id="own-request"),
        pytest.param({"decided_by_id": "other", "decided_at": NOW, "status": "refused"}, id="refused-without-reason"),
        pytest.param({"decided_by_id": "other"}, id="pending-with-decider"),
        pytest.param({"status": "maybe"}, id="unknown-status"),
        pytest.param({"revoked_at": NOW}, id="pending-revoked"),
        pytest.param({"ends_on": TODAY + datetime.timedelta(days=400)}, id="window-too-long"),
        pytest.param({"legacy_grant": True}, id="pending-legacy"),
        pytest.param(
            {"decided_by_id": "other", "decided_at": NOW - datetime.timedelta(days=1), "status": "approved"},
            id="decided-before-asked",
        ),
    ],
)
def test_the_database_refuses_what_the_rules_forbid(secretary_a, office, retiree_a, change):
    exemption = request(secretary_a, retiree_a)
    ids = {"requester": secretary_a.pk, "other": office.pk}
    change = {field: ids.get(value, value) if field == "decided_by_id" else value for field, value in change.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.filter(pk=exemption.pk).update(**change)


def test_the_database_keeps_one_pending_request_per_retiree(secretary_a, retiree_a):
    request(secretary_a, retiree_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exemption.objects.create(retiree=retiree_a, reason="other", requested_by=secretary_a, **WEEK)


# --- Two office workers at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_of_two_decisions_at_once_the_first_wins_and_the_second_is_told(branch_a, secretary_a, office, office_2):
    retiree = make_retiree(branch_a, "并发")
    exemption = request(secretary_a, retiree)
    approved = threading.Event()
    outcome = {}

    def approve():
        try:
            with transaction.atomic():
                services.exemption_approve(user=office, exemption=exemption)
                approved.set()
                time.sleep(0.5)  # hold the row while the other worker tries
            outcome["approve"] = "ok"
        finally:
            connection.close()

    def refuse():
        try:
            approved.wait(5)
            services.exemption_refuse(user=office_2, exemption=exemption, note="不需要")
            outcome["refuse"] = "ok"
        except ValidationError as error:
            outcome["refuse"] = messages_of(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve), threading.Thread(target=refuse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome["approve"] == "ok"
    assert "这项申请已经审批过了" in outcome["refuse"]
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decided_by) == ("approved", office)
    assert AuditEvent.objects.filter(action__in=["exemption_approve", "exemption_refuse"]).count() == 1
