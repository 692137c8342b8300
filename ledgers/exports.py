"""Exports of the ledgers and the registry, as CSV and XLSX in the office's ledger layout.

The columns of each file are declared once, in a `LedgerSpec`, and both formats (and the
ledger page's table) are built from it. Files are always written in Chinese, the layout the
office already uses: the column labels are ordinary translatable msgids (the page shows them
in the user's language) and the files render them under `translation.override("zh-hans")`,
so a file exported by somebody using the English interface still reads, and imports, the
same. Where the office's header differs from the registry page's word, the msgid differs
too ("Member of branch" 所在支部, "Contact phone" 联系电话).

Memory stays bounded: rows come from `.iterator(chunk_size=...)` over a queryset that joins
or annotates all it needs (a fixed number of queries, whatever the row count); CSV is
streamed line by line, XLSX is written by openpyxl in write-only mode to a temporary file
that is then streamed.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from retirees.models import Retiree

from .choices import DOSE_LABELS, ExportFormat, Ledger
from .services import export_log_finish, export_log_start

FILE_LANGUAGE = "zh-hans"
CHUNK_SIZE = 500
CSV_LINES_PER_CHUNK = 200
# Characters that make a spreadsheet read a cell as a formula (and tab / carriage return,
# which some spreadsheets strip before looking), per OWASP's CSV-injection advice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Any, "ExportContext"], Any]
    width: int = 12
    is_date: bool = False
    link: bool = False  # the page links this cell to the retiree's ledgers


@dataclass
class ExportContext:
    today: datetime.date
    row_number: int = 0
    # Choice labels translated once per export, not once per cell (gettext per cell was a third
    # of the export's time at 100,000 rows).
    labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerSpec:
    ledger: str
    title: Any
    columns: list[Column]
    retiree_of: Callable[[Any], Retiree] = lambda obj: obj
    extra: dict = field(default_factory=dict)

    def row(self, obj, context: ExportContext) -> list:
        return [column.value(obj, context) for column in self.columns]


def _display(attr: str, choices) -> Callable:
    labels = dict(choices)

    def value(obj, context):
        code = getattr(obj, attr)
        key = (id(labels), code)
        try:
            return context.labels[key]
        except KeyError:
            text = context.labels[key] = str(labels[code]) if code in labels else (code or "")
            return text

    return value


def _attr(path: str) -> Callable:
    parts = path.split(".")
    if len(parts) == 1:
        return lambda obj, context: getattr(obj, path)

    def value(obj, context):
        for part in parts:
            obj = getattr(obj, part)
            if obj is None:
                return None
        return obj

    return value


def retiree_columns(through: str = "") -> list[Column]:
    """序号, 姓名, 性别, 年龄, 所在支部, 联系电话: the columns every ledger starts with."""

    def of(obj):
        return getattr(obj, through) if through else obj

    return [
        Column("index", _("No."), lambda obj, c: c.row_number, width=6),
        Column("name", _("Name"), lambda obj, c: of(obj).name, width=10, link=True),
        Column("gender", _("Gender"), lambda obj, c: str(of(obj).get_gender_display()), width=6),
        Column("age", _("Age"), lambda obj, c: of(obj).age_on(c.today), width=6),
        Column("branch", _("Member of branch"), lambda obj, c: of(obj).branch.name, width=16),
        Column("phone", _("Contact phone"), lambda obj, c: of(obj).phone, width=14),
    ]


def registry_spec() -> LedgerSpec:
    from retirees.choices import CareLevel, Category, Gender, LivingSituation, ResidenceArea, Status

    columns = [
        Column("index", _("No."), lambda obj, c: c.row_number, width=6),
        Column("name", _("Name"), _attr("name"), width=10, link=True),
        Column("gender", _("Gender"), _display("gender", Gender.choices), width=6),
        Column("birth_date", _("Date of birth"), _attr("birth_date"), width=12, is_date=True),
        Column("age", _("Age"), lambda obj, c: obj.age_on(c.today), width=6),
        Column("category", _("Category"), _display("category", Category.choices), width=8),
        Column("branch", _("Member of branch"), _attr("branch.name"), width=16),
        Column("former_unit", _("Former unit"), _attr("former_unit"), width=16),
        Column("phone", _("Contact phone"), _attr("phone"), width=14),
        Column("phone_alt", _("Other phone"), _attr("phone_alt"), width=14),
        Column("wechat", _("WeChat ID"), _attr("wechat"), width=12),
        Column("residence_area", _("Residence"), _display("residence_area", ResidenceArea.choices), width=12),
        Column("community", _("Community"), _attr("community"), width=16),
        Column("address", _("Address"), _attr("address"), width=24),
        Column("living_situation", _("Living situation"), _display("living_situation", LivingSituation.choices)),
        Column("care_level", _("Care level"), _display("care_level", CareLevel.choices), width=10),
        Column("status", _("Status"), _display("status", Status.choices), width=8),
        Column("id_number", _("ID number"), _attr("id_number"), width=20),
        Column("notes", _("Notes"), _attr("notes"), width=30),
    ]
    return LedgerSpec(Ledger.REGISTRY, _("Retiree registry"), columns)


def vaccination_spec() -> LedgerSpec:
    from .choices import Arrangement, Stance

    doses = [
        Column(f"dose{n}_on", label, _attr(f"dose{n}_on"), width=12, is_date=True)
        for n, label in zip(DOSE_LABELS, [_("Dose 1"), _("Dose 2"), _("Dose 3"), _("Dose 4")], strict=True)
    ]
    columns = [
        *retiree_columns(),
        Column("doses", _("Doses received"), _attr("doses"), width=8),
        *doses,
        Column("last_product", _("Vaccine"), _attr("last_product"), width=12),
        Column("last_site", _("Vaccination site"), _attr("last_site"), width=16),
        Column("last_arrangement", _("Arrangement"), _display("last_arrangement", Arrangement.choices), width=14),
        Column("stance", _("Willingness"), _display("stance", Stance.choices), width=10),
        Column("stance_reason", _("Reason"), _attr("stance_reason"), width=24),
    ]
    return LedgerSpec(Ledger.VACCINATION, _("Vaccination ledger"), columns)


def testing_spec() -> LedgerSpec:
    from .choices import TestResult

    columns = [
        *retiree_columns(),
        Column("last_tested_on", _("Latest test"), _attr("last_tested_on"), width=12, is_date=True),
        Column("last_result", _("Result"), _display("last_result", TestResult.choices), width=10),
        Column("last_test_site", _("Test site"), _attr("last_test_site"), width=16),
        Column("tests", _("Tests recorded"), _attr("tests"), width=8),
    ]
    return LedgerSpec(Ledger.TESTING, _("Nucleic-acid test ledger"), columns)


def exposure_spec() -> LedgerSpec:
    from .choices import ExposureKind, ExposureStatus

    columns = [
        *retiree_columns("retiree"),
        Column("community", _("Community"), _attr("retiree.community"), width=16),
        Column("kind", _("Kind"), _display("kind", ExposureKind.choices), width=14),
        Column("started_on", _("From"), _attr("started_on"), width=12, is_date=True),
        Column("ended_on", _("Until"), _attr("ended_on"), width=12, is_date=True),
        Column("status", _("Status"), _display("status", ExposureStatus.choices), width=8),
        Column("notes", _("Notes"), _attr("notes"), width=30),
    ]
    return LedgerSpec(Ledger.EXPOSURE, _("Exposure ledger"), columns, retiree_of=lambda event: event.retiree)


def health_spec() -> LedgerSpec:
    from .choices import Condition

    columns = [
        *retiree_columns(),
        Column("health", _("Health"), _display("health", Condition.choices), width=14),
        Column("health_on", _("Recorded on"), _attr("health_on"), width=12, is_date=True),
        Column("health_notes", _("Notes"), _attr("health_notes"), width=30),
    ]
    return LedgerSpec(Ledger.HEALTH, _("Health ledger"), columns)


SPECS = {
    Ledger.REGISTRY: registry_spec,
    Ledger.VACCINATION: vaccination_spec,
    Ledger.TESTING: testing_spec,
    Ledger.EXPOSURE: exposure_spec,
    Ledger.HEALTH: health_spec,
}


def rows(spec: LedgerSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The data rows of an export, numbered from 1, iterated in chunks (bounded memory)."""
    context = ExportContext(today=today)
    for number, obj in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
        context.row_number = number
        yield spec.row(obj, context)


