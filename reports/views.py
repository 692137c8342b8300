"""The weekly report pages: office staff only."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import office_required
from core.forms import form_post

from . import pdf, presenters, selectors, services, xlsx
from .forms import ReportForm


@office_required
def report_list(request):
    """Issue a week's report (or open the one issued already), and the reports issued so far."""
    form = ReportForm(request.POST or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.report_issue(
            user=request.user, week=form.cleaned_data["monday"], scope=form.cleaned_data["scope_obj"]
        ),
    )
    if saved:
        return redirect(saved.value)
    reports = selectors.report_list(user=request.user)[:60]
    return render(request, "reports/report_list.html", {"form": form, "reports": reports})


def _context(report, *, every_branch: bool = False) -> dict:
    return {
        "report": report,
        "title": presenters.report_title(report.figures),
        "sections": presenters.sections(report.figures, every_branch=every_branch),
    }


@office_required
def report_detail(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    return render(request, "reports/report_detail.html", _context(report))


def _download(content: bytes, report, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = _("weekly-report-%(week)s.%(ext)s") % {"week": report.week.isoformat(), "ext": extension}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{pdf.quote_filename(name)}"
    return response


@office_required
def report_pdf(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        content = pdf.report_pdf(_context(report))
    except pdf.PdfUnavailable:
        messages.error(
            request,
            _("The PDF cannot be made on this server (its system libraries are missing). Print the page instead."),
        )
        return redirect(report)
    return _download(content, report, "pdf", "application/pdf")


@office_required
def report_xlsx(request, pk):
    report = selectors.report_get(user=request.user, pk=pk)
    content = xlsx.report_workbook(_context(report, every_branch=True))
    return _download(content, report, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
