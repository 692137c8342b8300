"""Migrating to approvals keeps every exemption recorded before them, approved, as it was."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from checkins.models import Exemption
from checkins.schedule import with_schedule
from retirees.models import Retiree
from tests.factories import make_retiree, make_user

BEFORE = [("checkins", "0004_add_failures_index")]
AFTER = [("checkins", "0007_exemption_requests_constraints")]


@pytest.mark.django_db(transaction=True)
def test_existing_exemptions_become_approved_grants_of_their_approver(branch_a):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        approver = make_user("old_office", role="office")
        retiree = make_retiree(branch_a, "旧豁免")
        with connection.cursor() as cursor:
            # As the office recorded them before: one person, and a window longer than now allowed.
            cursor.execute(
                """INSERT INTO checkins_exemption
                   (retiree_id, reason, note, starts_on, ends_on, approved_by_id, created_at, revoked_at)
                   VALUES (%s, 'moved', '', '2026-01-01', '2026-12-31', %s, '2026-01-01 09:00+08', NULL)""",
                [retiree.pk, approver.pk],
            )
        executor = MigrationExecutor(connection)  # the graph again, as after a deploy
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    exemption = Exemption.objects.get()
    assert (exemption.status, exemption.requested_by, exemption.decided_by) == ("approved", approver, approver)
    assert exemption.decided_at == exemption.requested_at
    assert exemption.legacy_grant
    day = datetime.date(2026, 6, 1)
    assert with_schedule(Retiree.objects.filter(pk=retiree.pk), day).get().due_state == "exempt"
