"""Access scoping: the one rule that decides which rows a user may see.

Office staff and admins see every branch; a branch secretary or committee member sees only
their own branch; anybody else sees nothing. Every model's `visible_to(user)` queryset method
calls `scope_by_branch` with the path from that model to its branch, and every view fetches
through `visible_to`, so an object outside the user's scope is a 404.
"""

from django.db.models import QuerySet


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
