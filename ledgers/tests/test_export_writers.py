"""The export writers on their own: the tuple-based rows, the lean XLSX writer, the CSV blocks."""

import csv
import datetime
import decimal
import io
import zipfile
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from core import exports as engine
from core.exports import reader, writers, xlsx
from ledgers import selectors
from ledgers.choices import Ledger
from ledgers.exports import SPECS
from ledgers.tests.conftest import DAY
from retirees.exports import registry_spec
from tests.factories import make_retiree

SELECTORS = {
    Ledger.REGISTRY: selectors.retirees_for_ledger,
    Ledger.VACCINATION: selectors.vaccination_ledger,
    Ledger.TESTING: selectors.testing_ledger,
    Ledger.EXPOSURE: selectors.exposure_ledger,
    Ledger.HEALTH: selectors.health_ledger,
}


def write(rows, spec=None, title="标题"):
    spec = spec or registry_spec()
    target = io.BytesIO()
    count = engine.write_xlsx(spec, rows, title, target)
    target.seek(0)
    return count, target


def csv_text(rows, spec=None):
    spec = spec or registry_spec()
    counted = []
    text = "".join(engine.csv_lines(spec, rows, "标题", counted.append))
    return counted[0], list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.django_db
@pytest.mark.parametrize("ledger", list(SELECTORS))
def test_value_rows_are_the_instance_rows(ledger, office, ledger_a, ledger_b, branch_a):
    make_retiree(branch_a, "王明", former_unit="=1+1", notes="备注", id_number=None, status="moved")
    spec = SPECS[ledger]()
    assert spec.reads_values
    queryset = SELECTORS[ledger](user=office)
    assert list(engine.value_rows(spec, queryset, DAY)) == list(engine.rows(spec, queryset, DAY))


@pytest.mark.django_db
def test_value_rows_number_rows_across_blocks(office, branch_a, monkeypatch):
    monkeypatch.setattr(reader, "VALUES_CHUNK_SIZE", 2)
    for name in ["甲", "乙", "丙", "丁", "戊"]:
        make_retiree(branch_a, name)
    spec = registry_spec()
    queryset = selectors.retirees_for_ledger(user=office)
    rows = list(engine.value_rows(spec, queryset, DAY))
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    assert rows == list(engine.rows(spec, queryset, DAY))


def test_a_spec_with_instance_only_columns_is_exported_from_instances():
    spec = engine.ExportSpec("x", "X", [engine.Column("name", "Name", lambda obj, c: obj.name)])
    assert not spec.reads_values


def test_xlsx_keeps_the_ledger_layout():
    spec = registry_spec()
    count, target = write([[1, "王明"]], spec, title="离退休人员名册（全校）")
    assert count == 1
    workbook = load_workbook(target)
    sheet = workbook.worksheets[0]
    assert sheet.title == "离退休人员名册"
    assert sheet["A1"].value == "离退休人员名册（全校）"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [str(merged) for merged in sheet.merged_cells.ranges] == ["A1:S1"]
    assert sheet["A2"].value == "序号" and sheet["S2"].value == "备注"
    assert sheet["B2"].font.b and sheet["B2"].alignment.horizontal == "center"
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"  # as openpyxl reads its own files back
    assert sheet.page_setup.orientation == "landscape"
    widths = [column.width for column in spec.columns]
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOPQRS"] == widths


def test_xlsx_cells_keep_their_types():
    moment = datetime.datetime(2022, 5, 10, 14, 30)
    aware = timezone.make_aware(datetime.datetime(2022, 5, 10, 8, 0))
    row = [1, "王明", None, datetime.date(1940, 5, 3), 82, 1.5, decimal.Decimal("2.25"), True, moment, aware, ""]
    row.append(gettext_lazy("Name"))
    _count, target = write([row])
    sheet = load_workbook(target).worksheets[0]
    cells = sheet[3]
    assert cells[0].value == 1 and cells[0].data_type == "n"
    assert cells[1].value == "王明" and cells[1].data_type == "s"
    assert cells[2].value is None
    assert cells[3].value == datetime.datetime(1940, 5, 3) and cells[3].number_format == "yyyy-mm-dd"
    assert cells[3].is_date
    assert (cells[4].value, cells[5].value, cells[6].value) == (82, 1.5, 2.25)
    assert cells[7].value is True
    assert cells[8].value == moment and cells[8].is_date
    assert cells[9].value == timezone.localtime(aware).replace(tzinfo=None)
    assert cells[10].value is None
    assert cells[11].value == "姓名"  # lazy text rendered in the file's language


def test_xlsx_dates_around_excels_1900_leap_day_and_today_read_back():
    dates = [datetime.date(1900, 1, 1), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1)]
    dates += [datetime.date(1925, 12, 31), datetime.date(2026, 11, 29)]
    _count, target = write([[1, "王明", "男", day] for day in dates])
    sheet = load_workbook(target).worksheets[0]
    assert [row[3].value.date() for row in sheet.iter_rows(min_row=3)] == dates


