"""The coverage triggers (0014) also watch a retiree's name (its pinyin): the call list's order,
kept with the counts (checkins.call_order), reads it. The function is replaced; the triggers
that call it stay as they are."""

from django.db import migrations

WATCHED = "status, branch_id, birth_date, category, care_level"


def by_retiree_row(columns: str) -> str:
    old = ", ".join(f"o.{column.strip()}" for column in columns.split(","))
    new = ", ".join(f"n.{column.strip()}" for column in columns.split(","))
    return f"""
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
            WHERE ({old}) IS DISTINCT FROM ({new})
        ));
    END IF;
    RETURN NULL;
END $$;
"""


def watch_name(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(by_retiree_row(f"{WATCHED}, name_pinyin"))


def unwatch_name(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(by_retiree_row(WATCHED))


class Migration(migrations.Migration):
    dependencies = [("checkins", "0015_call_due")]

    operations = [migrations.RunPython(watch_name, unwatch_name)]
