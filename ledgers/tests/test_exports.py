"""Exports read back with openpyxl and the csv module: headers, values, dates, formulas, scope, log."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import neutralise
from ledgers.models import ExportLog, VaccinationDose
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def read_csv(response):
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx"])
def test_neutralise_defuses_formula_prefixes(value):
    assert neutralise(value) == "'" + value


def test_neutralise_leaves_other_values_alone():
    assert neutralise("曾宪梅") == "曾宪梅"
    assert neutralise(-2) == -2
    assert neutralise(None) is None


def test_vaccination_xlsx_has_title_headers_real_dates_and_frozen_header(login, office, ledger_a, ledger_b):
    response = login(office).get(reverse("ledgers:vaccination"), {"export": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = read_xlsx(response)
    title = sheet["A1"].value
    assert title.startswith("疫苗接种台账（全校）") and "2022-05-10" in title
    headers = [cell.value for cell in sheet[2]]
    assert headers[:7] == ["序号", "姓名", "性别", "年龄", "所在支部", "居住地", "联系电话"]
    assert "第一剂" in headers and "接种意愿" in headers
    assert sheet.freeze_panes == "A3"
    rows = [{h: c.value for h, c in zip(headers, r, strict=True)} for r in sheet.iter_rows(min_row=3)]
    by_name = {r["姓名"]: r for r in rows}
    a = by_name[ledger_a.name]
    assert a["性别"] == "女" and a["年龄"] == 82 and a["所在支部"] == "第一党支部"
    assert a["第一剂"] == datetime.datetime(2021, 4, 1)  # a real date cell, read back as datetime
    dose_column = headers.index("第一剂") + 1
    assert sheet.cell(row=3, column=dose_column).number_format == "yyyy-mm-dd"
    assert a["接种剂次"] == 2 and a["接种方式"] == "车接车送"
    assert [r["序号"] for r in rows] == [1, 2]
    assert sheet.column_dimensions["B"].width == 10


def test_export_neutralises_formulas_in_both_formats(login, office, branch_a, frozen_day):
    make_retiree(branch_a, "=HYPERLINK(1)", former_unit="@cmd")
    client = login(office)
    sheet = read_xlsx(client.get(reverse("retirees:list"), {"export": "xlsx"}))
    names = [row[1].value for row in sheet.iter_rows(min_row=3)]
    assert names == ["'=HYPERLINK(1)"]
    assert sheet.cell(row=3, column=2).data_type == "s"  # text, not a formula
    rows = read_csv(client.get(reverse("retirees:list"), {"export": "csv"}))
    assert rows[2][1] == "'=HYPERLINK(1)" and rows[2][7] == "'@cmd"


def test_csv_has_bom_title_chinese_headers_and_iso_dates(login, admin_user, ledger_a):
    rows = read_csv(login(admin_user).get(reverse("ledgers:vaccination"), {"export": "csv"}))
    assert rows[0][0].startswith("疫苗接种台账（全校）")
    assert rows[1][:7] == ["序号", "姓名", "性别", "年龄", "所在支部", "居住地", "联系电话"]
    data = {row[1]: dict(zip(rows[1], row, strict=True)) for row in rows[2:]}
    assert data[ledger_a.name]["第二剂"] == "2021-05-03"


def test_export_honours_the_page_filters_and_names_the_branch(login, office, ledger_a, ledger_b, branch_b):
    response = login(office).get(reverse("ledgers:exposure"), {"branch": branch_b.pk, "export": "xlsx"})
    assert "%E7%AC%AC%E4%BA%8C%E5%85%9A%E6%94%AF%E9%83%A8" in response["Content-Disposition"]  # 第二党支部
    sheet = read_xlsx(response)
    assert sheet["A1"].value.startswith("涉疫人员台账（第二党支部）")
    assert "筛选" in sheet["A1"].value
    assert [row[1].value for row in sheet.iter_rows(min_row=3)] == [ledger_b.name]


def test_a_secretary_cannot_export_and_sees_no_button(login, secretary_a, ledger_a):
    client = login(secretary_a)
    assert client.get(reverse("ledgers:vaccination"), {"export": "xlsx"}).status_code == 403
    assert client.get(reverse("retirees:list"), {"export": "csv"}).status_code == 403
    page = client.get(reverse("ledgers:vaccination")).content.decode()
    assert "export=xlsx" not in page
    assert not ExportLog.objects.exists()


def test_registry_export_is_logged_with_filters_scope_and_row_count(login, office, retiree_a, retiree_b, branch_a):
    response = login(office).get(reverse("retirees:list"), {"branch": branch_a.pk, "export": "csv"})
    rows = read_csv(response)
    assert len(rows) == 3
    log = ExportLog.objects.get()
    assert (log.user, log.ledger, log.file_format, log.scope, log.row_count) == (
        office,
        "registry",
        "csv",
        "第一党支部",
        1,
    )
    assert log.filters == {"branch": str(branch_a.pk)}
    assert log.finished_at is not None


def test_registry_export_of_branches_named_by_part_of_a_name(login, office, retiree_a, retiree_b, branch_a, branch_b):
    """The branch search box: "党支部" names both branches; the file says so in its scope."""
    response = login(office).get(reverse("retirees:list"), {"branch": "党支部", "export": "csv"})
    assert len(read_csv(response)) == 4
    log = ExportLog.objects.get()
    assert (log.scope, log.row_count) == ("多个支部", 2)
    assert set(log.filters["branch"].split(",")) == {str(branch_a.pk), str(branch_b.pk)}


def _export_queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize(
    "url_name, file_format",
    [
        ("ledgers:vaccination", "xlsx"),
        ("ledgers:testing", "csv"),
        ("ledgers:exposure", "xlsx"),
        ("retirees:list", "csv"),
    ],
)
def test_export_query_count_does_not_grow_with_rows(login, office, branch_a, frozen_day, url_name, file_format):
    client = login(office)
    url = reverse(url_name)

    def add(count):
        for _ in range(count):
            retiree = make_retiree(branch_a, "王明")
            VaccinationDose.objects.create(retiree=retiree, dose_number=1, given_on=frozen_day)
            retiree.exposureevents.create(kind="close_contact", started_on=frozen_day)
            retiree.nucleictests.create(tested_on=frozen_day)

    add(2)
    few = _export_queries(client, url, {"export": file_format})
    add(30)
    many = _export_queries(client, url, {"export": file_format})
    assert few == many


def test_vaccination_export_pins_its_queries(login, office, ledger_a, django_assert_num_queries):
    client = login(office)
    # 1 session, 2 user, 3 how many retirees without consent are left out, 4 export log insert,
    # 5 the rows (one server-side cursor: subqueries, no query per row), 6 export log row count,
    # 7 the audit event
    with django_assert_num_queries(7):
        response = client.get(reverse("ledgers:vaccination"), {"export": "xlsx"})
        b"".join(response.streaming_content)
