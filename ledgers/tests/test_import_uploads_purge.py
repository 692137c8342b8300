"""Uploads checked but never imported are deleted after 24 hours (personal data)."""

import datetime

import pytest
from django.utils import timezone

from ledgers import services, tasks
from ledgers.models import ImportUpload
from outreach.celery import app

pytestmark = pytest.mark.django_db


def _upload(user, *, age: datetime.timedelta, applied: bool = False) -> ImportUpload:
    upload = services.import_upload_store(
        user=user, kind="roster", filename="名册.xlsx", content=b"PK personal data", language="zh-hans"
    )
    ImportUpload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - age,
        applied_at=timezone.now() if applied else None,
        status="imported" if applied else "checked",
    )
    return upload


def test_purge_deletes_unconfirmed_uploads_older_than_24_hours_only(office):
    old = _upload(office, age=datetime.timedelta(hours=24, minutes=1))
    recent = _upload(office, age=datetime.timedelta(hours=23, minutes=59))
    applied = _upload(office, age=datetime.timedelta(days=30), applied=True)
    assert services.import_uploads_purge() == 1
    assert set(ImportUpload.objects.values_list("pk", flat=True)) == {recent.pk, applied.pk}
    assert not ImportUpload.objects.filter(pk=old.pk).exists()


def test_a_second_purge_deletes_nothing(office):
    _upload(office, age=datetime.timedelta(days=2))
    assert services.import_uploads_purge() == 1
    assert services.import_uploads_purge() == 0


def test_the_task_runs_the_purge(office):
    _upload(office, age=datetime.timedelta(days=2))
    tasks.purge_roster_uploads.apply()
    assert not ImportUpload.objects.exists()


def test_the_beat_runs_the_purge_every_hour():
    entry = app.conf.beat_schedule["roster-uploads-purge"]
    assert entry["task"] == tasks.purge_roster_uploads.name == "ledgers.purge_roster_uploads"
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24
