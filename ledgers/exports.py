"""Exports of the ledgers and the registry, as CSV and XLSX in the office's ledger layout.

The columns of each file are declared once, in a `LedgerSpec`, and both formats (and the
ledger page's table) are built from it. Files are always written in Chinese, the layout the
office already uses: the column labels are ordinary translatable msgids (the page shows them
in the user's language) and the files render them under `translation.override("zh-hans")`,
so a file exported by somebody using the English interface still reads, and imports, the
same. Where the office's header differs from the registry page's word, the msgid differs
too ("Member of branch" 所在支部, "Contact phone" 联系电话).

Memory stays bounded: rows come from `.iterator(chunk_size=...)` over a queryset that joins
or annotates all it needs (a fixed number of queries, whatever the row count), read as tuples
(`value_rows`) when every column says where its value comes from; CSV is streamed a block of
lines at a time, XLSX is written by `ledgers.xlsx` (a lean SpreadsheetML writer) to a
temporary file that is then streamed.
"""

import csv
import datetime
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from retirees.models import Retiree
from retirees.selectors import consented
from retirees.validators import mask_id_number

from . import xlsx
from .choices import DOSE_LABELS, ExportFormat, Ledger
from .services import ExportAudit, export_log_finish, export_log_start

FILE_LANGUAGE = "zh-hans"
CHUNK_SIZE = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Tuples are small: fewer, larger fetches from the server-side cursor.
VALUES_CHUNK_SIZE = 2000
CSV_LINES_PER_CHUNK = 1000
# Characters that make a spreadsheet read a cell as a formula (and tab / carriage return,
# which some spreadsheets strip before looking), per OWASP's CSV-injection advice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    # For exports read as tuples (`value_rows`): the ORM path of the value ("branch__name"), and a
    # conversion of it, `convert(value, context)`. A column with neither can only be read from
    # model instances, and its spec is then exported through `rows`.
    source: str = ""
    convert: Callable[[Any, "ExportContext"], Any] | None = None
    # A column of a number shown masked unless the export asks for full ID numbers.
    mask: Callable[[Any], Any] | None = None

    def masked(self) -> "Column":
        """This column with its values masked (the same source, so the same query)."""
        value, convert, mask = self.value, self.convert, self.mask
        return replace(
            self,
            value=lambda obj, context: mask(value(obj, context)),
            convert=lambda raw, context: mask(convert(raw, context) if convert else raw),
            mask=None,
        )


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
    # The ORM path from a row to its retiree ("retiree__"), for the consent rule.
    retiree_path: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_masked_columns(self) -> bool:
        return any(column.mask for column in self.columns)

    def masked(self) -> "LedgerSpec":
        """The spec with every maskable column masked."""
        return replace(self, columns=[column.masked() if column.mask else column for column in self.columns])

    def row(self, obj, context: ExportContext) -> list:
        return [column.value(obj, context) for column in self.columns]

    @property
    def reads_values(self) -> bool:
        """Whether every column can be built from a `values_list` tuple (see `value_rows`)."""
        return any(column.source for column in self.columns) and all(
            column.source or column.convert for column in self.columns
        )


class _Labels(dict):
    """code -> label; an unknown code shows as itself (and a null one as "")."""

    def __missing__(self, code):
        return code or ""


class ChoiceLabels:
    """The conversion of a choice column: code -> its label in the active language.

    Each label is translated once per export, not once per cell (gettext per cell was a third
    of the export's time at 100,000 rows): cached in the context, or `translated()` at once.
    """

    def __init__(self, choices):
        self.labels = dict(choices)

    def translated(self) -> dict:
        return _Labels((code, str(label)) for code, label in self.labels.items())

    def __call__(self, code, context: "ExportContext") -> str:
        key = (id(self), code)
        try:
            return context.labels[key]
        except KeyError:
            text = context.labels[key] = str(self.labels[code]) if code in self.labels else (code or "")
            return text


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


def _display(attr: str, choices) -> Callable:
    get, convert = _attr(attr), ChoiceLabels(choices)
    return lambda obj, context: convert(get(obj, context), context)


def _row_number(_obj_or_value, context: ExportContext) -> int:
    return context.row_number


def age_from(birth_date: datetime.date | None, context: ExportContext) -> int | None:
    """Age in whole years on the export's day (as `Retiree.age_on`, from the birth date alone)."""
    if birth_date is None:
        return None
    today = context.today
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _source(path: str) -> str:
    return path.replace(".", "__")


def index_column() -> Column:
    return Column("index", _("No."), _row_number, width=6, convert=_row_number)


def attr_column(key: str, label, path: str, **options) -> Column:
    """A column showing the attribute `path` ("branch.name") as it is."""
    return Column(key, label, _attr(path), source=_source(path), **options)


