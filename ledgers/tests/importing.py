"""Helpers of the import tests: files built in memory, and the import pages driven as a user does."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ledgers.models import ImportUpload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_file(rows, name="名册.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def csv_file(rows, name="名册.csv", encoding="utf-8-sig") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def upload(client, file, kind="roster"):
    """Upload `file` as `kind` and follow to its page (checked in the request: small files are)."""
    return client.post(reverse("ledgers:import"), {"file": file, "kind": kind}, follow=True)


def upload_of(response) -> ImportUpload:
    found = response.context.get("upload")
    assert found is not None, response.content.decode()[:2000]
    return ImportUpload.objects.get(pk=found.pk)


def problems(response_or_upload) -> list[tuple]:
    item = response_or_upload if isinstance(response_or_upload, ImportUpload) else upload_of(response_or_upload)
    return [tuple(problem) for problem in item.problems]


def summary(response_or_upload) -> dict:
    item = response_or_upload if isinstance(response_or_upload, ImportUpload) else upload_of(response_or_upload)
    return item.result.get("summary")


def confirm(client, response_or_upload):
    """Confirm a ready upload and follow to its page; the upload must have neither problem nor prompt."""
    item = response_or_upload if isinstance(response_or_upload, ImportUpload) else upload_of(response_or_upload)
    assert item.is_ready, (item.problems, item.prompts)
    return client.post(reverse("ledgers:import_confirm", args=[item.pk]), follow=True)


def imported(client, file, kind="roster") -> ImportUpload:
    """Upload, check and confirm `file`; the imported upload."""
    response = confirm(client, upload(client, file, kind))
    done = upload_of(response)
    assert done.status == "imported", (done.status, done.result)
    return done


def export(client, url_name, file_format="xlsx", **params) -> bytes:
    response = client.get(reverse(url_name), {"export": file_format, **params})
    assert response.status_code == 200
    return b"".join(response.streaming_content)
