"""Writes to the ledgers. Views, the contact-log form (checkins) and the importer call these.

Every `*_record` service is keyword-only, checks that the retiree is inside the user's scope
(PermissionDenied otherwise), validates the entry against the model's constraints (a
ValidationError carries the translated message) and runs in a transaction, so that the
contact form can call several of them inside its own transaction and roll back together.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce, Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import audit_record
from branches.models import Branch
from core.dates import local_today
from retirees.models import Retiree

from . import selectors
from .choices import COMMUNITY_KINDS, Arrangement, ExposureStatus, ImportStatus, Ledger, Vocabulary
from .models import (
    ExportLog,
    ExposureEvent,
    HealthRecord,
    ImportMapping,
    ImportUpload,
    NucleicTest,
    VaccinationDose,
    VaccinationStance,
)
from .signals import ledger_entry_changed


def _check_scope(*, user, retiree: Retiree) -> None:
    """Runs one query: the retiree must be visible to the user."""
    if not Retiree.objects.visible_to(user).filter(pk=retiree.pk).exists():
        raise PermissionDenied("The retiree is outside the user's scope.")


def _not_in_future(field: str, day: datetime.date | None) -> None:
    if day is not None and day > local_today():
        raise ValidationError({field: _("This date cannot be in the future.")})


# The ledger each entry model belongs to, as `ledger_entry_changed` names it.
LEDGER_OF = {
    VaccinationDose: Ledger.VACCINATION,
    VaccinationStance: Ledger.VACCINATION,
    NucleicTest: Ledger.TESTING,
    ExposureEvent: Ledger.EXPOSURE,
    HealthRecord: Ledger.HEALTH,
}


def ledger_entry_announce(entry) -> None:
    """Tell the apps above that `entry` (written or removed) changed its retiree's ledger: every
    write of a ledger entry ends here, the admin's too, inside its transaction."""
    ledger_entry_changed.send(sender=type(entry), retiree=entry.retiree, ledger=LEDGER_OF[type(entry)])


def _save(entry, *, user):
    if entry.recorded_by_id is None and user is not None and user.is_authenticated:
        entry.recorded_by = user
    entry.full_clean(exclude=["recorded_by"])
    entry.save()
    ledger_entry_announce(entry)
    return entry


@transaction.atomic
def vaccination_record(
    *,
    user,
    retiree: Retiree,
    dose_number: int,
    given_on: datetime.date,
    product: str = "",
    site: str = "",
    arrangement: str = Arrangement.SELF,
    notes: str = "",
) -> VaccinationDose:
    """Record that `retiree` received dose `dose_number`; recording the same dose again corrects it."""
    _check_scope(user=user, retiree=retiree)
    _not_in_future("given_on", given_on)
    dose = VaccinationDose.objects.filter(retiree=retiree, dose_number=dose_number).first()
    dose = dose or VaccinationDose(retiree=retiree, dose_number=dose_number)
    dose.given_on, dose.product, dose.site, dose.arrangement, dose.notes = given_on, product, site, arrangement, notes
    return _save(dose, user=user)


@transaction.atomic
def vaccination_dose_add(
    *,
    user,
    retiree: Retiree,
    dose_number: int | None,
    given_on: datetime.date | None,
    product: str = "",
    site: str = "",
    arrangement: str = Arrangement.SELF,
    source: str = "",
) -> VaccinationDose:
    """Record a new dose, refusing one already recorded (unlike `vaccination_record`, which corrects it).

    For a dose recorded as the result of something else (an assistance request closed): `source`
    says what, in the dose's notes and in its change history, so that the ledger shows where the
    fact came from. A duplicate, even one recorded by somebody else a moment ago, is a
    ValidationError on `dose_number` and writes nothing.
    """
    _check_scope(user=user, retiree=retiree)
    if dose_number is None:
        raise ValidationError({"dose_number": _("Choose which dose was given.")})
    if given_on is None:
        raise ValidationError({"given_on": _("Enter the date the dose was given.")})
    _not_in_future("given_on", given_on)
    duplicate = ValidationError(
        {
            "dose_number": _("Dose %(number)s is already recorded for %(name)s: choose another dose.")
            % {"number": dose_number, "name": retiree.name}
        }
    )
    if VaccinationDose.objects.filter(retiree=retiree, dose_number=dose_number).exists():
        raise duplicate
    dose = VaccinationDose(
        retiree=retiree,
        dose_number=dose_number,
        given_on=given_on,
        product=product.strip(),
        site=site.strip(),
        arrangement=arrangement,
        notes=source[:200],
    )
    # Read by django-simple-history when it writes the dose's history row.
    dose._change_reason = source[:100]
    if user is not None and user.is_authenticated:
        dose._history_user = user
    try:
        # A savepoint: the same dose saved by another request since the check above is a clear
        # message, and the caller's transaction stays usable to roll back as a whole.
        with transaction.atomic():
            return _save(dose, user=user)
    except IntegrityError:
        raise duplicate from None


