"""Enqueue Celery tasks without ever making a web request wait on, or fail because of, the broker.

Tasks are sent after the transaction commits; the database row is the source of truth, so a send
that fails (Redis down) loses nothing: the beat tick finds the row again and re-enqueues it.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args):
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # broker down or unreachable: the next tick picks the work up
        logger.warning("Could not enqueue %s%r; it will be picked up by the next tick.", task.name, tuple(args))


def enqueue_on_commit(task, *args) -> None:
    """Send `task(*args)` (ids only, never personal data) once the current transaction commits."""
    transaction.on_commit(lambda: _send(task, args))


def _send_many(task, ids):
    for sent, item in enumerate(ids):
        try:
            task.apply_async(args=(item,), retry=False)
        except Exception:  # one failure is enough to know: don't pay the broker's timeout per row
            logger.warning(
                "Broker unreachable: enqueued %s of %s %s; the rest wait for the next tick.", sent, len(ids), task.name
            )
            return


def enqueue_many_on_commit(task, ids) -> None:
    """Send `task(id)` for each id once the transaction commits, stopping at the first failure
    (logged once) so that a broker that refuses or hangs costs one timeout, not one per id."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: _send_many(task, ids))
