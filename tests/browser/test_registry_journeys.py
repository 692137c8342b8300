import pytest

from retirees.models import Retiree
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_secretary_finds_a_retiree_by_initials_on_a_phone(phone_page, secretary_a, retiree_a, retiree_b):
    page = phone_page
    log_in(page, secretary_a)
    page.fill("input[name=q]", "zxm")  # 曾宪梅: surname read as zeng
    page.click("button[type=submit]:has-text('搜索')")
    page.wait_for_url("**/retirees/?search=*")
    assert "zxm" not in page.url
    page.click(f"a:has-text('{retiree_a.name}')")
    page.wait_for_url(f"**/retirees/{retiree_a.pk}/")
    assert page.locator("h1").inner_text().startswith(retiree_a.name)
    assert page.locator("text=曾小红").is_visible()
    page.goto(f"/retirees/{retiree_b.pk}/")
    assert retiree_b.name not in page.content()


def test_office_adds_a_retiree_with_a_caregiver(browser_page, office, branch_a):
    page = browser_page
    log_in(page, office)
    page.goto("/retirees/new/")
    page.fill("#id_name", "覃玉兰")
    page.select_option("#id_gender", "female")
    page.fill("#id_birth_date", "1941-02-03")
    page.select_option("#id_branch", str(branch_a.pk))
    page.fill("#id_phone", "138 1000 2000")
    page.select_option("#id_living_situation", "caregiver")
    page.fill("#id_contacts-0-name", "赵阿姨")
    page.select_option("#id_contacts-0-relation", "caregiver")
    page.fill("#id_contacts-0-phone", "139-2000-3000")
    page.check("#id_contacts-0-is_primary")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url("**/retirees/*/")
    assert page.locator(".alert-success").inner_text().startswith("已保存")
    retiree = Retiree.objects.get(name="覃玉兰")
    assert retiree.name_initials == "qyl"
    assert retiree.household_contacts.get().phone == "13920003000"


def test_bad_phone_shows_a_chinese_error_and_saves_nothing(browser_page, office, branch_a):
    page = browser_page
    log_in(page, office)
    page.goto("/retirees/new/")
    page.fill("#id_name", "王明")
    page.select_option("#id_gender", "male")
    page.fill("#id_birth_date", "1950-01-01")
    page.select_option("#id_branch", str(branch_a.pk))
    page.fill("#id_phone", "12345")
    page.click("button[type=submit]:has-text('保存')")
    assert page.locator(".invalid-feedback, .text-danger").first.inner_text().startswith("请输入有效的电话号码")
    assert not Retiree.objects.exists()