def title_line(spec: LedgerSpec, scope: str, when: datetime.datetime, filters: str) -> str:
    """疫苗接种台账（全校）2026-05-03 14:20 导出 · 筛选：…"""
    with translation.override(FILE_LANGUAGE):
        text = _("%(ledger)s (%(scope)s), exported %(when)s") % {
            "ledger": spec.title,
            "scope": scope,
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
        }
        if filters:
            text += " · " + _("Filters: %(filters)s") % {"filters": filters}
        return text


def filename(spec: LedgerSpec, scope: str, when: datetime.datetime, file_format: str) -> str:
    with translation.override(FILE_LANGUAGE):
        stamp = timezone.localtime(when).strftime("%Y%m%d-%H%M")
        return f"{spec.title}_{scope}_{stamp}.{file_format}"


def _headers(spec: LedgerSpec) -> list[str]:
    with translation.override(FILE_LANGUAGE):
        return [str(column.label) for column in spec.columns]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def csv_lines(spec: LedgerSpec, data: Iterable[list], title: str, on_finish: Callable[[int], None]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the BOM makes Excel read the file as UTF-8
    yield writer.writerow([neutralise(title)])
    yield writer.writerow(_headers(spec))
    count = 0
    lines = []
    with translation.override(FILE_LANGUAGE):
        for row in data:
            count += 1
            lines.append(writer.writerow([_csv_value(value) for value in row]))
            # Hand the server a block of lines at a time: one write per line costs more than the line.
            if len(lines) == CSV_LINES_PER_CHUNK:
                yield "".join(lines)
                lines.clear()
    if lines:
        yield "".join(lines)
    on_finish(count)


def write_xlsx(spec: LedgerSpec, data: Iterable[list], title: str, target) -> int:
    """Write the workbook to the file object `target`; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    with translation.override(FILE_LANGUAGE):
        sheet = workbook.create_sheet(title=str(spec.title)[:31])
    for number, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A3"  # the title row and the header row stay in view
    sheet.print_title_rows = "1:2"  # and are repeated on every printed page
    sheet.page_setup.orientation = "landscape"
    sheet.merged_cells.add(f"A1:{get_column_letter(len(spec.columns))}1")

    title_cell = WriteOnlyCell(sheet, value=neutralise(title))
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    header_cells = []
    for header in _headers(spec):
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)

    date_columns = {index for index, column in enumerate(spec.columns) if column.is_date}
    count = 0
    with translation.override(FILE_LANGUAGE):
        for row in data:
            count += 1
            cells = []
            for index, value in enumerate(row):
                if index in date_columns and value is not None:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = DATE_FORMAT
                    cells.append(cell)
                else:
                    cells.append(neutralise(value))
            sheet.append(cells)
    workbook.save(target)
    return count


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
            if hasattr(field, "choices"):
                shown = dict((str(k), v) for k, v in field.choices).get(str(getattr(value, "pk", value)), value)
            used[name] = str(getattr(value, "pk", value))
            parts.append(f"{field.label}={shown}")
    return used, "；".join(parts)


def scope_label(user, filterset) -> str:
    """Which part of the university the file covers: the chosen branch, the user's branch, or 全校."""
    branch = filterset.form.cleaned_data.get("branch") if filterset.form.is_valid() else None
    if branch is not None:
        return branch.name
    if not user.sees_all_branches and user.branch_id:
        return user.branch.name
    with translation.override(FILE_LANGUAGE):
        return str(_("Whole university"))


def export_response(*, user, spec: LedgerSpec, queryset, filterset, file_format: str):
    """The export as a streamed download, logged; `queryset` is the page's filtered, scoped one."""
    now = timezone.now()
    today = timezone.localdate(now)
    scope = scope_label(user, filterset)
    used_filters, filters_text = describe_filters(filterset)
    log = export_log_start(user=user, ledger=spec.ledger, file_format=file_format, filters=used_filters, scope=scope)
    title = title_line(spec, scope, now, filters_text)
    name = filename(spec, scope, now, file_format)
    data = rows(spec, queryset, today)
    if file_format == ExportFormat.CSV:
        lines = csv_lines(spec, data, title, lambda count: export_log_finish(log=log, row_count=count))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        return response
    target = tempfile.TemporaryFile()  # closed by the response when it has been sent
    count = write_xlsx(spec, data, title, target)
    export_log_finish(log=log, row_count=count)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
