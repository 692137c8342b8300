"""Access scoping: the one rule that decides which rows a user may see.

Office staff and admins see every branch; a branch secretary or committee member sees only
their own branch; anybody else sees nothing. Every model's `visible_to(user)` queryset method
calls `scope_by_branch` with the path from that model to its branch, and every view fetches
through `visible_to`, so an object outside the user's scope is a 404.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet


def scope_by_branch(queryset: QuerySet, user, branch_path: str) -> QuerySet:
    """Filter `queryset` to the rows `user` may see; `branch_path` leads to the branch id."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_all_branches:
        return queryset
    if user.branch_id is None:
        return queryset.none()
    return queryset.filter(**{branch_path: user.branch_id})


class BranchScopedQuerySet(QuerySet):
    """A queryset whose model reaches its branch through `branch_path`."""

    branch_path = "branch"

    def visible_to(self, user):
        """Rows `user` may see (adds one filter; runs no query by itself)."""
        return scope_by_branch(self, user, self.branch_path)


def office_required(view):
    """Office staff and admins only. Others get a 403: such pages reveal no particular object."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def require_office(request) -> None:
    """For pages about one object: fetch it first (404 outside scope), then refuse non-office users."""
    if not request.user.is_office:
        raise PermissionDenied


class AddressedQuerySet(BranchScopedQuerySet):
    """Rows addressed to every branch (`all_branches`) or to the branches in the `branches` M2M."""

    branch_path = "branches"

    def visible_to(self, user):
        """Rows addressed to the user's branch or to all; everything for office staff (no query by itself)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all_branches:
            return self
        if user.branch_id is None:
            return self.none()
        through = self.model.branches.through
        addressed = through.objects.filter(**{f"{self.model._meta.model_name}_id": OuterRef("pk")}).filter(
            branch_id=user.branch_id
        )
        return self.filter(Q(all_branches=True) | Q(Exists(addressed)))


def serving_staff(*, branch_id):
    """Active users who may look after a retiree of branch `branch_id`: office staff and
    administrators, and the workers of that branch (the choices for a responsible person, an
    assignee or a visitor)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return user_model.objects.filter(is_active=True).filter(
        Q(role__in=[user_model.Role.OFFICE, user_model.Role.ADMIN]) | Q(branch=branch_id)
    )


def may_serve(user, retiree) -> bool:
    """Whether `user` may be responsible for, or assigned to help, `retiree`: an active office
    worker, or an active worker of the retiree's branch (no query)."""
    return user.is_active and (
        user.sees_all_branches or (user.branch_id is not None and user.branch_id == retiree.branch_id)
    )


def office_only(user) -> None:
    """For services: refuse (PermissionDenied) a user who is not office staff or an administrator."""
    if not user.is_office:
        raise PermissionDenied("Office staff only.")


def fetch_in_scope(queryset: QuerySet, *, user, pk, lock: bool = False):
    """For services: the row `pk` of `queryset` again, as `user` may see it (locked for update with
    `lock`); PermissionDenied when it is outside the user's scope."""
    scoped = queryset.visible_to(user)
    if lock:
        scoped = scoped.select_for_update()
    try:
        return scoped.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise PermissionDenied(f"The {queryset.model._meta.model_name} is outside the user's scope.") from None
