"""The file writers: CSV streamed a block of lines at a time, XLSX through `core.exports.xlsx`.

Text a spreadsheet would run as a formula is neutralised in both.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.utils import translation

from . import xlsx
from .columns import FILE_LANGUAGE, ExportSpec
from .reader import batched

CSV_LINES_PER_CHUNK = 1000
# Characters that make a spreadsheet read a cell as a formula (and tab / carriage return,
# which some spreadsheets strip before looking), per OWASP's CSV-injection advice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _headers(spec: ExportSpec) -> list[str]:
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


def csv_text(columns: list[Sequence]) -> str:
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
        return csv_text(list(zip(*block, strict=True)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[_csv_value(value) for value in row] for row in block])
    return buffer.getvalue()


_CSV_AS_IS = frozenset({int, float, datetime.date, type(None)})
# What csv.writer (QUOTE_MINIMAL) quotes a cell for: the delimiter, the quote, a line break.
_CSV_QUOTED = re.compile('[,"\r\n]')
# In a column's cells joined after NULs, a cell starting with a formula character. (Two searches,
# this and _CSV_QUOTED, run faster than one with an alternation.)
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def csv_lines(spec: ExportSpec, data: Iterable[list], title: str, on_finish: Callable[[int], None]) -> Iterator[str]:
    # Hand the server a block of lines at a time: one write per line costs more than the line.
    blocks = ((len(block), _csv_block(block)) for block in batched(data, CSV_LINES_PER_CHUNK))
    return csv_stream(spec, blocks, title, on_finish)


def csv_stream(spec: ExportSpec, blocks: Iterable[tuple[int, str]], title: str, on_finish) -> Iterator[str]:
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


def write_xlsx(spec: ExportSpec, data: Iterable[list], title: str, target) -> int:
    """Write the workbook to the file object `target`; returns the number of data rows.

    The title row (merged, bold 14), the bold centred header, panes frozen below it, the
    columns' widths, dates as date cells (yyyy-mm-dd), printed as `printing` lays out (A4
    landscape, one page wide, rows 1:2 on every page, page numbers); text that a spreadsheet
    would run as a formula gets its apostrophe.
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