@transaction.atomic
def vaccination_stance_record(
    *, user, retiree: Retiree, stance: str, stated_on: datetime.date, reason: str = "", notes: str = ""
) -> VaccinationStance:
    """Record the retiree's willingness (or contraindication) as of `stated_on`; the latest one counts."""
    _check_scope(user=user, retiree=retiree)
    _not_in_future("stated_on", stated_on)
    entry = VaccinationStance(retiree=retiree, stance=stance, stated_on=stated_on, reason=reason.strip(), notes=notes)
    return _save(entry, user=user)


@transaction.atomic
def nucleic_test_record(
    *, user, retiree: Retiree, tested_on: datetime.date, result: str, site: str = "", notes: str = ""
) -> NucleicTest:
    """Record a nucleic-acid test; a second entry for the same day updates the first (a result arrived)."""
    _check_scope(user=user, retiree=retiree)
    _not_in_future("tested_on", tested_on)
    test = NucleicTest.objects.filter(retiree=retiree, tested_on=tested_on).first()
    test = test or NucleicTest(retiree=retiree, tested_on=tested_on)
    test.result, test.site, test.notes = result, site or test.site, notes or test.notes
    return _save(test, user=user)


@transaction.atomic
def exposure_record(
    *,
    user,
    retiree: Retiree,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    status: str = ExposureStatus.ONGOING,
    notes: str = "",
) -> ExposureEvent:
    """Record an exposure event; the same kind from the same day again updates its end and status."""
    _check_scope(user=user, retiree=retiree)
    _not_in_future("started_on", started_on)
    event = ExposureEvent.objects.filter(retiree=retiree, kind=kind, started_on=started_on).first()
    event = event or ExposureEvent(retiree=retiree, kind=kind, started_on=started_on)
    event.ended_on, event.status, event.notes = ended_on, status, notes or event.notes
    return _save(event, user=user)


@transaction.atomic
def exposure_lift(*, user, event: ExposureEvent, ended_on: datetime.date) -> ExposureEvent:
    """Mark an exposure as lifted on `ended_on`."""
    _check_scope(user=user, retiree=event.retiree)
    _not_in_future("ended_on", ended_on)
    event.ended_on, event.status = ended_on, ExposureStatus.LIFTED
    return _save(event, user=user)


@transaction.atomic
def health_record(
    *, user, retiree: Retiree, recorded_on: datetime.date, condition: str, notes: str = ""
) -> HealthRecord:
    """Record how the retiree's health was found on `recorded_on`."""
    _check_scope(user=user, retiree=retiree)
    _not_in_future("recorded_on", recorded_on)
    entry = HealthRecord(retiree=retiree, recorded_on=recorded_on, condition=condition, notes=notes)
    return _save(entry, user=user)


@transaction.atomic
def health_record_correct(*, user, entry: HealthRecord, condition: str, notes: str = "") -> HealthRecord:
    """Correct what a health record says (an imported ledger's notes for a day already recorded)."""
    _check_scope(user=user, retiree=entry.retiree)
    entry.condition, entry.notes = condition, notes
    return _save(entry, user=user)


def export_log_start(*, user, ledger: str, file_format: str, filters: dict, scope: str) -> ExportLog:
    """Log an export as it starts (before the first row is written)."""
    return ExportLog.objects.create(user=user, ledger=ledger, file_format=file_format, filters=filters, scope=scope)


