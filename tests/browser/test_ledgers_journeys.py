import datetime
import io

import pytest
from openpyxl import load_workbook

from ledgers.models import ExportLog, VaccinationDose
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_admin_filters_the_vaccination_ledger_and_downloads_the_excel(browser_page, admin_user, retiree_a, retiree_b):
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=datetime.date(2021, 4, 1))
    VaccinationDose.objects.create(retiree=retiree_b, dose_number=1, given_on=datetime.date(2021, 6, 1))
    VaccinationDose.objects.create(retiree=retiree_b, dose_number=2, given_on=datetime.date(2021, 7, 1))
    page = browser_page
    log_in(page, admin_user)
    page.click("nav a:has-text('台账')")
    page.click("a:has-text('疫苗接种台账')")
    page.select_option("#id_lacks_dose", "2")  # who still lacks the second dose
    page.click("button[type=submit]:has-text('筛选')")
    page.wait_for_url("**/ledgers/vaccination/?*lacks_dose=2*")
    assert page.locator("[data-result-count]").inner_text().startswith("共 1 条")
    assert page.locator("table.ledger-table").inner_text().count(retiree_a.name) == 1
    assert retiree_b.name not in page.locator("table.ledger-table").inner_text()

    with page.expect_download() as download_info:
        page.click("[data-export=xlsx]")
    download = download_info.value
    assert download.suggested_filename.startswith("疫苗接种台账_全校_")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]
    assert sheet["A1"].value.startswith("疫苗接种台账（全校）")
    assert [cell.value for cell in sheet[2]][:6] == ["序号", "姓名", "性别", "年龄", "所在支部", "联系电话"]
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in data] == [retiree_a.name]
    assert ExportLog.objects.get().row_count == 1
