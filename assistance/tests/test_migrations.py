"""Migration 0002 adds the constraints that a done request holds its result: the requests done
before it must meet them, or the migration would fail on a database with history."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assistance.models import AssistanceRequest

BEFORE = [("assistance", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_requests_done_before_the_migration_meet_its_constraints(office, retiree_a):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("assistance", "AssistanceRequest")
        for kind in ["home_vaccination", "vaccination_transport", "medicine", "parcel", "other"]:
            old.objects.create(
                retiree_id=retiree_a.pk,
                kind=kind,
                status="done",
                outcome=f"{kind}：办好了" + "。" * 300,
                closed_at=timezone.now(),
                created_by_id=office.pk,
            )
        old.objects.create(retiree_id=retiree_a.pk, kind="medicine", created_by_id=office.pk)  # still open
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    # A pickup's outcome said what was delivered: it becomes `brought`, cut to the field's 200 characters.
    results = {
        (row.kind, row.status): (row.no_dose_reason, row.brought == row.outcome[:200], len(row.brought))
        for row in AssistanceRequest.objects.all()
    }
    assert results == {
        ("home_vaccination", "done"): ("not_recorded", False, 0),
        ("vaccination_transport", "done"): ("not_recorded", False, 0),
        ("medicine", "done"): ("", True, 200),
        ("parcel", "done"): ("", True, 200),
        ("other", "done"): ("", False, 0),
        ("medicine", "open"): ("", True, 0),
    }