@pytest.mark.parametrize(
    "text",
    [
        "a & b < c > d",
        "]]> </t></is></c>",
        "quote \" and apostrophe '",
        "bell\x07 vertical tab\x0b form feed\x0c nul\x00 escape\x1b",
        "carriage\r\nreturn and\ttab",
        "literal _x0041_ and _x005F_ stay literal",
        "non-characters \ufffe\uffff and a lone surrogate \ud800",
        "  leading and trailing spaces  ",
        "中文 with emoji 🙂",
    ],
)
def test_xlsx_escapes_text_so_it_reads_back_unchanged(text):
    _count, target = write([[1, text]])
    archive = zipfile.ZipFile(target)
    ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # well-formed XML
    sheet = load_workbook(target).worksheets[0]
    # openpyxl leaves OOXML's _xHHHH_ escapes in place; Excel (and our importer) undo them.
    assert unescape(sheet.cell(row=3, column=2).value) == text


def test_escape_text_writes_excel_escapes():
    assert xlsx.escape_text("a\x07b") == "a_x0007_b"
    assert xlsx.escape_text("\r") == "_x000D_"
    assert xlsx.escape_text("_x0041_") == "_x005F_x0041_"
    assert xlsx.escape_text("<&>") == "&lt;&amp;&gt;"
    assert xlsx.escape_text("\t\n") == "\t\n"


def test_xlsx_neutralises_formulas_and_the_title():
    _count, target = write([[1, "=HYPERLINK(1)", "-2", -2, "@x"]], title="=title")
    sheet = load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "'=title"
    assert [cell.value for cell in sheet[3]][:5] == [1, "'=HYPERLINK(1)", "'-2", -2, "'@x"]
    assert all(cell.data_type in ("n", "s") for cell in sheet[3][:5])


def test_xlsx_sheet_name_is_made_valid():
    spec = engine.ExportSpec("x", "a/b:c?[d]'s very long ledger name indeed", registry_spec().columns)
    _count, target = write([[1]], spec)
    workbook = load_workbook(target)
    assert workbook.worksheets[0].title == "a b c  d 's very long ledger na"
    assert workbook.worksheets[0].print_title_rows == "$1:$2"


def test_xlsx_of_no_rows_has_title_and_header():
    count, target = write([])
    sheet = load_workbook(target).worksheets[0]
    assert count == 0
    assert sheet.max_row == 2


def test_csv_neutralises_a_formula_in_any_row_of_a_column():
    rows = [[n, "王明", "137"] for n in range(1, 500)]
    rows[300][2] = "+86 137"
    count, lines = csv_text(rows)
    assert count == 499
    assert lines[301] == ["300", "王明", "137"]
    assert lines[302] == ["301", "王明", "'+86 137"]


def test_csv_writes_each_kind_of_value():
    moment = datetime.datetime(2022, 5, 10, 14, 30)
    rows = [
        [1, "a", None, datetime.date(1940, 5, 3), moment, -2, True, decimal.Decimal("1.5"), "-x"],
        [2, None, "b", None, None, 3, False, None, "y"],
        [3, "ragged"],
    ]
    _count, lines = csv_text(rows)
    assert lines[2] == ["1", "a", "", "1940-05-03", "2022-05-10T14:30:00", "-2", "True", "1.5", "'-x"]
    assert lines[3] == ["2", "", "b", "", "", "3", "False", "", "y"]
    assert lines[4] == ["3", "ragged"]


def test_csv_lines_are_what_csv_writer_writes():
    """The block writer joins lines itself: it must write exactly what csv.writer would."""
    moment = datetime.datetime(2022, 5, 10, 14, 30)
    cells = ["plain", "", None, 'say "hi"', "a,b", "line\nbreak", "cr\rhere", "nul\x00in", " spaced ", "中文"]
    cells += [0, -1, 2.5, float("nan"), decimal.Decimal("1.10"), True, datetime.date(1940, 5, 3), moment]
    cells.append(gettext_lazy("Name"))
    rows = [[n, *cells[n:], *cells[:n]] for n in range(len(cells))]
    _count, lines = csv_text(rows)
    expected = io.StringIO()
    writer = csv.writer(expected)
    for row in rows:
        writer.writerow([writers._csv_value(value) for value in row])
    text = "".join(engine.csv_lines(registry_spec(), rows, "t", lambda count: None))
    assert text.split("\r\n", 2)[2] == expected.getvalue()


def test_csv_of_one_column_quotes_an_empty_cell_as_csv_writer_does():
    spec = engine.ExportSpec("x", "X", [engine.Column("name", "Name", lambda obj, c: obj)])
    text = "".join(engine.csv_lines(spec, [[""], ["a"], [None]], "t", lambda count: None))
    assert text.endswith('""\r\na\r\n""\r\n')
