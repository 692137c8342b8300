from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import can_export, is_secretary, office_required
from core.exports import ExportContext, ExportFormat, export_form, export_if_asked
from core.forms import form_post
from core.pagination import paginate, querystring_without_page
from core.progress import progress_read
from retirees.choices import ResidenceArea
from retirees.models import Retiree

from . import exports, imports, selectors, services, signoffs, tasks
from .choices import DOSE_LABELS, ExposureStatus, ImportKind, ImportStatus, Ledger, Vocabulary
from .exports import ExportRecorder
from .filters import ExposureFilter, HealthFilter, TestingFilter, VaccinationFilter
from .forms import (
    ExposureEventForm,
    ExposureLiftForm,
    HealthRecordForm,
    ImportMappingForm,
    ImportUploadForm,
    LedgerSignoffForm,
    NucleicTestForm,
    VaccinationDoseForm,
    VaccinationStanceForm,
)
from .imports import runs
from .models import ExportLog, ExposureEvent, ImportUpload

# ledger -> the filter of its page (its rows come from selectors.LEDGER_SELECTORS, its columns from exports.SPECS)
FILTERS = {
    Ledger.VACCINATION: VaccinationFilter,
    Ledger.TESTING: TestingFilter,
    Ledger.EXPOSURE: ExposureFilter,
    Ledger.HEALTH: HealthFilter,
}


@login_required
def ledger_index(request):
    """Totals per branch: vaccination rate by dose, tested within N days, currently exposed."""
    try:
        days = max(1, min(int(request.GET.get("days", selectors.DEFAULT_TESTED_WITHIN_DAYS)), 365))
    except ValueError:
        days = selectors.DEFAULT_TESTED_WITHIN_DAYS
    # Any other value (a stale link, a typo) shows every residence.
    area = request.GET.get("residence_area", "")
    area = area if area in ResidenceArea.values else ""
    totals, overall = selectors.branch_totals(user=request.user, tested_within_days=days, residence_area=area)
    return render(
        request,
        "ledgers/index.html",
        {
            "totals": totals,
            "overall": overall,
            "days": days,
            "dose_labels": list(DOSE_LABELS.values()),
            "area": area,
            "area_choices": ResidenceArea.choices,
        },
    )


@login_required
def ledger_list(request, ledger):
    spec = exports.SPECS[ledger]()
    queryset = selectors.LEDGER_SELECTORS[ledger](user=request.user)
    filterset = FILTERS[ledger](request.GET, queryset=queryset, request=request)
    response = export_if_asked(request, spec=spec, filterset=filterset)
    if response is not None:
        return response
    page = paginate(request, filterset.qs)
    context = ExportContext(today=timezone.localdate())
    rows = []
    for offset, obj in enumerate(page, start=page.start_index()):
        context.row_number = offset
        rows.append(
            {"retiree": spec.retiree_of(obj), "cells": list(zip(spec.columns, spec.row(obj, context), strict=True))}
        )
    return render(
        request,
        "ledgers/list.html",
        {
            "ledger": ledger,
            "spec": spec,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "querystring": querystring_without_page(request),
            "can_export": can_export(request.user),
            "export_form": export_form(request, spec),
        },
    )


@login_required
def retiree_ledgers(request, pk):
    context = selectors.retiree_ledgers(user=request.user, pk=pk)
    return render(request, "ledgers/retiree.html", context)


# entry kind -> (form, service, the title of its form)
ENTRY_KINDS = {
    "dose": (VaccinationDoseForm, services.vaccination_record, gettext_lazy("Record a vaccine dose")),
    "stance": (VaccinationStanceForm, services.vaccination_stance_record, gettext_lazy("Record willingness")),
    "test": (NucleicTestForm, services.nucleic_test_record, gettext_lazy("Record a nucleic-acid test")),
    "exposure": (ExposureEventForm, services.exposure_record, gettext_lazy("Record an exposure")),
    "health": (HealthRecordForm, services.health_record, gettext_lazy("Record health")),
}


@login_required
def entry_add(request, pk, kind):
    retiree = get_object_or_404(Retiree.objects.visible_to(request.user).select_related("branch"), pk=pk)
    form_class, service, title = ENTRY_KINDS[kind]
    form = form_class(request.POST or None)
    if form_post(
        request,
        form,
        lambda: service(user=request.user, retiree=retiree, **form.cleaned_data),
        success=_("Saved for %(name)s.") % {"name": retiree.name},
    ):
        return redirect("ledgers:retiree", pk=retiree.pk)
    return render(request, "ledgers/entry_form.html", {"retiree": retiree, "form": form, "title": title})


