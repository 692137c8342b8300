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
