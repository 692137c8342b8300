"""Roster import: round trip, tolerance of real office files, every bad input, all or nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.imports import MAX_UPLOAD_BYTES, parse_date
from ledgers.models import ImportUpload
from ledgers.tests.importing import confirm, problems, summary, upload, upload_of, xlsx_file
from retirees.models import Retiree
from retirees.validators import id_number_check_digit
from tests import files
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db


def id_number(first17="11010819400503002"):
    return first17 + id_number_check_digit(first17)


def preview(client, file):
    return upload(client, file)


def registry_state():
    fields = [f.name for f in Retiree._meta.fields if f.name not in ("updated_at",)]
    return sorted(Retiree.objects.values_list(*fields))


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime.datetime(1940, 5, 3), datetime.date(1940, 5, 3)),
        ("1940.5.3", datetime.date(1940, 5, 3)),
        ("1940年5月3日", datetime.date(1940, 5, 3)),
        ("１９４０－０５－０３", datetime.date(1940, 5, 3)),
        ("1940/05/03", datetime.date(1940, 5, 3)),
        ("19400503", datetime.date(1940, 5, 3)),
        (14734, datetime.date(1940, 5, 3)),  # an Excel serial number in an unformatted cell
    ],
)
def test_dates_are_read_the_ways_offices_write_them(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exported_registry_imports_back_without_changes(login, office, branch_a, branch_b, file_format):
    make_retiree(branch_a, "曾宪梅", gender="female", birth_date=datetime.date(1940, 5, 3), id_number=id_number())
    make_retiree(
        branch_b, "单立新", category="lixiu", community="=蓝旗营", notes="高血压", residence_area="east", phone_alt=""
    )
    make_retiree(branch_a, "覃玉兰", care_level="dependent", living_situation="caregiver", former_unit="物理系")
    before = registry_state()
    client = login(office)
    # Only a file with full ID numbers can match the registry again on them.
    exported = client.get(reverse("retirees:list"), {"export": file_format, "full_id_numbers": "1"})
    content = b"".join(exported.streaming_content)
    response = preview(client, SimpleUploadedFile(f"registry.{file_format}", content))
    assert problems(response) == []
    assert summary(response) == {"create": 0, "update": 0, "unchanged": 3}
    assert "没有需要更改的内容" in response.content.decode()  # and no confirm button
    assert registry_state() == before


def test_a_masked_export_imports_back_too_its_masked_id_numbers_left_alone(login, office, branch_a):
    make_retiree(branch_a, "曾宪梅", gender="female", birth_date=datetime.date(1940, 5, 3), id_number=id_number())
    before = registry_state()
    client = login(office)
    content = b"".join(client.get(reverse("retirees:list"), {"export": "xlsx"}).streaming_content)
    assert "1101**********" in load_workbook(io.BytesIO(content)).active["R3"].value
    response = preview(client, SimpleUploadedFile("registry.xlsx", content))
    assert problems(response) == [] and summary(response) == {"create": 0, "update": 0, "unchanged": 1}
    assert registry_state() == before


def test_text_with_control_characters_and_markup_imports_back_from_an_export(login, office, branch_a):
    make_retiree(branch_a, "王明", notes="第一行\r\n第二行\x07 _x0041_ <b>&amp;</b> ]]>", address="5号楼\t2单元")
    before = registry_state()
    client = login(office)
    content = b"".join(client.get(reverse("retirees:list"), {"export": "xlsx"}).streaming_content)
    response = preview(client, SimpleUploadedFile("registry.xlsx", content))
    assert problems(response) == []
    assert summary(response) == {"create": 0, "update": 0, "unchanged": 1}
    assert registry_state() == before


def test_a_real_office_roster_is_read_and_existing_retirees_are_updated_not_duplicated(login, office, branch_a):
    existing = make_retiree(branch_a, "曾宪梅", gender="female", birth_date=datetime.date(1940, 5, 3), phone="")
    upload = xlsx_file(
        [
            ["第一党支部离退休人员名册（2022年5月）"],
            [],
            ["序号", "姓 名", "性别", "出生年月日", "支部", "手机号码", "身份证号码", "类别"],
            [1, "曾 宪梅", "女", "1940年5月3日", "第一党支部", "１３８ ０００１ ２２２２", None, "退休"],
            [2, "王明", "男", datetime.datetime(1941, 2, 3), "一支部", "13800003333", id_number(), "离休"],
            [3, "李　华", "女", "1945.12.1", "第一党支部", None, None, None],
            [None, None, None, None, None, None, None, None],
            [],
        ]
    )
    client = login(office)
    response = preview(client, upload)
    assert problems(response) == []
    assert summary(response) == {"create": 2, "update": 1, "unchanged": 0}
    assert Retiree.objects.count() == 1  # the preview wrote nothing
    confirm(client, response)
    assert Retiree.objects.count() == 3
    existing.refresh_from_db()
    assert existing.phone == "13800012222"
    wang = Retiree.objects.get(name="王明")
    assert (wang.category, wang.birth_date, wang.id_number, wang.name_initials) == (
        "lixiu",
        datetime.date(1941, 2, 3),
        id_number(),
        "wm",
    )
    assert Retiree.objects.get(name="李华").created_by == office


def test_a_second_import_matches_on_id_number_even_when_the_name_changed(login, office, branch_a):
    retiree = make_retiree(branch_a, "王明", birth_date=datetime.date(1940, 5, 3), id_number=id_number())
    upload = xlsx_file(
        [["姓名", "性别", "出生日期", "所在支部", "身份证号"], ["王 敏", "男", "1940-05-03", "第一党支部", id_number()]]
    )
    client = login(office)
    confirm(client, preview(client, upload))
    retiree.refresh_from_db()
    assert retiree.name == "王敏" and Retiree.objects.count() == 1


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("名册.txt", b"hello"), "不接受这种文件类型：只能上传 Excel（.xlsx）、CSV（.csv）。"),
        (SimpleUploadedFile("名册.xls", files.old_ole()), "旧版 Office 文件"),
        (SimpleUploadedFile("名册.xlsx", b""), "空文件"),
        (SimpleUploadedFile("名册.csv", b"x" * (MAX_UPLOAD_BYTES + 1)), "文件过大"),
        (SimpleUploadedFile("名册.xlsx", b"PK\x03\x04 not really a zip"), "文件已损坏"),
        (SimpleUploadedFile("名册.xlsx", files.encrypted_ole()), "该文件设置了密码"),
        (SimpleUploadedFile("名册.xlsx", files.office_zip({"hello.txt": "hi"})), "不接受这种文件类型"),
        (SimpleUploadedFile("名册.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200), "不接受这种文件类型"),
        (SimpleUploadedFile("名册.csv", files.EXE), "不接受这种文件类型"),
        (SimpleUploadedFile("名册.xlsx", files.many_entries_docx(2000)), "文件包含的部件过多"),
    ],
    ids=[
        "wrong-type",
        "old-xls",
        "empty",
        "oversized",
        "corrupt",
        "password-protected",
        "zip-not-a-workbook",
        "image-as-xlsx",
        "exe-as-csv",
        "20000-entries",
    ],
)
def test_unacceptable_files_are_refused_by_the_form_before_anything_parses_them(login, office, file, message):
    response = preview(login(office), file)
    assert message in response.content.decode()
    assert "upload" not in response.context
    assert not ImportUpload.objects.exists() and not Retiree.objects.exists()


def test_a_workbook_named_csv_is_read_as_a_workbook(login, office, branch_a):
    upload = xlsx_file(
        [["姓名", "性别", "出生日期", "所在支部"], ["王明", "男", "1940-05-03", "第一党支部"]], "名册.csv"
    )
    client = login(office)
    confirm(client, preview(client, upload))
    assert Retiree.objects.get().name == "王明"


def test_missing_required_columns_are_named(login, office, branch_a):
    response = preview(login(office), xlsx_file([["姓名", "性别"], ["王明", "男"]]))
    assert [(column, message) for _row, column, message in problems(response)] == [
        ("出生日期", "缺少此必填列。"),
        ("所在支部", "缺少此必填列。"),
    ]


def test_every_bad_row_is_listed_and_nothing_is_written(login, office, branch_a):
    make_retiree(branch_a, "张建国")
    before = registry_state()
    upload = xlsx_file(
        [
            ["姓名", "性别", "出生日期", "所在支部", "联系电话", "身份证号"],
            ["王明", "男", "1940-05-03", "第一党支部", "13800001111", None],  # fine on its own
            ["李华", "女", "1940-13-45", "第一党支部", None, None],
            ["赵强", "男", "1941-01-01", "第九党支部", None, None],
            ["王 明", "男", "1940.5.3", "第一党支部", None, None],
            ["钱芳", "不详", "1942-02-02", "第一党支部", "12345", "110108194005030021"],
            [None, "男", "1942-02-02", "第一党支部", None, None],
        ]
    )
    client = login(office)
    response = preview(client, upload)
    found = problems(response)
    assert (3, "出生日期", "“1940-13-45”不是日期：请写成 1940-05-03 这样的格式。") in found
    assert not any(row == 4 for row, _column, _message in found)  # an unknown branch is asked about instead
    assert ("第九党支部", [4]) in [(p["text"], p["rows"]) for p in upload_of(response).prompts]
    assert (5, "姓名", "此人已在第 2 行出现，重复。") in found
    assert ("性别", "不详") in [(p["column"], p["text"]) for p in upload_of(response).prompts]
    # A row waiting for a value to be mapped still has its other cells checked.
    assert {column for row, column, _message in found if row == 6} == {"联系电话", "身份证号"}
    assert (7, "姓名", "此项必填。") in found
    assert "确认导入" not in response.content.decode()
    assert registry_state() == before


def test_bad_phone_and_id_checksum_come_from_the_model_validators(login, office, branch_a):
    upload = xlsx_file(
        [
            ["姓名", "性别", "出生日期", "所在支部", "联系电话", "身份证号"],
            ["钱芳", "女", "1942-02-02", "第一党支部", "12345", "110108194005030021"],
        ]
    )
    found = problems(preview(login(office), upload))
    assert {column for _row, column, _message in found} == {"联系电话", "身份证号"}


def test_an_upload_is_confirmed_once_and_only_by_its_uploader(login, office, admin_user, branch_a):
    client = login(office)
    response = preview(
        client, xlsx_file([["姓名", "性别", "出生日期", "所在支部"], ["王明", "男", "1940-05-03", "一支部"]])
    )
    checked = upload_of(response)
    url = reverse("ledgers:import_confirm", args=[checked.pk])
    other = login(admin_user)
    assert other.post(url).status_code == 404 and not Retiree.objects.exists()
    assert other.get(checked.get_absolute_url()).status_code == 404
    client = login(office)
    client.post(url)
    client.post(url)
    assert Retiree.objects.count() == 1
    checked.refresh_from_db()
    assert checked.applied_at is not None and bytes(checked.content) == b"" and checked.status == "imported"


def test_an_upload_with_a_bad_id_is_not_found(login, office):
    assert login(office).get("/ledgers/import/not-a-uuid/").status_code == 404


def test_the_template_downloads_and_imports_once_filled(login, office, branch_a):
    client = login(office)
    response = client.get(reverse("ledgers:import_template"), {"kind": "roster"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[2]]
    assert headers[:4] == ["姓名*", "性别*", "出生日期*", "所在支部*"]
    assert sheet["O3"].number_format == "@"  # the ID number column keeps every digit
    sheet.append(["王明", "男", "1940-05-03", "第一党支部"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    confirm(client, preview(client, SimpleUploadedFile("template.xlsx", buffer.getvalue())))
    assert Retiree.objects.get().name == "王明"


def test_a_gbk_csv_from_excel_is_read(login, office, branch_a):
    content = "姓名,性别,出生日期,所在支部\n王明,男,1940/5/3,第一党支部\n".encode("gb18030")
    client = login(office)
    confirm(client, preview(client, SimpleUploadedFile("名册.csv", content)))
    assert Retiree.objects.get().birth_date == datetime.date(1940, 5, 3)


def test_import_is_for_the_office_only(login, secretary_a):
    client = login(secretary_a)
    assert client.get(reverse("ledgers:import")).status_code == 403
    assert client.get(reverse("ledgers:import_template")).status_code == 403


def test_a_zip_bomb_is_refused_before_it_is_opened(login, office):
    sheet = bytes(60 * 1024 * 1024)  # 60 MB of zeros, ~60 KB zipped
    bomb = files.office_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/s.xml": sheet})
    assert len(bomb) < 1024 * 1024
    response = preview(login(office), SimpleUploadedFile("名册.xlsx", bomb))
    assert "打开后会过大" in response.content.decode()
    assert not ImportUpload.objects.exists() and not Retiree.objects.exists()


def test_the_page_says_unconfirmed_uploads_are_deleted_after_24_hours(login, office):
    assert "未确认的上传文件将在 24 小时后自动删除" in login(office).get(reverse("ledgers:import")).content.decode()


def test_an_upload_older_than_24_hours_cannot_be_confirmed(login, office, branch_a):
    client = login(office)
    response = preview(
        client, xlsx_file([["姓名", "性别", "出生日期", "所在支部"], ["王明", "男", "1940-05-03", "第一党支部"]])
    )
    checked = upload_of(response)
    ImportUpload.objects.filter(pk=checked.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    response = client.post(reverse("ledgers:import_confirm", args=[checked.pk]), follow=True)
    assert "此次上传已失效" in response.content.decode()
    assert not Retiree.objects.exists()
