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
    page.click("nav button:has-text('台账')")  # the Ledgers menu opens
    page.click("nav a:has-text('疫苗接种台账')")
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
    assert [cell.value for cell in sheet[2]][:6] == ["序号", "姓名", "性别", "年龄", "所在支部", "居住地"]
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in data] == [retiree_a.name]
    assert ExportLog.objects.get().row_count == 1


def test_secretary_signs_off_on_a_phone_and_the_office_downloads_the_snapshot(
    chromium, live_server, phone_page, secretary_a, office, retiree_a
):
    from checkins.services import round_create
    from core.dates import local_today
    from ledgers.models import LedgerSignoff
    from tests.browser.conftest import _page

    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on=datetime.date(2021, 4, 1))
    today = local_today()
    checkin_round = round_create(user=office, title="十一月摸排", starts_on=today, ends_on=today)

    page = phone_page
    log_in(page, secretary_a)
    page.goto(live_server.url + checkin_round.get_absolute_url())
    page.click("a:has-text('签核本支部台账')")
    assert "第一次签核" in page.locator("[data-signoff-form]").inner_text()
    page.click("[data-signoff-form] button[type=submit]")  # without ticking the box: refused, nothing written
    page.wait_for_load_state()  # the refusal is a new page: read it once it is there, not mid-navigation
    assert "请勾选" in page.content()
    assert not LedgerSignoff.objects.exists()
    page.fill("#id_note", "本轮已全部核实")
    page.check("#id_confirm")
    page.click("[data-signoff-form] button[type=submit]")
    page.wait_for_url("**/ledgers/signoffs/*/")
    assert "已签核" in page.locator(".alert").first.inner_text()
    assert retiree_a.name in page.locator("[data-snapshot]").inner_text()

    office_context, office_page = _page(chromium, live_server, {"viewport": {"width": 1280, "height": 900}})
    log_in(office_page, office)
    office_page.goto(live_server.url + checkin_round.get_absolute_url())
    assert "已有 1 个签核" in office_page.locator("[data-signoff-panel]").inner_text()
    office_page.click("[data-signoff-panel] a")
    office_page.click("a:has-text('查看封存台账')")
    with office_page.expect_download() as download_info:
        office_page.click("[data-export=snapshot-xlsx]")
    sheet = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).worksheets[0]
    assert "签核快照" in sheet["A1"].value and "十一月摸排" in sheet["A1"].value
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == [retiree_a.name]
    office_context.close()
