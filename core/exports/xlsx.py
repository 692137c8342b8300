"""A lean streaming writer of one-sheet .xlsx files, for the exports.

openpyxl's write-only mode builds a cell object per value and serialises it through an XML
library: about 16,000 cells a second here, two minutes for a 100,000-row registry. This
writes the sheet's SpreadsheetML directly, a block of rows at a time, into the zip entry,
with the little the ledger files need: a bold title row merged across the columns, a bold
centred header row, frozen panes below the header, column widths, dates as real date cells,
and the print layout of `core.exports.printing` (A4 landscape, one page wide, rows 1:2 on every
page, page numbers in the footer). Strings are written inline (`t="inlineStr"`), so memory
stays bounded whatever the row count.

Text is escaped for XML, and characters XML cannot hold (control characters other than tab
and line feed, U+FFFE, U+FFFF, lone surrogates) are written as OOXML's `_xHHHH_` escapes, as
Excel itself does; a literal `_xHHHH_` in the text gets its underscore escaped (`_x005F_`).
"""

import datetime
import decimal
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from openpyxl.utils import get_column_letter

from . import printing

ROWS_PER_WRITE = 500
# Excel's day 0 for dates from 1900-03-01 on (it counts a fictitious 1900-02-29).
EXCEL_EPOCH_ORDINAL = datetime.date(1899, 12, 30).toordinal()
MAX_SHEET_NAME = 31

STYLE_TITLE, STYLE_HEADER, STYLE_DATE, STYLE_DATETIME = 1, 2, 3, 4

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "_": "_x005F_"}


def _escape_char(match: re.Match) -> str:
    char = match.group()
    return _ENTITIES.get(char) or f"_x{ord(char):04X}_"


def escape_text(text: str) -> str:
    """Text as the content of an XML element in a sheet (see the module's docstring)."""
    return _SPECIAL.sub(_escape_char, text)


def excel_serial(value: datetime.date) -> int | float:
    """A date (or naive datetime) as Excel's serial day number (as openpyxl's to_excel)."""
    days = value.toordinal() - EXCEL_EPOCH_ORDINAL
    if 0 < days <= 60:
        days -= 1  # before Excel's fictitious 1900-02-29
    if isinstance(value, datetime.datetime):
        midnight = value.replace(hour=0, minute=0, second=0, microsecond=0)
        return days + (value - midnight).total_seconds() / 86400
    return days


def sheet_name(title: str) -> str:
    """A valid sheet name: none of []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:MAX_SHEET_NAME].strip("'") or "Sheet1"


NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    XML_DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_DECLARATION + f'<Relationships xmlns="{NS_PKG_REL}">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML_DECLARATION + f'<Relationships xmlns="{NS_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
APP_PROPERTIES = (
    XML_DECLARATION + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Outreach</Application></Properties>"
)
# Cell formats, by index: 0 normal, 1 title (bold 14), 2 header (bold, centred, wrapped),
# 3 date (yyyy-mm-dd), 4 date and time.
STYLES = (
    XML_DECLARATION + f'<styleSheet xmlns="{NS_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _core_properties(now: datetime.datetime) -> str:
    stamp = now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        XML_DECLARATION
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Outreach</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook(name: str) -> str:
    # Print titles: rows 1:2 on every printed page. In the formula the sheet name is quoted,
    # with its own apostrophes doubled.
    quoted = "'" + name.replace("'", "''") + "'"
    return (
        XML_DECLARATION + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
        f"{escape_text(quoted)}!$1:$2</definedName></definedNames>"
        "</workbook>"
    )


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{escape_text(text)}</t></is></c>'


class SheetWriter:
    """Rows of plain values into one sheet; `convert_text(value)` is applied to every str."""

    def __init__(self, columns: int, convert_text=None):
        self.letters = [get_column_letter(number) for number in range(1, columns + 1)]
        self.convert_text = convert_text or (lambda text: text)

    def cells(self, number: int, row: Sequence) -> str:
        """One <row> element: None and "" are left out, like an empty cell."""
        r = str(number)
        parts = [f'<row r="{r}">']
        append = parts.append
        convert_text = self.convert_text
        for letter, value in zip(self.letters, row, strict=False):
            cls = value.__class__
            if cls is str:
                if value:
                    text = escape_text(convert_text(value))
                    append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif value is None:
                continue
            elif cls is int:
                append(f'<c r="{letter}{r}"><v>{value}</v></c>')
            elif cls is datetime.date:
                append(f'<c r="{letter}{r}" s="{STYLE_DATE}"><v>{excel_serial(value)}</v></c>')
            else:
                append(self._other_cell(f"{letter}{r}", value))
        append("</row>")
        return "".join(parts)

    def _other_cell(self, ref: str, value) -> str:
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float | decimal.Decimal):
            if isinstance(value, float | decimal.Decimal) and not math.isfinite(value):
                return _text_cell(ref, str(value))  # Excel has no NaN or infinity
            return f'<c r="{ref}"><v>{value}</v></c>'
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:  # Excel has no time zones: the local wall time
                from django.utils import timezone

                value = timezone.localtime(value).replace(tzinfo=None)
            return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{excel_serial(value)}</v></c>'
        if isinstance(value, datetime.date):
            return f'<c r="{ref}" s="{STYLE_DATE}"><v>{excel_serial(value)}</v></c>'
        text = str(value)  # lazy translations, times, anything else: as text
        return _text_cell(ref, self.convert_text(text)) if text else ""


def write_sheet(
    target,
    *,
    name: str,
    title: str,
    headers: list[str],
    widths: list[float],
    data: Iterable[Sequence],
    convert_text=None,
    now: datetime.datetime | None = None,
) -> int:
    """Write the workbook to the file object `target`; returns the number of data rows.

    Row 1 holds `title` (merged across the columns, bold 14), row 2 `headers` (bold, centred),
    the data starts on row 3; panes are frozen below row 2; it prints as `printing` lays out,
    with rows 1:2 on every page.
    """
    name = sheet_name(name)
    writer = SheetWriter(len(headers), convert_text)
    last = writer.letters[-1]
    cols = "".join(
        f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
        for number, width in enumerate(widths, start=1)
    )
    sheet_properties, print_elements = printing.spreadsheetml()
    head = (
        XML_DECLARATION + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f"{sheet_properties}"
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
        f'<row r="1">{_text_cell("A1", writer.convert_text(title), STYLE_TITLE)}</row>'
        '<row r="2">'
        + "".join(
            _text_cell(f"{letter}2", header, STYLE_HEADER)
            for letter, header in zip(writer.letters, headers, strict=True)
        )
        + "</row>"
    )
    tail = f'</sheetData><mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>{print_elements}</worksheet>'
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("docProps/app.xml", APP_PROPERTIES)
        archive.writestr("docProps/core.xml", _core_properties(now or datetime.datetime.now(datetime.UTC)))
        archive.writestr("xl/workbook.xml", _workbook(name))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head.encode())
            block = []
            for count, row in enumerate(data, start=1):  # noqa: B007 (count is the result)
                block.append(writer.cells(count + 2, row))
                if len(block) == ROWS_PER_WRITE:
                    sheet.write("".join(block).encode())
                    block.clear()
            sheet.write(("".join(block) + tail).encode())
    return count
