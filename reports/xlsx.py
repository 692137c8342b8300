"""The weekly report as an XLSX workbook: one sheet of figures per section, set up for A4.

A few dozen cells per sheet: openpyxl writes them in memory (the ledgers' streaming writer is for
files of a hundred thousand rows). Last week's figure sits in its own column beside each figure.
The page setup (A4 landscape, one page wide, the title rows repeated) is set here for the report
alone; the ledger exports' own setup lives in core/exports.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.exports import neutralise

from .presenters import Cell

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _value(value):
    """What goes in a cell: numbers as numbers, text neutralised (a label could start with '=')."""
    if isinstance(value, str):
        return neutralise(value)
    return value


def _page_setup(sheet, header_rows: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_rows}"
    sheet.oddFooter.center.text = _("Page &P of &N")


def report_workbook(context: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for section in context["sections"]:
        sheet = workbook.create_sheet(section.title.translate(FORBIDDEN)[:SHEET_TITLE_MAX])
        sheet.append([_value(context["title"])])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([_value(section.title)])
        sheet["A2"].font = bold
        if section.summary:
            sheet.append([_value(section.summary)])
        widest = 0
        for table in section.tables:
            sheet.append([])
            sheet.append([_value(table.caption)])
            sheet.cell(sheet.max_row, 1).font = bold
            header = [table.columns[0]]
            for column in table.columns[1:]:
                header.append(column)
                if table.with_last:
                    header.append(_("%(figure)s, last week") % {"figure": column})
            sheet.append([_value(text) for text in header])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in [*table.rows, *([table.total] if table.total else [])]:
                values = [_value(row[0])]
                for item in row[1:]:
                    if isinstance(item, Cell):
                        values.append(item.value)
                        if table.with_last:
                            values.append(item.last)
                    else:
                        values.append(_value(item))
                        if table.with_last:
                            values.append(None)
                sheet.append(values)
            widest = max(widest, len(header))
        sheet.column_dimensions["A"].width = 28
        for index in range(2, widest + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 13
        _page_setup(sheet, header_rows=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
