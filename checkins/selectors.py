"""Reads for the check-in pages, always through the user's scope.

When a retiree is due (the cadence and the due state) is `checkins.schedule`; these selectors
build the call list, coverage, rounds and policies on it.
"""

import datetime

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from accounts.access import in_scope
from branches.models import Branch
from core.dates import local_today
from retirees.choices import Status
from retirees.models import HouseholdContact, Retiree

from .choices import DueState, RoundStatus
from .models import CadencePolicy, CheckinRound, ContactLog, Exemption, WeeklyReach
from .schedule import unreachable_expression, with_schedule

WEEKS_IN_CHART = 12


# --- The call list ----------------------------------------------------------------------------


def _last_contact(field: str):
    return Subquery(
        ContactLog.objects.filter(retiree=OuterRef("pk")).order_by("-contacted_at", "-id").values(field)[:1]
    )


def call_list(
    *, user, today: datetime.date | None = None, branch: Branch | None = None, policies: list[dict] | None = None
):
    """Active retirees `user` may call, most urgent first: overdue, due today, the rest by due date, exempt last.

    One query with everything a row shows (schedule, last contact, next open follow-up); the
    primary household contact comes with one prefetch query.
    """
    today = today or local_today()
    queryset = Retiree.objects.visible_to(user).active().select_related("branch")
    if branch is not None:
        queryset = queryset.filter(branch=branch)
    return (
        with_schedule(queryset, today, policies=policies)
        .annotate(
            last_contact_at=F("checkin_state__last_contact_at"),
            last_contact_outcome=_last_contact("outcome"),
            last_contact_reached=_last_contact("reached"),
            last_contact_notes=_last_contact("notes"),
            next_follow_up_on=Subquery(
                ContactLog.objects.open_follow_ups()
                .filter(retiree=OuterRef("pk"))
                .values("retiree")
                .annotate(first=Min("follow_up_on"))
                .values("first")[:1]
            ),
        )
        .prefetch_related(
            Prefetch(
                "household_contacts",
                queryset=HouseholdContact.objects.order_by("-is_primary", "id"),
                to_attr="household",
            )
        )
        .order_by(F("urgency").asc(), F("next_due_on").asc(nulls_first=True), "name_pinyin", "id")
    )


def call_list_row(*, user, pk, today: datetime.date | None = None) -> Retiree:
    """One row of the call list (after a quick log); 404 outside the user's scope."""
    return get_object_or_404(call_list(user=user, today=today), pk=pk)


def retiree_for_checkin(*, user, pk) -> Retiree:
    """An active retiree `user` may log a contact for; 404 otherwise."""
    return get_object_or_404(Retiree.objects.visible_to(user).active().select_related("branch"), pk=pk)


def retiree_schedule(*, user, pk, today: datetime.date | None = None) -> Retiree:
    """One retiree (any status) with the schedule and where the cadence comes from; 404 outside scope."""
    queryset = with_schedule(Retiree.objects.visible_to(user), today, with_source=True).annotate(
        last_contact_at=F("checkin_state__last_contact_at"),
        unreachable_since=F("checkin_state__unreachable_since"),
    )
    return get_object_or_404(queryset, pk=pk)


def contact_timeline(*, user, retiree: Retiree):
    """The retiree's contacts, newest first, with who made them (one query)."""
    return ContactLog.objects.visible_to(user).filter(retiree=retiree).select_related("contacted_by")


def contact_get(*, user, pk) -> ContactLog:
    return get_object_or_404(ContactLog.objects.visible_to(user).select_related("retiree", "contacted_by"), pk=pk)


def contact_in_scope(*, user, pk) -> ContactLog:
    """For services: contact `pk` with its retiree, if `user` may see it (else PermissionDenied)."""
    return in_scope(ContactLog.objects.select_related("retiree"), user, pk)


def open_follow_ups(*, user, until: datetime.date | None = None):
    """Open follow-ups in the user's scope, soonest first (they move with the retiree on handover)."""
    queryset = ContactLog.objects.visible_to(user).open_follow_ups().select_related("retiree", "contacted_by")
    if until is not None:
        queryset = queryset.filter(follow_up_on__lte=until)
    return queryset.order_by("follow_up_on", "id")


# --- Coverage ---------------------------------------------------------------------------------


