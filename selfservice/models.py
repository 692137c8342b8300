"""The retiree's own page (随时求助): a personal link per retiree, with no account.

The link's token is never stored: the row keeps a random `nonce` and the SHA-256 of the token.
The token is the HMAC of the nonce under the server's secret key (`selfservice.services.link_token`),
so the office can print the same link again while a copy of the database alone lets nobody
rebuild a working link. A token holds no id and no name.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import BranchScopedQuerySet


class RetireeLinkQuerySet(BranchScopedQuerySet):
    branch_path = "retiree__branch"

    def live(self):
        return self.filter(revoked_at__isnull=True)


class RetireeLink(models.Model):
    """One personal link of one retiree: live until revoked or replaced by a new one (re-issuing
    revokes the old in the same transaction). Its use is counted here and logged in the audit log."""

    retiree = models.ForeignKey(
        "retirees.Retiree", verbose_name=_("retiree"), on_delete=models.CASCADE, related_name="self_links"
    )
    nonce = models.CharField(_("nonce"), max_length=64, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("times used"), default=0)
    # The rate limit (selfservice.services.link_post_allowed): posts in the hour since window_started_at.
    window_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    window_posts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = RetireeLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["retiree"],
                condition=Q(revoked_at__isnull=True),
                name="selfservice_retireelink_one_live",
                violation_error_message=_("This retiree already has a live link."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="selfservice_retireelink_revoked_with_time",
                violation_error_message=_("A revoked link has the time it was revoked."),
            ),
        ]

    def __str__(self):
        return f"{self.retiree} · {self.issued_at:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
