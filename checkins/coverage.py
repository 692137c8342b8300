"""Coverage counts kept per branch between requests, so that a page counts only what changed.

The counts themselves are computed by `checkins.selectors` on `checkins.schedule.with_schedule`,
the one place of the rule; this module only keeps them. A kept row (`BranchCoverage`) is used
while it is for the same day and the same rules (`rules_fingerprint`) and no change of its branch
(`CoverageChange`, written by database triggers on every write to what the counts read) comes
from a transaction that had not committed when the count began. A branch whose row is not valid
is counted again, with every other such branch, in one query, and its row replaced.

How "had not committed when the count began" is known: just before counting, PostgreSQL's
snapshot (`pg_current_snapshot()`: which transactions had committed) is taken and kept with the
row; a change is taken in when its transaction is visible in that snapshot
(`pg_visible_in_snapshot`), since the count's own statement, later, sees at least as much. A
change still in progress, or begun after, leaves the row stale once it commits; one rolled back
leaves nothing. Writers only insert their change rows, so nobody waits: a long import does not
hold up a secretary logging a call in the same branch. Rows a kept count has taken in are
deleted when it is kept; a kept row is only replaced by one counted later.

Reading: `keep_fresh` counts the stale branches again first (one query finds them, returning
only their ids), after which today's rows of every branch asked for are valid and are read in
SQL by the dashboard and the call list (`selectors.coverage_overview`: sums, and a page of rows
ordered in the database), never as one row per branch in Python; `branch_counts` reads every
branch's row, for reports and exports that list them all.

PostgreSQL only: on SQLite (the demo database) there are no triggers and everything is counted
live, as it is for another day or a narrower scope (a residence area) on any database.
"""

import datetime
import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.db.models import QuerySet

from . import call_order
from .attention import attention_cadence_days
from .choices import DEFAULT_CADENCE_FRAIL, DEFAULT_CADENCE_LIXIU, DEFAULT_CADENCE_OTHERS

# Raise when the way the counts are computed changes, so that rows kept by the previous code are
# not trusted for the rest of the day. (2: the call list's order is kept with the counts.)
RULES_REVISION = 2

# Up to this many branches counted again are planned as a few (`planned_for_few`).
FEW_BRANCHES = 100

Counted = tuple[dict, list[int]]  # (counts by COUNT_FIELDS, active retirees reached per week of the chart)


def rules_fingerprint() -> str:
    """What the counts depend on besides the rows: the code's revision and the cadence settings."""
    return ":".join(
        str(part)
        for part in (
            RULES_REVISION,
            attention_cadence_days(),
            DEFAULT_CADENCE_FRAIL,
            DEFAULT_CADENCE_LIXIU,
            DEFAULT_CADENCE_OTHERS,
        )
    )


def kept() -> bool:
    """Whether counts are kept between requests on this database."""
    return connection.vendor == "postgresql"


def branch_counts(
    branch_ids: Iterable[int], today: datetime.date, count: Callable[[list[int]], dict[int, Counted]]
) -> dict[int, Counted]:
    """{branch id: (counts, weekly)} for `branch_ids` on `today`: every branch, as a dict (reports,
    exports). The dashboard and the call list read the kept rows in SQL instead (`keep_fresh`).

    The branches whose kept rows are not valid are given to `count` (which returns the same shape
    for each branch it is given, in a bounded number of queries) and kept (`keep_fresh`); the
    others' rows are read (one query).
    """
    ids = sorted(set(branch_ids))
    if not ids:
        return {}
    counted: dict[int, Counted] = {}
    keep_fresh(ids, today, count, counted=counted)
    columns = count_columns()
    found: dict[int, Counted] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT branch_id, weekly, {", ".join(columns)} FROM checkins_branchcoverage
            WHERE branch_id = ANY(%s::bigint[]) AND day = %s AND rules = %s
            """,
            [[pk for pk in ids if pk not in counted], today, rules_fingerprint()],
        )
        for branch_id, weekly, *values in cursor.fetchall():
            found[branch_id] = (dict(zip(columns, values, strict=True)), list(weekly))
    found.update(counted)
    # A row replaced meanwhile by one of another day or rules (a count running at midnight):
    # counted here, not kept.
    missing = [pk for pk in ids if pk not in found]
    if missing:
        found.update(count(missing))
    return found


def keep_fresh(
    branches: "Iterable[int] | QuerySet",
    today: datetime.date,
    count: Callable[[list[int]], dict[int, Counted]],
    *,
    counted: dict[int, Counted] | None = None,
    count_unkept: bool = True,
) -> int | None:
    """Count again, and keep, those of `branches` (ids, or a queryset of branches) whose kept rows
    are not valid, so that today's kept rows (`valid_rows`) can be read for every one of them:
    the number of `branches`, or None when what was counted could not be kept (a transaction
    that has written already, below; then nothing is counted unless `count_unkept`). `counted`,
    when given, receives what was counted.

    One query when no row is stale; three more (the snapshot before counting, the rows, and the
    changes they took in) plus `count`'s when some are.
    """
    rules = rules_fingerprint()
    if isinstance(branches, QuerySet):
        branches_sql, branches_params = branches.order_by().values("pk").query.sql_with_params()
        source, source_params = f"({branches_sql}) AS b(id)", list(branches_params)
        # The few branches with change rows, looked up once, not once a branch.
        changes, changes_params = "", []
    else:
        ids = sorted(set(branches))
        source, source_params = "unnest(%s::bigint[]) AS b(id)", [ids]
        # Given ids (a branch's own worker): their changes only, by the change rows' index,
        # rather than every branch's changes and kept rows hashed for one branch.
        changes, changes_params = "AND ch.branch_id = ANY(%s::bigint[])", [ids]
    with connection.cursor() as cursor:
        # Only the stale ids come back: a branch without a row of today and these rules, or one
        # with a change its row's snapshot had not seen.
        cursor.execute(
            f"""
            SELECT COUNT(*), COALESCE(array_agg(b.id ORDER BY b.id) FILTER (
                WHERE c.branch_id IS NULL OR b.id IN (
                    SELECT ch.branch_id
                    FROM checkins_coveragechange ch
                    JOIN checkins_branchcoverage seen ON seen.branch_id = ch.branch_id
                    WHERE NOT pg_visible_in_snapshot(ch.xid::text::xid8, seen.snapshot::pg_snapshot)
                      {changes})), '{{}}')
            FROM {source}
            LEFT JOIN checkins_branchcoverage c ON c.branch_id = b.id AND c.day = %s AND c.rules = %s
            """,
            [*changes_params, *source_params, today, rules],
        )
        number, stale = cursor.fetchone()
        if not stale:
            return number
        # Before counting: what has committed by now is what the count will see, at least.
        cursor.execute(
            "SELECT pg_current_snapshot()::text, clock_timestamp(), pg_current_xact_id_if_assigned() IS NOT NULL"
        )
        snapshot, taken_at, writing = cursor.fetchone()
    if writing and not count_unkept:
        return None
    fresh = count(stale)
    if counted is not None:
        counted.update(fresh)
    # A transaction that has written already is not kept from: its own later changes would carry
    # a transaction id its own snapshot counts as seen. (Requests run in autocommit; this is a
    # service that counts inside its transaction, or a test.)
    if writing:
        return None
    _keep(fresh, today, rules, snapshot, taken_at)
    return number


def valid_rows(today: datetime.date):
    """Today's kept rows under the current rules (BranchCoverage): after `keep_fresh` of some
    branches, theirs are valid, or counted later still."""
    from .models import BranchCoverage

    return BranchCoverage.objects.filter(day=today, rules=rules_fingerprint())


def count_columns() -> list[str]:
    """The kept row's integer columns: `selectors.COUNT_FIELDS` and `percent`."""
    from .models import BranchCoverage

    return [
        field.column
        for field in BranchCoverage._meta.concrete_fields
        if isinstance(field, models.IntegerField) and not field.primary_key
    ]