COUNT_FIELDS = ["total", "covered", "exempt", "due", "overdue", "unreachable"]


def branch_coverage(*, user, today: datetime.date | None = None, policies: list[dict] | None = None) -> list[dict]:
    """Per visible branch: active retirees, reached this cycle, exempt, due today, overdue, unreachable.

    Two queries (the counts grouped by branch, and the branches), whatever the number of retirees,
    and a third for the cadence rules unless `policies` is given. Each dict has the branch, the
    counts, `percent` ((covered + exempt) / total) and `complete`.
    """
    today = today or local_today()
    scheduled = with_schedule(Retiree.objects.visible_to(user).active(), today, policies=policies)
    counts = {row["branch"]: row for row in _count_by_branch(scheduled)}
    rows = []
    for branch in Branch.objects.visible_to(user):
        row = {field: counts.get(branch.pk, {}).get(field, 0) for field in COUNT_FIELDS}
        if not branch.is_active and not row["total"]:
            continue
        rows.append(_with_percent({"branch": branch, **row}))
    return rows


def _count_by_branch(scheduled) -> list[dict]:
    """COUNT_FIELDS per branch of the `with_schedule` queryset, the due state evaluated once a row.

    The ORM can only count "FILTER (WHERE due_state = …)" by repeating the whole due-state
    expression in every count, and grouping by the due state instead made PostgreSQL sort every
    retiree (it cannot estimate the groups). So the ORM's own query of (branch, due state,
    unreachable) is counted by an outer query; `OFFSET 0` keeps PostgreSQL from merging the two
    and copying the expression back into each count. The rule itself stays in `with_schedule`.
    """
    inner_sql, params = scheduled.order_by().values("branch", "due_state", "unreachable").query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = f"""
        SELECT branch, COUNT(*),
               COUNT(*) FILTER (WHERE due_state = %s), COUNT(*) FILTER (WHERE due_state = %s),
               COUNT(*) FILTER (WHERE due_state = %s), COUNT(*) FILTER (WHERE due_state = %s),
               COUNT(*) FILTER (WHERE unreachable)
        FROM ({inner_sql}{fence}) AS scheduled
        GROUP BY branch
    """
    states = [DueState.COVERED, DueState.EXEMPT, DueState.DUE, DueState.OVERDUE]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(state.value for state in states), *params])
        return [dict(zip(["branch", *COUNT_FIELDS], row, strict=True)) for row in cursor.fetchall()]


def coverage_totals(rows: list[dict]) -> dict:
    """The sum of branch_coverage rows (no query)."""
    totals = {field: sum(row[field] for row in rows) for field in COUNT_FIELDS}
    return _with_percent(totals)


def _with_percent(row: dict) -> dict:
    done = row["covered"] + row["exempt"]
    row["percent"] = round(100 * done / row["total"]) if row["total"] else 100
    row["complete"] = done == row["total"]
    return row


def week_starts(today: datetime.date, weeks: int = WEEKS_IN_CHART) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, the current week last."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_coverage(*, user, today: datetime.date | None = None, total: int | None = None) -> list[dict]:
    """For each of the last 12 weeks (Monday to Sunday, Asia/Shanghai): distinct active retirees reached.

    Counts the maintained `WeeklyReach` rows (one per retiree and week reached) of the retirees
    in scope who are active now; one query. For a user who sees every branch the rows are read
    from the index alone and those of the (few) retirees no longer active are subtracted, found
    in a small hashed list, instead of joining every row to its retiree. `percent` is against
    `total` (the active retirees in scope now; pass it when known, or it costs a query).
    """
    today = today or local_today()
    weeks = week_starts(today)
    if total is None:
        total = Retiree.objects.visible_to(user).active().count()
    in_chart = WeeklyReach.objects.visible_to(user).filter(week__gte=weeks[0], week__lte=weeks[-1]).order_by()
    if user.sees_all_branches:
        no_longer_active = Retiree.objects.exclude(status=Status.ACTIVE).values("pk")
        rows = in_chart.values("week").annotate(
            n=Count("retiree") - Count("retiree", filter=Q(retiree__in=no_longer_active))
        )
    else:
        rows = in_chart.filter(retiree__status=Status.ACTIVE).values("week").annotate(n=Count("retiree"))
    reached = {_as_date(row["week"]): row["n"] for row in rows}
    return [
        {
            "week": week,
            "reached": reached.get(week, 0),
            "percent": round(100 * reached.get(week, 0) / total) if total else 0,
        }
        for week in weeks
    ]


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite may hand the truncated date back as text
        return datetime.date.fromisoformat(value[:10])
    return value


