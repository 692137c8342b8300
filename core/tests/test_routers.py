"""The read-replica router (core.routers): off by default; with a replica, exports read from it and
everything else stays on default."""

import csv
import io
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.routers import REPLICA, ReplicaRouter, read_alias, replica_reads
from retirees.models import Retiree
from tests.factories import make_retiree


@pytest.fixture
def replica():
    """A `replica` connection to the test database itself, as settings make one from READ_REPLICA_URL."""
    with mock.patch.dict(settings.DATABASES, {REPLICA: dict(connections["default"].settings_dict)}):
        yield REPLICA
        connections[REPLICA].close()
        del connections[REPLICA]


@pytest.fixture
def replica_db(transactional_db):
    """The replica, added after the test's database set-up (which refuses aliases it did not expect).

    Transactional: the replica's own connection sees only committed rows, as a real replica does."""
    with mock.patch.dict(settings.DATABASES, {REPLICA: dict(connections["default"].settings_dict)}):
        # Connected here: the test case refuses to open connections to aliases it was not told of.
        connections[REPLICA].connect()
        yield REPLICA
        connections[REPLICA].close()
        del connections[REPLICA]


def test_off_by_default_everything_reads_default():
    assert REPLICA not in settings.DATABASES
    assert read_alias() == "default"
    with replica_reads() as alias:
        assert alias == "default"
        assert ReplicaRouter().db_for_read(Retiree) is None


def test_with_a_replica_only_asked_for_reads_go_there(replica):
    router = ReplicaRouter()
    assert read_alias() == REPLICA
    assert router.db_for_read(Retiree) is None
    with replica_reads() as alias:
        assert alias == REPLICA
        assert router.db_for_read(Retiree) == REPLICA
        assert router.db_for_write(Retiree) == "default"
    assert router.db_for_read(Retiree) is None
    assert router.allow_migrate(REPLICA, "retirees") is False
    assert router.allow_migrate("default", "retirees") is True


def test_an_export_reads_its_rows_from_the_replica(replica_db, login, office, branch_a):
    make_retiree(branch_a, "王明")
    client = login(office)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = client.get(reverse("retirees:list"), {"export": "csv"})
        content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "王明" in str(list(csv.reader(io.StringIO(content))))
    assert any("retirees_retiree" in query["sql"] for query in on_replica.captured_queries)
    # The session, the user and the export log stay on default; no retiree is read there.
    assert not any('FROM "retirees_retiree"' in query["sql"] for query in on_default.captured_queries)


def test_read_replica_url_adds_the_alias_and_the_router():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, settings.DATABASES['replica']['NAME'])"
    )
    environment = {**os.environ, "READ_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/outreach_replica"}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    output = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "['default', 'replica'] ['core.routers.ReplicaRouter'] outreach_replica"