def choice_column(key: str, label, path: str, choices, **options) -> Column:
    """A column showing the label of the choice stored at `path`."""
    get, convert = _attr(path), ChoiceLabels(choices)
    return Column(key, label, lambda obj, c: convert(get(obj, c), c), source=_source(path), convert=convert, **options)


def age_column(through: str = "") -> Column:
    birth_date = f"{through}.birth_date" if through else "birth_date"
    get = _attr(birth_date)
    return Column(
        "age", _("Age"), lambda obj, c: age_from(get(obj, c), c), width=6, source=_source(birth_date), convert=age_from
    )


def retiree_columns(through: str = "") -> list[Column]:
    """序号, 姓名, 性别, 年龄, 所在支部, 联系电话: the columns every ledger starts with."""
    from retirees.choices import Gender

    def path(name):
        return f"{through}.{name}" if through else name

    return [
        index_column(),
        attr_column("name", _("Name"), path("name"), width=10, link=True),
        choice_column("gender", _("Gender"), path("gender"), Gender.choices, width=6),
        age_column(through),
        attr_column("branch", _("Member of branch"), path("branch.name"), width=16),
        attr_column("phone", _("Contact phone"), path("phone"), width=14),
    ]


def registry_spec() -> LedgerSpec:
    from retirees.choices import CareLevel, Category, Gender, LivingSituation, ResidenceArea, Status

    columns = [
        index_column(),
        attr_column("name", _("Name"), "name", width=10, link=True),
        choice_column("gender", _("Gender"), "gender", Gender.choices, width=6),
        attr_column("birth_date", _("Date of birth"), "birth_date", width=12, is_date=True),
        age_column(),
        choice_column("category", _("Category"), "category", Category.choices, width=8),
        attr_column("branch", _("Member of branch"), "branch.name", width=16),
        attr_column("former_unit", _("Former unit"), "former_unit", width=16),
        attr_column("phone", _("Contact phone"), "phone", width=14),
        attr_column("phone_alt", _("Other phone"), "phone_alt", width=14),
        attr_column("wechat", _("WeChat ID"), "wechat", width=12),
        choice_column("residence_area", _("Residence"), "residence_area", ResidenceArea.choices, width=12),
        attr_column("community", _("Community"), "community", width=16),
        attr_column("address", _("Address"), "address", width=24),
        choice_column("living_situation", _("Living situation"), "living_situation", LivingSituation.choices),
        choice_column("care_level", _("Care level"), "care_level", CareLevel.choices, width=10),
        choice_column("status", _("Status"), "status", Status.choices, width=8),
        attr_column("id_number", _("ID number"), "id_number", width=20, mask=mask_id_number),
        attr_column("notes", _("Notes"), "notes", width=30),
    ]
    return LedgerSpec(Ledger.REGISTRY, _("Retiree registry"), columns)


def vaccination_spec() -> LedgerSpec:
    from .choices import Arrangement, Stance

    doses = [
        attr_column(f"dose{n}_on", label, f"dose{n}_on", width=12, is_date=True)
        for n, label in zip(DOSE_LABELS, [_("Dose 1"), _("Dose 2"), _("Dose 3"), _("Dose 4")], strict=True)
    ]
    columns = [
        *retiree_columns(),
        attr_column("doses", _("Doses received"), "doses", width=8),
        *doses,
        attr_column("last_product", _("Vaccine"), "last_product", width=12),
        attr_column("last_site", _("Vaccination site"), "last_site", width=16),
        choice_column("last_arrangement", _("Arrangement"), "last_arrangement", Arrangement.choices, width=14),
        choice_column("stance", _("Willingness"), "stance", Stance.choices, width=10),
        attr_column("stance_reason", _("Reason"), "stance_reason", width=24),
    ]
    return LedgerSpec(Ledger.VACCINATION, _("Vaccination ledger"), columns)


def testing_spec() -> LedgerSpec:
    from .choices import TestResult

    columns = [
        *retiree_columns(),
        attr_column("last_tested_on", _("Latest test"), "last_tested_on", width=12, is_date=True),
        choice_column("last_result", _("Result"), "last_result", TestResult.choices, width=10),
        attr_column("last_test_site", _("Test site"), "last_test_site", width=16),
        attr_column("tests", _("Tests recorded"), "tests", width=8),
    ]
    return LedgerSpec(Ledger.TESTING, _("Nucleic-acid test ledger"), columns)