def escalations(*, user, limit: int = 50):
    """Retirees on the escalation ladder (the last contact(s) reached nobody), highest step first.

    Annotated with consecutive_failures and unreachable only: the list shows no schedule, and
    computing it for the thousands of retirees with a failure cost the dashboard ~25 ms.
    """
    queryset = (
        Retiree.objects.visible_to(user)
        .active()
        .filter(checkin_state__consecutive_failures__gt=0)
        .annotate(consecutive_failures=F("checkin_state__consecutive_failures"), unreachable=unreachable_expression())
        .select_related("branch")
    )
    return queryset.order_by("-consecutive_failures", "name_pinyin", "id")[:limit]


def exemptions_in_force(*, user, today: datetime.date | None = None):
    """Exemptions from the regular schedule in force today: listed apart, never hidden."""
    today = today or local_today()
    return (
        Exemption.objects.visible_to(user)
        .active_on(today)
        .filter(round__isnull=True, retiree__status=Status.ACTIVE)
        .select_related("retiree", "retiree__branch", "approved_by")
        .order_by("ends_on", "id")
    )


def exemption_get(*, user, pk) -> Exemption:
    return get_object_or_404(
        Exemption.objects.visible_to(user).select_related("retiree", "approved_by", "round"), pk=pk
    )


def retiree_exemptions(*, user, retiree: Retiree):
    return Exemption.objects.visible_to(user).filter(retiree=retiree).select_related("approved_by", "round")


# --- Rounds -----------------------------------------------------------------------------------


def round_list(*, user):
    return CheckinRound.objects.visible_to(user).prefetch_related("branches").order_by("-starts_on", "-id")


def rounds_running(*, user, today: datetime.date):
    """The open rounds `user` may see that run today, soonest deadline first (for the digests)."""
    return (
        CheckinRound.objects.visible_to(user)
        .filter(status=RoundStatus.OPEN, starts_on__lte=today, ends_on__gte=today)
        .order_by("ends_on", "id")
    )


def round_get(*, user, pk) -> CheckinRound:
    return get_object_or_404(
        CheckinRound.objects.visible_to(user).select_related("created_by", "closed_by").prefetch_related("branches"),
        pk=pk,
    )


def _verified_filter(checkin_round: CheckinRound) -> Q:
    """A reached contact that verified everything the round asks for."""
    condition = Q()
    if checkin_round.verify_health:
        condition &= ~Q(health_seen="")
    if checkin_round.verify_community:
        condition &= ~Q(community_status="")
    if checkin_round.verify_vaccination:
        condition &= Q(checked_vaccination=True)
    if checkin_round.verify_testing:
        condition &= Q(checked_testing=True)
    return condition


def round_retirees(*, user, checkin_round: CheckinRound):
    """Active retirees in the round's scope that `user` may see, annotated with reached / verified / exempt.

    reached: a contact that reached somebody inside the window; verified: one that also checked
    everything the round asks; exempt: exempted for this round, or from the regular schedule for
    dates overlapping the window. One query.
    """
    in_window = (
        ContactLog.objects.reached()
        .filter(retiree=OuterRef("pk"))
        .filter(contacted_on__gte=checkin_round.starts_on, contacted_on__lte=checkin_round.ends_on)
    )
    exempt = Exemption.objects.filter(retiree=OuterRef("pk"), revoked_at__isnull=True).filter(
        Q(round=checkin_round)
        | Q(round__isnull=True, starts_on__lte=checkin_round.ends_on, ends_on__gte=checkin_round.starts_on)
    )
    return (
        Retiree.objects.visible_to(user)
        .active()
        .filter(branch__in=checkin_round.branches.all())
        .annotate(
            reached_in_round=Exists(in_window),
            verified_in_round=Exists(in_window.filter(_verified_filter(checkin_round))),
            exempt_in_round=Exists(exempt),
        )
    )


ROUND_COUNT_FIELDS = ["total", "reached", "verified", "exempt", "missing"]


