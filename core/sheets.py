"""Reading a sheet the office uploads (XLSX or CSV) into rows of cells, for the importers.

The ledger and roster imports (ledgers.imports) and the users import (accounts.imports) share
this, each with its own limits: the content goes through the one upload checker (core.uploads:
size, type by content, zip bombs, passwords) before anything parses it, and the row and column
limits hold for every importer. Nothing here knows what the columns mean; each importer maps
headers to its own fields and checks its rows.
"""

import csv
import io
import unicodedata
from contextlib import closing
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from .exports import FORMULA_PREFIXES
from .uploads import CSV, XLSX, check_content

SHEET_KINDS = (XLSX, CSV)
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10


class SheetError(Exception):
    """The file cannot be read at all; the message is translated and shown as it is."""


@dataclass
class Problem:
    """One problem found in a sheet: its row number (None for the whole file), column and message."""

    row: int | None
    column: str
    message: str


def clean_text(value) -> str:
    """A cell as text: full-width characters to ASCII, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe an export put before a formula-like text (see core.exports.neutralise)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def header_key(value) -> str:
    """A header (or a choice's label) normalised for matching: no spaces, no "*", lower case."""
    return "".join(clean_text(value).split()).replace("*", "").lower()


def read_table(
    content: bytes, filename: str, *, max_rows: int, max_bytes: int, progress=None
) -> list[tuple[int, list]]:
    """The non-blank rows of the file as (row number, cell values). Raises SheetError.

    The content goes through the app's one upload checker again (a stored upload is read again
    when it is checked and when it is imported), which also says whether it is a workbook or a
    CSV: the name does not decide. `progress(stage, done, total)`, when given, hears how many
    rows were read of how many (when the file says), for a long file read in the worker.
    """
    try:
        kind = check_content(content, name=filename, accept=SHEET_KINDS, max_bytes=max_bytes)
    except ValidationError as error:
        raise SheetError(error.messages[0]) from None
    sized: dict = {}  # the reader puts the file's row count here when it knows it (for the bar)
    table = []
    # closing: a refusal part-way closes the workbook now, not when the generator is collected.
    with closing(_csv_rows(content, sized) if kind == CSV else _xlsx_rows(content, sized)) as rows:
        for number, values in rows:
            if any(clean_text(value) for value in values):
                if len(table) >= max_rows + HEADER_SEARCH_ROWS:
                    raise SheetError(_("The file has more than %(max)s rows.") % {"max": f"{max_rows:,}"})
                table.append((number, values))
            if progress and number % 500 == 0:
                progress("read", number, sized.get("rows"))
    return table


def _xlsx_rows(content: bytes, sized: dict):
    damaged = _("This is not a valid .xlsx file, or it is damaged. Save it again in Excel.")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise SheetError(damaged) from None
    try:
        sheet = workbook.worksheets[0]
        sized["rows"] = sheet.max_row  # from the sheet's dimension, when the writer gave one
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            # Excel (and our export) write control characters as _xHHHH_; openpyxl leaves them so.
            yield number, [unescape(v) if isinstance(v, str) and "_x" in v else v for v in values]
    except Exception:
        raise SheetError(damaged) from None
    finally:
        workbook.close()


def _csv_rows(content: bytes, sized: dict):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(_("The CSV file's text encoding is not recognised: save it as UTF-8 CSV."))
    if "\x00" in text:
        raise SheetError(_("This is not a CSV text file."))
    sized["rows"] = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            yield number, values[:MAX_COLUMNS]
    except csv.Error:
        raise SheetError(_("The CSV file is malformed: save it again from Excel.")) from None


def find_header(table, aliases: dict[str, str], *, first: str = "name") -> tuple[int, dict[int, str]]:
    """The index in `table` of the header row (the first of the top rows naming the `first`
    field and at least one other), and column index -> field key; (-1, {}) when there is none."""
    for index, (_number, values) in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = {}
        for position, value in enumerate(values):
            key = aliases.get(header_key(value))
            if key and key not in columns.values():
                columns[position] = key
        if first in columns.values() and len(columns) >= 2:
            return index, columns
    return -1, {}
