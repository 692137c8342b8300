"""How far a piece of background work has come, for a progress bar on a page.

The worker writes, the page's poll reads; both go through the `progress` cache, which every
process shares (Redis when REDIS_URL is set, else files under the var directory). Progress is a
hint, never a record: the database row of the work says whether it is finished, so a cache that
is down or was flushed only costs the bar its number, never the work its result. Part of the
shared layer: it imports no app.
"""

import logging
import time

from django.core.cache import caches

logger = logging.getLogger(__name__)

CACHE = "progress"
# Long enough for the longest import; a bar whose work died stops moving, its row says why.
TIMEOUT = 6 * 60 * 60
# A reporter writes at most this often, so that a loop over 50,000 rows costs a few dozen writes.
INTERVAL = 0.5


def _key(key: str) -> str:
    return f"progress:{key}"


def progress_read(key: str) -> dict | None:
    """The last report for `key` ({"stage", "done", "total"}), or None (none yet, or the cache is down)."""
    try:
        return caches[CACHE].get(_key(key))
    except Exception:  # the bar shows "working" without a number
        logger.warning("Could not read the progress of %s.", key, exc_info=True)
        return None


def progress_clear(key: str) -> None:
    try:
        caches[CACHE].delete(_key(key))
    except Exception:
        logger.warning("Could not clear the progress of %s.", key, exc_info=True)


class ProgressReporter:
    """Report `(stage, done, total)` for `key`, at most every INTERVAL seconds unless forced.

    After one failed write the reporter stops writing: a cache that is down must not cost its
    timeout once per batch of rows.
    """

    def __init__(self, key: str):
        self.key = key
        self.last = 0.0
        self.broken = False

    def __call__(self, stage: str, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.broken or (not force and now - self.last < INTERVAL):
            return
        self.last = now
        try:
            caches[CACHE].set(_key(self.key), {"stage": stage, "done": done, "total": total}, TIMEOUT)
        except Exception:
            self.broken = True
            logger.warning("Could not report the progress of %s; the page shows no number.", self.key, exc_info=True)