@dataclass(frozen=True)
class ExportAudit:
    """What the audit event of an export records besides the export log's own fields."""

    request: Any = None  # for the client's address
    full_id_numbers: bool = False
    without_consent: bool = False
    left_out: int = 0


def export_log_finish(*, log: ExportLog, row_count: int, audit: ExportAudit | None = None) -> None:
    """Record how many rows the finished export holds (one UPDATE), and write its audit event.

    Every export of a file goes through here, so every one is audited, once, with its row
    count and whether office staff included full ID numbers or retirees without consent.
    """
    ExportLog.objects.filter(pk=log.pk).update(row_count=row_count, finished_at=timezone.now())
    log.row_count = row_count
    audit = audit or ExportAudit()
    audit_record(
        action=AuditEvent.Action.EXPORT,
        request=audit.request,
        user=log.user,
        export_log=log.pk,
        ledger=log.ledger,
        file_format=log.file_format,
        scope=log.scope,
        filters=log.filters,
        row_count=row_count,
        full_id_numbers=audit.full_id_numbers,
        without_consent=audit.without_consent,
        left_out=audit.left_out,
    )


# An uploaded file is personal data: one not imported within this time cannot be imported any
# more and is deleted by `import_uploads_purge` (hourly, from the beat).
IMPORT_UPLOAD_LIFETIME = datetime.timedelta(hours=24)


def import_upload_store(*, user, kind: str, filename: str, content: bytes, language: str) -> ImportUpload:
    """Keep an uploaded file in the database from its check until it is imported (or expires)."""
    upload = ImportUpload.objects.create(
        user=user, kind=kind, filename=filename[:200], content=content, language=language[:16]
    )
    upload.content_size = len(content)
    return upload


def import_upload_get(*, user, pk, with_result: bool = True) -> ImportUpload | None:
    """The user's own upload (nobody else's, whoever they are), or None. The file itself is not
    read (a page polling the progress of a 16 MB file reads a few bytes), only its size; nor,
    without `with_result`, what its check found (every problem of 50,000 rows)."""
    deferred = ["content"] if with_result else ["content", "result"]
    return (
        ImportUpload.objects.defer(*deferred)
        .annotate(content_size=Coalesce(Length("content"), 0))
        .filter(pk=pk, user=user)
        .first()
    )


def import_upload_restart(*, upload: ImportUpload, status: str) -> bool:
    """Send a checked upload to be checked again (CHECKING) or imported (IMPORTING); whether it
    was still checked (one conditional UPDATE: a double click starts it once)."""
    now = timezone.now()
    started = ImportUpload.objects.filter(pk=upload.pk, status=ImportStatus.CHECKED).update(
        status=status, status_at=now
    )
    if started:
        upload.status, upload.status_at = status, now
    return bool(started)


