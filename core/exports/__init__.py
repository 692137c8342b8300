"""The export engine: CSV and XLSX files of a list page, in the office's ledger layout.

The columns of each file are declared once, in an `ExportSpec`, and both formats (and a
page's table) are built from it; the specs themselves live in their apps (`retirees.exports`,
`ledgers.exports`). Files are always written in Chinese, the layout the office already uses:
the column labels are ordinary translatable msgids (a page shows them in the user's language)
and the files render them under `translation.override(FILE_LANGUAGE)`, so a file exported by
somebody using the English interface still reads, and imports, the same.

Memory stays bounded: rows come from `.iterator(chunk_size=...)` over a queryset that joins
or annotates all it needs (a fixed number of queries, whatever the row count), read as tuples
(`value_rows`) when every column says where its value comes from; CSV is streamed a block of
lines at a time, XLSX is written by `core.exports.xlsx` (a lean SpreadsheetML writer) to a
temporary file that is then streamed. Every workbook we hand out prints alike (A4 landscape,
one page wide, title and header on each page, page numbers): `core.exports.printing`.

A list view calls `export_if_asked(request, spec=..., filterset=...)`; the export log and
audit event are kept by the project's `Recorder` (core imports no app).
"""

from .columns import (
    FILE_LANGUAGE,
    ChoiceLabels,
    Column,
    ExportContext,
    ExportSpec,
    attr_column,
    attr_getter,
    choice_column,
    index_column,
    source_path,
)
from .forms import ExportOptionsForm, export_form
from .printing import apply_print_layout
from .reader import CHUNK_SIZE, export_rows, rows, value_columns, value_rows
from .responses import (
    MASKED_AND_CONSENTED,
    ExportFormat,
    ExportOptions,
    Recorder,
    csv_download,
    describe_filters,
    export_if_asked,
    export_response,
    filename,
    left_out_note,
    recorder_for,
    scope_label,
    title_line,
    xlsx_download,
)
from .writers import FORMULA_PREFIXES, csv_lines, neutralise, write_xlsx

__all__ = [
    "CHUNK_SIZE",
    "FILE_LANGUAGE",
    "FORMULA_PREFIXES",
    "MASKED_AND_CONSENTED",
    "ChoiceLabels",
    "Column",
    "ExportContext",
    "ExportFormat",
    "ExportOptions",
    "ExportOptionsForm",
    "ExportSpec",
    "Recorder",
    "apply_print_layout",
    "attr_column",
    "attr_getter",
    "choice_column",
    "csv_download",
    "csv_lines",
    "describe_filters",
    "export_form",
    "export_if_asked",
    "export_response",
    "export_rows",
    "filename",
    "index_column",
    "left_out_note",
    "neutralise",
    "recorder_for",
    "rows",
    "scope_label",
    "source_path",
    "title_line",
    "value_columns",
    "value_rows",
    "write_xlsx",
    "xlsx_download",
]