def round_coverage(*, user, checkin_round: CheckinRound) -> list[dict]:
    """Per branch of the round (as far as `user` sees): total, reached, verified, exempt, missing.

    A retiree reached and also exempt counts as reached. Two queries.
    """
    counts = {
        row["branch"]: row
        for row in round_retirees(user=user, checkin_round=checkin_round)
        .order_by()
        .values("branch")
        .annotate(
            total=Count("pk"),
            reached=Count("pk", filter=Q(reached_in_round=True)),
            verified=Count("pk", filter=Q(verified_in_round=True)),
            exempt=Count("pk", filter=Q(reached_in_round=False, exempt_in_round=True)),
            missing=Count("pk", filter=Q(reached_in_round=False, exempt_in_round=False)),
        )
    }
    rows = []
    for branch in checkin_round.branches.visible_to(user):
        row = {field: counts.get(branch.pk, {}).get(field, 0) for field in ROUND_COUNT_FIELDS}
        rows.append(_round_percent({"branch_id": branch.pk, "branch_name": branch.name, **row}))
    return rows


def round_totals(rows: list[dict]) -> dict:
    return _round_percent({field: sum(row[field] for row in rows) for field in ROUND_COUNT_FIELDS})


def round_closing_counts(*, user, checkin_round: CheckinRound) -> dict:
    """The counts frozen at closing, cut down to the branches `user` may see (a secretary sees
    their own branch's row and totals of it alone, never the other branches'). One query."""
    frozen = checkin_round.closing_counts or {"branches": []}
    visible = set(checkin_round.branches.visible_to(user).values_list("pk", flat=True))
    rows = [row for row in frozen["branches"] if row.get("branch_id") in visible]
    return {"branches": rows, "totals": round_totals(rows)}


def _round_percent(row: dict) -> dict:
    done = row["reached"] + row["exempt"]
    row["percent"] = round(100 * done / row["total"]) if row["total"] else 100
    row["complete"] = done == row["total"]
    return row


def round_missing(*, user, checkin_round: CheckinRound):
    """Retirees in the round not yet reached and not exempt, by branch then name."""
    return (
        round_retirees(user=user, checkin_round=checkin_round)
        .filter(reached_in_round=False, exempt_in_round=False)
        .select_related("branch")
        .order_by("branch", "name_pinyin", "id")
    )


def round_exemptions(*, user, checkin_round: CheckinRound):
    """Retirees in the round who count as exempt (not reached), listed apart with the exemption."""
    retirees = round_retirees(user=user, checkin_round=checkin_round).filter(
        reached_in_round=False, exempt_in_round=True
    )
    return (
        Exemption.objects.visible_to(user)
        .filter(retiree__in=retirees.values("pk"), revoked_at__isnull=True)
        .filter(
            Q(round=checkin_round)
            | Q(round__isnull=True, starts_on__lte=checkin_round.ends_on, ends_on__gte=checkin_round.starts_on)
        )
        .select_related("retiree", "retiree__branch", "approved_by")
        .order_by("retiree__branch", "retiree__name_pinyin", "id")
    )


# --- Policies ---------------------------------------------------------------------------------


def policy_list(*, user):
    # By branch as branches are listed (Branch.Meta.ordering); the rules for every branch last.
    return (
        CadencePolicy.objects.visible_to(user)
        .select_related("branch", "updated_by")
        .order_by("branch", "category", "age_band", "care_level", "id")
    )


def policy_get(*, user, pk) -> CadencePolicy:
    return get_object_or_404(policy_list(user=user), pk=pk)


# Reminders ask for the sign-off from this many days before a round ends until this many after.
SIGNOFF_REMINDER_BEFORE_DAYS = 2
SIGNOFF_REMINDER_AFTER_DAYS = 14


def rounds_awaiting_signoff(*, branch_id: int, today: datetime.date):
    """The branch's rounds that are in their last days or ended lately and that it has not signed off.

    For the branch's reminders: from two days before a round's end until two weeks after it.
    """
    return (
        CheckinRound.objects.filter(
            branches=branch_id,
            starts_on__lte=today,
            ends_on__lte=today + datetime.timedelta(days=SIGNOFF_REMINDER_BEFORE_DAYS),
            ends_on__gte=today - datetime.timedelta(days=SIGNOFF_REMINDER_AFTER_DAYS),
        )
        .exclude(ledger_signoffs__branch=branch_id)
        .order_by("ends_on", "id")
    )
