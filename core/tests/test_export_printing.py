"""The print layout of every workbook, read back with openpyxl: the lean writer's files, openpyxl's
ordinary and streaming (write-only) sheets, and the import templates. (The printed result itself,
through LibreOffice, is ledgers/tests/test_export_printing.py.)"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.exports import apply_print_layout, write_xlsx
from retirees.exports import registry_spec

FOOTER = "第 &P 页 共 &N 页"


def assert_prints_on_a4(sheet, title_rows="$1:$2"):
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9  # A4
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0  # one page wide, any pages down
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # without it the two above do nothing
    assert sheet.print_title_rows == title_rows
    assert sheet.oddFooter.center.text == FOOTER
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 0.6, 0.6)
    assert sheet.print_options.horizontalCentered


def saved(workbook):
    target = io.BytesIO()
    workbook.save(target)
    target.seek(0)
    return load_workbook(target).worksheets[0]


def test_the_lean_writer_lays_out_the_printed_page():
    target = io.BytesIO()
    write_xlsx(registry_spec(), [[1, "王明"]], "离退休人员名册（全校）", target)
    target.seek(0)
    assert_prints_on_a4(load_workbook(target).worksheets[0])


def test_the_lean_writers_sheet_follows_the_schemas_order():
    target = io.BytesIO()
    write_xlsx(registry_spec(), [[1, "王明"]], "标题", target)
    xml = zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml").decode()
    # Excel refuses a sheet whose elements are out of the schema's order.
    order = ["<sheetPr>", "<sheetViews>", "<cols>", "<sheetData>", "<mergeCells", "<printOptions", "<pageMargins"]
    order += ["<pageSetup", "<headerFooter>"]
    assert [xml.index(tag) for tag in order] == sorted(xml.index(tag) for tag in order)


@pytest.mark.parametrize("write_only", [False, True])
def test_apply_print_layout_on_ordinary_and_streaming_sheets(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("台账") if write_only else workbook.active
    apply_print_layout(sheet)  # before the rows: a streaming sheet writes them as they come
    sheet.append(["标题"])
    sheet.append(["序号", "姓名"])
    for number in range(1, 50):
        sheet.append([number, "王明"])
    assert_prints_on_a4(saved(workbook))


@pytest.mark.django_db
def test_import_templates_print_like_the_exports(login, office):
    client = login(office)
    response = client.get(reverse("ledgers:import_template"), {"kind": "roster"})
    assert_prints_on_a4(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0])
    response = client.get(reverse("accounts:user_import_template"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert_prints_on_a4(sheet, title_rows="$1:$1")
