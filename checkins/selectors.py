"""Reads for the check-in pages, always through the user's scope.

When a retiree is due (the cadence and the due state) is `checkins.schedule`; these selectors
build the call list, coverage, rounds and policies on it.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject
from django.shortcuts import get_object_or_404

from accounts.access import branch_ids_in_scope, in_scope, kept_for, scope_key
from branches.models import Branch
from core.compiled import PARAMETER, AnyOf, kept, kept_get
from core.dates import local_today
from retirees.choices import Status
from retirees.models import HouseholdContact, Retiree

from . import call_order, coverage
from .choices import DueState, ExemptionStatus, RoundItem
from .models import (
    ROUND_ITEMS,
    AttentionEpisode,
    CadencePolicy,
    CallbackRequest,
    CheckinRound,
    ContactLog,
    Exemption,
    RoundVerification,
    WeeklyReach,
)
from .schedule import attention_condition, cadence_policy_rows, rules_key, unreachable_expression, with_schedule

WEEKS_IN_CHART = 12


# --- The call list ----------------------------------------------------------------------------


def _last_contact():
    """The retiree's (OuterRef "pk") latest contact as one JSON object of what a row shows: one
    index probe a row instead of one per column."""
    latest = ContactLog.objects.filter(retiree=OuterRef("pk")).order_by("-contacted_at", "-id")
    return Subquery(
        latest.values(json=JSONObject(outcome="outcome", reached="reached", notes="notes", channel="channel"))[:1]
    )


def _attention_why(today: datetime.date):
    """Why the retiree is under attention: the latest open cause (the retiree's page lists them
    all), as JSON of `cause`, `detail` and `since` (an ISO date). Looked up for the rows under
    attention only."""
    why = AttentionEpisode.objects.active_on(today).filter(retiree=OuterRef("pk")).order_by("-since", "-id")
    return Case(
        When(
            attention=True,
            then=Subquery(why.values(json=JSONObject(cause="cause", detail="detail", since="since"))[:1]),
        ),
        default=None,
    )


def _policies_in_scope(user, branch: Branch | None, policies: list[dict] | None) -> list[dict]:
    """The cadence rules that can decide a cadence on this call list: the office-wide ones and
    those of its branches. A secretary's list compiles the rules of one branch into its schedule,
    not the thousand branches' (the same result, a small fraction of the SQL to build and plan)."""
    if policies is None:
        policies = cadence_policy_rows()
    branch_ids = {branch.pk} if branch is not None else branch_ids_in_scope(user)
    if branch_ids is None:
        return policies
    return [policy for policy in policies if policy["branch_id"] is None or policy["branch_id"] in branch_ids]


def call_list(
    *, user, today: datetime.date | None = None, branch: Branch | None = None, policies: list[dict] | None = None
):
    """Active retirees `user` may call, most urgent first: those who asked for a call back on their
    own page (the longest waiting first), then under attention, then overdue, due today, the rest
    by due date, exempt last (and in that order within attention).

    One query with everything a row shows (schedule, `last_contact` and `attention_why` as dicts,
    next open follow-up); the primary household contact comes with one prefetch query.

    Building the queryset (the schedule's expressions and four subqueries) cost the ORM as much
    time as PostgreSQL spends on a branch's list. It depends only on the user's scope, the branch,
    the day, the cadence rules and the attention cadence, so it is built once per process for
    each of those and cloned for each call: a queryset describes a query and the clone holds no rows.
    """
    today = today or local_today()
    policies = _policies_in_scope(user, branch, policies)
    key = ("call_list", scope_key(user), None if branch is None else branch.pk, today, rules_key(policies))
    return kept(key, lambda: _build_call_list(user=user, today=today, branch=branch, policies=policies)).all()


def _build_call_list(*, user, today: datetime.date, branch: Branch | None, policies: list[dict]):
    queryset = Retiree.objects.visible_to(user).active().select_related("branch")
    if branch is not None:
        queryset = queryset.filter(branch=branch)
    return (
        call_order.with_sort_key(queryset, today, policies)
        .annotate(
            last_contact_at=F("checkin_state__last_contact_at"),
            last_contact=_last_contact(),
            # The first open follow-up (the open follow-ups' index, in order).
            next_follow_up_on=Subquery(
                ContactLog.objects.open_follow_ups()
                .filter(retiree=OuterRef("pk"))
                .order_by("follow_up_on")
                .values("follow_up_on")[:1]
            ),
            attention_why=_attention_why(today),
        )
        .prefetch_related(
            Prefetch(
                "household_contacts",
                queryset=HouseholdContact.objects.order_by("-is_primary", "id"),
                to_attr="household",
            )
        )
        .order_by(*call_order.sort_key())
    )


def call_list_order() -> list:
    """The call list's order without the call-backs: under attention first, then overdue, due
    today, the rest by due date."""
    return call_order.sort_key()[1:]


