"""Reading an office's file: its rows, its cells as text, its dates. Nothing here knows a kind."""

import csv
import datetime
import io
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.escape import unescape

from core.exports import FORMULA_PREFIXES
from core.uploads import CSV, XLSX, check_content

# A whole university's ledger of several years fits; the check and the import of a file this
# long run in the worker (ledgers.tasks), with a progress bar on the page.
MAX_ROWS = 50_000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10
ACCEPTED = (XLSX, CSV)
# Uploads above this size are refused before they are read: a 50,000-row roster is about 4 MB
# as a workbook and 8 MB as CSV. What opening a workbook may cost is bounded apart from this, by
# core.uploads (entries, expanded size, compression ratio).
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


class ImportFileError(Exception):
    """The file cannot be read at all; the message is translated and shown as it is."""


def clean_text(value) -> str:
    """A cell as text: full-width characters to ASCII, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def plain_text(value) -> str:
    """A free-text cell as written (Chinese punctuation kept), surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe an export put before a formula-like text (see core.exports.neutralise)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


# 1940-05-03, 1940/5/3, 1940.5.3, 1940年5月3日, optionally followed by a time of day.
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def parse_date(value) -> datetime.date:
    """A date as offices type it: an Excel date, 1940-05-03, 1940/5/3, 1940.5.3, 1940年5月3日, 19400503."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 100000:
        converted = from_excel(value)  # an Excel serial number in a cell not formatted as a date
        return converted.date() if isinstance(converted, datetime.datetime) else converted
    text = clean_text(value)
    match = _DATE_TEXT.match(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(text)
    return datetime.date(int(match[1]), int(match[2]), int(match[3]))


def read_table(content: bytes, filename: str, progress=None) -> list[tuple[int, list]]:
    """The non-blank rows of the file as (row number, cell values). Raises ImportFileError.

    The content goes through the app's one upload checker again (a stored upload is read again
    when it is checked and when it is imported), which also says whether it is a workbook or a
    CSV: the name does not decide. `progress(stage, done, total)` hears how many rows were read
    of how many (when the file says).
    """
    try:
        kind = check_content(content, name=filename, accept=ACCEPTED, max_bytes=MAX_UPLOAD_BYTES)
    except ValidationError as error:
        raise ImportFileError(error.messages[0]) from None
    sized: dict = {}  # the reader puts the file's row count here when it knows it (for the bar)
    rows = _csv_rows(content, sized) if kind == CSV else _xlsx_rows(content, sized)
    table = []
    for number, values in rows:
        if any(clean_text(value) for value in values):
            if len(table) >= MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
            table.append((number, values))
        if progress and number % 500 == 0:
            progress("read", number, sized.get("rows"))
    return table


def _xlsx_rows(content: bytes, sized: dict):
    damaged = _("This is not a valid .xlsx file, or it is damaged. Save it again in Excel.")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(damaged) from None
    try:
        sheet = workbook.worksheets[0]
        sized["rows"] = sheet.max_row  # from the sheet's dimension, when the writer gave one
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            # Excel (and our export) write control characters as _xHHHH_; openpyxl leaves them so.
            yield number, [unescape(v) if isinstance(v, str) and "_x" in v else v for v in values]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(damaged) from None
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
        raise ImportFileError(_("The CSV file's text encoding is not recognised: save it as UTF-8 CSV."))
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV text file."))
    sized["rows"] = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            yield number, values[:MAX_COLUMNS]
    except csv.Error:
        raise ImportFileError(_("The CSV file is malformed: save it again from Excel.")) from None
