"""The one upload checker (core.uploads): every hostile file refused by content, with a clear message."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core import uploads
from core.uploads import CSV, DOCX, JPEG, PDF, PNG, XLSX, check_content, check_upload
from tests import files

EVERYTHING = (PDF, PNG, JPEG, DOCX, XLSX, CSV)
TEN_MB = 10 * 1024 * 1024


def refusal(content: bytes, name: str = "通知.docx", accept=EVERYTHING) -> ValidationError:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check_content(content, name=name, accept=accept, max_bytes=TEN_MB)
    return error.value


def test_a_zip_bomb_renamed_docx_is_refused_from_its_directory_alone():
    bomb = files.zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # ~1 MB on disk, 1 GiB once opened
    error = refusal(bomb)
    assert error.code == "zip_size" and "打开后会过大" in error.messages[0]


def test_a_smaller_bomb_is_refused_by_its_compression_ratio():
    sixty_mb = files.office_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": bytes(60 * 1024 * 1024)})
    assert refusal(sixty_mb).code == "zip_ratio"


def test_a_docx_with_20000_entries_is_refused():
    error = refusal(files.many_entries_docx())
    assert error.code == "zip_entries" and "部件过多" in error.messages[0]


@pytest.mark.parametrize("name", ["evil.exe", "通知.pdf", "通知.docx", "名册.csv"])
def test_a_program_is_refused_whatever_it_is_called(name):
    error = refusal(files.EXE, name=name)
    assert error.code == "forbidden_type" and "不接受这种文件类型" in error.messages[0]


def test_an_encrypted_office_file_is_refused_as_password_protected():
    error = refusal(files.encrypted_ole(), name="通知.docx")
    assert error.code == "encrypted" and "设置了密码" in error.messages[0]


def test_an_old_doc_or_xls_is_refused_with_how_to_convert_it():
    error = refusal(files.old_ole(), name="名册.xls")
    assert error.code == "old_office" and "另存为 .docx 或 .xlsx" in error.messages[0]


def test_a_damaged_zip_is_refused():
    assert refusal(b"PK\x03\x04 not really a zip").code == "bad_zip"


def test_a_zip_that_is_no_office_document_is_refused():
    assert refusal(files.office_zip({"hello.txt": "hi"})).code == "forbidden_type"


def test_an_accepted_type_outside_this_upload_is_refused_naming_what_is_accepted():
    error = refusal(b"%PDF-1.4 roster", name="名册.xlsx", accept=(XLSX, CSV))
    assert error.messages == ["不接受这种文件类型：只能上传 Excel（.xlsx）、CSV（.csv）。"]


@pytest.mark.parametrize(
    "content, name, kind",
    [
        (b"%PDF-1.7\n", "evil.exe", PDF),
        (b"\x89PNG\r\n\x1a\n" + bytes(16), "photo", PNG),
        (b"\xff\xd8\xff\xe0" + bytes(16), "photo.png", JPEG),
        (files.docx(), "letter.pdf", DOCX),
        (files.office_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}), "名册.csv", XLSX),
        ("姓名,性别\n王明,男\n".encode(), "名册.csv", CSV),
    ],
)
def test_the_type_comes_from_the_content_not_the_name(content, name, kind):
    assert check_content(content, name=name, accept=EVERYTHING, max_bytes=TEN_MB) == kind


def test_text_is_csv_only_when_named_so():
    assert refusal("姓名,性别\n".encode(), name="名册.txt").code == "forbidden_type"


def test_an_empty_file_is_refused():
    assert refusal(b"").code == "empty"


def test_size_is_checked_before_the_file_is_read():
    class Huge(io.BytesIO):
        name, size = "big.pdf", TEN_MB + 1

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        check_upload(Huge(), accept=EVERYTHING, max_bytes=TEN_MB)
    assert error.value.code == "too_large" and "文件过大" in error.value.messages[0]


def test_an_upload_is_left_at_its_start_for_whoever_stores_it():
    upload = SimpleUploadedFile("letter.pdf", files.PDF)
    assert check_upload(upload, accept=(PDF,), max_bytes=TEN_MB) == PDF
    assert upload.read() == files.PDF


@pytest.mark.parametrize(
    "title, expected",
    [
        ("通知", "通知.pdf"),
        ('关于"防护"的/一封信: 请阅\x00', "关于 防护 的 一封信 请阅.pdf"),
        ("..", "附件.pdf"),
    ],
)
def test_download_names_are_the_title_made_safe_with_the_detected_extension(title, expected):
    with translation.override("zh-hans"):
        assert uploads.download_name(title, PDF) == expected
