"""Notices (倡议书、一封信) to all or some branches, with one delivery row per retiree addressed."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AddressedQuerySet, BranchScopedQuerySet
from core.addressing import AddressedModel
from core.uploads import FileKind, download_name, kind_for_content_type

from .choices import DeliveryMethod


def notice_upload_to(instance, filename: str) -> str:
    """A random stored name (the original name is kept in `attachment_name`); the extension follows the content."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"notices/{secrets.token_hex(16)}{suffix}"


class Notice(AddressedModel):
    """A letter or announcement to all retirees, or some branches or residence areas; delivered to
    and acknowledged by each.

    Publishing creates one `NoticeDelivery` row per active retiree addressed, so progress is the
    share of those rows marked delivered. The attachment is stored under MEDIA_ROOT and served only
    by `notices.views.notice_attachment`, after the scoping check.
    """

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    attachment = models.FileField(_("attachment"), upload_to=notice_upload_to, blank=True)
    attachment_name = models.CharField(_("attachment file name"), max_length=150, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AddressedQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_notice"
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="care_notice_title_required",
                violation_error_message=_("A notice needs a title."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notices:notice_detail", args=[self.pk])

    @property
    def attachment_kind(self) -> FileKind:
        """The attachment's type as detected from its content when it was uploaded."""
        return kind_for_content_type(self.attachment_type) or FileKind(
            PurePosixPath(self.attachment.name).suffix.lstrip(".") or "bin", "application/octet-stream", ""
        )

    @property
    def attachment_download_name(self) -> str:
        """The name the attachment is served under: the notice's title with the detected type's
        extension, never the name the uploader gave (which could be evil.exe)."""
        return download_name(self.title, self.attachment_kind)


class NoticeDeliveryQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def pending(self):
        return self.filter(acknowledged_at__isnull=True)


class NoticeDelivery(models.Model):
    """One retiree's copy of a notice: how and when it reached them, and when they acknowledged it."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries")
    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.PROTECT, related_name="notice_deliveries"
    )
    method = models.CharField(_("how"), max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = NoticeDeliveryQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved out of `care` (no data moved).
        db_table = "care_noticedelivery"
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["notice", "retiree__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "retiree"],
                name="care_noticedelivery_once_per_retiree",
                violation_error_message=_("This retiree already has this notice."),
            ),
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=[value for value, _label in DeliveryMethod.choices]),
                name="care_noticedelivery_method_valid",
                violation_error_message=_("Unknown delivery method."),
            ),
            models.CheckConstraint(
                condition=(Q(delivered_at__isnull=True) & Q(method=""))
                | (Q(delivered_at__isnull=False) & ~Q(method="")),
                name="care_noticedelivery_delivered_with_method",
                violation_error_message=_("A delivery needs how it was made."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(delivered_at__isnull=False),
                name="care_noticedelivery_ack_after_delivery",
                violation_error_message=_("A notice is acknowledged only once delivered."),
            ),
        ]
        indexes = [
            # pending_notices_for (the call list's action): deliveries not yet acknowledged, by retiree.
            models.Index(fields=["retiree"], name="care_delivery_pending", condition=Q(acknowledged_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.notice} · {self.retiree}"
