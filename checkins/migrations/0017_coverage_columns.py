"""The kept coverage counts as integer columns and an integer[] of weeks instead of two JSON
documents: the dashboard sums and orders them in SQL. The kept rows are a cache, emptied here
(the next view counts every branch again)."""

import django.contrib.postgres.fields
from django.db import migrations, models

COUNTS = [
    ("total", "Retirees"),
    ("covered", "Reached this cycle"),
    ("exempt", "Exempt"),
    ("due", "Due today"),
    ("overdue", "Overdue"),
    ("unreachable", "Unreachable"),
    ("attention", "Under attention"),
    ("section_callback", "call-back section"),
    ("section_attention", "attention section"),
    ("section_overdue", "overdue section"),
    ("section_due", "due section"),
    ("section_covered", "reached section"),
    ("section_exempt", "exempt section"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("checkins", "0016_coverage_trigger_name"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM checkins_branchcoverage", migrations.RunSQL.noop),
        migrations.RemoveField(model_name="branchcoverage", name="counts"),
        migrations.RemoveField(model_name="branchcoverage", name="weekly"),
        *(
            migrations.AddField(
                model_name="branchcoverage",
                name=name,
                field=models.IntegerField(default=0, verbose_name=label),
                preserve_default=False,
            )
            for name, label in COUNTS
        ),
        migrations.AddField(
            model_name="branchcoverage",
            name="percent",
            field=models.SmallIntegerField(default=0, verbose_name="Coverage"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="branchcoverage",
            name="weekly",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.IntegerField(), verbose_name="weeks reached"
            ),
        ),  # no default needed: the table is empty
    ]