def due_list(
    *, user, today: datetime.date | None = None, branch: Branch | None = None, policies: list[dict] | None = None
):
    """The call list's overdue and due-today retirees, in its order, with the schedule and phones
    only (for the digests: one query, without the call list's last-contact and follow-up columns)."""
    today = today or local_today()
    queryset = Retiree.objects.visible_to(user).active()
    if branch is not None:
        queryset = queryset.filter(branch=branch)
    return (
        with_schedule(queryset, today, policies=policies)
        .filter(due_state__in=[DueState.OVERDUE, DueState.DUE])
        .order_by(*call_list_order())
    )


def call_list_row(*, user, pk, today: datetime.date | None = None) -> Retiree:
    """One row of the call list (after a quick log); 404 outside the user's scope."""
    return get_object_or_404(call_list(user=user, today=today), pk=pk)


def retiree_for_checkin(*, user, pk) -> Retiree:
    """An active retiree `user` may log a contact for; 404 otherwise (built and compiled once per scope)."""
    retirees = kept_for(
        user,
        ("retiree_for_checkin",),
        lambda user: Retiree.objects.visible_to(user).active().select_related("branch").filter(pk=PARAMETER),
    )
    return kept_get(retirees, pk)


def retiree_schedule(*, user, pk, today: datetime.date | None = None, branch_id: int | None = None) -> Retiree:
    """One retiree (any status) with the schedule and where the cadence comes from; 404 outside scope.

    `branch_id`, the retiree's branch when known: only its rules and the office-wide ones are
    compiled into the schedule (the same result; a thousand branches' rules cost more to build
    and plan than the query to run)."""
    today = today or local_today()
    policies = cadence_policy_rows()
    if branch_id is not None:
        policies = [policy for policy in policies if policy["branch_id"] in (None, branch_id)]

    def build():
        queryset = Retiree.objects.visible_to(user).filter(pk=PARAMETER)
        if branch_id is not None:
            queryset = queryset.filter(branch_id=branch_id)
        return with_schedule(queryset, today, with_source=True, policies=policies).annotate(
            last_contact_at=F("checkin_state__last_contact_at"),
            unreachable_since=F("checkin_state__unreachable_since"),
        )

    # Built and compiled once for the scope, branch, day and rules; the retiree's id is bound.
    key = ("retiree_schedule", scope_key(user), branch_id, today, rules_key(policies))
    return kept_get(kept(key, build), pk)


def retiree_attention(*, user, retiree: Retiree) -> list[AttentionEpisode]:
    """The retiree's attention episodes, open and ended, newest first, with who lifted them (one query)."""
    return list(
        kept_for(
            user,
            ("retiree_attention",),
            lambda user: (
                AttentionEpisode.objects.visible_to(user).filter(retiree=PARAMETER).select_related("lifted_by")
            ),
        ).bound(retiree.pk)
    )


def attention_episode_get(*, user, pk) -> AttentionEpisode:
    """One attention episode with its retiree; 404 outside the user's scope."""
    return get_object_or_404(
        AttentionEpisode.objects.visible_to(user).select_related("retiree", "retiree__branch", "lifted_by"), pk=pk
    )


def contact_timeline(*, user, retiree: Retiree):
    """The retiree's contacts, newest first, with who made them (one query)."""
    return ContactLog.objects.visible_to(user).filter(retiree=retiree).select_related("contacted_by")


def latest_contacts(*, user, retiree: Retiree, count: int) -> list[ContactLog]:
    """The retiree's latest `count` contacts (`contact_timeline`'s first page; its SQL compiled once)."""
    timeline = kept_for(user, ("contact_timeline",), lambda user: contact_timeline(user=user, retiree=PARAMETER))
    return list(timeline.bound(retiree.pk)[:count])


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


# The call list's sections: those who asked for a call back first, then those under attention,
# then the others by due state. Counted with the coverage (same query), so that a section's heading
# gives its size on every page.
SECTION_FIELDS = ["section_callback", "section_attention", *(f"section_{state}" for state in DueState.values)]
COUNT_FIELDS = ["total", "covered", "exempt", "due", "overdue", "unreachable", "attention", *SECTION_FIELDS]


