"""Ledger sign-off (台账签核) at the end of a check-in round.

Each branch secretary signs off their branch's ledgers once per round. The sign-off freezes a
snapshot of every ledger row of the branch (its active retirees' vaccination, testing and health
state, and their exposure events), built from the same selectors and column specs as the ledger
pages and exports, so a snapshot reads and exports exactly like the live ledger did.

A snapshot is JSON: for each ledger a list of rows `{"key", "retiree", "values"}` where `key`
identifies the row (the retiree, or the exposure event), and `values` maps each column's key
to its value as the file shows it (choice labels in the file language, dates as ISO strings).
What changed since the previous sign-off is the difference of two snapshots of the branch,
row by row and column by column, leaving out the row number and the age (which tick on their own)
and any column the older snapshot did not have yet.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.access import is_secretary
from core.dates import local_today
from core.exports import (
    CHUNK_SIZE,
    FILE_LANGUAGE,
    MASKED_AND_CONSENTED,
    Column,
    ExportContext,
    ExportFormat,
    ExportSpec,
    Recorder,
    csv_download,
    csv_lines,
    left_out_note,
    xlsx_download,
)
from retirees.choices import Status
from retirees.models import Retiree
from retirees.selectors import consented

from . import exports, selectors
from .choices import Ledger
from .models import LedgerSignoff

SNAPSHOT_VERSION = 1
SNAPSHOT_LEDGERS = (Ledger.VACCINATION, Ledger.TESTING, Ledger.EXPOSURE, Ledger.HEALTH)
# Columns that are not facts of the ledger: the row number, and the age that grows by itself.
NOT_COMPARED = frozenset({"index", "age"})


class ChangeKind:
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"

    LABELS = {
        ADDED: _("New in the ledger"),
        REMOVED: _("No longer in the ledger"),
        CHANGED: _("Changed"),
    }


# --- Who may sign, and what ------------------------------------------------------------------


def round_has_branch(checkin_round, branch_id: int) -> bool:
    return any(branch.pk == branch_id for branch in checkin_round.branches.all())


def sign_off_refusal(*, user, checkin_round, today: datetime.date | None = None):
    """Why `user` cannot sign off their branch for this round now, or None when they can."""
    today = today or local_today()
    if not is_secretary(user):
        return _("Only the branch secretary signs off the branch's ledger.")
    if not round_has_branch(checkin_round, user.branch_id):
        return _("Your branch is not part of this round.")
    if today < checkin_round.starts_on:
        return _("The round has not started yet.")
    if LedgerSignoff.objects.filter(checkin_round=checkin_round, branch_id=user.branch_id).exists():
        return _("This branch's ledger has already been signed off for this round.")
    return None


def round_get(*, user, pk):
    """The round `user` may see, for its sign-off page (404 outside scope).

    Rounds belong to checkins, which sits above ledgers (a contact records ledger facts), so the
    model is reached through the sign-off's foreign key rather than imported.
    """
    rounds = LedgerSignoff._meta.get_field("checkin_round").related_model.objects
    return get_object_or_404(rounds.visible_to(user).prefetch_related("branches"), pk=pk)


# --- Snapshots --------------------------------------------------------------------------------


def _ledger_rows(*, user, branch, ledger: str):
    """The rows of one ledger for one branch's active retirees, in the ledger's order."""
    queryset = selectors.LEDGER_SELECTORS[ledger](user=user)
    if ledger == Ledger.EXPOSURE:
        return queryset.filter(retiree__branch=branch, retiree__status=Status.ACTIVE).order_by(
            "retiree__name_pinyin", "retiree_id", "-started_on", "-id"
        )
    return queryset.filter(branch=branch, status=Status.ACTIVE).order_by("name_pinyin", "id")


def _as_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def snapshot_build(*, user, branch, today: datetime.date) -> dict:
    """Every ledger row of `branch` as `user` sees it now (one query per ledger)."""
    ledgers = {}
    with translation.override(FILE_LANGUAGE):
        for ledger in SNAPSHOT_LEDGERS:
            spec = exports.SPECS[ledger]()
            context = ExportContext(today=today)
            rows = []
            for obj in _ledger_rows(user=user, branch=branch, ledger=ledger).iterator(chunk_size=CHUNK_SIZE):
                values = spec.row(obj, context)
                rows.append(
                    {
                        "key": obj.pk,
                        "retiree": spec.retiree_of(obj).pk,
                        "values": {
                            column.key: _as_json(value)
                            for column, value in zip(spec.columns, values, strict=True)
                            if column.key != "index"
                        },
                    }
                )
            ledgers[ledger] = rows
    return {"version": SNAPSHOT_VERSION, "taken_on": today.isoformat(), "ledgers": ledgers}


def branch_totals_now(*, user, branch_id: int) -> dict:
    """The branch's row of the ledger index's totals, as plain numbers."""
    totals, _overall = selectors.branch_totals(user=user)
    for row in totals:
        if row["branch"].pk == branch_id:
            keys = ("total", "tested", "exposed", *(f"dose{number}" for number in selectors.DOSE_NUMBERS))
            return {key: row[key] for key in keys} | {"tested_within_days": selectors.DEFAULT_TESTED_WITHIN_DAYS}
    return {}


def snapshot_row_count(snapshot: dict) -> int:
    return sum(len(rows) for rows in snapshot["ledgers"].values())


# --- Differences ------------------------------------------------------------------------------


@dataclass
class Change:
    ledger: str
    kind: str
    name: str
    key: int
    fields: list[tuple] = field(default_factory=list)  # (column label, before, after)
    retiree: int | None = None  # the retiree's id, for the consent rule of exports

    @property
    def ledger_label(self):
        return Ledger(self.ledger).label

    @property
    def kind_label(self):
        return ChangeKind.LABELS[self.kind]

    @property
    def lines(self) -> list[tuple]:
        """One line per changed column; a single empty line for a row added or removed."""
        return self.fields or [("", None, None)]


def snapshot_diff(previous: dict | None, current: dict) -> list[Change]:
    """What differs between two snapshots of a branch, ledger by ledger, row by row."""
    if previous is None:
        return []
    changes = []
    for ledger in SNAPSHOT_LEDGERS:
        columns = [column for column in exports.SPECS[ledger]().columns if column.key not in NOT_COMPARED]
        before = {row["key"]: row["values"] for row in previous["ledgers"].get(ledger, [])}
        after = {row["key"]: row["values"] for row in current["ledgers"].get(ledger, [])}
        retiree_of = {
            row["key"]: row.get("retiree") for rows in (previous, current) for row in rows["ledgers"].get(ledger, [])
        }
        for key, values in after.items():
            if key not in before:
                changes.append(Change(ledger, ChangeKind.ADDED, values.get("name", ""), key, retiree=retiree_of[key]))
                continue
            # A column the older snapshot did not have yet (added to the ledger since) is no change.
            fields = [
                (column.label, before[key].get(column.key), values.get(column.key))
                for column in columns
                if column.key in before[key] and before[key].get(column.key) != values.get(column.key)
            ]
            if fields:
                changes.append(
                    Change(ledger, ChangeKind.CHANGED, values.get("name", ""), key, fields, retiree=retiree_of[key])
                )
        for key, values in before.items():
            if key not in after:
                changes.append(Change(ledger, ChangeKind.REMOVED, values.get("name", ""), key, retiree=retiree_of[key]))
    return changes


def changes_by_ledger(changes: list[Change]) -> list[dict]:
    """The changes grouped per ledger with their counts by kind, for the pages."""
    groups = []
    for ledger in SNAPSHOT_LEDGERS:
        of_ledger = [change for change in changes if change.ledger == ledger]
        counts = {kind: sum(1 for change in of_ledger if change.kind == kind) for kind in ChangeKind.LABELS}
        groups.append({"ledger": ledger, "label": Ledger(ledger).label, "counts": counts, "changes": of_ledger})
    return groups


def previous_signoff(*, branch, before=None) -> LedgerSignoff | None:
    """The branch's sign-off just before the time `before` (default: its latest one)."""
    queryset = LedgerSignoff.objects.filter(branch=branch).order_by("-signed_at", "-id")
    if before is not None:
        queryset = queryset.filter(signed_at__lt=before)
    return queryset.first()


