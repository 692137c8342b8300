"""Writes to user accounts: two-factor devices, and the office's people management.

Every people-management service is keyword-only, takes the acting user first, checks with the
access module that they may do it (PermissionDenied otherwise), validates before saving (a
ValidationError carries the translated message, and nothing is written) and records an audit
event in the same transaction, so that a change and its record stand or fall together.
"""

import datetime
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import audit_record
from core.names import split_name

from . import access
from .choices import Position, Role
from .models import User, UserImport

# --- Two-factor (the user's own) ----------------------------------------------------------------


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use (its secret shown once as a QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with a code from the app; it then replaces any earlier device."""
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


# --- Passwords ----------------------------------------------------------------------------------

# No 0/o, 1/l/i: a temporary password is read off a screen or a slip of paper and typed by
# somebody in their seventies. 12 characters of 31 are about 59 bits, in three groups of four.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password(user: User | None = None) -> str:
    """A random password that passes the project's password validators, like "k7pm-4xrb-9tne"."""
    while True:
        groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)]
        password = "-".join(groups)
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # vanishingly rare (similar to the user name): draw again
        return password


@transaction.atomic
def own_password_change(*, user: User, password: str, request=None) -> User:
    """The user chose a new password (already validated by the form): it replaces a temporary one."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(action=AuditEvent.Action.PASSWORD_CHANGE, request=request, user=user)
    return user


# --- People management (office staff) ----------------------------------------------------------


def _require_manage(user, target: User) -> None:
    if not access.may_manage_user(user, target):
        raise PermissionDenied("This user may not manage that account.")


def _check_role(user, role: str) -> None:
    if role not in access.assignable_roles(user):
        raise ValidationError({"role": _("You may not give this role.")})


def current_secretary(*, branch_id: int | None, exclude_pk: int | None = None, lock: bool = False) -> User | None:
    """The branch's secretary (active or not: the rule counts both), other than `exclude_pk`; one query."""
    if branch_id is None:
        return None
    queryset = User.objects.filter(branch_id=branch_id, position=Position.SECRETARY).exclude(pk=exclude_pk)
    if lock:
        queryset = queryset.select_for_update()
    return queryset.first()


def secretary_taken_message(secretary: User) -> str:
    """Why a second secretary is refused, and the two ways forward (one place for the form and the import)."""
    state = "" if secretary.is_active else _(" (deactivated)")
    return _(
        "A branch has one secretary, and %(branch)s already has one: %(name)s%(state)s. Tick “replace the "
        "current secretary” to make %(name)s a committee member, or first change %(name)s's position."
    ) % {"branch": secretary.branch.name, "name": secretary, "state": state}


def _free_secretary_seat(*, user, target: User, replace: bool, request=None) -> None:
    """Make room for `target` as their branch's secretary: refuse with the explanation, or (with
    `replace`) make the current secretary a committee member, audited."""
    if target.position != Position.SECRETARY:
        return
    secretary = current_secretary(branch_id=target.branch_id, exclude_pk=target.pk, lock=True)
    if secretary is None:
        return
    if not replace:
        raise ValidationError({"position": secretary_taken_message(secretary)})
    secretary.position = Position.COMMITTEE
    secretary.save(update_fields=["position"])
    audit_record(
        action=AuditEvent.Action.USER_CHANGE,
        request=request,
        user=user,
        target=secretary.pk,
        username=secretary.username,
        fields=["position"],
        position=[Position.SECRETARY, Position.COMMITTEE],
        replaced_by=target.username,
    )


def _save_checked(target: User, *, exclude=("password",)) -> None:
    """Validate (the model's fields and constraints, in the user's language) and save; a race the
    checks could not see (two secretaries saved at once) still ends in a ValidationError."""
    if target.role != Role.BRANCH:
        target.branch, target.position = None, ""
    target.full_clean(exclude=list(exclude))
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError(
            _("Somebody changed this branch's people at the same moment: please try again.")
        ) from None