def branch_coverage(
    *,
    user,
    today: datetime.date | None = None,
    policies: list[dict] | None = None,
    residence_area: str = "",
    live: bool = False,
) -> list[dict]:
    """Per visible branch: active retirees, reached this cycle, exempt, due today, overdue,
    unreachable, under attention; only those living in `residence_area` when given (a
    `ResidenceArea` code: the weekly report of one family area).

    Each dict has the branch, the counts, `percent` ((covered + exempt) / total), `complete`, and
    (unless narrowed to an area) `weekly`, the branch's reached retirees in each week of the
    12-week chart. Today's counts are kept between requests (`checkins.coverage`): only the
    branches where something changed are counted again, all of them in one query (two with the
    weeks); for another day, with `residence_area`, on SQLite or when `live`, everything is
    counted, in one query. Plus the branches,
    and the cadence rules unless `policies` is given.
    """
    today = today or local_today()
    branches = list(Branch.objects.visible_to(user))
    # Kept for today only: a report of another day counts afresh rather than displace today's.
    if live or residence_area or today != local_today() or not coverage.kept():
        retirees = Retiree.objects.visible_to(user).active()
        if residence_area:
            retirees = retirees.filter(residence_area=residence_area)
        values = _branch_values(_scheduled(retirees, today, policies))
        counts = {row["branch"]: (row, None) for row in _count_by_branch(values)}
    else:
        counts = coverage.branch_counts(
            [branch.pk for branch in branches], today, lambda ids: _branch_counts(ids, today, policies)
        )
    rows = []
    for branch in branches:
        counted, weekly = counts.get(branch.pk, ({}, None))
        row = {field: counted.get(field, 0) for field in COUNT_FIELDS}
        if not _shown(branch.is_active, row["total"]):
            continue
        if weekly is not None:
            row["weekly"] = weekly
        rows.append(_with_percent({"branch": branch, **row}))
    return rows


# The dashboard's "least covered first": by percent, then the most overdue; branch order after.
LEAST_COVERED_FIRST = ["percent", "-overdue"]


def _shown(is_active: bool, total) -> bool:
    """Whether a branch has a row: a closed branch only while it still has active retirees."""
    return is_active or bool(total)


SHOWN = Q(branch__is_active=True) | Q(total__gt=0)  # _shown, on kept rows (BranchCoverage)


@dataclass
class Coverage:
    """The coverage of a user's branches (or one branch): what the dashboard and the call list show.

    `totals` (`coverage_totals`), `weekly` (active retirees reached in each week of the chart,
    summed over the branches, or None: `weekly_coverage` then counts them), `rows` the shown
    branches' rows in branch order and `by_coverage` the least covered first: sequences that a
    Paginator slices (kept counts: read a page at a time, `len` known without a query).
    """

    totals: dict
    weekly: list[int] | None
    rows: Sequence[dict]
    by_coverage: Sequence[dict]


def coverage_overview(
    *,
    user,
    today: datetime.date | None = None,
    policies: list[dict] | None = None,
    branch: Branch | None = None,
    weeks: bool = True,
) -> Coverage:
    """The coverage of the user's visible branches, or of `branch` (one of them).

    With today's counts kept (`checkins.coverage`, PostgreSQL) the stale branches are counted
    again first, then the totals and the weeks are sums in SQL over the kept rows (one query,
    its SQL compiled once) and a page of rows is one query more when asked for: a bounded number
    of queries, nothing done per branch in Python, however many branches. Otherwise (another
    day, SQLite, or inside a transaction that has written, where nothing can be kept)
    `branch_coverage`'s rows counted live, summed here. Without `weeks` (the call list shows the
    totals only) the weeks are not summed: `weekly` is None.
    """
    today = today or local_today()
    scope = branch_ids_in_scope(user)
    if scope is None:  # every branch: found by PostgreSQL, not listed here
        branches = Branch.objects.all() if branch is None else [branch.pk]
    else:
        branches = sorted(scope) if branch is None else [branch.pk] if branch.pk in scope else []
    if today == local_today() and coverage.kept():
        number = coverage.keep_fresh(
            branches, today, lambda ids: _branch_counts(ids, today, policies), count_unkept=False
        )
        if number is not None:
            sums = _kept_sums(user=user, today=today, branch=branch, weeks=weeks)
            # Every branch's row is expected; one missing was replaced meanwhile by another day's.
            if sums["rows"] == number:
                rows = coverage.valid_rows(today).visible_to(user)
                return _kept_coverage(rows if branch is None else rows.filter(branch=branch), sums, weeks=weeks)
    # Not kept (or, rarely, a row replaced meanwhile): everything counted, in one query.
    rows = branch_coverage(user=user, today=today, policies=policies, live=True)
    if branch is not None:
        rows = [row for row in rows if row["branch"].pk == branch.pk]
    # Live rows carry no weeks: weekly_coverage counts them.
    return Coverage(
        totals=coverage_totals(rows), weekly=None, rows=rows, by_coverage=sorted(rows, key=_least_covered_key)
    )


def _least_covered_key(row: dict) -> tuple:
    return tuple(-row[field[1:]] if field.startswith("-") else row[field] for field in LEAST_COVERED_FIRST)


