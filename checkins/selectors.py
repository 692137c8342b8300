"""Reads for check-ins, always through the user's scope.

The check-in schedule lives here and only here: `cadence_expression` resolves each retiree's
cadence and `with_schedule` annotates the next due date and the due state, all in the database
(one query however many retirees), with date arithmetic that works on PostgreSQL and SQLite.
"""

import datetime

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Sign
from django.shortcuts import get_object_or_404

from branches.models import Branch
from core.dates import local_today
from retirees.choices import AGE_BAND_BOUNDS, AgeBand, CareLevel, Category, Status
from retirees.models import HouseholdContact, Retiree, birth_date_bounds

from .choices import (
    DEFAULT_CADENCE_FRAIL,
    DEFAULT_CADENCE_LIXIU,
    DEFAULT_CADENCE_OTHERS,
    FRAIL_AGE,
    DueState,
    Escalation,
)
from .models import CadencePolicy, CheckinRound, ContactLog, Exemption, WeeklyReach

WEEKS_IN_CHART = 12


class AddDays(Func):
    """date + a whole number of days, as a date, on PostgreSQL (date + integer) and SQLite (date())."""

    output_field = DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"({date_sql} + {days_sql})", (*date_params, *days_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"date({date_sql}, '+' || ({days_sql}) || ' days')", (*date_params, *days_params)


def age_band_expression(today: datetime.date) -> Case:
    """The retiree's AgeBand today, from birth_date (bounds computed once, compared in the database)."""
    whens = []
    for band in AgeBand:
        age_min, age_max = AGE_BAND_BOUNDS[band]
        earliest, latest = birth_date_bounds(age_min, age_max, today)
        condition = Q()
        if earliest:
            condition &= Q(birth_date__gte=earliest)
        if latest:
            condition &= Q(birth_date__lte=latest)
        whens.append(When(condition, then=Value(band.value)))
    return Case(*whens, default=Value(""))


def _policy_condition(policy: dict, today: datetime.date) -> Q:
    """The retiree side of one rule: each criterion it sets, on the retiree's own columns.

    The age band is turned into birth-date bounds (as `in_age_band` does), so that the compiled
    expression reads plain columns and no `age_band` annotation.
    """
    condition = Q()
    if policy["category"]:
        condition &= Q(category=policy["category"])
    if policy["care_level"]:
        condition &= Q(care_level=policy["care_level"])
    if policy["age_band"]:
        age_min, age_max = AGE_BAND_BOUNDS[policy["age_band"]]
        earliest, latest = birth_date_bounds(age_min, age_max, today)
        if earliest:
            condition &= Q(birth_date__gte=earliest)
        if latest:
            condition &= Q(birth_date__lte=latest)
    return condition


def _specificity(policy: dict) -> int:
    return bool(policy["category"]) + bool(policy["age_band"]) + bool(policy["care_level"])


def cadence_policy_rows() -> list[dict]:
    """Every cadence rule, as the few fields the resolution needs (one query; the table is small)."""
    return list(CadencePolicy.objects.values("branch_id", "category", "age_band", "care_level", "cadence_days"))


def _policy_case(policies: list[dict], today: datetime.date, *, branch_level: bool):
    """The cadence the branch rules (or the office-wide rules) give the outer retiree, else NULL.

    The rules are compiled into one CASE over the retiree's own columns, most specific first and
    then shortest cadence first, so that the first WHEN that matches is the rule that wins: no
    subquery per retiree. Branch rules with the same criteria and cadence share one WHEN
    (`branch_id IN (…)`), so the CASE stays as long as the number of distinct rules, not branches.
    """
    groups: dict[tuple, list[int]] = {}
    for policy in policies:
        if (policy["branch_id"] is not None) != branch_level:
            continue
        key = (
            -_specificity(policy),
            policy["cadence_days"],
            policy["category"],
            policy["age_band"],
            policy["care_level"],
        )
        groups.setdefault(key, []).append(policy["branch_id"])
    whens = []
    for key in sorted(groups):
        _rank, cadence_days, category, age_band, care_level = key
        condition = _policy_condition({"category": category, "age_band": age_band, "care_level": care_level}, today)
        if branch_level:
            condition &= Q(branch_id__in=sorted(groups[key]))
        whens.append(When(condition, then=Value(cadence_days)))
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def care_plan_override_expression():
    """The care plan's cadence override (一人一策): the first and strongest term of the resolution.

    Today it is the nullable `CheckinState.cadence_override_days`; a care plan model can replace
    this with a Subquery on itself without touching anything else.
    """
    return F("checkin_state__cadence_override_days")


def default_cadence_expression(today: datetime.date) -> Case:
    """The built-in cadence: 80+ or dependent every 3 days, 离休 weekly, others every 14 days."""
    _earliest, frail_born_by = birth_date_bounds(FRAIL_AGE, None, today)
    return Case(
        When(Q(care_level=CareLevel.DEPENDENT) | Q(birth_date__lte=frail_born_by), then=Value(DEFAULT_CADENCE_FRAIL)),
        When(category=Category.LIXIU, then=Value(DEFAULT_CADENCE_LIXIU)),
        default=Value(DEFAULT_CADENCE_OTHERS),
        output_field=IntegerField(),
    )


def cadence_terms(today: datetime.date, policies: list[dict] | None = None) -> list:
    """The cadence sources, strongest first: care plan > branch policy > office-wide policy > default.

    `policies` are `cadence_policy_rows()`; read here (one query) when not given.
    """
    if policies is None:
        policies = cadence_policy_rows()
    return [
        care_plan_override_expression(),
        _policy_case(policies, today, branch_level=True),
        _policy_case(policies, today, branch_level=False),
        default_cadence_expression(today),
    ]


def cadence_expression(today: datetime.date, policies: list[dict] | None = None):
    """Each retiree's cadence in days, over the retiree's own columns and their check-in state."""
    return Coalesce(*cadence_terms(today, policies), output_field=IntegerField())


CADENCE_SOURCES = ["care_plan", "branch", "office", "default"]


class DaysUntil(Func):
    """Whole days from `today` to a date (negative when it is past), on PostgreSQL and SQLite."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        today_sql, today_params = compiler.compile(self.source_expressions[1])
        return f"({date_sql} - {today_sql})", (*date_params, *today_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        today_sql, today_params = compiler.compile(self.source_expressions[1])
        return f"CAST(julianday({date_sql}) - julianday({today_sql}) AS INTEGER)", (*date_params, *today_params)


class Switch(Func):
    """`CASE expression WHEN value THEN result … ELSE default END`: the expression is evaluated once.

    Django's `Case` only has the searched form (`CASE WHEN condition …`), which repeats the
    expression in every condition; for the due state that was the whole schedule, three times.
    """

    def __init__(self, expression, cases: dict, default, output_field):
        self.cases = list(cases.items())
        super().__init__(expression, Value(default), output_field=output_field)

    def as_sql(self, compiler, connection, **extra_context):
        expression_sql, params = compiler.compile(self.source_expressions[0])
        default_sql, default_params = compiler.compile(self.source_expressions[1])
        params = list(params)
        whens = []
        for value, result in self.cases:
            whens.append("WHEN %s THEN %s")
            params.extend([value, result])
        params.extend(default_params)
        return f"CASE {expression_sql} {' '.join(whens)} ELSE {default_sql} END", params


def unreachable_expression() -> Case:
    """Flagged unreachable (too many contacts in a row reached nobody; set by the contact service)."""
    return Case(When(checkin_state__unreachable_since__isnull=False, then=True), default=False)


URGENCY = {DueState.OVERDUE: 0, DueState.DUE: 1, DueState.COVERED: 2, DueState.EXEMPT: 3}


def with_schedule(
    queryset, today: datetime.date | None = None, *, with_source: bool = False, policies: list[dict] | None = None
):
    """Annotate retirees with their check-in schedule as of `today` (Asia/Shanghai).

    Adds: age_band, cadence_days, last_reached_on, next_due_on (None when never reached),
    exempt (an exemption from the regular schedule is in force), due_state (DueState),
    urgency (0 overdue, 1 due today, 2 reached this cycle, 3 exempt), consecutive_failures,
    unreachable; with `with_source`, also cadence_source (which term decided the cadence).
    A retiree never reached is overdue.

    Reads the cadence rules first (one small query) unless `policies` (`cadence_policy_rows()`)
    is given; the schedule itself is then computed in the database, one query however many
    retirees, with no subquery per retiree but the exemption check.
    """
    today = today or local_today()
    if policies is None:
        policies = cadence_policy_rows()
    queryset = (
        queryset.annotate(
            age_band=age_band_expression(today),
            cadence_days=cadence_expression(today, policies),
            last_reached_on=F("checkin_state__last_reached_on"),
            next_due_on=AddDays(F("checkin_state__last_reached_on"), F("cadence_days")),
            exempt=Exists(
                Exemption.objects.active_on(today).filter(retiree=OuterRef("pk"), round__isnull=True),
            ),
            consecutive_failures=Coalesce(F("checkin_state__consecutive_failures"), 0),
            unreachable=Case(When(checkin_state__unreachable_since__isnull=False, then=True), default=False),
        )
        .annotate(
            # Never reached: overdue. Otherwise the sign of (next due date - today) decides, with the
            # due date computed once per row.
            due_state=Case(
                When(exempt=True, then=Value(DueState.EXEMPT.value)),
                When(last_reached_on__isnull=True, then=Value(DueState.OVERDUE.value)),
                default=Switch(
                    Sign(DaysUntil(F("next_due_on"), Value(today, output_field=DateField()))),
                    {-1: DueState.OVERDUE.value, 0: DueState.DUE.value},
                    default=DueState.COVERED.value,
                    output_field=CharField(),
                ),
            ),
        )
        .annotate(
            urgency=Switch(
                F("due_state"),
                {state.value: rank for state, rank in URGENCY.items() if state != DueState.EXEMPT},
                default=URGENCY[DueState.EXEMPT],
                output_field=IntegerField(),
            ),
        )
    )
    if with_source:
        _override, branch_rule, office_rule, _default = cadence_terms(today, policies)
        queryset = queryset.annotate(cadence_branch_days=branch_rule, cadence_office_days=office_rule).annotate(
            cadence_source=Case(
                When(checkin_state__cadence_override_days__isnull=False, then=Value("care_plan")),
                When(cadence_branch_days__isnull=False, then=Value("branch")),
                When(cadence_office_days__isnull=False, then=Value("office")),
                default=Value("default"),
            )
        )
    return queryset


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
    for branch in Branch.objects.visible_to(user).order_by("name"):
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
        .filter(round__isnull=True, retiree__status="active")
        .select_related("retiree", "retiree__branch", "approved_by")
        .order_by("ends_on", "id")
    )


def exemption_get(*, user, pk) -> Exemption:
    return get_object_or_404(
        Exemption.objects.visible_to(user).select_related("retiree", "approved_by", "round"), pk=pk
    )


def retiree_exemptions(*, user, retiree: Retiree):
    return Exemption.objects.visible_to(user).filter(retiree=retiree).select_related("approved_by", "round")


ESCALATION_LABELS = dict(Escalation.choices)


# --- Rounds -----------------------------------------------------------------------------------


def round_list(*, user):
    return CheckinRound.objects.visible_to(user).prefetch_related("branches").order_by("-starts_on", "-id")


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
    for branch in checkin_round.branches.visible_to(user).order_by("name"):
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
        .order_by("branch__name", "name_pinyin", "id")
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
        .order_by("retiree__branch__name", "retiree__name_pinyin", "id")
    )


# --- Policies ---------------------------------------------------------------------------------


def policy_list(*, user):
    return CadencePolicy.objects.visible_to(user).select_related("branch", "updated_by")


def policy_get(*, user, pk) -> CadencePolicy:
    return get_object_or_404(policy_list(user=user), pk=pk)
