"""An upload's check and import, as the worker (ledgers.tasks) or the request runs them.

Each reads the stored file again from the database, so it needs nothing from the request but
the upload's id, and each may run twice (a redelivered task) without harm: the check only
writes its result while the upload is still being checked, and the import locks the upload and
imports only one still being imported.
"""

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.progress import ProgressReporter, progress_clear

from ..choices import ImportStatus
from ..models import ImportUpload
from ..services import IMPORT_UPLOAD_LIFETIME
from .engine import check_file
from .kinds import KINDS

logger = logging.getLogger(__name__)


def upload_check(upload_id) -> None:
    """Check a stored upload and keep what the check found on it (its preview)."""
    upload = ImportUpload.objects.select_related("user").filter(pk=upload_id, status=ImportStatus.CHECKING).first()
    if upload is None:
        return
    progress = ProgressReporter(str(upload.pk))
    with translation.override(upload.language):
        check = check_file(
            user=upload.user,
            kind=KINDS[upload.kind],
            content=bytes(upload.content),
            filename=upload.filename,
            progress=progress,
        )
        result = check.as_result()
    changes = {"status": ImportStatus.CHECKED, "status_at": timezone.now(), "result": result}
    if result["problems"] and not result["prompts"]:
        # Only a corrected file can be imported: keep no copy of this one's personal data.
        changes["content"] = b""
    ImportUpload.objects.filter(pk=upload.pk, status=ImportStatus.CHECKING).update(**changes)
    progress_clear(str(upload.pk))


def upload_import(upload_id) -> None:
    """Import a checked upload, all or nothing, if it still has no problem.

    The file is checked again (the registry may have changed since the preview). The upload is
    locked and marked imported in the same transaction, so a double click or a redelivered task
    imports it once. If the registry changed so that a row no longer fits, nothing is written
    and the upload goes back to its preview with the new problems.
    """
    now = timezone.now()
    progress = ProgressReporter(str(upload_id))
    with transaction.atomic():
        upload = (
            ImportUpload.objects.select_for_update()
            .select_related("user")
            .filter(pk=upload_id, status=ImportStatus.IMPORTING)
            .first()
        )
        if upload is None:
            return
        if upload.uploaded_at < now - IMPORT_UPLOAD_LIFETIME:  # expired, even if not purged yet
            upload.status, upload.status_at, upload.content = ImportStatus.FAILED, now, b""
            upload.result = {**upload.result, "error": "expired"}
            upload.save(update_fields=["status", "status_at", "content", "result"])
            return
        kind = KINDS[upload.kind]
        with translation.override(upload.language):
            check = check_file(
                user=upload.user,
                kind=kind,
                content=bytes(upload.content),
                filename=upload.filename,
                progress=progress,
                rehearse=False,
            )
            if not check.problems and not check.prompts:
                if kind.rehearse:
                    check.write(stage="write")
                else:
                    kind.write_all(check, progress)
            result = check.as_result()
        failed = bool(check.problems or check.prompts)
        if failed:
            transaction.set_rollback(True)
        else:
            upload.status, upload.status_at, upload.applied_at = ImportStatus.IMPORTED, timezone.now(), timezone.now()
            upload.summary, upload.result = check.summary, result
            upload.content = b""  # the personal data is in the registry now; keep no second copy
            upload.save(update_fields=["status", "status_at", "applied_at", "summary", "result", "content"])
    if failed:
        ImportUpload.objects.filter(pk=upload_id, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.CHECKED, status_at=timezone.now(), result={**result, "changed_since_check": True}
        )
    progress_clear(str(upload_id))


def run_safely(step, upload_id) -> None:
    """Run `step` (upload_check or upload_import); a failure nobody foresaw is logged and shown as
    such on the upload's page, never left as a page that keeps waiting."""
    try:
        step(upload_id)
    except Exception:
        logger.exception("The import step %s failed for upload %s.", step.__name__, upload_id)
        ImportUpload.objects.filter(pk=upload_id, status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]).update(
            status=ImportStatus.FAILED, status_at=timezone.now(), result={"error": "crashed"}
        )
        progress_clear(str(upload_id))


def failure_message(upload: ImportUpload) -> str:
    """Why a failed upload failed, in the user's language."""
    if upload.result.get("error") == "expired":
        return _("This upload has expired: upload the file again.")
    return _(
        "Something went wrong while reading this file; nothing was imported. Upload it again, or ask the administrator."
    )