def _kept_sums(*, user, today: datetime.date, branch: Branch | None, weeks: bool) -> dict:
    """Sums of today's kept rows in `user`'s scope (or of `branch`), and how many rows there are
    and are shown: one row, its SQL built and compiled once per scope, day and rules (the ORM
    spent as long building twenty sums as PostgreSQL spends adding them up)."""

    def build(user):
        rows = coverage.valid_rows(today).visible_to(user)
        if branch is not None:
            rows = rows.filter(branch=PARAMETER)
        sums = {
            "rows": Count("pk"),
            "shown": Count("pk", filter=SHOWN),
            **{field: Coalesce(Sum(field), 0) for field in COUNT_FIELDS},
        }
        if weeks:
            sums.update({f"week_{index}": Coalesce(Sum(f"weekly__{index}"), 0) for index in range(WEEKS_IN_CHART)})
        # values() grouped by a constant only has no GROUP BY: one row of sums over every row.
        return rows.order_by().annotate(everything=Value(1)).values("everything").annotate(**sums)

    sums = kept_for(user, ("coverage_sums", branch is not None, today, coverage.rules_fingerprint(), weeks), build)
    return list(sums if branch is None else sums.bound(branch.pk))[0]


def _kept_coverage(kept_rows: QuerySet, sums: dict, *, weeks: bool) -> Coverage:
    """Coverage from kept rows (BranchCoverage) and their sums (`_kept_sums`)."""
    # Only what a row shows: sorting every branch's row by its coverage stays in memory.
    shown = kept_rows.filter(SHOWN).select_related("branch").only(*COUNT_FIELDS, "branch__name")
    in_order = shown.order_by("branch", "branch_id")
    least_covered = shown.order_by(*LEAST_COVERED_FIRST, "branch", "branch_id")
    return Coverage(
        totals=coverage_totals([{field: sums[field] for field in COUNT_FIELDS}]),
        weekly=[sums[f"week_{index}"] for index in range(WEEKS_IN_CHART)] if weeks else None,
        rows=_KeptRows(in_order, sums["shown"]),
        by_coverage=_KeptRows(least_covered, sums["shown"]),
    )


class _KeptRows(Sequence):
    """Kept rows as `branch_coverage`'s dicts, read only for the slice asked for (a page)."""

    def __init__(self, queryset: QuerySet, length: int):
        self.queryset = queryset
        self.length = length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(kept) for kept in self.queryset[index]]
        return self._row(self.queryset[index])

    @staticmethod
    def _row(kept) -> dict:
        return _with_percent({"branch": kept.branch, **{field: getattr(kept, field) for field in COUNT_FIELDS}})


def coverage_keep(today: datetime.date | None = None) -> int:
    """Count again every branch whose kept counts are stale (the beat's `checkins.keep_coverage`);
    the number of branches counted. Nothing on a database where counts are not kept."""
    if not coverage.kept():
        return 0
    today = today or local_today()
    counted = []

    def count(ids):
        counted.extend(ids)
        return _branch_counts(ids, today, None)

    coverage.keep_fresh(Branch.objects.all(), today, count)
    if len(counted) > call_order.MANY_BRANCHES:
        call_order.tidy()
    return len(counted)


def _scheduled(retirees, today: datetime.date, policies: list[dict] | None):
    return with_schedule(retirees, today, policies=policies).annotate(
        callback=Exists(CallbackRequest.objects.open().filter(retiree=OuterRef("pk")))
    )


def _branch_counts(branch_ids: list[int], today: datetime.date, policies: list[dict] | None) -> dict:
    """{branch id: (COUNT_FIELDS, reached per week of the chart)} for each of `branch_ids`, counted
    now (two queries): what `checkins.coverage` keeps."""
    if not branch_ids:
        return {}
    policies = cadence_policy_rows() if policies is None else policies
    weeks = week_starts(today)
    reached = (
        WeeklyReach.objects.filter(
            week__gte=weeks[0], week__lte=weeks[-1], retiree__status=Status.ACTIVE, retiree__branch_id__in=branch_ids
        )
        .order_by()
        .values_list("retiree__branch_id", "week")
        .annotate(n=Count("retiree"))
    )
    with coverage.planned_for_few(branch_ids):
        counts = {row["branch"]: row for row in _count_by_branch(_branches_scheduled(branch_ids, today, policies))}
        weekly = {(branch_id, _as_date(week)): n for branch_id, week, n in reached}
    return {
        branch_id: (
            _with_percent({field: counts.get(branch_id, {}).get(field, 0) for field in COUNT_FIELDS}),
            [weekly.get((branch_id, week), 0) for week in weeks],
        )
        for branch_id in branch_ids
    }


def _branch_values(scheduled):
    """What `_count_by_branch` counts of a `_scheduled` queryset."""
    return scheduled.order_by().values("branch", "due_state", "unreachable", "attention", "callback")


def _branches_scheduled(branch_ids: list[int], today: datetime.date, policies: list[dict]):
    """`_branch_values` of these branches' active retirees. On PostgreSQL built and compiled once
    per day and rules, the ids bound: a recount of the one branch where a call was just logged is
    most of the counting done in a day, and building the schedule cost more than running it."""
    if connection.vendor != "postgresql":
        return _branch_values(_scheduled(Retiree.objects.active().filter(branch_id__in=branch_ids), today, policies))

    def build():
        retirees = Retiree.objects.active().filter(AnyOf(F("branch_id"), PARAMETER))
        return _branch_values(_scheduled(retirees, today, policies))

    return kept(("branch_counts", today, rules_key(policies)), build).bound(list(branch_ids))