# --- Writing ----------------------------------------------------------------------------------


def ledger_signoff(*, user, checkin_round, note: str = "") -> LedgerSignoff:
    """The secretary signs off their branch's ledgers for the round: the snapshot is frozen now.

    PermissionDenied for anybody but the branch's secretary; ValidationError (translated) when
    the round does not include the branch, has not started, or was signed off already (also
    when two sign-offs race: the database's unique constraint decides).
    """
    if not is_secretary(user):
        raise PermissionDenied("Only a branch secretary signs off.")
    refusal = sign_off_refusal(user=user, checkin_round=checkin_round)
    if refusal is not None:
        raise ValidationError(refusal)
    today = local_today()
    snapshot = snapshot_build(user=user, branch=user.branch, today=today)
    signoff = LedgerSignoff(
        checkin_round=checkin_round,
        branch_id=user.branch_id,
        signed_by=user,
        note=note.strip(),
        totals=branch_totals_now(user=user, branch_id=user.branch_id),
        snapshot=snapshot,
        row_count=snapshot_row_count(snapshot),
    )
    try:
        with transaction.atomic():
            signoff.save()
    except IntegrityError as error:
        raise ValidationError(_("This branch's ledger has already been signed off for this round.")) from error
    return signoff


# --- Reading ----------------------------------------------------------------------------------


