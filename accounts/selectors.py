"""Reads of user accounts for the office's people pages."""

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent

from . import access
from .choices import Position, Role
from .models import User


def user_list(*, user, q: str = "", role: str = "", branch_id: int | None = None, state: str = "active") -> QuerySet:
    """The accounts office staff manage, each with `has_two_factor` (a confirmed TOTP device):
    one query whatever the number of rows (none for anybody but office staff)."""
    if not access.is_office(user):
        return User.objects.none()
    queryset = User.objects.select_related("branch").annotate(
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    if q:
        queryset = queryset.filter(
            Q(username__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(phone__contains=q)
        )
    if role:
        queryset = queryset.filter(role=role)
    if branch_id is not None:
        queryset = queryset.filter(branch_id=branch_id)
    if state == "active":
        queryset = queryset.filter(is_active=True)
    elif state == "inactive":
        queryset = queryset.filter(is_active=False)
    # Office staff first, then administrators, then each branch's secretary and committee.
    role_rank = Case(When(role=Role.OFFICE, then=0), When(role=Role.ADMIN, then=1), default=2)
    return queryset.order_by(
        "-is_active", role_rank, "branch__name", "-position", "last_name", "first_name", "username"
    )


def user_get(*, user, pk: int) -> User:
    """One account for the people pages; 404 for anybody but office staff and for a missing id."""
    return get_object_or_404(user_list(user=user, state="all"), pk=pk)


def user_history(*, user, target: User, limit: int = 20) -> list[AuditEvent]:
    """The latest audit events about `target`'s account (changes, resets) and their own password changes."""
    if not access.is_office(user):
        return []
    about = Q(detail__target=target.pk) | Q(actor=target, action=AuditEvent.Action.PASSWORD_CHANGE)
    return list(AuditEvent.objects.filter(about).order_by("-created_at", "-id")[:limit])


def secretaries_by_branch() -> dict[int, User]:
    """Branch id -> its secretary (active or not), for the form's explanation; one query."""
    return {u.branch_id: u for u in User.objects.filter(position=Position.SECRETARY).select_related("branch")}
