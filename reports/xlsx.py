"""The weekly report as an XLSX workbook: one sheet of figures per section, set up for A4.

A few dozen cells per sheet: openpyxl writes them in memory (the ledgers' streaming writer is for
files of a hundred thousand rows). Last week's figure sits in its own column beside each figure.
It prints as every workbook does (core.exports.printing): A4 landscape, one page wide, the
title rows repeated.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.exports import apply_print_layout, neutralise

from .presenters import Cell

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _value(value):
    """What goes in a cell: numbers as numbers, text neutralised (a label could start with '=')."""
    if isinstance(value, str):
        return neutralise(value)
    return value


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
        apply_print_layout(sheet, title_rows="1:2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