def exposure_spec() -> LedgerSpec:
    from .choices import ExposureKind, ExposureStatus

    columns = [
        *retiree_columns("retiree"),
        attr_column("community", _("Community"), "retiree.community", width=16),
        choice_column("kind", _("Kind"), "kind", ExposureKind.choices, width=14),
        attr_column("started_on", _("From"), "started_on", width=12, is_date=True),
        attr_column("ended_on", _("Until"), "ended_on", width=12, is_date=True),
        choice_column("status", _("Status"), "status", ExposureStatus.choices, width=8),
        attr_column("notes", _("Notes"), "notes", width=30),
    ]
    return LedgerSpec(
        Ledger.EXPOSURE,
        _("Exposure ledger"),
        columns,
        retiree_of=lambda event: event.retiree,
        retiree_path="retiree__",
    )


def health_spec() -> LedgerSpec:
    from .choices import Condition

    columns = [
        *retiree_columns(),
        choice_column("health", _("Health"), "health", Condition.choices, width=14),
        attr_column("health_on", _("Recorded on"), "health_on", width=12, is_date=True),
        attr_column("health_notes", _("Notes"), "health_notes", width=30),
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


def value_rows(spec: LedgerSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The same rows as `rows`, read as tuples (`values_list`) instead of model instances.

    At 100,000 rows, building a model instance (two with the branch) per row cost more than the
    query itself, and so did Python per cell: see `value_columns`.
    """
    for columns in value_columns(spec, queryset, today):
        yield from map(list, zip(*columns, strict=True))


def value_columns(spec: LedgerSpec, queryset, today: datetime.date) -> Iterator[list[Sequence]]:
    """The rows of `value_rows` a block at a time, as one sequence per column of the spec.

    A block of tuples is turned into columns with zip(); a choice column is a map() over a
    dict of its translated labels, the row numbers a range; only the other conversions (age)
    run Python per cell.
    """
    sources = list(dict.fromkeys(column.source for column in spec.columns if column.source))
    position = {source: index for index, source in enumerate(sources)}
    # Choice labels, translated here (the language of the caller iterating), once per export.
    labels = {
        index: column.convert.translated()
        for index, column in enumerate(spec.columns)
        if isinstance(column.convert, ChoiceLabels)
    }
    context = ExportContext(today=today)
    number = 0
    tuples = queryset.values_list(*sources).iterator(chunk_size=VALUES_CHUNK_SIZE)
    for block in _batched(tuples, VALUES_CHUNK_SIZE):
        fetched = list(zip(*block, strict=True))
        columns = []
        for index, column in enumerate(spec.columns):
            values = fetched[position[column.source]] if column.source else [None] * len(block)
            if column.convert is _row_number:
                values = range(number + 1, number + 1 + len(block))
            elif index in labels:
                values = list(map(labels[index].__getitem__, values))
            elif column.convert is not None:
                values = [
                    column.convert(value, context) for context.row_number, value in enumerate(values, start=number + 1)
                ]
            columns.append(values)
        number += len(block)
        yield columns


def export_rows(spec: LedgerSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The rows for an export of `queryset`: as tuples when the spec allows it, else from instances."""
    return value_rows(spec, queryset, today) if spec.reads_values else rows(spec, queryset, today)


def title_line(spec: LedgerSpec, scope: str, when: datetime.datetime, filters: str, left_out: int = 0) -> str:
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


@dataclass(frozen=True)
class ExportOptions:
    """What office staff chose to include in a file (both off by default, both audited)."""

    full_id_numbers: bool = False
    without_consent: bool = False


MASKED_AND_CONSENTED = ExportOptions()


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


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTED.search(text) else text


def _csv_cell(value) -> str:
    """One cell as csv.writer writes it, neutralised."""
    value = _csv_value(value)
    return _csv_quote(value if isinstance(value, str) else str(value))


def _csv_cells(column: Sequence) -> Sequence[str]:
    """A column of a block as the text csv.writer writes for each cell, neutralised.

    csv.writer looks at every character of every cell. Here a column of text is joined and
    searched once, for a cell starting with a formula character or holding one that needs
    quoting, and only such a column is gone through cell by cell; numbers, dates and blanks
    are their str() (what csv.writer writes, a date's isoformat()).
    """
    kinds = set(map(type, column))
    if kinds == {str, type(None)}:  # text with blanks, as in an optional column
        column, kinds = ["" if value is None else value for value in column], {str}
    if kinds == {str}:
        # (a NUL inside a text can only send the column down the exact path)
        joined = "\x00" + "\x00".join(column)
        if not (_FORMULA_AFTER_NUL.search(joined) or _CSV_QUOTED.search(joined)):
            return column
    elif kinds <= _CSV_AS_IS:
        if type(None) in kinds:
            return ["" if value is None else str(value) for value in column]
        return list(map(str, column))
    return list(map(_csv_cell, column))


def _csv_text(columns: list[Sequence]) -> str:
    """The CSV lines of a block given as columns, exactly as csv.writer writes them.

    (csv.writer quotes a row of one empty cell, so blocks of one column go through it.)
    """
    if len(columns) < 2:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([[_csv_value(value) for value in row] for row in zip(*columns, strict=True)])
        return buffer.getvalue()
    texts = [_csv_cells(column) for column in columns]
    return "\r\n".join(map(",".join, zip(*texts, strict=True))) + "\r\n"


def _csv_block(block: list) -> str:
    """The CSV lines of a block of rows: column by column if they are alike, else row by row."""
    if len({len(row) for row in block}) == 1:
        return _csv_text(list(zip(*block, strict=True)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[_csv_value(value) for value in row] for row in block])
    return buffer.getvalue()


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while block := list(islice(iterator, size)):
        yield block


_CSV_AS_IS = frozenset({int, float, datetime.date, type(None)})
# What csv.writer (QUOTE_MINIMAL) quotes a cell for: the delimiter, the quote, a line break.
_CSV_QUOTED = re.compile('[,"\r\n]')
# In a column's cells joined after NULs, a cell starting with a formula character. (Two searches,
# this and _CSV_QUOTED, run faster than one with an alternation.)
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def csv_lines(spec: LedgerSpec, data: Iterable[list], title: str, on_finish: Callable[[int], None]) -> Iterator[str]:
    # Hand the server a block of lines at a time: one write per line costs more than the line.
    blocks = ((len(block), _csv_block(block)) for block in _batched(data, CSV_LINES_PER_CHUNK))
    return _csv_stream(spec, blocks, title, on_finish)


def _csv_stream(spec: LedgerSpec, blocks: Iterable[tuple[int, str]], title: str, on_finish) -> Iterator[str]:
    """The file: BOM, title, header, then each block of (row count, its CSV lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(title)])
    writer.writerow(_headers(spec))
    yield "\ufeff" + buffer.getvalue()  # the BOM makes Excel read the file as UTF-8
    count = 0
    with translation.override(FILE_LANGUAGE):
        for rows_in_block, lines in blocks:
            count += rows_in_block
            yield lines
    on_finish(count)


def write_xlsx(spec: LedgerSpec, data: Iterable[list], title: str, target) -> int:
    """Write the workbook to the file object `target`; returns the number of data rows.

    The title row (merged, bold 14), the bold centred header, panes frozen below it, the
    columns' widths, dates as date cells (yyyy-mm-dd), rows 1:2 printed on every page,
    landscape; text that a spreadsheet would run as a formula gets its apostrophe.
    """
    with translation.override(FILE_LANGUAGE):
        return xlsx.write_sheet(
            target,
            name=str(spec.title),
            title=title,
            headers=_headers(spec),
            widths=[column.width for column in spec.columns],
            data=data,
            convert_text=neutralise,
        )


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


def export_response(
    *, user, spec: LedgerSpec, queryset, filterset, file_format: str, options=MASKED_AND_CONSENTED, request=None
):
    """The export as a streamed download, logged and audited; `queryset` is the page's filtered, scoped one.

    ID numbers are masked and retirees without recorded consent left out unless `options` says otherwise.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    scope = scope_label(user, filterset)
    used_filters, filters_text = describe_filters(filterset)
    full_id_numbers = options.full_id_numbers and spec.has_masked_columns
    if not full_id_numbers:
        spec = spec.masked()
    queryset, left_out = consented(queryset, path=spec.retiree_path, include_without_consent=options.without_consent)
    log = export_log_start(user=user, ledger=spec.ledger, file_format=file_format, filters=used_filters, scope=scope)
    title = title_line(spec, scope, now, filters_text, left_out)
    name = filename(spec, scope, now, file_format)
    audit = ExportAudit(
        request=request,
        full_id_numbers=full_id_numbers,
        without_consent=options.without_consent,
        left_out=left_out,
    )

    def on_finish(count):
        export_log_finish(log=log, row_count=count, audit=audit)

    if file_format == ExportFormat.CSV:
        if spec.reads_values:  # column blocks straight from the query to the csv module
            blocks = ((len(columns[0]), _csv_text(columns)) for columns in value_columns(spec, queryset, today))
            return csv_download(_csv_stream(spec, blocks, title, on_finish), name)
        return csv_download(csv_lines(spec, rows(spec, queryset, today), title, on_finish), name)
    return xlsx_download(spec, export_rows(spec, queryset, today), title, name, on_finish)


def csv_download(lines: Iterable[str], name: str) -> StreamingHttpResponse:
    """CSV lines streamed as an attachment called `name`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def xlsx_download(spec: LedgerSpec, data: Iterable[list], title: str, name: str, on_finish) -> FileResponse:
    """The workbook of `data` written to a temporary file, then sent as an attachment called `name`."""
    target = tempfile.TemporaryFile()  # closed by the response when it has been sent
    on_finish(write_xlsx(spec, data, title, target))
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