# Fields whose old and new values the audit log keeps (no personal data: ids and codes).
_AUDITED_VALUES = ("role", "branch_id", "position", "is_active")
_EDITABLE = ("username", "first_name", "last_name", "phone", "email", "role", "branch_id", "position")


@transaction.atomic
def user_create(
    *,
    user,
    username: str,
    name: str,
    role: str,
    branch=None,
    position: str = "",
    phone: str = "",
    email: str = "",
    replace_secretary: bool = False,
    request=None,
) -> tuple[User, str]:
    """Add a user with a temporary password they must change at first sign-in; (user, password).

    The password is returned to be shown once and is kept nowhere else.
    """
    access.require_office(user)
    _check_role(user, role)
    last_name, first_name = split_name(name)
    target = User(
        username=username.strip(),
        last_name=last_name,
        first_name=first_name,
        role=role,
        branch=branch,
        position=position,
        phone=phone.strip(),
        email=email.strip(),
        must_change_password=True,
        is_staff=role == Role.ADMIN,  # the admin site stays the administrators'
    )
    _free_secretary_seat(user=user, target=target, replace=replace_secretary, request=request)
    password = temporary_password(target)
    target.set_password(password)
    _save_checked(target, exclude=())
    audit_record(
        action=AuditEvent.Action.USER_CREATE,
        request=request,
        user=user,
        target=target.pk,
        username=target.username,
        role=role,
        branch=target.branch_id,
        position=target.position,
    )
    return target, password


@transaction.atomic
def user_update(
    *,
    user,
    target: User,
    username: str,
    name: str,
    role: str,
    branch=None,
    position: str = "",
    phone: str = "",
    email: str = "",
    replace_secretary: bool = False,
    request=None,
) -> User:
    """Change a user's name, contact details, role, branch and position (audited: which fields,
    and the old and new role, branch and position)."""
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manage(user, target)
    if role != target.role:
        if not access.may_change_own_standing(user, target):
            raise ValidationError({"role": _("You cannot change your own role: ask another office worker.")})
        _check_role(user, role)
    before = {field: getattr(target, field) for field in _EDITABLE}
    target.last_name, target.first_name = split_name(name)
    target.username = username.strip()
    target.phone, target.email = phone.strip(), email.strip()
    target.role, target.branch, target.position = role, branch, position
    if target.role != Role.BRANCH:
        target.branch, target.position = None, ""
    target.is_staff = target.role == Role.ADMIN
    _free_secretary_seat(user=user, target=target, replace=replace_secretary, request=request)
    _save_checked(target)
    changed = [field for field in _EDITABLE if getattr(target, field) != before[field]]
    if changed:
        audit_record(
            action=AuditEvent.Action.USER_CHANGE,
            request=request,
            user=user,
            target=target.pk,
            username=target.username,
            fields=changed,
            **{
                field.removesuffix("_id"): [before[field], getattr(target, field)]
                for field in changed
                if field in _AUDITED_VALUES
            },
        )
    return target


@transaction.atomic
def user_set_active(*, user, target: User, active: bool, request=None) -> User:
    """Deactivate (signs them out everywhere and refuses their sign-in; nothing of theirs is
    deleted) or reactivate a user."""
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manage(user, target)
    if not access.may_change_own_standing(user, target):
        raise ValidationError(_("You cannot deactivate your own account."))
    if target.is_active == active:
        return target
    target.is_active = active
    target.save(update_fields=["is_active"])
    audit_record(
        action=AuditEvent.Action.USER_ACTIVATE if active else AuditEvent.Action.USER_DEACTIVATE,
        request=request,
        user=user,
        target=target.pk,
        username=target.username,
    )
    return target