def signoff_get(*, user, pk) -> LedgerSignoff:
    """One sign-off with its snapshot; 404 outside the user's scope."""
    return get_object_or_404(
        LedgerSignoff.objects.visible_to(user).select_related("branch", "signed_by", "checkin_round"), pk=pk
    )


def round_signoffs(*, user, checkin_round) -> list[dict]:
    """Per branch of the round that `user` sees: its sign-off (without the snapshot) or None. Two queries."""
    signed = {
        signoff.branch_id: signoff
        for signoff in LedgerSignoff.objects.visible_to(user)
        .filter(checkin_round=checkin_round)
        .select_related("signed_by")
        .defer("snapshot")
    }
    return [{"branch": branch, "signoff": signed.get(branch.pk)} for branch in checkin_round.branches.visible_to(user)]


def snapshot_rows(snapshot: dict, ledger: str, retirees: set | None = None) -> list[list]:
    """A snapshot's rows of one ledger as export rows, in the spec's column order (dates as dates).

    With `retirees`, only the rows of those retirees (numbered from 1 all the same)."""
    spec = exports.SPECS[ledger]()
    rows = []
    kept = [row for row in snapshot["ledgers"].get(ledger, []) if retirees is None or row["retiree"] in retirees]
    for number, row in enumerate(kept, start=1):
        values = row["values"]
        cells = []
        for column in spec.columns:
            value = number if column.key == "index" else values.get(column.key)
            if column.is_date and isinstance(value, str):
                value = datetime.date.fromisoformat(value)
            cells.append(value)
        rows.append(cells)
    return rows


def signoff_time(signoff: LedgerSignoff) -> str:
    return timezone.localtime(signoff.signed_at).strftime("%Y-%m-%d %H:%M")


# --- Files ------------------------------------------------------------------------------------


def changes_spec() -> ExportSpec:
    """The columns of the changes file: one line per changed column, or per added / removed row."""

    def item(index):
        return lambda row, context: row[index]

    columns = [
        Column("index", _("No."), lambda row, context: context.row_number, width=6),
        Column("ledger", _("Ledger"), item(0), width=18),
        Column("name", _("Name"), item(1), width=10),
        Column("change", _("Change"), item(2), width=12),
        Column("column", _("Item"), item(3), width=14),
        Column("before", _("Before"), item(4), width=20),
        Column("after", _("After"), item(5), width=20),
    ]
    return ExportSpec(Ledger.SIGNOFF_CHANGES, _("Ledger changes since the previous sign-off"), columns)