def _count_by_branch(values) -> list[dict]:
    """COUNT_FIELDS per branch of the `with_schedule` queryset, the due state evaluated once a row.

    The ORM can only count "FILTER (WHERE due_state = …)" by repeating the whole due-state
    expression in every count, and grouping by the due state instead made PostgreSQL sort every
    retiree (it cannot estimate the groups). So the ORM's own query of (branch, due state,
    unreachable) is counted by an outer query; `OFFSET 0` keeps PostgreSQL from merging the two
    and copying the expression back into each count. The rule itself stays in `with_schedule`.
    """
    inner_sql, params = values.query.sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sections = ", ".join(
        ["COUNT(*) FILTER (WHERE callback)", "COUNT(*) FILTER (WHERE attention AND NOT callback)"]
        + ["COUNT(*) FILTER (WHERE NOT attention AND NOT callback AND due_state = %s)"] * len(DueState.values)
    )
    sql = f"""
        SELECT branch, COUNT(*),
               COUNT(*) FILTER (WHERE due_state = %s), COUNT(*) FILTER (WHERE due_state = %s),
               COUNT(*) FILTER (WHERE due_state = %s), COUNT(*) FILTER (WHERE due_state = %s),
               COUNT(*) FILTER (WHERE unreachable), COUNT(*) FILTER (WHERE attention),
               {sections}
        FROM ({inner_sql}{fence}) AS scheduled
        GROUP BY branch
    """
    states = [DueState.COVERED, DueState.EXEMPT, DueState.DUE, DueState.OVERDUE]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(state.value for state in states), *DueState.values, *params])
        return [dict(zip(["branch", *COUNT_FIELDS], row, strict=True)) for row in cursor.fetchall()]


def coverage_totals(rows: list[dict]) -> dict:
    """The sum of branch_coverage rows (no query), with its percent: the one place of the totals
    (`coverage_overview` gives it the sums made in SQL, as one row)."""
    totals = {field: sum(row[field] for row in rows) for field in COUNT_FIELDS}
    return _with_percent(totals)


def section_counts(totals: dict) -> dict:
    """The number of rows in each of the call list's sections (by `section` of presenters.call_rows)."""
    return {
        "callback": totals["section_callback"],
        "attention": totals["section_attention"],
        **{state: totals[f"section_{state}"] for state in DueState.values},
    }


def _with_percent(row: dict) -> dict:
    done = row["covered"] + row["exempt"]
    row["percent"] = round(100 * done / row["total"]) if row["total"] else 100
    row["complete"] = done == row["total"]
    return row


def week_starts(today: datetime.date, weeks: int = WEEKS_IN_CHART) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, the current week last."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_coverage(
    *,
    user,
    today: datetime.date | None = None,
    total: int | None = None,
    branch: Branch | None = None,
    residence_area: str = "",
    reached: list[int] | None = None,
) -> list[dict]:
    """For each of the last 12 weeks (Monday to Sunday, Asia/Shanghai): distinct active retirees reached;
    only those of `branch`, or living in `residence_area`, when given (the weekly report's scope).

    With `reached` (`coverage_overview(...).weekly` of the same user, day and branch: the kept
    weeks of the branches, summed) no query.

    Counts the maintained `WeeklyReach` rows (one per retiree and week reached) of the retirees
    in scope who are active now; one query. For a user who sees every branch the rows are read
    from the index alone and those of the (few) retirees no longer active are subtracted, found
    in a small hashed list, instead of joining every row to its retiree. `percent` is against
    `total` (the active retirees in scope now; pass it when known, or it costs a query).
    """
    today = today or local_today()
    weeks = week_starts(today)
    narrow = {}
    if branch is not None:
        narrow["branch"] = branch
    if residence_area:
        narrow["residence_area"] = residence_area
    if total is None:
        total = Retiree.objects.visible_to(user).active().filter(**narrow).count()
    if reached is not None:
        by_week = dict(zip(weeks, reached, strict=True))
        return [
            {"week": week, "reached": by_week[week], "percent": round(100 * by_week[week] / total) if total else 0}
            for week in weeks
        ]
    in_chart = WeeklyReach.objects.visible_to(user).filter(week__gte=weeks[0], week__lte=weeks[-1]).order_by()
    if narrow:
        in_chart = in_chart.filter(**{f"retiree__{field}": value for field, value in narrow.items()})
    if user.sees_all_branches and not narrow:
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


