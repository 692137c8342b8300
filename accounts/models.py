import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, choices


class OutreachUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: office staff, a branch secretary or committee member, or an admin.

    A branch worker belongs to exactly one branch and holds a position in it; the branch's
    secretary and committee are read from here, so there is one source of truth for both.
    """

    # The enums live in accounts.choices so that the access module reads them without the model.
    Role = choices.Role
    Position = choices.Position

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BRANCH)
    branch = models.ForeignKey(
        "branches.Branch",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    position = models.CharField(_("position in branch"), max_length=16, choices=Position.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set when the office gives the user a temporary password; PasswordChangeRequiredMiddleware
    # then allows no other page until the user has chosen their own.
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)

    objects = OutreachUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["admin", "office", "branch"]),
                name="accounts_user_role_valid",
                violation_error_message=_("Unknown role."),
            ),
            models.CheckConstraint(
                condition=Q(position__in=["", "secretary", "committee"]),
                name="accounts_user_position_valid",
                violation_error_message=_("Unknown position."),
            ),
            models.CheckConstraint(
                condition=(Q(role="branch", branch__isnull=False) & ~Q(position=""))
                | (~Q(role="branch") & Q(branch__isnull=True, position="")),
                name="accounts_user_branch_matches_role",
                violation_error_message=_("A branch worker needs a branch and a position; other roles have neither."),
            ),
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(position="secretary"),
                name="accounts_user_one_secretary_per_branch",
                violation_error_message=_("This branch already has a secretary."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first, with no space.
        return f"{self.last_name}{self.first_name}".strip()

    def get_short_name(self):
        # How the admin greets a user: by the whole name, as Chinese does ("欢迎，管理员", not "理员").
        return self.get_full_name() or self.username

    # The role predicates are the access module's; these properties let templates read them.

    @property
    def sees_all_branches(self) -> bool:
        return access.sees_all_branches(self)

    @property
    def is_office(self) -> bool:
        """Office staff or admin: may manage the registry and branches."""
        return access.is_office(self)

    @property
    def is_admin_role(self) -> bool:
        return access.is_admin(self)

    @property
    def is_secretary(self) -> bool:
        return access.is_secretary(self)

    @property
    def is_committee_member(self) -> bool:
        return access.is_committee_member(self)

    @property
    def may_request_exemption(self) -> bool:
        return access.may_request_exemption(self)


def branch_model():
    """The Branch model, reached through the user's foreign key: `branches` sits above `accounts`
    (docs/architecture.md), so this app names it only by string."""
    return User._meta.get_field("branch").related_model


class UserImport(models.Model):
    """A users sheet kept between its preview and its confirmation (as ledgers.RosterUpload).

    Only the uploader can confirm it (looked up with `user`); its content is emptied once applied
    and an unconfirmed one is deleted after a day (`services.user_imports_purge`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("users import")
        verbose_name_plural = _("users imports")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class TwoFactorDevice(TOTPDevice):
    """A user's authenticator app (django-otp's TOTP device), as the admin shows it.

    django-otp's model and admin carry no translatable names ("TOTP devices"); this proxy gives
    the admin Chinese ones without changing the third-party model (which would need a migration
    inside django-otp). Devices are set up by their user on the two-factor page, not here.
    """

    class Meta:
        proxy = True
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")
        ordering = ["user__username", "id"]

    def __str__(self):
        return f"{self.user} · {self.name}"