@login_required
def exposure_lift(request, pk):
    retiree = get_object_or_404(Retiree.objects.visible_to(request.user).select_related("branch"), pk=pk)
    ongoing = ExposureEvent.objects.visible_to(request.user).filter(retiree=retiree, status=ExposureStatus.ONGOING)
    form = ExposureLiftForm(request.POST or None, initial={"ended_on": timezone.localdate()})

    def lift():
        event = get_object_or_404(ongoing, pk=form.cleaned_data["event"])
        return services.exposure_lift(user=request.user, event=event, ended_on=form.cleaned_data["ended_on"])

    if form_post(request, form, lift, success=_("Saved for %(name)s.") % {"name": retiree.name}):
        return redirect("ledgers:retiree", pk=retiree.pk)
    return render(request, "ledgers/exposure_lift.html", {"retiree": retiree, "ongoing": ongoing, "form": form})


@office_required
def export_log(request):
    page = paginate(request, ExportLog.objects.select_related("user"))
    return render(request, "ledgers/export_log.html", {"page": page, "querystring": ""})


# --- Importing the office's files --------------------------------------------------------------


@office_required
def import_start(request):
    """Choose what the file holds and upload it; it is checked (here or in the worker) and its
    preview shown on its own page. Nothing is written until the preview is confirmed."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = services.import_upload_store(
            user=request.user,
            kind=form.cleaned_data["kind"],
            filename=file.name,
            content=file.read(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        tasks.import_check_start(upload)
        return redirect(upload)
    return render(
        request,
        "ledgers/import.html",
        {"form": form, "kinds": imports.KINDS.values(), "recent": selectors.import_uploads_recent(user=request.user)},
    )


def _upload_or_404(request, pk, *, with_result: bool = True) -> ImportUpload:
    upload = services.import_upload_get(user=request.user, pk=pk, with_result=with_result)
    if upload is None:
        raise Http404
    return upload


def _progress_context(upload: ImportUpload) -> dict:
    progress = progress_read(str(upload.pk)) or {}
    total, done = progress.get("total"), progress.get("done") or 0
    stage = progress.get("stage") or ("write" if upload.status == ImportStatus.IMPORTING else "read")
    return {
        "upload": upload,
        "stage": IMPORT_STAGES.get(stage, ""),
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else None,
        "waiting": not progress and (timezone.now() - upload.status_at).total_seconds() > tasks.RESEND_AFTER_SECONDS,
        "started": bool(progress),
    }


# Stage of the work -> what the progress bar says it is doing.
IMPORT_STAGES = {
    "read": gettext_lazy("Reading the file"),
    "check": gettext_lazy("Checking every row"),
    "rehearse": gettext_lazy("Checking every change against the registry"),
    "write": gettext_lazy("Importing"),
}


@office_required
def import_upload(request, pk):
    """An upload's page: its progress while it is checked or imported, then its preview (every
    problem, each value to map, what would change) or what was imported."""
    upload = _upload_or_404(request, pk)
    kind = imports.KINDS[upload.kind]
    context = {"upload": upload, "kind": kind, "form": ImportUploadForm(initial={"kind": upload.kind})}
    if upload.is_running:
        context |= _progress_context(upload)
    elif upload.status == ImportStatus.FAILED:
        context["failure"] = runs.failure_message(upload)
    else:
        problems = Paginator(upload.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
        context |= {
            "problems": problems,
            "mapping_form": _mapping_form(request, upload)[0] if upload.prompts and upload.content_size else None,
            "result": upload.result,
        }
    return render(request, "ledgers/import_upload.html", context)


PROBLEMS_PER_PAGE = 200


def _mapping_form(request, upload: ImportUpload, data=None) -> tuple[ImportMappingForm, object]:
    vocabularies = {prompt["vocabulary"] for prompt in upload.prompts}
    resolver = imports.vocabularies.Resolver(user=request.user, vocabularies=vocabularies)
    options = {vocabulary: resolver.options(vocabulary) for vocabulary in vocabularies}
    return ImportMappingForm(data, prompts=upload.prompts, options=options), resolver


@office_required
def import_progress(request, pk):
    """The progress bar, polled by htmx; once the work is done, the page reloads to show its result."""
    upload = _upload_or_404(request, pk, with_result=False)
    if not upload.is_running:
        response = HttpResponse()  # empty: htmx reloads the page at once
        response["HX-Refresh"] = "true"
        return response
    context = _progress_context(upload)
    tasks.import_resend_if_stale(upload, started=context["started"])
    return render(request, "ledgers/_import_progress.html", context)


@office_required
@require_POST
def import_map(request, pk):
    """Say what the values that matched nothing mean; remembered for every later import, then
    the file is checked again."""
    upload = _upload_or_404(request, pk)
    if upload.status != ImportStatus.CHECKED or not upload.prompts or not upload.content_size:
        return redirect(upload)
    form, resolver = _mapping_form(request, upload, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from the lists shown."))
        return redirect(upload)
    chosen = [
        (
            prompt["vocabulary"],
            imports.vocabularies.prompt_key(prompt["vocabulary"], prompt["text"]),
            resolver.branches[int(value)] if prompt["vocabulary"] == Vocabulary.BRANCH else value,
        )
        for prompt, value in form.chosen()
    ]
    if not chosen:
        messages.error(request, _("Choose what at least one of the values means."))
        return redirect(upload)
    services.import_mappings_remember(user=request.user, choices=chosen)
    if services.import_upload_restart(upload=upload, status=ImportStatus.CHECKING):
        tasks.import_check_start(upload)
    messages.success(request, _("Remembered. The file is being checked again with what you chose."))
    return redirect(upload)


@office_required
@require_POST
def import_confirm(request, pk):
    """Import the checked file, all or nothing (here or in the worker, with a progress bar)."""
    upload = _upload_or_404(request, pk)
    if upload.uploaded_at < timezone.now() - services.IMPORT_UPLOAD_LIFETIME or not upload.content_size:
        messages.error(request, _("This upload has expired or was already imported: upload the file again."))
        return redirect("ledgers:import")
    if upload.is_ready and services.import_upload_restart(upload=upload, status=ImportStatus.IMPORTING):
        tasks.import_apply_start(upload)
    return redirect(upload)


@office_required
def import_template(request):
    """An empty file of a kind, in the layout the importer reads (a title row, then the header)."""
    kind = imports.KINDS.get(request.GET.get("kind"), imports.KINDS[ImportKind.ROSTER])
    target, name = imports.template_workbook(kind)
    return FileResponse(
        target,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- Sign-off of a round's ledger ---------------------------------------------------------------


@login_required
def signoff_round(request, pk):
    """The round's sign-offs per branch; the branch secretary signs off their branch here.

    Before signing, the secretary sees the branch's totals now and what changed since the
    branch's previous sign-off, computed from a snapshot taken just for the page.
    """
    checkin_round = signoffs.round_get(user=request.user, pk=pk)
    refusal = signoffs.sign_off_refusal(user=request.user, checkin_round=checkin_round)
    form = LedgerSignoffForm(request.POST or None) if refusal is None else None
    if request.method == "POST":
        if form is None:
            messages.error(request, str(refusal))
            return redirect("ledgers:signoff_round", pk=pk)
        if form.is_valid():
            try:
                signoff = signoffs.ledger_signoff(
                    user=request.user, checkin_round=checkin_round, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("ledgers:signoff_round", pk=pk)
            messages.success(request, _("Signed off: the branch's ledger for this round is frozen as it is now."))
            return redirect(signoff)
    context = {
        "round": checkin_round,
        "rows": signoffs.round_signoffs(user=request.user, checkin_round=checkin_round),
        "form": form,
        "refusal": refusal if is_secretary(request.user) else None,
    }
    if form is not None:
        branch = request.user.branch
        current = signoffs.snapshot_build(user=request.user, branch=branch, today=timezone.localdate())
        previous = signoffs.previous_signoff(branch=branch)
        context |= {
            "branch": branch,
            "totals": signoffs.branch_totals_now(user=request.user, branch_id=branch.pk),
            "row_counts": _row_counts(current),
            "previous": previous,
            "changes": signoffs.changes_by_ledger(
                signoffs.snapshot_diff(previous.snapshot if previous else None, current)
            ),
        }
    return render(request, "ledgers/signoff_round.html", context)


def _row_counts(snapshot: dict) -> list[tuple]:
    """(ledger, its label, how many rows) for each ledger of a snapshot."""
    return [(ledger, Ledger(ledger).label, len(snapshot["ledgers"][ledger])) for ledger in signoffs.SNAPSHOT_LEDGERS]


@login_required
def signoff_detail(request, pk):
    """The frozen snapshot of one branch's sign-off, ledger by ledger, and what changed since the previous one."""
    signoff = signoffs.signoff_get(user=request.user, pk=pk)
    previous = signoffs.previous_signoff(branch=signoff.branch_id, before=signoff.signed_at)
    ledger = request.GET.get("ledger")
    if ledger not in signoffs.SNAPSHOT_LEDGERS:
        ledger = Ledger.VACCINATION
    spec = exports.SPECS[ledger]()
    return render(
        request,
        "ledgers/signoff_detail.html",
        {
            "signoff": signoff,
            "previous": previous,
            "changes": signoffs.changes_by_ledger(
                signoffs.snapshot_diff(previous.snapshot if previous else None, signoff.snapshot)
            ),
            "ledger": ledger,
            "tabs": _row_counts(signoff.snapshot),
            "columns": spec.columns,
            "rows": [
                list(zip(spec.columns, row, strict=True)) for row in signoffs.snapshot_rows(signoff.snapshot, ledger)
            ],
            "can_export": can_export(request.user),
            "export_form": export_form(request),
        },
    )


@login_required
def signoff_export(request, pk, what, file_format, ledger=None):
    """One ledger of a sign-off's snapshot, or the changes since the previous sign-off, as CSV or XLSX."""
    recorder = ExportRecorder(request)
    options = recorder.options()
    signoff = signoffs.signoff_get(user=request.user, pk=pk)
    if file_format not in ExportFormat.values or (what == Ledger.SIGNOFF and ledger not in signoffs.SNAPSHOT_LEDGERS):
        raise Http404
    return signoffs.signoff_export_response(
        signoff=signoff,
        what=what,
        ledger=ledger,
        file_format=file_format,
        options=options,
        recorder=recorder,
    )
