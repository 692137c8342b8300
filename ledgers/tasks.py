"""The ledgers' Celery tasks: thin wrappers that take ids and call the services and the importer."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.queue import enqueue_on_commit

from . import services
from .choices import ImportStatus
from .imports import runs
from .models import ImportUpload

# A file this small is checked and imported in the request itself: at most a second or two, and
# the office's everyday files (a branch's list, a week's tests) work even with the worker down.
INLINE_MAX_BYTES = 48 * 1024
# A check or import no worker has started after this long is sent to the queue again (the broker
# may have been down when it was first sent; both steps are safe to run twice).
RESEND_AFTER_SECONDS = 60


@shared_task(name="ledgers.purge_roster_uploads", ignore_result=True)
def purge_roster_uploads():
    """Delete uploads checked but never imported within a day (they hold personal data)."""
    return services.import_uploads_purge()


@shared_task(name="ledgers.import_check", ignore_result=True)
def import_check(upload_id: str):
    runs.run_safely(runs.upload_check, upload_id)


@shared_task(name="ledgers.import_apply", ignore_result=True)
def import_apply(upload_id: str):
    runs.run_safely(runs.upload_import, upload_id)


def _start(task, step, upload: ImportUpload) -> None:
    if upload.content_size <= INLINE_MAX_BYTES:
        runs.run_safely(step, upload.pk)
    else:
        enqueue_on_commit(task, str(upload.pk))


def import_check_start(upload: ImportUpload) -> None:
    """Check the upload: now for a small file, else in the worker (the page shows its progress)."""
    _start(import_check, runs.upload_check, upload)


def import_apply_start(upload: ImportUpload) -> None:
    """Import the upload: now for a small file, else in the worker (the page shows its progress)."""
    _start(import_apply, runs.upload_import, upload)


def import_resend_if_stale(upload: ImportUpload, *, started: bool) -> bool:
    """Send a check or import again when no worker has started it for a while; whether it was sent.

    One UPDATE claims the resend, so two pages polling at once send it once.
    """
    if started or not upload.is_running:
        return False
    cutoff = timezone.now() - datetime.timedelta(seconds=RESEND_AFTER_SECONDS)
    claimed = ImportUpload.objects.filter(pk=upload.pk, status=upload.status, status_at__lt=cutoff).update(
        status_at=timezone.now()
    )
    if claimed:
        task = import_check if upload.status == ImportStatus.CHECKING else import_apply
        enqueue_on_commit(task, str(upload.pk))
    return bool(claimed)
