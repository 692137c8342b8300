import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.addressing import Audience
from notices import selectors as notices_selectors
from notices import services as notices_services
from notices.models import Notice, NoticeDelivery
from tests import files

PDF = files.PDF
_docx = files.docx


def _publish(office, **kwargs):
    return notices_services.notice_publish(user=office, title="致离退休同志的一封信", body="请注意防护。", **kwargs)


def test_publishing_to_some_branches_creates_one_delivery_per_active_retiree(office, retiree_a, retiree_b, branch_a):
    notice = _publish(office, audience=Audience.chosen(branches=[branch_a]))
    assert list(notice.deliveries.values_list("retiree", flat=True)) == [retiree_a.pk]


def test_too_large_attachment_is_refused_and_nothing_saved(office, settings, retiree_a):
    settings.OUTREACH_ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        _publish(office, attachment=big)
    assert "attachment" in error.value.error_dict
    assert not Notice.objects.exists() and not NoticeDelivery.objects.exists()


def test_a_forbidden_type_is_refused_by_content_not_name(login, office, retiree_a):
    script = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = login(office).post(
        reverse("notices:notice_create"),
        {"title": "一封信", "body": "正文", "all_branches": "on", "attachment": script},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "不接受这种文件类型" in response.content.decode()
    assert not Notice.objects.exists()


def test_docx_is_accepted_stored_under_a_random_name_and_served_only_in_scope(
    login, office, secretary_a, secretary_b, branch_a, settings
):
    notice = _publish(
        office, audience=Audience.chosen(branches=[branch_a]), attachment=SimpleUploadedFile("通知.docx", _docx())
    )
    assert notice.attachment.name.startswith("notices/") and notice.attachment.name.endswith(".docx")
    assert "通知" not in notice.attachment.name
    assert notice.attachment_type.endswith("wordprocessingml.document")
    url = reverse("notices:notice_attachment", args=[notice.pk])
    response = login(secretary_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == _docx()
    assert login(secretary_b).get(url).status_code == 404
    # The page links to the checking view, never to the stored file.
    assert notice.attachment.name not in login(secretary_a).get(notice.get_absolute_url()).content.decode()


def test_secretary_marks_delivery_and_acknowledgement_from_the_call_list(login, office, secretary_a, retiree_a):
    notice = _publish(office)
    client = login(secretary_a)
    html = client.get(reverse("checkins:call_list")).content.decode()
    assert f'data-notice-action="{notice.pk}"' in html
    client.post(reverse("notices:notice_deliver", args=[notice.pk]), {"retiree": retiree_a.pk, "method": "phone"})
    delivery = NoticeDelivery.objects.get(retiree=retiree_a)
    assert (delivery.method, delivery.delivered_by, delivery.acknowledged_at) == ("phone", secretary_a, None)
    client.post(
        reverse("notices:notice_deliver", args=[notice.pk]),
        {"retiree": retiree_a.pk, "method": "phone", "acknowledged": "on"},
    )
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is not None
    assert f'data-notice-action="{notice.pk}"' not in client.get(reverse("checkins:call_list")).content.decode()


def test_progress_per_branch_reaches_100_percent(office, secretary_a, retiree_a, retiree_b):
    notice = _publish(office)
    notices_services.notice_delivery_mark(user=secretary_a, notice=notice, retiree=retiree_a, method="wechat")
    rows = {row["branch"]: row for row in notices_selectors.notice_progress(user=office, notice=notice)}
    assert rows[retiree_a.branch]["percent"] == 100
    assert rows[retiree_b.branch]["percent"] == 0
    assert [row["branch"] for row in notices_selectors.notice_progress(user=secretary_a, notice=notice)] == [
        retiree_a.branch
    ]


def test_secretary_cannot_mark_another_branchs_retiree(login, office, secretary_a, retiree_b):
    notice = _publish(office)
    response = login(secretary_a).post(
        reverse("notices:notice_deliver", args=[notice.pk]), {"retiree": retiree_b.pk, "method": "phone"}
    )
    assert response.status_code == 404
    assert not NoticeDelivery.objects.filter(delivered_at__isnull=False).exists()


@pytest.mark.parametrize(
    "build, message",
    [
        (files.zip_bomb, "文件打开后会过大"),
        (files.many_entries_docx, "文件包含的部件过多"),
        (files.encrypted_ole, "该文件设置了密码"),
        (lambda: files.EXE, "不接受这种文件类型"),
    ],
    ids=["zip-bomb", "20000-entries", "encrypted", "renamed-exe"],
)
def test_hostile_attachments_are_refused_with_a_clear_message_and_nothing_saved(
    login, office, retiree_a, build, message
):
    attachment = SimpleUploadedFile("通知.docx", build())  # built here, not when the tests are collected
    data = {"title": "一封信", "body": "正文", "all_branches": "on", "attachment": attachment}
    response = login(office).post(reverse("notices:notice_create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Notice.objects.exists() and not NoticeDelivery.objects.exists()


def test_an_attachment_is_served_under_the_title_with_the_extension_of_its_detected_type(
    login, office, secretary_a, branch_a
):
    notice = notices_services.notice_publish(
        user=office,
        title="通知",
        body="正文",
        audience=Audience.chosen(branches=[branch_a]),
        attachment=SimpleUploadedFile("evil.exe", PDF),
    )
    assert notice.attachment_type == "application/pdf" and notice.attachment.name.endswith(".pdf")
    client = login(secretary_a)
    response = client.get(reverse("notices:notice_attachment", args=[notice.pk]))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E9%80%9A%E7%9F%A5.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "通知.pdf" in page and "evil.exe" not in page


@pytest.mark.parametrize(
    "content, extension, content_type",
    [
        (files.docx(), "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"\xff\xd8\xff\xe0" + bytes(64), "jpg", "image/jpeg"),
    ],
)
def test_each_detected_type_is_served_with_its_own_extension_and_content_type(
    login, office, secretary_a, branch_a, content, extension, content_type
):
    notice = notices_services.notice_publish(
        user=office,
        title="Letter to all",
        body="正文",
        audience=Audience.chosen(branches=[branch_a]),
        attachment=SimpleUploadedFile("letter.pdf", content),
    )
    response = login(secretary_a).get(reverse("notices:notice_attachment", args=[notice.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="Letter to all.{extension}"'
    assert response["Content-Type"] == content_type
