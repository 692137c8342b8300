"""Reads that may come from a PostgreSQL read replica: exports and reports (docs/scaling.md).

Off by default. With `READ_REPLICA_URL` set, settings add a second connection, `replica`, and
this router: every write, every migration and every ordinary read stays on `default`; a bulk
read asks for the replica explicitly, either on its queryset (`queryset.using(read_alias())`,
which also holds while a streamed response is sent after the view has returned) or for a block
of code (`with replica_reads(): …`, for a report that reads many models). Without a replica both
give `default`, so the code is the same on one machine and on two.

A replica lags its primary by a moment (milliseconds on a LAN, more under load): what somebody
saved a second ago may be missing from an export. That is acceptable for files of thousands of
rows; a page that shows what was just saved reads `default`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The connection bulk reads use: the replica when there is one, else default."""
    return REPLICA if replica_configured() else "default"


@contextmanager
def replica_reads() -> Iterator[str]:
    """Inside the block, reads the router decides go to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield read_alias()
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Writes and migrations on default; reads on the replica only where asked for."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None  # Django's default: `default`, or the instance's own database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default: an object read from one may refer to the other.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy PostgreSQL keeps; it is never migrated (and is read-only anyway).
        return db != REPLICA
