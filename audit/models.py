from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ACTIONS = [
    "login",
    "login_failed",
    "logout",
    "view_retiree",
    "reveal",
    "export",
    "personal_export",
    "anonymise",
    "password_change",
    "user_create",
    "user_change",
    "user_deactivate",
    "user_activate",
    "password_reset",
    "two_factor_reset",
    "user_import",
    "exemption_request",
    "exemption_approve",
    "exemption_refuse",
    "exemption_revoke",
    "attention_lift",
    "link_issue",
    "link_revoke",
    "link_export",
    "link_use",
]


class AuditEvent(models.Model):
    """Who saw, revealed, exported, signed in or changed a user account, and when.

    Written once, never changed by the app."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        VIEW_RETIREE = "view_retiree", _("Viewed a retiree")
        REVEAL = "reveal", _("Revealed personal data")
        EXPORT = "export", _("Exported a ledger")
        PERSONAL_DATA_EXPORT = "personal_export", _("Exported a retiree's personal data")
        ANONYMISE = "anonymise", _("Anonymised a retiree")
        PASSWORD_CHANGE = "password_change", _("Changed password")
        USER_CREATE = "user_create", _("Added a user")
        USER_CHANGE = "user_change", _("Changed a user")
        USER_DEACTIVATE = "user_deactivate", _("Deactivated a user")
        USER_ACTIVATE = "user_activate", _("Reactivated a user")
        PASSWORD_RESET = "password_reset", _("Reset a user's password")
        TWO_FACTOR_RESET = "two_factor_reset", _("Turned off a user's two-factor authentication")
        USER_IMPORT = "user_import", _("Imported users")
        EXEMPTION_REQUEST = "exemption_request", _("Requested an exemption")
        EXEMPTION_APPROVE = "exemption_approve", _("Approved an exemption")
        EXEMPTION_REFUSE = "exemption_refuse", _("Refused an exemption")
        EXEMPTION_REVOKE = "exemption_revoke", _("Ended an exemption")
        ATTENTION_LIFT = "attention_lift", _("Lifted a retiree's attention")
        LINK_ISSUE = "link_issue", _("Issued a retiree's personal link")
        LINK_REVOKE = "link_revoke", _("Revoked a retiree's personal link")
        LINK_EXPORT = "link_export", _("Printed or downloaded personal links")
        # The retiree's own page: opened, checked in, asked for help or a call back, read a notice.
        LINK_USE = "link_use", _("Used their personal link")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    retiree = models.ForeignKey(
        "retirees.Retiree",
        verbose_name=_("retiree"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ACTIONS),
                name="audit_auditevent_action_valid",
                violation_error_message=_("Unknown action."),
            )
        ]
        indexes = [
            # The admin's search by person and by retiree, newest first.
            models.Index(fields=["actor", "-created_at"], name="audit_auditevent_actor"),
            models.Index(fields=["retiree", "-created_at"], name="audit_auditevent_retiree"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted through the app.")
