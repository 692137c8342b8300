"""How every workbook the application hands out prints: one place for the page layout.

The office prints its 台账 on A4 and files them; a sheet printed with a spreadsheet's defaults
came out on US Letter with a third of the columns on each page (49 pages for 487 people). So
every .xlsx we write asks for: A4 landscape; all columns scaled to one page width, as many
pages down as the rows need (fitToWidth=1, fitToHeight=0, which only counts with the sheet's
fitToPage flag); the title and header rows repeated on every page; "第 N 页 共 M 页" in the
footer (the codes &P and &N); margins of about a centimetre, the table centred across.

The layout is built once, as openpyxl's own objects, and reaches a sheet two ways:
`apply_print_layout(sheet)` sets it on an openpyxl worksheet — an ordinary one or a streaming
(write-only) one, whose page setup, margins, footer, sheet properties and print titles are
written when it is saved, so they must be set before the first row is appended — and
`spreadsheetml()` gives the same elements as XML for the lean writer (`core.exports.xlsx`).
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.page import PageMargins, PrintOptions, PrintPageSetup
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from .columns import FILE_LANGUAGE

# Margins in inches, as the file format counts them: about 1 cm at the sides, 1.5 cm top and
# bottom, with the footer 0.8 cm from the edge (clear of a binder's holes on the long side).
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
# The ledger layout: the title on row 1, the column labels on row 2.
TITLE_ROWS = "1:2"


@dataclass(frozen=True)
class PrintLayout:
    page_setup: PrintPageSetup
    margins: PageMargins
    options: PrintOptions
    footer: HeaderFooter


def print_layout() -> PrintLayout:
    """The layout of a printed sheet, its footer in the file language."""
    page_setup = PrintPageSetup(
        orientation=Worksheet.ORIENTATION_LANDSCAPE,
        paperSize=Worksheet.PAPERSIZE_A4,
        fitToWidth=1,
        fitToHeight=0,  # 0: no limit on the pages down
    )
    footer = HeaderFooter()
    with translation.override(FILE_LANGUAGE):
        # Translators: a printed sheet's footer; keep &P (this page) and &N (the page count).
        footer.oddFooter.center.text = _("Page &P of &N")
    return PrintLayout(
        page_setup=page_setup,
        margins=PageMargins(**MARGINS),
        options=PrintOptions(horizontalCentered=True),
        footer=footer,
    )


def apply_print_layout(sheet, *, title_rows: str = TITLE_ROWS) -> None:
    """Set the print layout on an openpyxl worksheet (ordinary or write-only), before any row
    of a write-only one is appended; `title_rows` ("1:2") repeat on every printed page."""
    layout = print_layout()
    for name in ("orientation", "paperSize", "fitToWidth", "fitToHeight"):
        setattr(sheet.page_setup, name, getattr(layout.page_setup, name))
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = layout.margins
    sheet.print_options = layout.options
    sheet.HeaderFooter = layout.footer
    sheet.print_title_rows = title_rows


def spreadsheetml() -> tuple[str, str]:
    """The layout as worksheet XML for a writer of its own: the `<sheetPr>` that opens the
    worksheet, and the print elements that follow `<mergeCells>` (printOptions, pageMargins,
    pageSetup, headerFooter, in the schema's order). The print titles are the workbook's
    `_xlnm.Print_Titles` name, which such a writer defines itself."""
    layout = print_layout()
    sheet_properties = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
    elements = (layout.options, layout.margins, layout.page_setup, layout.footer)
    return sheet_properties, "".join(tostring(element.to_tree()).decode() for element in elements)
