"""An export as a streamed download: `export_if_asked` is what a list view calls.

The export log and audit event belong to an app, and core imports none: the caller's
`Recorder` (by default the one named by `settings.OUTREACH_EXPORT_RECORDER`) decides who may
export and what, applies the row rule of files, and logs and audits every file.
"""

import datetime
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from django.conf import settings
from django.db import models
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.routers import read_alias

from .columns import FILE_LANGUAGE, ExportSpec
from .reader import export_rows, rows, value_columns
from .writers import csv_lines, csv_stream, csv_text, write_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


@dataclass(frozen=True)
class ExportOptions:
    """What office staff chose to include in a file (both off by default, both audited)."""

    full_id_numbers: bool = False
    without_consent: bool = False


MASKED_AND_CONSENTED = ExportOptions()


class Recorder(Protocol):
    """What an export asks of the app that keeps the export log (one recorder per request)."""

    def options(self, spec: ExportSpec) -> ExportOptions:
        """What the request chose to include; PermissionDenied for a user or a choice not allowed."""

    def restrict(self, spec: ExportSpec, queryset, options: ExportOptions) -> tuple[object, int]:
        """The rows a file may hold under the row rule of files, and how many were left out."""

    def start(
        self, *, key: str, file_format: str, filters: dict, scope: str, options: ExportOptions, left_out: int
    ) -> None:
        """Log the export as it starts (before the first row is written)."""

    def finish(self, row_count: int) -> None:
        """Record the finished export's row count (and audit it); called once per file."""


def recorder_for(request) -> Recorder:
    """The project's recorder for this request (`settings.OUTREACH_EXPORT_RECORDER`)."""
    return import_string(settings.OUTREACH_EXPORT_RECORDER)(request)


def title_line(spec: ExportSpec, scope: str, when: datetime.datetime, filters: str, left_out: int = 0) -> str:
    """疫苗接种台账（全校）2026-05-03 14:20 导出 · 筛选：… · 未登记同意的 3 位老同志未列入"""
    with translation.override(FILE_LANGUAGE):
        text = _("%(ledger)s (%(scope)s), exported %(when)s") % {
            "ledger": spec.title,
            "scope": scope,
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
        }
        if filters:
            text += " · " + _("Filters: %(filters)s") % {"filters": filters}
        return text + left_out_note(left_out)


def left_out_note(left_out: int) -> str:
    """ " · N retirees without recorded consent left out", in the file language; "" when none was."""
    if not left_out:
        return ""
    with translation.override(FILE_LANGUAGE):
        return " · " + _("%(count)s retirees without recorded consent left out") % {"count": left_out}


def filename(spec: ExportSpec, scope: str, when: datetime.datetime, file_format: str) -> str:
    with translation.override(FILE_LANGUAGE):
        stamp = timezone.localtime(when).strftime("%Y%m%d-%H%M")
        return f"{spec.title}_{scope}_{stamp}.{file_format}"


def describe_filters(filterset) -> tuple[dict, str]:
    """The filters in use: as JSON for the log, and as text for the title row (in the file's language)."""
    if not filterset.form.is_valid():
        return {}, ""
    used, parts = {}, []
    with translation.override(FILE_LANGUAGE):
        for name, value in filterset.form.cleaned_data.items():
            if value in (None, "", []):
                continue
            field = filterset.form.fields[name]
            shown = value
            if isinstance(value, list | tuple):  # several rows (the branch search box: every branch named so)
                used[name] = ",".join(str(getattr(item, "pk", item)) for item in value)
                parts.append(f"{field.label}={'、'.join(str(getattr(item, 'name', item)) for item in value)}")
                continue
            if hasattr(field, "choices"):
                shown = dict((str(k), v) for k, v in field.choices).get(str(getattr(value, "pk", value)), value)
            used[name] = str(getattr(value, "pk", value))
            parts.append(f"{field.label}={shown}")
    return used, "；".join(parts)


def scope_label(user, filterset) -> str:
    """Which part of the university the file covers: the chosen branch, the user's branch, or 全校,
    and the chosen residence area after it (全校·东家属区)."""
    cleaned = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    branch = cleaned.get("branch")
    with translation.override(FILE_LANGUAGE):
        branches = list(branch) if isinstance(branch, list | tuple) else [] if branch is None else [branch]
        if len(branches) == 1:
            label = branches[0].name
        elif branches:  # a part of a name typed in the branch search box: every branch named so
            label = str(_("Several branches"))
        elif not user.sees_all_branches and user.branch_id:
            label = user.branch.name
        else:
            label = str(_("Whole university"))
        area = cleaned.get("residence_area")
        if area:
            label += "·" + str(dict(filterset.form.fields["residence_area"].choices).get(area, area))
    return label


def export_if_asked(request, *, spec: ExportSpec, filterset, recorder: Recorder | None = None):
    """The export response when the request asks `?export=csv|xlsx`, else None.

    The export gets the page's own filterset, so it holds exactly the rows the page lists.
    """
    file_format = request.GET.get("export")
    if file_format not in ExportFormat.values:
        return None
    recorder = recorder or recorder_for(request)
    return export_response(
        user=request.user,
        spec=spec,
        queryset=filterset.qs,
        filterset=filterset,
        file_format=file_format,
        options=recorder.options(spec),
        recorder=recorder,
    )


def export_response(*, user, spec: ExportSpec, queryset, filterset, file_format: str, options, recorder: Recorder):
    """The export as a streamed download, logged and audited; `queryset` is the page's filtered, scoped one.

    Maskable columns are masked and the recorder's row rule applied unless `options` says otherwise.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    scope = scope_label(user, filterset)
    used_filters, filters_text = describe_filters(filterset)
    options = replace(options, full_id_numbers=options.full_id_numbers and spec.has_masked_columns)
    if not options.full_id_numbers:
        spec = spec.masked()
    # The rows (and the count of those left out) from the read replica when there is one
    # (core.routers); the export log is written to default.
    queryset, left_out = recorder.restrict(spec, queryset.using(read_alias()), options)
    recorder.start(
        key=spec.key, file_format=file_format, filters=used_filters, scope=scope, options=options, left_out=left_out
    )
    title = title_line(spec, scope, now, filters_text, left_out)
    name = filename(spec, scope, now, file_format)
    if file_format == ExportFormat.CSV:
        if spec.reads_values:  # column blocks straight from the query to the csv module
            blocks = ((len(columns[0]), csv_text(columns)) for columns in value_columns(spec, queryset, today))
            return csv_download(csv_stream(spec, blocks, title, recorder.finish), name)
        return csv_download(csv_lines(spec, rows(spec, queryset, today), title, recorder.finish), name)
    return xlsx_download(spec, export_rows(spec, queryset, today), title, name, recorder.finish)


def csv_download(lines: Iterable[str], name: str) -> StreamingHttpResponse:
    """CSV lines streamed as an attachment called `name`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def xlsx_download(spec: ExportSpec, data: Iterable[list], title: str, name: str, on_finish) -> FileResponse:
    """The workbook of `data` written to a temporary file, then sent as an attachment called `name`."""
    target = tempfile.TemporaryFile()  # closed by the response when it has been sent
    on_finish(write_xlsx(spec, data, title, target))
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
