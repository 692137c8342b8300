"""The check-in schedule: when each retiree is due again, and whether they are overdue.

The rule lives here and only here: `cadence_expression` resolves each retiree's cadence
(attention > care plan > branch rule > office-wide rule > default, the rules compiled into one
CASE) and `with_schedule` annotates the next due date and the due state, all in the database (one
query however many retirees), with date arithmetic that works on PostgreSQL and SQLite. The page
selectors in `checkins.selectors` build on it. Who is under attention is `checkins.attention`.
"""

import datetime

from django.db.models import Case, CharField, DateField, Exists, F, Func, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Sign

from core.dates import local_today
from retirees.choices import AGE_BAND_BOUNDS, AgeBand, CareLevel, Category
from retirees.models import birth_date_bounds

from .attention import attention_cadence_days
from .choices import DEFAULT_CADENCE_FRAIL, DEFAULT_CADENCE_LIXIU, DEFAULT_CADENCE_OTHERS, FRAIL_AGE, DueState
from .models import CadencePolicy, Exemption


def counted_reach(
    *,
    last_call_at: datetime.datetime | None,
    self_checkins_since: list[datetime.datetime],
    self_checkins_count: bool,
    call_every: int | None,
) -> datetime.datetime | None:
    """The reached contact the schedule counts from, given the retiree's last reached contact made
    by a worker (`last_call_at`) and their self check-ins ("我很好") since it, oldest first.

    A self check-in counts as a contact that reached the retiree, with two exceptions:
    - the care plan (一人一策, e.g. a 离休 cadre's) says self check-ins do not count
      (`self_checkins_count` False): only the worker's contact counts;
    - the branch requires a call at least every N self check-ins (`call_every`, Branch setting):
      the first N since the last call count, the later ones do not, so the retiree falls due one
      cadence after the N-th and stays due until somebody calls.
    """
    counting = self_checkins_since if self_checkins_count else []
    if call_every is not None:
        counting = counting[:call_every]
    candidates = [moment for moment in (last_call_at, *counting) if moment is not None]
    return max(candidates) if candidates else None


class _DateArithmetic(Func):
    """Two operands in SQL written per database: `postgresql` and `sqlite` name them {a} and {b}."""

    arity = 2
    postgresql = sqlite = ""

    def _compile(self, compiler, template: str):
        a_sql, a_params = compiler.compile(self.source_expressions[0])
        b_sql, b_params = compiler.compile(self.source_expressions[1])
        return template.format(a=a_sql, b=b_sql), (*a_params, *b_params)

    def as_sql(self, compiler, connection, **extra_context):
        return self._compile(compiler, self.postgresql)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._compile(compiler, self.sqlite)


class AddDays(_DateArithmetic):
    """date + a whole number of days, as a date, on PostgreSQL (date + integer) and SQLite (date())."""

    output_field = DateField()
    postgresql = "({a} + {b})"
    sqlite = "date({a}, '+' || ({b}) || ' days')"


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


def rules_key(policies: list[dict]) -> tuple:
    """What a schedule built with `policies` depends on besides the day, as a dictionary key (for
    querysets built once: `core.compiled.kept`)."""
    return tuple(tuple(sorted(policy.items())) for policy in policies), attention_cadence_days()


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


def attention_condition(today: datetime.date) -> Q:
    """Under attention today (`checkins.attention`): the span kept on the retiree's CheckinState
    has started and has not reached its own end. Plain columns of the row already joined, so that
    repeating it in each term that depends on the cadence costs no subquery."""
    return Q(checkin_state__attention_since__isnull=False) & (
        Q(checkin_state__attention_until__isnull=True) | Q(checkin_state__attention_until__gt=today)
    )


def attention_expression(today: datetime.date) -> Case:
    return Case(When(attention_condition(today), then=True), default=False)


def attention_cadence_expression(today: datetime.date) -> Case:
    """The attention cadence (OUTREACH_ATTENTION_CADENCE_DAYS) for a retiree under attention, else NULL:
    the first term of the resolution, above the care plan (the shorter cadence is the safer one)."""
    return Case(
        When(attention_condition(today), then=Value(attention_cadence_days())),
        default=Value(None),
        output_field=IntegerField(),
    )


def care_plan_override_expression():
    """The care plan's cadence override (一人一策): the strongest term after attention.

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
    """The cadence sources, strongest first: attention > care plan > branch policy > office-wide
    policy > default. Attention wins over every rule, a 离休 cadre's care plan included.

    `policies` are `cadence_policy_rows()`; read here (one query) when not given.
    """
    if policies is None:
        policies = cadence_policy_rows()
    return [
        attention_cadence_expression(today),
        care_plan_override_expression(),
        _policy_case(policies, today, branch_level=True),
        _policy_case(policies, today, branch_level=False),
        default_cadence_expression(today),
    ]


def cadence_expression(today: datetime.date, policies: list[dict] | None = None):
    """Each retiree's cadence in days, over the retiree's own columns and their check-in state."""
    return Coalesce(*cadence_terms(today, policies), output_field=IntegerField())


class DaysUntil(_DateArithmetic):
    """Whole days from `today` to a date (negative when it is past), on PostgreSQL and SQLite."""

    output_field = IntegerField()
    postgresql = "({a} - {b})"
    sqlite = "CAST(julianday({a}) - julianday({b}) AS INTEGER)"


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

    Adds: age_band, attention (under attention today, `checkins.attention`), cadence_days,
    last_reached_on, next_due_on (None when never reached), exempt (an exemption from the regular
    schedule is in force), due_state (DueState), urgency (0 overdue, 1 due today, 2 reached this
    cycle, 3 exempt), consecutive_failures, unreachable; with `with_source`, also cadence_source
    (which term decided the cadence: attention, care_plan, branch, office or default).
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
            attention=attention_expression(today),
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
        _attention, _override, branch_rule, office_rule, _default = cadence_terms(today, policies)
        queryset = queryset.annotate(cadence_branch_days=branch_rule, cadence_office_days=office_rule).annotate(
            cadence_source=Case(
                When(attention_condition(today), then=Value("attention")),
                When(checkin_state__cadence_override_days__isnull=False, then=Value("care_plan")),
                When(cadence_branch_days__isnull=False, then=Value("branch")),
                When(cadence_office_days__isnull=False, then=Value("office")),
                default=Value("default"),
            )
        )
    return queryset
