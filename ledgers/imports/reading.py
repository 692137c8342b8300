"""Reading an office's file for the import engine: its limits, its free-text cells, its dates.

The rows themselves come from the app's one sheet reader (core.sheets), which the users import
shares; nothing here knows a kind.
"""

import datetime
import re

from openpyxl.utils.datetime import from_excel

from core import sheets
from core.sheets import SHEET_KINDS, clean_text

# A whole university's ledger of several years fits; the check and the import of a file this
# long run in the worker (ledgers.tasks), with a progress bar on the page.
MAX_ROWS = 50_000
ACCEPTED = SHEET_KINDS
# Uploads above this size are refused before they are read: a 50,000-row roster is about 4 MB
# as a workbook and 8 MB as CSV. What opening a workbook may cost is bounded apart from this, by
# core.uploads (entries, expanded size, compression ratio).
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def read_table(content: bytes, filename: str, progress=None) -> list[tuple[int, list]]:
    """The file's non-blank rows within the import's limits (core.sheets.read_table). Raises SheetError."""
    return sheets.read_table(content, filename, max_rows=MAX_ROWS, max_bytes=MAX_UPLOAD_BYTES, progress=progress)


def plain_text(value) -> str:
    """A free-text cell as written (Chinese punctuation kept), surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
