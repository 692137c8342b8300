"""The call list's order, and the office's list over every branch read from a kept copy of it.

The call list puts first those who asked for a call back (the longest waiting first), then those
under attention, then overdue, due today, the rest by due date, exempt last; then by name. That
order is `sort_key` over the columns `with_sort_key` annotates on `checkins.schedule.with_schedule`
(the one place of the rule).

For a branch's list (a hundred or so retirees) PostgreSQL computes it every time. For the office's
list over everybody it would compute the schedule of every active retiree of the province to
find one page (2.6 s at 1,000,000). So the sort key of each active retiree is kept (`CallDue`)
with the coverage counts (`checkins.coverage`): whenever a branch's counts are kept, its rows are
replaced, in the same transaction, from the same `with_schedule` query, so a branch's kept rows
are valid exactly while its kept counts are. The office's call list view first makes every
branch's counts valid (`branch_coverage`, which it shows the totals of); then a page's ids are
read from `CallDue` in order along its index (`office_page_ids`), and the page's rows by the
call list's own query for those ids.

What the order reads and the counts do not (the name's pinyin) is watched by the coverage
triggers too (migration 0016), so that a rename makes its branch stale.
"""

import datetime
from collections.abc import Callable

from django.db import connection
from django.db.models import F, FilteredRelation, Q

from core import compiled
from core.compiled import PARAMETER, AnyOf
from core.dates import local_today
from retirees.models import Retiree

from .models import CallDue
from .schedule import cadence_policy_rows, rules_key, with_schedule

# Keys of more branches than this at once (the first count of the day: all of them) are written
# with MANY_WORK_MEM for the statement (SET LOCAL: the transaction that keeps them, reset after).
MANY_BRANCHES = 100
MANY_WORK_MEM = "256MB"

# CallDue's columns besides the branch and the retiree, as annotated by `with_sort_key`.
KEY_COLUMNS = ["callback_at", "attention", "urgency", "next_due_on", "name_pinyin"]


def with_sort_key(retirees, today: datetime.date, policies: list[dict] | None):
    """`retirees` with the schedule (`with_schedule`) and `callback_at`, when the retiree's open
    call-back request was made (None without one): what `sort_key` orders by."""
    # "请给我回电话": open until a contact reaches somebody. A join on the open requests (at most
    # one a retiree, a constraint) rather than a subquery per retiree: over every branch the
    # ordering evaluated that subquery for all 94,000 active retirees.
    retirees = retirees.annotate(
        open_callback=FilteredRelation("callback_requests", condition=Q(callback_requests__answered_at__isnull=True))
    )
    return with_schedule(retirees, today, policies=policies).annotate(callback_at=F("open_callback__requested_at"))


def sort_key(pk: str = "id") -> list:
    """The call list's ORDER BY over `with_sort_key`'s columns (`pk`: the retiree's id column).
    CallDue's index has the same columns in the same directions."""
    return [
        F("callback_at").asc(nulls_last=True),
        F("attention").desc(),
        F("urgency").asc(),
        F("next_due_on").asc(nulls_first=True),
        F("name_pinyin").asc(),
        F(pk).asc(),
    ]


def keep(branch_ids: list[int], today: datetime.date) -> None:
    """Make the kept sort keys of `branch_ids` those of their active retirees on `today` (two
    queries: the cadence rules, and the keys). Called by `checkins.coverage` in the
    transaction that keeps these branches' counts (which holds their kept rows locked), after the
    counts' snapshot was taken: the rows see at least what the counts saw, and a change they do
    not see makes the branch's counts stale as well.

    Only the keys that differ are written: at the first count of the day most are as they were
    (the due date and the name do not move; only those falling due change places), and writing a
    million index entries again cost five times the counting itself.
    """
    if not branch_ids:
        return
    policies = cadence_policy_rows()

    def build():
        # Built and compiled once per day and rules, the ids bound (most recounts are of one branch).
        retirees = Retiree.objects.active().filter(AnyOf(F("branch_id"), PARAMETER))
        return with_sort_key(retirees, today, policies).order_by().values("branch_id", "id", *KEY_COLUMNS)

    keys = compiled.kept(("call_order_keys", today, rules_key(policies)), build).bound(list(branch_ids))
    keys_sql, keys_params = keys.query.sql_with_params()
    kept = ", ".join(f"kept.{column}" for column in KEY_COLUMNS)
    fresh = ", ".join(f"fresh.{column}" for column in KEY_COLUMNS)
    many = len(branch_ids) > MANY_BRANCHES
    with connection.cursor() as cursor:
        if many:
            # A million keys joined to a million kept rows: hashed in memory, not in batches on disk.
            cursor.execute("SET LOCAL work_mem = %s", [MANY_WORK_MEM])
        # The keys computed once (MATERIALIZED), compared as plain columns. The rows deleted (the
        # retirees gone from these branches' lists: left active status, moved, deleted) are none
        # of those the MERGE writes, so one statement does both.
        cursor.execute(
            f"""
            WITH fresh AS MATERIALIZED ({keys_sql}),
            gone AS (
                DELETE FROM checkins_calldue AS kept
                WHERE kept.branch_id = ANY(%s::bigint[])
                  AND NOT EXISTS (
                      SELECT 1 FROM fresh WHERE fresh.branch_id = kept.branch_id AND fresh.id = kept.retiree_id)
            )
            MERGE INTO checkins_calldue AS kept
            USING fresh ON kept.branch_id = fresh.branch_id AND kept.retiree_id = fresh.id
            WHEN MATCHED AND ({kept}) IS DISTINCT FROM ({fresh}) THEN
                UPDATE SET {", ".join(f"{column} = fresh.{column}" for column in KEY_COLUMNS)}
            WHEN NOT MATCHED THEN
                INSERT (branch_id, retiree_id, {", ".join(KEY_COLUMNS)}) VALUES (fresh.branch_id, fresh.id, {fresh})
            """,
            [*keys_params, list(branch_ids)],
        )
        if many:
            cursor.execute("SET LOCAL work_mem TO DEFAULT")


def tidy() -> None:
    """After many branches' keys were written (the beat's first count of the day): vacuum and
    analyze them now rather than when autovacuum comes round (~1 s at a province), so that a
    page far down the office's list is read from the index alone, and planned on it. Outside a
    transaction only (VACUUM cannot run in one); nothing otherwise."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) checkins_calldue")


def office_page_ids(today: datetime.date) -> Callable[[int, int], list[int]] | None:
    """For the office's call list over every branch: a function of (bottom, top) giving the ids of
    the active retirees in those places of the list, read from the kept sort keys; None where they
    are not kept (SQLite, another day, a transaction that has written: `checkins.coverage` keeps
    nothing then).

    Only after `branch_coverage` has made every branch's kept counts valid in this request (the
    call list view shows their totals first): the kept keys are valid with them.
    """
    from .coverage import kept

    if not kept() or today != local_today():
        return None
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
            if cursor.fetchone()[0]:
                return None

    def ids(bottom: int, top: int) -> list[int]:
        ordered = CallDue.objects.order_by(*sort_key("retiree_id")).values_list("retiree_id", flat=True)
        return list(ordered[bottom:top])

    return ids