@contextmanager
def planned_for_few(branch_ids: list[int]):
    """Plan the queries in this block for a few branches' retirees, read by their indexes.

    With PostgreSQL's default random_page_cost (4, for spinning disks) a recount of 20 branches
    (~2,000 retirees) was planned as a scan of all 100,000 check-in states and a hash join, and
    with a parallel worker for the weeks: 2–3 times slower than probing the primary keys of
    tables that are in memory. Scoped to this block (SET LOCAL in its own savepoint's
    transaction) so that nothing else is planned differently.
    """
    if len(branch_ids) > FEW_BRANCHES:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL random_page_cost = 1.1; SET LOCAL max_parallel_workers_per_gather = 0")
        yield
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL random_page_cost TO DEFAULT; SET LOCAL max_parallel_workers_per_gather TO DEFAULT"
            )


def _keep(counted: dict[int, Counted], today: datetime.date, rules: str, snapshot: str, taken_at) -> None:
    """Store the rows just counted with the snapshot taken before counting (a row kept meanwhile
    from a later count stays), then delete the changes the kept rows have taken in; with the
    counts stored, their branches' call list order (`call_order.keep`), in the same transaction."""
    ids = sorted(counted)
    columns = count_columns()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO checkins_branchcoverage (branch_id, day, rules, snapshot, taken_at, weekly, {columns})
            SELECT kept.branch_id, %s, %s, %s, %s, r.weekly, {row_columns}
            FROM unnest(%s::bigint[], %s::jsonb[], %s::jsonb[]) AS kept(branch_id, counts, weekly),
                 jsonb_populate_record(
                     NULL::checkins_branchcoverage, kept.counts || jsonb_build_object('weekly', kept.weekly)
                 ) AS r
            WHERE kept.branch_id IN (SELECT id FROM branches_branch)
            ORDER BY kept.branch_id
            ON CONFLICT (branch_id) DO UPDATE
            SET day = excluded.day, rules = excluded.rules, snapshot = excluded.snapshot,
                taken_at = excluded.taken_at, weekly = excluded.weekly, {updated}
            WHERE checkins_branchcoverage.taken_at <= excluded.taken_at
               OR checkins_branchcoverage.day <> excluded.day
               OR checkins_branchcoverage.rules <> excluded.rules
            RETURNING branch_id
            """.format(
                columns=", ".join(columns),
                row_columns=", ".join(f"r.{column}" for column in columns),
                updated=", ".join(f"{column} = excluded.{column}" for column in columns),
            ),
            [
                today,
                rules,
                snapshot,
                taken_at,
                ids,
                [json.dumps(counted[branch_id][0]) for branch_id in ids],
                [json.dumps(counted[branch_id][1]) for branch_id in ids],
            ],
        )
        stored = sorted(row[0] for row in cursor.fetchall())
        # Taken in by the row now kept, and so by any row kept after it (counted later still).
        cursor.execute(
            """
            DELETE FROM checkins_coveragechange ch
            USING checkins_branchcoverage c
            WHERE c.branch_id = ANY(%s::bigint[]) AND ch.branch_id = c.branch_id
              AND pg_visible_in_snapshot(ch.xid::text::xid8, c.snapshot::pg_snapshot)
            """,
            [ids],
        )
        with planned_for_few(stored):
            call_order.keep(stored, today)
