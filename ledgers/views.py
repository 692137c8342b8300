import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.access import can_export, is_secretary, office_required
from core.exports import FILE_LANGUAGE, ExportContext, ExportFormat, export_form, export_if_asked
from core.forms import form_post
from core.pagination import paginate, querystring_without_page
from retirees.choices import ResidenceArea
from retirees.models import Retiree

from . import exports, imports, selectors, services, signoffs
from .choices import DOSE_LABELS, ExposureStatus, Ledger
from .exports import ExportRecorder
from .filters import ExposureFilter, HealthFilter, TestingFilter, VaccinationFilter
from .forms import (
    ExposureEventForm,
    ExposureLiftForm,
    HealthRecordForm,
    LedgerSignoffForm,
    NucleicTestForm,
    RosterUploadForm,
    VaccinationDoseForm,
    VaccinationStanceForm,
)
from .models import ExportLog, ExposureEvent

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


@office_required
def roster_import(request):
    """Upload a roster and see the preview; nothing is written until it is confirmed."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    plan, upload = None, None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        plan = imports.roster_plan(user=request.user, content=content, filename=file.name)
        if not plan.problems:
            upload = services.roster_upload_store(user=request.user, filename=file.name, content=content)
    return render(request, "ledgers/import.html", {"form": form, "plan": plan, "upload": upload})


@office_required
def roster_import_confirm(request):
    if request.method != "POST":  # nothing to confirm: show the upload form
        return render(request, "ledgers/import.html", {"form": RosterUploadForm(), "plan": None, "upload": None})
    upload_id = request.POST.get("upload", "")
    try:
        upload, plan = services.roster_import_apply(user=request.user, upload_id=upload_id)
    except ValidationError:  # not a UUID
        upload, plan = None, None
    if upload is None:
        messages.error(request, _("This upload has expired or was already imported: upload the file again."))
        return redirect("ledgers:import")
    if plan.problems:
        messages.error(request, _("Nothing was imported: the registry changed since the preview."))
        return render(request, "ledgers/import.html", {"form": RosterUploadForm(), "plan": plan, "upload": None})
    messages.success(
        request,
        _("Roster imported: %(create)s added, %(update)s updated, %(unchanged)s unchanged.") % plan.summary,
    )
    return redirect(reverse("retirees:list"))


@office_required
def roster_template(request):
    """An empty roster in the layout the importer reads, with an example-free header row."""
    workbook = Workbook()
    sheet = workbook.active
    with translation.override(FILE_LANGUAGE):
        sheet.title = _("Roster")
        title = _("Retiree roster (columns marked * are required; dates like 1940-05-03)")
        headers = imports.template_columns()
        name = _("Roster template") + ".xlsx"
    sheet.append([title])
    sheet.append(headers)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 14
    sheet.freeze_panes = "A3"
    # The ID number and phone columns are text, so that Excel keeps every digit.
    for key in ("phone", "phone_alt", "id_number"):
        letter = sheet.cell(row=2, column=imports.IMPORTED.index(key) + 1).column_letter
        for row in range(3, 503):
            sheet[f"{letter}{row}"].number_format = "@"
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
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