def changes_rows(changes: list[Change]) -> list[list]:
    """The changes as file rows, labels in the file language."""
    spec = changes_spec()
    context = ExportContext(today=local_today())
    lines = []
    with translation.override(FILE_LANGUAGE):
        for change in changes:
            ledger, kind = str(change.ledger_label), str(change.kind_label)
            for label, before, after in change.lines:
                lines.append([ledger, change.name, kind, str(label), before, after])
        rows = []
        for number, line in enumerate(lines, start=1):
            context.row_number = number
            rows.append(spec.row(line, context))
    return rows


def signoff_title(signoff: LedgerSignoff, what, now: datetime.datetime) -> str:
    """支部 · 轮次 · 签核人 签核于 … · 导出于 …: a printed page says exactly which sign-off it shows."""
    with translation.override(FILE_LANGUAGE):
        return str(
            _("%(what)s (%(branch)s, round “%(round)s”), signed off by %(who)s on %(signed)s, exported %(now)s")
            % {
                "what": what,
                "branch": signoff.branch.name,
                "round": signoff.checkin_round.title,
                "who": signoff.signed_by.get_full_name() or signoff.signed_by.get_username(),
                "signed": signoff_time(signoff),
                "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
            }
        )


def signoff_filename(signoff: LedgerSignoff, what, file_format: str) -> str:
    with translation.override(FILE_LANGUAGE):
        stamp = timezone.localtime(signoff.signed_at).strftime("%Y%m%d")
        return f"{what}_{signoff.branch.name}_{signoff.checkin_round.title}_{stamp}.{file_format}"


def _consenting(retiree_ids: set, options) -> tuple[set, int]:
    """Of these retirees, those a file may name under the consent rule, and how many it leaves out."""
    queryset, left_out = consented(
        Retiree.objects.filter(pk__in=retiree_ids), include_without_consent=options.without_consent
    )
    return (retiree_ids if not left_out else set(queryset.values_list("pk", flat=True))), left_out


def signoff_export_response(
    *,
    signoff: LedgerSignoff,
    what: str,
    ledger: str | None,
    file_format: str,
    options=MASKED_AND_CONSENTED,
    recorder: Recorder,
):
    """One ledger of the frozen snapshot, or the changes since the previous sign-off, as a file
    (logged and audited by `recorder`; retirees without recorded consent left out unless `options` includes them)."""
    now = timezone.now()
    if what == Ledger.SIGNOFF:
        spec = exports.SPECS[ledger]()
        named = {row["retiree"] for row in signoff.snapshot["ledgers"].get(ledger, [])}
        kept, left_out = _consenting(named, options)
        data = snapshot_rows(signoff.snapshot, ledger, kept)
        with translation.override(FILE_LANGUAGE):
            label = f"{spec.title} · {_('Signed-off ledger snapshot')}"
    else:
        spec = changes_spec()
        previous = previous_signoff(branch=signoff.branch_id, before=signoff.signed_at)
        changes = snapshot_diff(previous.snapshot if previous else None, signoff.snapshot)
        kept, left_out = _consenting({change.retiree for change in changes}, options)
        data = changes_rows([change for change in changes if change.retiree in kept])
        with translation.override(FILE_LANGUAGE):
            label = str(spec.title)
    recorder.start(
        key=what,
        file_format=file_format,
        filters={"signoff": signoff.pk, "round": signoff.checkin_round_id, "ledger": ledger or ""},
        scope=signoff.branch.name,
        options=replace(options, full_id_numbers=False),
        left_out=left_out,
    )
    title = signoff_title(signoff, label, now) + left_out_note(left_out)
    name = signoff_filename(signoff, label, file_format)
    if file_format == ExportFormat.CSV:
        return csv_download(csv_lines(spec, data, title, recorder.finish), name)
    return xlsx_download(spec, data, title, name, recorder.finish)
