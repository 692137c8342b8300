"""Every exemption recorded so far was granted by one office worker, who both asked and approved:
it stays approved, requested and decided by that worker when it was recorded, and is marked
`legacy_grant` so that the two-person rule (checkins_exemption_decider_not_requester) and the
window limit, which it predates, do not apply to it."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    Exemption = apps.get_model("checkins", "Exemption")
    Exemption.objects.update(
        status="approved",
        requested_by=F("decided_by"),
        decided_at=F("requested_at"),
        legacy_grant=True,
    )


class Migration(migrations.Migration):
    dependencies = [("checkins", "0005_exemption_requests")]

    # Reversing leaves the rows as they are: 0005's reversal drops the columns.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