def under_attention(*, user, today: datetime.date | None = None):
    """Active retirees under attention today (`checkins.attention`), by branch, the longest first,
    with the latest open cause (`attention_cause`, `attention_detail`, `attention_since`): for the
    office's daily digest. One query."""
    today = today or local_today()
    why = AttentionEpisode.objects.active_on(today).filter(retiree=OuterRef("pk")).order_by("-since", "-id")
    return (
        Retiree.objects.visible_to(user)
        .active()
        .filter(attention_condition(today))
        .annotate(
            attention_cause=Subquery(why.values("cause")[:1]),
            attention_detail=Subquery(why.values("detail")[:1]),
            attention_since=Subquery(why.values("since")[:1]),
        )
        .select_related("branch")
        .order_by("branch", "attention_since", "id")
    )


def unreachable_retirees(*, user):
    """Active retirees flagged unreachable, by branch, the longest unreachable first (for the office's
    daily digest). Annotated with unreachable_since and consecutive_failures; one query."""
    return (
        Retiree.objects.visible_to(user)
        .active()
        .filter(checkin_state__unreachable_since__isnull=False)
        .annotate(
            unreachable_since=F("checkin_state__unreachable_since"),
            consecutive_failures=F("checkin_state__consecutive_failures"),
        )
        .select_related("branch")
        .order_by("branch", "unreachable_since", "id")
    )


def exemptions_in_force(*, user, today: datetime.date | None = None):
    """Exemptions from the regular schedule in force today: listed apart, never hidden."""
    today = today or local_today()
    return (
        Exemption.objects.visible_to(user)
        .active_on(today)
        .filter(round__isnull=True, retiree__status=Status.ACTIVE)
        .select_related("retiree", "retiree__branch", "decided_by")
        .order_by("ends_on", "id")
    )


def exemptions_pending(*, user):
    """Requests awaiting an office worker's decision, oldest first, with what a row shows (one query)."""
    return (
        Exemption.objects.visible_to(user)
        .pending()
        .select_related("retiree", "retiree__branch", "requested_by", "round")
    )


def exemptions_decided_lately(*, user, today: datetime.date | None = None, days: int = 14):
    """Requests decided in the last `days` days, latest first (one query): what the office did lately."""
    today = today or local_today()
    since = today - datetime.timedelta(days=days)
    return (
        Exemption.objects.visible_to(user)
        .filter(status__in=[ExemptionStatus.APPROVED, ExemptionStatus.REFUSED], decided_at__date__gte=since)
        .select_related("retiree", "retiree__branch", "requested_by", "decided_by", "round")
        .order_by("-decided_at", "-id")
    )


def exemption_get(*, user, pk) -> Exemption:
    return get_object_or_404(
        Exemption.objects.visible_to(user).select_related(
            "retiree", "retiree__branch", "requested_by", "decided_by", "round"
        ),
        pk=pk,
    )


def retiree_exemptions(*, user, retiree: Retiree):
    return kept_for(
        user,
        ("retiree_exemptions",),
        lambda user: (
            Exemption.objects.visible_to(user)
            .filter(retiree=PARAMETER)
            .select_related("requested_by", "decided_by", "round")
        ),
    ).bound(retiree.pk)


# --- Rounds -----------------------------------------------------------------------------------


def round_list(*, user):
    return CheckinRound.objects.visible_to(user).prefetch_related("branches", "areas").order_by("-starts_on", "-id")


def rounds_running(*, user, today: datetime.date):
    """The open rounds `user` may see that run today, soonest deadline first (for the digests)."""
    return CheckinRound.objects.visible_to(user).running_on(today).order_by("ends_on", "id")


def round_get(*, user, pk) -> CheckinRound:
    return get_object_or_404(
        CheckinRound.objects.visible_to(user)
        .select_related("created_by", "closed_by")
        .prefetch_related("branches", "areas"),
        pk=pk,
    )


def _reached_in_window(checkin_round: CheckinRound):
    """The retiree's (OuterRef "pk") contacts inside the round's window that reached somebody."""
    return (
        ContactLog.objects.reached()
        .filter(retiree=OuterRef("pk"))
        .filter(contacted_on__gte=checkin_round.starts_on, contacted_on__lte=checkin_round.ends_on)
    )


def _item_answered(checkin_round: CheckinRound, item: RoundItem) -> Q:
    """The retiree's `item` is answered for the round: by a contact inside the window that reached
    somebody, or confirmed unchanged in the round (a RoundVerification)."""
    rule = ROUND_ITEMS[item]
    confirmed = RoundVerification.objects.filter(
        checkin_round=checkin_round, retiree=OuterRef("pk"), **{rule.confirmed: True}
    )
    return Q(Exists(_reached_in_window(checkin_round).filter(rule.answered))) | Q(Exists(confirmed))


def _verified(checkin_round: CheckinRound) -> Q:
    """Verified for a round, the one definition: reached inside the window, and every item the round
    asks answered, each by a contact inside the window (one contact or several: the health on
    Monday, the vaccination on Wednesday) or confirmed unchanged. A round that asks nothing is
    verified by the reach alone. Reaching comes first so that the database stops there for the
    retirees not reached."""
    condition = Q(Exists(_reached_in_window(checkin_round)))
    for item in checkin_round.required_items():
        condition &= _item_answered(checkin_round, item)
    return condition


