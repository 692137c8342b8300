import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def statuses_of_existing_uploads(apps, schema_editor):
    """Roster uploads from before: an applied one is imported, any other was previewed (checked)."""
    ImportUpload = apps.get_model("ledgers", "ImportUpload")
    ImportUpload.objects.filter(applied_at__isnull=False).update(status="imported")
    ImportUpload.objects.filter(applied_at__isnull=True).update(status="checked")


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0003_webhook_url_https_allowed_hosts"),
        ("ledgers", "0003_ledger_signoff"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("RosterUpload", "ImportUpload"),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "vocabulary",
                    models.CharField(
                        choices=[
                            ("branch", "branch"),
                            ("gender", "gender"),
                            ("category", "category"),
                            ("residence_area", "residence"),
                            ("living_situation", "living situation"),
                            ("care_level", "care level"),
                            ("relation", "relation"),
                            ("yes_no", "yes or no"),
                            ("dose_number", "dose"),
                            ("arrangement", "arrangement"),
                            ("stance", "willingness"),
                            ("test_result", "result"),
                            ("exposure_kind", "kind"),
                            ("exposure_status", "status"),
                            ("condition", "health"),
                        ],
                        max_length=24,
                        verbose_name="list",
                    ),
                ),
                ("text", models.CharField(max_length=100, verbose_name="value in the file")),
                ("value", models.CharField(blank=True, max_length=32, verbose_name="means")),
                ("created_at", models.DateTimeField(auto_now=True, verbose_name="chosen at")),
            ],
            options={
                "verbose_name": "import mapping",
                "verbose_name_plural": "import mappings",
                "ordering": ["vocabulary", "text"],
            },
        ),
        migrations.AlterModelOptions(
            name="importupload",
            options={
                "ordering": ["-uploaded_at"],
                "verbose_name": "import upload",
                "verbose_name_plural": "import uploads",
            },
        ),
        migrations.AddField(
            model_name="importupload",
            name="kind",
            field=models.CharField(
                choices=[
                    ("roster", "Roster (名册)"),
                    ("contacts", "Family and caregiver contacts"),
                    ("vaccination", "Vaccination ledger"),
                    ("testing", "Nucleic-acid test ledger"),
                    ("exposure", "Exposure ledger"),
                    ("health", "Health ledger"),
                ],
                default="roster",
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="importupload",
            name="language",
            field=models.CharField(default="zh-hans", max_length=16, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="importupload",
            name="result",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="check result"),
        ),
        migrations.AddField(
            model_name="importupload",
            name="status",
            field=models.CharField(
                choices=[
                    ("checking", "Being checked"),
                    ("checked", "Checked"),
                    ("importing", "Being imported"),
                    ("imported", "Imported"),
                    ("failed", "Could not be completed"),
                ],
                default="checking",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="importupload",
            name="status_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="status changed at"),
        ),
        migrations.RunPython(statuses_of_existing_uploads, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="importupload",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["roster", "contacts", "vaccination", "testing", "exposure", "health"])
                ),
                name="ledgers_importupload_kind_valid",
                violation_error_message="Unknown kind.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importupload",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["checking", "checked", "importing", "imported", "failed"])),
                name="ledgers_importupload_status_valid",
                violation_error_message="Unknown status.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importupload",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("applied_at__isnull", False), ("status", "imported")),
                    models.Q(models.Q(("status", "imported"), _negated=True), ("applied_at__isnull", True)),
                    _connector="OR",
                ),
                name="ledgers_importupload_applied_iff_imported",
                violation_error_message="An upload has an import date once imported, and only then.",
            ),
        ),
        migrations.AddField(
            model_name="importmapping",
            name="branch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="branches.branch",
                verbose_name="branch",
            ),
        ),
        migrations.AddField(
            model_name="importmapping",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="chosen by",
            ),
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.UniqueConstraint(
                fields=("vocabulary", "text"),
                name="ledgers_importmapping_one_per_text",
                violation_error_message="This value already has a meaning.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "vocabulary__in",
                        [
                            "branch",
                            "gender",
                            "category",
                            "residence_area",
                            "living_situation",
                            "care_level",
                            "relation",
                            "yes_no",
                            "dose_number",
                            "arrangement",
                            "stance",
                            "test_result",
                            "exposure_kind",
                            "exposure_status",
                            "condition",
                        ],
                    )
                ),
                name="ledgers_importmapping_vocabulary_valid",
                violation_error_message="Unknown list.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("branch__isnull", False), ("value", ""), ("vocabulary", "branch")),
                    models.Q(
                        models.Q(("vocabulary", "branch"), _negated=True),
                        ("branch__isnull", True),
                        models.Q(("value", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="ledgers_importmapping_branch_or_value",
                violation_error_message="A branch mapping names a branch; any other mapping a value.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.CheckConstraint(
                condition=models.Q(("text", ""), _negated=True),
                name="ledgers_importmapping_text_not_empty",
                violation_error_message="An empty cell has no meaning to remember.",
            ),
        ),
    ]
