"""The one sheet reader of the importers (ledgers.imports and accounts.imports)."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from core.sheets import SheetError, find_header, read_table

LIMITS = {"max_rows": 5, "max_bytes": 1024 * 1024}


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_is_read_in_the_encodings_excel_saves(encoding):
    content = "姓名,支部\n王明,第一党支部\n".encode(encoding)
    assert read_table(content, "名册.csv", **LIMITS) == [(1, ["姓名", "支部"]), (2, ["王明", "第一党支部"])]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers_in_the_file():
    content = xlsx([["名册"], [], ["姓名", "支部"], [None, " "], ["王明", "第一党支部"]])
    table = read_table(content, "名册.xlsx", **LIMITS)
    assert [number for number, _values in table] == [1, 3, 5]
    assert table[2][1][:2] == ["王明", "第一党支部"]


def test_excel_escaped_control_characters_are_read_back():
    table = read_table(xlsx([["姓名", "备注"], ["王明", "一行_x000D_"]]), "名册.xlsx", **LIMITS)
    assert table[1][1][:2] == ["王明", "一行\r"]


def test_too_many_rows_are_refused_with_the_limit_written_in_thousands():
    content = ("姓名\n" + "王明\n" * 2000).encode()
    with translation.override("en"), pytest.raises(SheetError, match="more than 1,500 rows"):
        read_table(content, "名册.csv", max_rows=1500, max_bytes=1024 * 1024)


def test_a_damaged_workbook_is_a_clear_error_not_a_crash():
    content = xlsx([["姓名"], ["王明"]])
    with translation.override("en"), pytest.raises(SheetError):
        read_table(content[: len(content) // 2], "名册.xlsx", **LIMITS)


def test_progress_hears_rows_read_of_the_files_total():
    heard = []
    content = ("姓名\n" + "王明\n" * 1200).encode()
    read_table(content, "名册.csv", max_rows=2000, max_bytes=1024 * 1024, progress=lambda *a: heard.append(a))
    assert heard == [("read", 500, 1201), ("read", 1000, 1201)]


def test_the_header_is_the_first_top_row_naming_the_name_and_another_field():
    table = [(1, ["人员名单"]), (2, ["姓名", "支部", "备注"]), (3, ["王明", "一支部", ""])]
    aliases = {"姓名": "name", "支部": "branch"}
    assert find_header(table, aliases) == (1, {0: "name", 1: "branch"})
    assert find_header(table[:1], aliases) == (-1, {})
