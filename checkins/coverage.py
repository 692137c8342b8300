"""Coverage counts kept per branch between requests, so that a page counts only what changed.

The counts themselves are computed by `checkins.selectors` on `checkins.schedule.with_schedule`,
the one place of the rule; this module only keeps them. A kept row (`BranchCoverage`) is used
while it is for the same day, the same rules (`rules_fingerprint`) and the branch's current
`CoverageVersion`, which database triggers bump on every write to what the counts read (see
`CoverageVersion`). A branch whose row is not valid is counted again, with every other such
branch, in one query, and its row replaced.

Why the version and not "delete the row on change": a count started before another
transaction's change commits does not see that change. The writer's bump holds the version
row's lock until it commits, so a count reads either the old version (and is stored under it,
then found stale once the bump commits) or the new one after the change is visible.

PostgreSQL only: on SQLite (the demo database) there are no triggers and everything is counted
live, as it is for a narrower scope (a residence area) on any database.
"""

import datetime
import json
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection, transaction

from .attention import attention_cadence_days
from .choices import DEFAULT_CADENCE_FRAIL, DEFAULT_CADENCE_LIXIU, DEFAULT_CADENCE_OTHERS

# Raise when the way the counts are computed changes, so that rows kept by the previous code are
# not trusted for the rest of the day.
RULES_REVISION = 1

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
    """{branch id: (counts, weekly)} for `branch_ids` on `today`.

    Valid kept rows are read (one query); the other branches are given to `count` (which returns
    the same shape for each branch it is given, in a bounded number of queries) and kept.
    """
    ids = sorted(set(branch_ids))
    if not ids:
        return {}
    rules = rules_fingerprint()
    found: dict[int, Counted] = {}
    versions: dict[int, int] = {}
    with connection.cursor() as cursor:
        # The versions are read before anything is counted (see the module's docstring).
        cursor.execute(
            """
            SELECT b.id, COALESCE(v.version, 0), c.counts, c.weekly
            FROM unnest(%s::bigint[]) AS b(id)
            LEFT JOIN checkins_coverageversion v ON v.branch_id = b.id
            LEFT JOIN checkins_branchcoverage c
                   ON c.branch_id = b.id AND c.day = %s AND c.rules = %s AND c.version = COALESCE(v.version, 0)
            """,
            [ids, today, rules],
        )
        for branch_id, version, counts, weekly in cursor.fetchall():
            if counts is None:
                versions[branch_id] = version
            else:
                found[branch_id] = (_loaded(counts), _loaded(weekly))
    if versions:
        counted = count(sorted(versions))
        _keep(counted, versions, today, rules)
        found.update(counted)
    return found


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
            cursor.execute("SET LOCAL random_page_cost TO DEFAULT; SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def _loaded(value):
    return json.loads(value) if isinstance(value, str) else value


def _keep(counted: dict[int, Counted], versions: dict[int, int], today: datetime.date, rules: str) -> None:
    """Store the rows just counted, under the versions read before counting; a row kept meanwhile
    by another request under a newer version of the same day stays."""
    ids = sorted(counted)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO checkins_branchcoverage (branch_id, day, version, rules, counts, weekly, computed_at)
            SELECT kept.branch_id, %s, kept.version, %s, kept.counts, kept.weekly, now()
            FROM unnest(%s::bigint[], %s::bigint[], %s::jsonb[], %s::jsonb[])
                 AS kept(branch_id, version, counts, weekly)
            WHERE kept.branch_id IN (SELECT id FROM branches_branch)
            ORDER BY kept.branch_id
            ON CONFLICT (branch_id) DO UPDATE
            SET day = excluded.day, version = excluded.version, rules = excluded.rules,
                counts = excluded.counts, weekly = excluded.weekly, computed_at = excluded.computed_at
            WHERE NOT (checkins_branchcoverage.day = excluded.day
                       AND checkins_branchcoverage.rules = excluded.rules
                       AND checkins_branchcoverage.version > excluded.version)
            """,
            [
                today,
                rules,
                ids,
                [versions[branch_id] for branch_id in ids],
                [json.dumps(counted[branch_id][0]) for branch_id in ids],
                [json.dumps(counted[branch_id][1]) for branch_id in ids],
            ],
        )
