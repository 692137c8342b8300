"""Triggers that record a CoverageChange whenever what a branch's coverage counts read changes.

PostgreSQL only (the counts are kept between requests there; SQLite, the demo database, counts
live every time). Statement-level triggers with transition tables: a bulk import or an UPDATE of
thousands of rows records each branch it touched once.
"""

from django.db import migrations

BUMP = """
-- One row per branch and writing transaction; a second statement of the same transaction finds
-- its row there. Nothing is updated, so concurrent writers never wait for each other.
CREATE OR REPLACE FUNCTION checkins_coverage_bump(branch_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO checkins_coveragechange (branch_id, xid)
    SELECT b.id, pg_current_xact_id()::text::bigint FROM branches_branch b WHERE b.id = ANY(branch_ids)
    ON CONFLICT (branch_id, xid) DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION checkins_coverage_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM checkins_branchcoverage;
    RETURN NULL;
END $$;

-- A retiree's row: counted when it is inserted or deleted, and when a column the counts read changes.
CREATE OR REPLACE FUNCTION checkins_coverage_by_retiree_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM checkins_coverage_bump(ARRAY(SELECT DISTINCT branch_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM checkins_coverage_bump(ARRAY(SELECT DISTINCT branch_id FROM old_rows));
    ELSE
        PERFORM checkins_coverage_bump(ARRAY(
            SELECT unnest(ARRAY[o.branch_id, n.branch_id])
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.status, o.branch_id, o.birth_date, o.category, o.care_level)
                IS DISTINCT FROM (n.status, n.branch_id, n.birth_date, n.category, n.care_level)
        ));
    END IF;
    RETURN NULL;
END $$;

-- Rows that belong to a retiree (check-in state, exemptions, call-backs, weeks reached): the
-- branch the retiree is in now.
CREATE OR REPLACE FUNCTION checkins_coverage_by_retiree_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM checkins_coverage_bump(ARRAY(
            SELECT DISTINCT r.branch_id FROM retirees_retiree r WHERE r.id IN (SELECT retiree_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM checkins_coverage_bump(ARRAY(
            SELECT DISTINCT r.branch_id FROM retirees_retiree r WHERE r.id IN (SELECT retiree_id FROM old_rows)));
    ELSE
        PERFORM checkins_coverage_bump(ARRAY(
            SELECT DISTINCT r.branch_id FROM retirees_retiree r
            WHERE r.id IN (SELECT retiree_id FROM new_rows UNION SELECT retiree_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

-- Cadence rules: a branch's rule bumps that branch, an office-wide rule every branch.
CREATE OR REPLACE FUNCTION checkins_coverage_by_policy() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT branch_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT branch_id FROM old_rows);
    ELSE
        touched := ARRAY(SELECT branch_id FROM new_rows UNION ALL SELECT branch_id FROM old_rows);
    END IF;
    IF array_position(touched, NULL) IS NOT NULL THEN
        touched := ARRAY(SELECT id FROM branches_branch);
    END IF;
    PERFORM checkins_coverage_bump(touched);
    RETURN NULL;
END $$;
"""

TABLES = {
    "retirees_retiree": "checkins_coverage_by_retiree_row",
    "checkins_checkinstate": "checkins_coverage_by_retiree_id",
    "checkins_exemption": "checkins_coverage_by_retiree_id",
    "checkins_callbackrequest": "checkins_coverage_by_retiree_id",
    "checkins_weeklyreach": "checkins_coverage_by_retiree_id",
    "checkins_cadencepolicy": "checkins_coverage_by_policy",
}
EVENTS = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}


def trigger_sql() -> str:
    statements = [BUMP]
    for table, function in TABLES.items():
        for event, transition in EVENTS.items():
            statements.append(
                f"CREATE TRIGGER {table}_coverage_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
        statements.append(
            f"CREATE TRIGGER {table}_coverage_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION checkins_coverage_forget();"
        )
    return "\n".join(statements)


def drop_sql() -> str:
    statements = []
    for table in TABLES:
        for event in [*EVENTS, "TRUNCATE"]:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_coverage_{event.lower()} ON {table};")
    for function in sorted({*TABLES.values(), "checkins_coverage_forget"}):
        statements.append(f"DROP FUNCTION IF EXISTS {function}();")
    statements.append("DROP FUNCTION IF EXISTS checkins_coverage_bump(bigint[]);")
    return "\n".join(statements)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(trigger_sql())


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(drop_sql())


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0013_coverage_counts"),
        ("retirees", "0004_add_area"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
