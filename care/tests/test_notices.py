import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from care import selectors, services
from care.models import Notice, NoticeDelivery

PDF = b"%PDF-1.4\n% a letter\n"


def _docx() -> bytes:
    """A minimal .docx, the same bytes on every call (entries dated, not stamped with the clock)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def _publish(office, **kwargs):
    return services.notice_publish(user=office, title="致离退休同志的一封信", body="请注意防护。", **kwargs)


def test_publishing_to_some_branches_creates_one_delivery_per_active_retiree(office, retiree_a, retiree_b, branch_a):
    notice = _publish(office, branches=[branch_a])
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
        reverse("care:notice_create"),
        {"title": "一封信", "body": "正文", "all_branches": "on", "attachment": script},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "不接受这种文件类型" in response.content.decode()
    assert not Notice.objects.exists()


def test_docx_is_accepted_stored_under_a_random_name_and_served_only_in_scope(
    login, office, secretary_a, secretary_b, branch_a, settings
):
    notice = _publish(office, branches=[branch_a], attachment=SimpleUploadedFile("通知.docx", _docx()))
    assert notice.attachment.name.startswith("notices/") and notice.attachment.name.endswith(".docx")
    assert "通知" not in notice.attachment.name
    assert notice.attachment_type.endswith("wordprocessingml.document")
    url = reverse("care:notice_attachment", args=[notice.pk])
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
    client.post(reverse("care:notice_deliver", args=[notice.pk]), {"retiree": retiree_a.pk, "method": "phone"})
    delivery = NoticeDelivery.objects.get(retiree=retiree_a)
    assert (delivery.method, delivery.delivered_by, delivery.acknowledged_at) == ("phone", secretary_a, None)
    client.post(
        reverse("care:notice_deliver", args=[notice.pk]),
        {"retiree": retiree_a.pk, "method": "phone", "acknowledged": "on"},
    )
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is not None
    assert f'data-notice-action="{notice.pk}"' not in client.get(reverse("checkins:call_list")).content.decode()


def test_progress_per_branch_reaches_100_percent(office, secretary_a, retiree_a, retiree_b):
    notice = _publish(office)
    services.notice_delivery_mark(user=secretary_a, notice=notice, retiree=retiree_a, method="wechat")
    rows = {row["branch"]: row for row in selectors.notice_progress(user=office, notice=notice)}
    assert rows[retiree_a.branch]["percent"] == 100
    assert rows[retiree_b.branch]["percent"] == 0
    assert [row["branch"] for row in selectors.notice_progress(user=secretary_a, notice=notice)] == [retiree_a.branch]


def test_secretary_cannot_mark_another_branchs_retiree(login, office, secretary_a, retiree_b):
    notice = _publish(office)
    response = login(secretary_a).post(
        reverse("care:notice_deliver", args=[notice.pk]), {"retiree": retiree_b.pk, "method": "phone"}
    )
    assert response.status_code == 404
    assert not NoticeDelivery.objects.filter(delivered_at__isnull=False).exists()