def round_retirees(*, user, checkin_round: CheckinRound, with_items: bool = False):
    """Active retirees in the round's scope that `user` may see, annotated with reached / verified / exempt.

    reached: a contact that reached somebody inside the window; verified: see `_verified`;
    exempt: exempted for this round, or from the regular schedule for dates overlapping the
    window. `with_items` adds `answered_<item>` for each item the round asks. One query.
    """
    exempt = (
        Exemption.objects.in_force()
        .filter(retiree=OuterRef("pk"))
        .filter(
            Q(round=checkin_round)
            | Q(round__isnull=True, starts_on__lte=checkin_round.ends_on, ends_on__gte=checkin_round.starts_on)
        )
    )
    # Narrowed to the round's areas when it has any (one subquery, whether or not it has).
    areas = checkin_round.areas.values("pk")
    retirees = (
        Retiree.objects.visible_to(user)
        .active()
        .filter(branch__in=checkin_round.branches.all())
        .filter(Q(residence_area__in=areas) | ~Exists(areas))
        .annotate(
            reached_in_round=Exists(_reached_in_window(checkin_round)),
            verified_in_round=ExpressionWrapper(_verified(checkin_round), output_field=BooleanField()),
            exempt_in_round=Exists(exempt),
        )
    )
    if with_items:
        retirees = retirees.annotate(
            **{
                f"answered_{item}": ExpressionWrapper(_item_answered(checkin_round, item), output_field=BooleanField())
                for item in checkin_round.required_items()
            }
        )
    return retirees


def round_missing_items(retiree: Retiree, checkin_round: CheckinRound) -> list[RoundItem]:
    """What a retiree from `round_retirees(with_items=True)` has still to answer (no query)."""
    return [item for item in checkin_round.required_items() if not getattr(retiree, f"answered_{item}")]


ROUND_COUNT_FIELDS = ["total", "reached", "verified", "exempt", "missing"]


def round_coverage(*, user, checkin_round: CheckinRound) -> list[dict]:
    """Per branch of the round (as far as `user` sees): total, reached, verified, exempt, missing,
    with the percentages of `_round_percent`. A retiree reached and also exempt counts as reached.

    Two queries, whatever the number of retirees and branches.
    """
    counts = _count_round_by_branch(round_retirees(user=user, checkin_round=checkin_round))
    rows = []
    for branch in checkin_round.branches.visible_to(user):
        row = {field: counts.get(branch.pk, {}).get(field, 0) for field in ROUND_COUNT_FIELDS}
        rows.append(_round_percent({"branch_id": branch.pk, "branch_name": branch.name, **row}))
    return rows