def import_uploads_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploads not imported within IMPORT_UPLOAD_LIFETIME; how many.

    Imported uploads stay as the record of what was imported (their content is already empty).
    One DELETE, so a second run at the same time deletes nothing twice.
    """
    cutoff = (now or timezone.now()) - IMPORT_UPLOAD_LIFETIME
    deleted, _per_model = ImportUpload.objects.filter(applied_at__isnull=True, uploaded_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def import_mappings_remember(*, user, choices: list[tuple[str, str, object]]) -> int:
    """Remember what values in the office's files mean: (vocabulary, normalised text, code or
    Branch) each, for every later import by anybody in the office. Returns how many."""
    for vocabulary, text, value in choices:
        if vocabulary == Vocabulary.BRANCH:
            if not Branch.objects.visible_to(user).filter(pk=value.pk).exists():
                raise PermissionDenied("The branch is outside the user's scope.")
            defaults = {"branch": value, "value": "", "created_by": user}
        else:
            defaults = {"branch": None, "value": value, "created_by": user}
        mapping = ImportMapping.objects.filter(vocabulary=vocabulary, text=text).first()
        mapping = mapping or ImportMapping(vocabulary=vocabulary, text=text)
        for name, field_value in defaults.items():
            setattr(mapping, name, field_value)
        mapping.full_clean(validate_unique=False)
        mapping.save()
    return len(choices)


@transaction.atomic
def community_exposure_record(*, user, retiree: Retiree, kind: str | None, day: datetime.date) -> list[ExposureEvent]:
    """Record the retiree's community (小区) as a contact found it on `day`: restricted (`kind`, one
    of COMMUNITY_KINDS) or unrestricted (None). Returns the events written.

    Restricted: an open event of that kind already recorded is the same restriction seen again
    and is left as it is; an open event of the other community kind ends on `day` (controlled
    became sealed) and the new kind starts then. Unrestricted: every open community event ends on
    `day` (lifted). Events that start after `day` (a contact logged late) are left alone.
    """
    if kind is not None and kind not in COMMUNITY_KINDS:
        raise ValueError(f"{kind} is not a community exposure.")
    _check_scope(user=user, retiree=retiree)
    _not_in_future("started_on", day)
    open_events = list(selectors.open_community_exposures(retiree=retiree, day=day).select_for_update())
    if kind is not None and any(event.kind == kind for event in open_events):
        return []
    written = [exposure_lift(user=user, event=event, ended_on=day) for event in open_events]
    if kind is not None:
        written.append(exposure_record(user=user, retiree=retiree, kind=kind, started_on=day))
    return written


@transaction.atomic
def ledger_facts_record(*, user, retiree: Retiree, facts: dict, day: datetime.date) -> list:
    """Record the ledger facts learnt in a contact; `day` is the contact's date, the default date
    of each fact. Returns the rows written.

    `facts` holds ContactLedgerForm's cleaned data (a dose, a willingness, a test, an exposure)
    and what the contact's own answers amount to (`checkins.findings.contact_ledger_facts`):
    `health_condition` (a Condition: a health record), `community_kind` (a community exposure
    kind: the community is restricted) or `community_unrestricted` (True: it is not).
    An exposure of a kind the retiree already has open, given without its own start date, is
    that open event seen again: it is updated (its end), not recorded twice.
    """
    rows = []
    if facts.get("dose_number"):
        rows.append(
            vaccination_record(
                user=user,
                retiree=retiree,
                dose_number=facts["dose_number"],
                given_on=facts.get("dose_given_on") or day,
                arrangement=facts.get("dose_arrangement") or Arrangement.SELF,
            )
        )
    if facts.get("stance"):
        rows.append(
            vaccination_stance_record(
                user=user,
                retiree=retiree,
                stance=facts["stance"],
                stated_on=day,
                reason=facts.get("stance_reason", ""),
            )
        )
    if facts.get("test_result"):
        rows.append(
            nucleic_test_record(
                user=user,
                retiree=retiree,
                tested_on=facts.get("test_on") or day,
                result=facts["test_result"],
            )
        )
    if facts.get("exposure_kind"):
        rows.extend(_contact_exposure_record(user=user, retiree=retiree, facts=facts, day=day))
    if facts.get("health_condition"):
        rows.append(health_record(user=user, retiree=retiree, recorded_on=day, condition=facts["health_condition"]))
    if facts.get("community_kind") or facts.get("community_unrestricted"):
        rows.extend(
            community_exposure_record(user=user, retiree=retiree, kind=facts.get("community_kind") or None, day=day)
        )
    return rows


def _contact_exposure_record(*, user, retiree: Retiree, facts: dict, day: datetime.date) -> list[ExposureEvent]:
    kind = facts["exposure_kind"]
    started_on, ended_on = facts.get("exposure_started_on"), facts.get("exposure_ended_on")
    if started_on is None:
        already = selectors.open_exposures(retiree=retiree, kind=kind, day=day).first()
        if already is not None:
            if ended_on is None:
                return []  # the open exposure seen again: nothing new to record
            started_on = already.started_on
    started_on = started_on or day
    return [
        exposure_record(
            user=user,
            retiree=retiree,
            kind=kind,
            started_on=started_on,
            ended_on=ended_on,
            status=ExposureStatus.LIFTED if ended_on and ended_on <= day else ExposureStatus.ONGOING,
        )
    ]
