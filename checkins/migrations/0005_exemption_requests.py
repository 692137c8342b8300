"""Exemptions become requests that another person approves: the new fields, nullable for now.

`approved_by` becomes `decided_by` (who approved or refused) and `created_at` becomes
`requested_at`; 0006 fills the new fields of the existing rows, 0007 adds the constraints.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0004_add_failures_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="exemption", old_name="approved_by", new_name="decided_by"),
        migrations.AlterField(
            model_name="exemption",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.RenameField(model_name="exemption", old_name="created_at", new_name="requested_at"),
        migrations.AlterField(
            model_name="exemption",
            name="requested_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="requested at"),
        ),
        migrations.AddField(
            model_name="exemption",
            name="status",
            field=models.CharField(
                choices=[("pending", "Awaiting approval"), ("approved", "Approved"), ("refused", "Refused")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="exemption",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AddField(
            model_name="exemption",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AddField(
            model_name="exemption",
            name="decision_note",
            field=models.CharField(
                blank=True,
                help_text="Required when the request is refused.",
                max_length=200,
                verbose_name="reason for the decision",
            ),
        ),
        migrations.AddField(
            model_name="exemption",
            name="legacy_grant",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Recorded by one office worker before requests needed another's approval (migrated rows only).",
                verbose_name="granted before approvals",
            ),
        ),
    ]