def _count_round_by_branch(retirees) -> dict[int, dict]:
    """ROUND_COUNT_FIELDS per branch of `round_retirees`, each retiree's reached / verified / exempt
    evaluated once. Counted by the ORM, every count would repeat the EXISTS subqueries of its
    condition; so the ORM's own query of the three flags is counted by an outer query, fenced by
    `OFFSET 0` (as `_count_by_branch` does) so that PostgreSQL does not copy them back in."""
    inner_sql, params = (
        retirees.order_by().values("branch", "reached_in_round", "verified_in_round", "exempt_in_round").query
    ).sql_with_params()
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = f"""
        SELECT branch, COUNT(*),
               COUNT(*) FILTER (WHERE reached_in_round),
               COUNT(*) FILTER (WHERE verified_in_round),
               COUNT(*) FILTER (WHERE NOT reached_in_round AND exempt_in_round),
               COUNT(*) FILTER (WHERE NOT reached_in_round AND NOT exempt_in_round)
        FROM ({inner_sql}{fence}) AS in_round
        GROUP BY branch
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: dict(zip(ROUND_COUNT_FIELDS, row[1:], strict=True)) for row in cursor.fetchall()}


def round_totals(rows: list[dict]) -> dict:
    """The sum of round_coverage rows (no query); no verified total when a row has none (see below)."""
    totals = {field: sum(row[field] for row in rows) for field in ROUND_COUNT_FIELDS if field != "verified"}
    verified = [row.get("verified") for row in rows]
    totals["verified"] = None if None in verified else sum(verified)
    return _round_percent(totals)


def round_closing_counts(*, user, checkin_round: CheckinRound) -> dict:
    """The counts frozen at closing, cut down to the branches `user` may see (a secretary sees
    their own branch's row and totals of it alone, never the other branches'). One query.

    A round closed before its verified counts were frozen has none: its rows say so (verified
    None) rather than show a number nobody counted."""
    frozen = checkin_round.closing_counts or {"branches": []}
    visible = set(checkin_round.branches.visible_to(user).values_list("pk", flat=True))
    rows = [_round_percent(dict(row)) for row in frozen["branches"] if row.get("branch_id") in visible]
    return {"branches": rows, "totals": round_totals(rows)}


def _round_percent(row: dict) -> dict:
    """Add to a row of counts: `percent` and `complete` (reached or exempt, of all), `unverified`
    (reached, not yet verified), `verified_percent` and `verified_complete` (verified or exempt,
    of all: an exempt retiree cannot be asked, and counts as done in both, listed apart)."""
    total = row["total"]
    done = row["reached"] + row["exempt"]
    row["percent"] = round(100 * done / total) if total else 100
    row["complete"] = done == total
    verified = row.get("verified")
    if verified is None:
        row.update(verified=None, unverified=None, verified_percent=None, verified_complete=False)
        return row
    row["unverified"] = row["reached"] - verified
    row["verified_percent"] = round(100 * (verified + row["exempt"]) / total) if total else 100
    row["verified_complete"] = verified + row["exempt"] == total
    return row


def round_missing(*, user, checkin_round: CheckinRound):
    """Retirees in the round not yet reached and not exempt, by branch then name."""
    return (
        round_retirees(user=user, checkin_round=checkin_round)
        .filter(reached_in_round=False, exempt_in_round=False)
        .select_related("branch")
        .order_by("branch", "name_pinyin", "id")
    )


def round_unverified(*, user, checkin_round: CheckinRound) -> list[Retiree]:
    """Retirees reached in the round but not verified, by branch then name, each with
    `missing_items`: the items still to answer (or to confirm unchanged). One query."""
    retirees = list(
        round_retirees(user=user, checkin_round=checkin_round, with_items=True)
        .filter(reached_in_round=True, verified_in_round=False)
        .select_related("branch")
        .order_by("branch", "name_pinyin", "id")
    )
    for retiree in retirees:
        retiree.missing_items = round_missing_items(retiree, checkin_round)
    return retirees


def round_exemptions(*, user, checkin_round: CheckinRound):
    """Retirees in the round who count as exempt (not reached), listed apart with the exemption."""
    retirees = round_retirees(user=user, checkin_round=checkin_round).filter(
        reached_in_round=False, exempt_in_round=True
    )
    return (
        Exemption.objects.visible_to(user)
        .in_force()
        .filter(retiree__in=retirees.values("pk"))
        .filter(
            Q(round=checkin_round)
            | Q(round__isnull=True, starts_on__lte=checkin_round.ends_on, ends_on__gte=checkin_round.starts_on)
        )
        .select_related("retiree", "retiree__branch", "decided_by")
        .order_by("retiree__branch", "retiree__name_pinyin", "id")
    )


def round_checks_for(*, user, retiree_ids, today: datetime.date | None = None) -> dict[int, list[dict]]:
    """For the call list's rows and the contact form: per retiree of `retiree_ids`, the rounds running
    today that ask something of them and have not verified them yet, as dicts of `round`,
    `reached` (inside the window) and `missing` (the items to ask, RoundItem). Retirees with
    nothing to verify are left out.

    One query for the rounds, and one per round running (not per retiree); none for no ids.
    """
    retiree_ids = list(retiree_ids)
    if not retiree_ids:
        return {}
    asks_something = Q()
    for rule in ROUND_ITEMS.values():
        asks_something |= Q(**{rule.flag: True})
    checks: dict[int, list[dict]] = {}
    for checkin_round in rounds_running(user=user, today=today or local_today()).filter(asks_something):
        pending = (
            round_retirees(user=user, checkin_round=checkin_round, with_items=True)
            .filter(pk__in=retiree_ids, verified_in_round=False)
            .only("pk")
            .order_by()
        )
        for retiree in pending:
            checks.setdefault(retiree.pk, []).append(
                {
                    "round": checkin_round,
                    "reached": retiree.reached_in_round,
                    "missing": round_missing_items(retiree, checkin_round),
                }
            )
    return checks


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


def rounds_in_signoff_time(*, today: datetime.date):
    """Rounds of any branch that are in their last days or ended lately: from two days before a
    round's end until two weeks after it (when a branch that has not signed off is reminded)."""
    return CheckinRound.objects.filter(
        starts_on__lte=today,
        ends_on__lte=today + datetime.timedelta(days=SIGNOFF_REMINDER_BEFORE_DAYS),
        ends_on__gte=today - datetime.timedelta(days=SIGNOFF_REMINDER_AFTER_DAYS),
    )


def rounds_awaiting_signoff(*, branch_id: int, today: datetime.date):
    """The branch's rounds in their sign-off time (`rounds_in_signoff_time`) that it has not signed off.

    For the branch's reminders.
    """
    return (
        rounds_in_signoff_time(today=today)
        .filter(branches=branch_id)
        .exclude(ledger_signoffs__branch=branch_id)
        .order_by("ends_on", "id")
    )


def callback_open(*, retiree) -> CallbackRequest | None:
    """The retiree's open call-back request, for their own page (no user: the page has identified
    the retiree by their link). One query."""
    return CallbackRequest.objects.open().filter(retiree=retiree).first()