@transaction.atomic
def user_password_reset(*, user, target: User, request=None) -> str:
    """Give `target` a temporary password (returned, to be shown once) that they must change at
    their next sign-in. Their open sessions end (the password hash changed) and a lockout after
    failed sign-ins is lifted, which is usually why the office was called."""
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manage(user, target)
    password = temporary_password(target)
    target.set_password(password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    audit_record(
        action=AuditEvent.Action.PASSWORD_RESET,
        request=request,
        user=user,
        target=target.pk,
        username=target.username,
    )
    axes_reset(username=target.username)  # rows in the same database: undone with the rest on failure
    return password


@transaction.atomic
def user_two_factor_reset(*, user, target: User, request=None) -> int:
    """Remove a user's two-factor devices (a lost or replaced phone); they can set it up again."""
    target = User.objects.select_for_update().get(pk=target.pk)
    _require_manage(user, target)
    removed, _per_model = TOTPDevice.objects.filter(user=target).delete()
    if removed:
        audit_record(
            action=AuditEvent.Action.TWO_FACTOR_RESET,
            request=request,
            user=user,
            target=target.pk,
            username=target.username,
        )
    return removed


# --- Users import (the sheet is checked and planned by accounts.imports) -------------------------

# An uploaded sheet names people and their phones: one not confirmed within this time cannot be
# confirmed any more and is deleted by `user_imports_purge` (hourly, from the beat).
USER_IMPORT_LIFETIME = datetime.timedelta(hours=24)


def user_import_store(*, user, filename: str, content: bytes) -> UserImport:
    """Keep an uploaded sheet until its preview is confirmed (or it expires)."""
    access.require_office(user)
    return UserImport.objects.create(user=user, filename=filename[:200], content=content)


def user_imports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the sheets previewed but never confirmed within USER_IMPORT_LIFETIME; how many."""
    cutoff = (now or timezone.now()) - USER_IMPORT_LIFETIME
    deleted, _per_model = UserImport.objects.filter(applied_at__isnull=True, uploaded_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def user_import_apply(*, user, upload_id, request=None):
    """Import a stored sheet, all or nothing, if it still has no problem; (upload, plan, passwords).

    The sheet is planned again (the people may have changed since the preview). The upload is
    locked and marked applied in the same transaction, so a double click imports it once.
    `passwords` holds (user, temporary password) for each user added, to be shown once.
    Returns (None, None, []) when the upload is not this user's, has expired or was already applied.
    """
    # Late: accounts.imports uses this module's rules (names, the secretary message).
    from .imports import users_plan

    access.require_office(user)
    upload = (
        UserImport.objects.select_for_update()
        .filter(
            pk=upload_id,
            user=user,
            applied_at__isnull=True,
            uploaded_at__gte=timezone.now() - USER_IMPORT_LIFETIME,
        )
        .first()
    )
    if upload is None:
        return None, None, []
    plan = users_plan(user=user, content=bytes(upload.content), filename=upload.filename)
    if plan.problems:
        return upload, plan, []
    passwords = []
    # Secretaries who stop being one first, so that a sheet that swaps two people's positions
    # never has two secretaries of one branch at any moment (the database checks each row).
    for row in sorted(plan.rows, key=lambda row: row.user.position == Position.SECRETARY):
        target = row.user
        if row.action == "create":
            password = temporary_password(target)
            target.set_password(password)
            target.must_change_password = True
            _save_checked(target, exclude=())
            passwords.append((target, password))
        elif row.action == "update":
            _save_checked(target)
    created = [row.user.pk for row in plan.rows if row.action == "create"]
    updated = [row.user.pk for row in plan.rows if row.action == "update"]
    upload.applied_at = timezone.now()
    upload.summary = plan.summary
    upload.content = b""  # the people are in the database now; keep no second copy
    upload.save(update_fields=["applied_at", "summary", "content"])
    audit_record(
        action=AuditEvent.Action.USER_IMPORT,
        request=request,
        user=user,
        upload=str(upload.pk),
        created=created,
        updated=updated,
    )
    return upload, plan, passwords
