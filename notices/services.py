"""Writes for notices and their deliveries. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import in_scope, require_office
from core.addressing import EVERYBODY, Audience, address, audience_fields, fan_out
from core.uploads import DOCX, JPEG, PDF, PNG, XLSX, check_upload
from retirees.models import Retiree

from .choices import DeliveryMethod
from .models import Notice, NoticeDelivery

# What a notice may carry: documents and pictures, checked by their content (core.uploads).
ATTACHMENT_KINDS = (PDF, DOCX, XLSX, PNG, JPEG)


@transaction.atomic
def notice_publish(
    *,
    user,
    title: str,
    body: str,
    attachment=None,
    audience: Audience = EVERYBODY,
    published_at: datetime.datetime | None = None,
) -> Notice:
    """Publish a notice to everybody or to an audience of branches and areas (office staff only).

    The attachment is checked by size and by content (not by its name) and stored under a random
    name; one delivery row is created for each active retiree addressed. Bad input saves nothing.
    """
    require_office(user)
    notice = Notice(
        title=title.strip(),
        body=body.strip(),
        published_at=published_at or timezone.now(),
        published_by=user,
        **audience_fields(audience, user=user, model=Notice),
    )
    if attachment is not None:
        try:
            kind = check_upload(
                attachment, accept=ATTACHMENT_KINDS, max_bytes=settings.OUTREACH_ATTACHMENT_MAX_MB * 1024 * 1024
            )
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from None
        notice.attachment_name = PurePosixPath(attachment.name).name[:150]
        notice.attachment_type = kind.content_type
        attachment.name = f"upload.{kind.extension}"  # the stored name is random; its extension follows the content
        notice.attachment = attachment
    notice.full_clean(exclude=["published_by", "attachment"])
    notice.save()
    address(notice, audience)
    fan_out(
        notice,
        user=user,
        recipients=Retiree.objects.active(),
        row=lambda pk: NoticeDelivery(notice=notice, retiree_id=pk),
    )
    return notice


@transaction.atomic
def notice_delivery_mark(
    *, user, notice: Notice, retiree: Retiree, method: str = DeliveryMethod.PHONE, acknowledged: bool = False
) -> NoticeDelivery:
    """Record that a notice reached a retiree (how, now), and optionally that they acknowledged it.

    Idempotent: a delivery keeps its first time; acknowledging implies delivering.
    """
    retiree = in_scope(Retiree.objects, user, retiree.pk)
    try:
        delivery = (
            NoticeDelivery.objects.visible_to(user)
            .select_for_update()
            .get(notice__in=Notice.objects.visible_to(user), notice=notice, retiree=retiree)
        )
    except NoticeDelivery.DoesNotExist:
        raise PermissionDenied("This notice is not addressed to this retiree.") from None
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("Unknown delivery method.")})
    now = timezone.now()
    if delivery.delivered_at is None:
        delivery.delivered_at = now
        delivery.method = method
        delivery.delivered_by = user
    if acknowledged and delivery.acknowledged_at is None:
        delivery.acknowledged_at = now
    delivery.full_clean(exclude=["delivered_by"])
    delivery.save()
    return delivery


@transaction.atomic
def notice_acknowledge_by_retiree(*, retiree: Retiree, delivery_id: int) -> NoticeDelivery:
    """ "我已阅读" on the retiree's own page: the same delivery row the call list marks, delivered
    (read on their own page, unless a worker delivered it before) and acknowledged, now.

    The caller (the selfservice page) has identified the retiree by their link; a delivery of
    somebody else is PermissionDenied, as if it did not exist. Idempotent."""
    try:
        delivery = NoticeDelivery.objects.select_for_update().get(pk=delivery_id, retiree=retiree)
    except NoticeDelivery.DoesNotExist:
        raise PermissionDenied("This notice is not addressed to this retiree.") from None
    now = timezone.now()
    if delivery.delivered_at is None:
        delivery.delivered_at = now
        delivery.method = DeliveryMethod.OWN_PAGE
    if delivery.acknowledged_at is None:
        delivery.acknowledged_at = now
    delivery.full_clean(exclude=["delivered_by"])
    delivery.save()
    return delivery
