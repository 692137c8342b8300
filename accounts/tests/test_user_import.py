"""Users import: preview with row-level problems, all or nothing, the secretary rule across the
sheet, the same upload checks as every file, passwords shown once, audited."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.imports import MAX_UPLOAD_BYTES
from accounts.models import User, UserImport
from accounts.services import user_imports_purge
from audit.models import AuditEvent
from tests import files

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["姓名", "手机", "支部", "职务"]


def xlsx_file(rows, name="人员.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def preview(client, upload):
    return client.post(reverse("accounts:user_import"), {"file": upload})


def confirm(client, response):
    upload = response.context["upload"]
    assert upload is not None, problems(response)
    return client.post(reverse("accounts:user_import_confirm"), {"upload": str(upload.pk)})


def problems(response):
    return [(p.row, p.column, p.message) for p in response.context["plan"].problems]


def people():
    return sorted(User.objects.values_list("username", "last_name", "first_name", "branch_id", "position", "is_active"))


def test_preview_writes_nothing_then_confirm_adds_everyone_with_passwords_shown_once(login, office, branch_a, branch_b):
    client = login(office)
    sheet = xlsx_file(
        [HEADER, ["王建国", "139 0000 1111", "第一党支部", "书记"], ["司马光", "13900002222", "二支部", "委员"]]
    )
    before = people()
    response = preview(client, sheet)
    assert response.context["plan"].summary == {"create": 2, "update": 0, "unchanged": 0}
    assert people() == before  # the preview wrote nothing

    done = confirm(client, response)
    assert done.templates[0].name == "accounts/user_import_done.html"
    wang = User.objects.get(username="13900001111")
    assert (wang.last_name, wang.first_name, wang.branch, wang.position) == ("王", "建国", branch_a, "secretary")
    sima = User.objects.get(username="13900002222")
    assert (sima.last_name, sima.first_name, sima.branch) == ("司马", "光", branch_b)
    passwords = dict((person.username, password) for person, password in done.context["passwords"])
    assert wang.check_password(passwords["13900001111"]) and wang.must_change_password
    assert "data-temporary-passwords" in done.content.decode()
    event = AuditEvent.objects.get(action="user_import")
    assert event.actor == office and sorted(event.detail["created"]) == sorted([wang.pk, sima.pk])
    assert passwords["13900001111"] not in str(event.detail)
    upload = UserImport.objects.get()
    assert upload.applied_at is not None and bytes(upload.content) == b""  # no second copy kept

    # A second click imports nothing more.
    again = client.post(reverse("accounts:user_import_confirm"), {"upload": str(upload.pk)})
    assert again.status_code == 302 and User.objects.filter(username__startswith="139").count() == 2


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(login, office, branch_a, secretary_a):
    sheet = xlsx_file(
        [
            HEADER,
            ["李华", "13900003333", "第一党支部", "委员"],  # fine
            ["张三", "12345", "第一党支部", "委员"],  # not a mobile number, no user name
            ["赵四", "13900004444", "第九党支部", "委员"],  # no such branch
            ["钱五", "13900005555", "第一党支部", "组长"],  # no such position
            ["孙六", "13900006666", "第一党支部", "书记"],  # the branch has a secretary
            ["周七", "13900003333", "第一党支部", "委员"],  # same user name as row 2
        ]
    )
    before = people()
    response = preview(login(office), sheet)
    found = problems(response)
    assert {row for row, _column, _message in found} == {3, 4, 5, 6, 7}
    rule = next(message for row, _column, message in found if row == 6)
    assert str(secretary_a) in rule and "第一党支部" in rule  # explained: who, and what to do
    assert response.context["upload"] is None and not UserImport.objects.exists()
    assert people() == before


def test_a_sheet_may_swap_the_secretary_of_a_branch(login, office, branch_a, secretary_a, committee_a):
    sheet = xlsx_file(
        [
            ["姓名", "用户名", "支部", "职务"],
            [secretary_a.get_full_name(), "sec_a", "第一党支部", "委员"],
            [committee_a.get_full_name(), "com_a", "第一党支部", "书记"],
        ]
    )
    client = login(office)
    response = preview(client, sheet)
    assert response.context["plan"].summary["update"] == 2
    confirm(client, response)
    secretary_a.refresh_from_db()
    committee_a.refresh_from_db()
    assert (secretary_a.position, committee_a.position) == ("committee", "secretary")


def test_two_secretaries_of_one_branch_in_the_sheet_are_refused(login, office, branch_a):
    sheet = xlsx_file(
        [HEADER, ["甲一", "13900007777", "第一党支部", "书记"], ["乙二", "13900008888", "一支部", "书记"]]
    )
    found = problems(preview(login(office), sheet))
    assert [row for row, _c, _m in found] == [3]
    assert "2" in found[0][2]  # names the row that already has the branch's secretary
    assert not User.objects.filter(username__startswith="139").exists()


def test_office_may_not_change_an_administrator_by_sheet(login, office, admin_user, branch_a):
    sheet = xlsx_file([["姓名", "用户名", "支部", "职务"], ["某人", "admin", "第一党支部", "委员"]])
    found = problems(preview(login(office), sheet))
    assert found and found[0][0] == 2
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_the_sheet_is_planned_again_at_confirmation(login, office, branch_a):
    client = login(office)
    response = preview(client, xlsx_file([HEADER, ["王建国", "13900001111", "第一党支部", "书记"]]))
    # Meanwhile somebody appointed a secretary of the branch.
    User.objects.create(username="late", role="branch", branch=branch_a, position="secretary")
    done = confirm(client, response)
    assert done.status_code == 200 and done.context["plan"].problems
    assert not User.objects.filter(username="13900001111").exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("人员.txt", b"hello"), "不接受这种文件类型"),
        (SimpleUploadedFile("人员.xls", files.old_ole()), "旧版 Office 文件"),
        (SimpleUploadedFile("人员.csv", b"x" * (MAX_UPLOAD_BYTES + 1)), "文件过大"),
        (SimpleUploadedFile("人员.xlsx", files.encrypted_ole()), "该文件设置了密码"),
        (SimpleUploadedFile("人员.csv", files.EXE), "不接受这种文件类型"),
        (SimpleUploadedFile("人员.xlsx", files.many_entries_docx(2000)), "文件包含的部件过多"),
    ],
    ids=["wrong-type", "old-xls", "oversized", "password-protected", "exe-as-csv", "too-many-parts"],
)
def test_unacceptable_files_are_refused_before_anything_parses_them(login, office, upload, message):
    response = preview(login(office), upload)
    assert message in response.content.decode()
    assert not UserImport.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_opened(login, office):
    bomb = files.office_zip(
        {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/s.xml": bytes(60 * 1024 * 1024)}
    )
    response = preview(login(office), SimpleUploadedFile("人员.xlsx", bomb))
    assert "打开后会过大" in response.content.decode()
    assert not UserImport.objects.exists()


def test_csv_in_gbk_with_the_usual_headers(login, office, branch_a):
    content = "姓名,手机号码,所属支部,职务\n吴敏,13900009999,第一党支部,委员\n".encode("gb18030")
    response = preview(login(office), SimpleUploadedFile("人员.csv", content))
    assert response.context["plan"].summary["create"] == 1


def test_branch_workers_may_not_import(login, secretary_a, branch_a):
    response = preview(login(secretary_a), xlsx_file([HEADER, ["王建国", "13900001111", "第一党支部", "委员"]]))
    assert response.status_code == 403


def test_template_has_the_headers_the_importer_reads(login, office):
    response = login(office).get(reverse("accounts:user_import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [cell.value for cell in workbook.active[1]] == ["姓名*", "手机", "支部", "职务"]


def test_unconfirmed_uploads_are_purged_after_a_day(office):
    UserImport.objects.create(user=office, filename="a.xlsx", content=b"x")
    assert user_imports_purge() == 0
    assert user_imports_purge(now=timezone.now() + datetime.timedelta(hours=25)) == 1
