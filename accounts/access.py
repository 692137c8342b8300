"""Access: the one module that decides who sees which rows and who may do what.

Scoping. Office staff and admins see every branch; a branch secretary or committee member sees
only their own branch; anybody else (anonymous, inactive) sees nothing. Every model's
`visible_to(user)` is a `BranchScopedQuerySet` (or `AddressedQuerySet`) method and goes through
`scope_by_branch`, so this rule is written once; every view fetches through `visible_to`, so an
object outside the user's scope is a 404. A service that changes a row fetches it again, locked,
with `locked_in_scope`.

Roles. Every question about a user's role or position ("is this office staff?", "may they
export?", "who may be assigned to help this retiree?") is answered here; no other module compares
a role or a position value.

Personal numbers. Phone numbers are the tools of people who call: branch workers and office
staff see them in full on a retiree's page and on call lists; administrators (who manage users
and exports, not calls) see them masked and may reveal one, which is logged. Lists of many people
show them masked to everybody. ID numbers are shown masked to everybody; office staff and
administrators may reveal one (logged).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from core.compiled import SCOPE_PARAMETER, kept

from .choices import Position, Role

OFFICE_ROLES = (Role.ADMIN, Role.OFFICE)

# --- Role and position predicates (no query) -----------------------------------------------------


def is_signed_in(user) -> bool:
    """An authenticated, active user (an anonymous visitor or a disabled account is not)."""
    return user is not None and user.is_authenticated and user.is_active


def sees_all_branches(user) -> bool:
    """Office staff and admins: every branch's rows."""
    return is_signed_in(user) and user.role in OFFICE_ROLES


def is_office(user) -> bool:
    """Office staff or admin: may manage the registry, branches, rounds, plans and shifts."""
    return sees_all_branches(user)


def is_admin(user) -> bool:
    """An administrator: users and roles, the audit log, the admin site."""
    return is_signed_in(user) and user.role == Role.ADMIN


def _branch_position(user, position: str) -> bool:
    return is_signed_in(user) and user.role == Role.BRANCH and user.position == position and user.branch_id is not None


def is_secretary(user) -> bool:
    """The secretary of a branch: signs off the branch's ledgers."""
    return _branch_position(user, Position.SECRETARY)


def is_committee_member(user) -> bool:
    return _branch_position(user, Position.COMMITTEE)


def may_request_exemption(user) -> bool:
    """Who may ask for a retiree of their scope to be exempted from check-ins: a branch secretary
    (for their own branch) or office staff. Office staff alone decide, and never on their own
    request (checkins.models.Exemption's constraints)."""
    return is_office(user) or is_secretary(user)


def may_call_meeting(user) -> bool:
    """Office staff call meetings of anybody; a branch secretary calls their own branch's (the
    meeting then reaches that branch's retirees only: `core.addressing`)."""
    return is_office(user) or is_secretary(user)


def can_export(user) -> bool:
    """Office staff and admins export; branch workers do not (files leave the app's access control)."""
    return is_office(user)


def sees_full_phone(user) -> bool:
    """Whether a retiree's page shows their phone numbers unmasked to `user` (see the module docstring)."""
    return is_signed_in(user) and user.role != Role.ADMIN


def may_reveal(user, field: str) -> bool:
    """Whether `user` may reveal a masked number (`phone`, `phone_alt`, `id_number`) in full (logged)."""
    if field == "id_number":
        return is_office(user)
    return True


def may_serve(user, retiree) -> bool:
    """Whether `user` may be responsible for, or assigned to help, `retiree`: an active office
    worker, or an active worker of the retiree's branch (no query)."""
    return user.is_active and (
        sees_all_branches(user) or (user.branch_id is not None and user.branch_id == retiree.branch_id)
    )


def may_lift_attention(user, retiree) -> bool:
    """Whether `user` may lift a retiree's attention (重点关注): office staff, or the secretary of
    the retiree's own branch (a committee member calls more often, but does not decide to stop)."""
    return is_office(user) or (is_secretary(user) and user.branch_id == retiree.branch_id)


def assignable_roles(user) -> list[str]:
    """The roles `user` may give in the app's people pages: an administrator any; office staff
    office staff and branch workers (not administrators: that would let them grant themselves more)."""
    if is_admin(user):
        return list(Role.values)
    if is_office(user):
        return [Role.OFFICE, Role.BRANCH]
    return []


def may_manage_user(user, target) -> bool:
    """Whether `user` may edit, deactivate or reset the password of `target` (no query): office
    staff manage office staff and branch workers; only an administrator manages an administrator."""
    return is_office(user) and (target.role != Role.ADMIN or is_admin(user))


def may_change_own_standing(user, target) -> bool:
    """Nobody deactivates themselves or changes their own role: the last office account could lock
    the office out of its own app."""
    return user.pk != target.pk


def require_office(user) -> None:
    """Refuse anybody but office staff (PermissionDenied, a 403).

    In a view about one object, call it after fetching the object through `visible_to` (a 404
    outside the scope), so that the refusal reveals nothing.
    """
    if not is_office(user):
        raise PermissionDenied("Office staff only.")


def office_required(view):
    """Office staff and admins only. Others get a 403: such pages reveal no particular object."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_office(request.user)
        return view(request, *args, **kwargs)

    return wrapper


# --- Users by role (querysets; each runs its query when read) -----------------------------------


def staff_who_may_serve(*, branch_id: int | None) -> QuerySet:
    """Users who may be responsible for, or assigned to help, a retiree of `branch_id`: active
    office staff and admins, and the branch's active workers (the query form of `may_serve`)."""
    return get_user_model().objects.filter(is_active=True).filter(Q(role__in=OFFICE_ROLES) | Q(branch=branch_id))


def branch_workers() -> QuerySet:
    """Active secretaries and committee members of every branch."""
    return get_user_model().objects.filter(is_active=True, role=Role.BRANCH)


def secretaries() -> QuerySet:
    """Active branch secretaries (one per branch at most)."""
    return branch_workers().filter(position=Position.SECRETARY)


def office_staff() -> QuerySet:
    """Active office staff (not admins): they get the office's daily digest."""
    return get_user_model().objects.filter(is_active=True, role=Role.OFFICE)


def office_reader():
    """An unsaved stand-in that sees what office staff see, for output read outside any one user's
    account (a branch's group chat)."""
    return get_user_model()(role=Role.OFFICE, is_active=True)


# --- Scoping ------------------------------------------------------------------------------------


def scope_by_branch(queryset: QuerySet, user, in_branch: Callable[[int], Q] | None) -> QuerySet:
    """Filter `queryset` to the rows `user` may see (adds a filter; runs no query by itself).

    `in_branch(branch_id)` is the condition for the rows of one branch; None for rows that belong
    to no branch, which every signed-in worker sees.
    """
    if not is_signed_in(user):
        return queryset.none()
    if in_branch is None or sees_all_branches(user):
        return queryset
    if user.branch_id is None:
        return queryset.none()
    return queryset.filter(in_branch(user.branch_id))


def branch_ids_in_scope(user) -> set[int] | None:
    """The branches whose rows `user` may see, as `scope_by_branch` decides: None for every branch
    (office staff, admins), an empty set for none. For work that can be narrowed before a query
    (the cadence rules compiled into the call list's schedule), never instead of `visible_to`."""
    if not is_signed_in(user):
        return set()
    if sees_all_branches(user):
        return None
    return set() if user.branch_id is None else {user.branch_id}


def scope_key(user) -> frozenset[int] | None:
    """`branch_ids_in_scope(user)` as a dictionary key: two users with the same key get the same
    rows from `visible_to`, hence the same SQL (`core.compiled.kept`)."""
    scope = branch_ids_in_scope(user)
    return None if scope is None else frozenset(scope)


class _BranchWorker:
    """Whom `kept_for` builds the branches' workers' querysets for: a signed-in worker whose branch
    is `SCOPE_PARAMETER`, bound to the real one at each use."""

    is_authenticated = True
    is_active = True
    branch_id = SCOPE_PARAMETER

    def __init__(self, role: str):
        self.role = role


def kept_for(user, key: tuple, build: Callable[[object], QuerySet]) -> QuerySet:
    """`core.compiled.kept` for the queryset `build(user)`, scoped by `visible_to`: office staff
    share one, the workers of every branch share one (built for a stand-in whose branch is
    `SCOPE_PARAMETER`, bound to theirs: a city's thousand branches are one SQL, not a thousand
    kept in each process), and those who see nothing one. `key` names the selector and what
    else its SQL depends on; `build` reads the user through `visible_to` only."""
    scope = branch_ids_in_scope(user)
    # A clone each time: the kept queryset itself is shared, and must never hold rows.
    if scope is None:
        return kept((*key, "all branches"), lambda: build(user)).all()
    if not scope:
        return kept((*key, "no branch"), lambda: build(user)).all()
    (branch_id,) = scope
    return kept((*key, "a branch", user.role), lambda: build(_BranchWorker(user.role))).bound(scope=branch_id)


class BranchScopedQuerySet(QuerySet):
    """A queryset whose model reaches its branch through `branch_path` (None: tied to no branch)."""

    branch_path: str | None = "branch"

    def in_branch(self, branch_id: int) -> Q:
        return Q(**{self.branch_path: branch_id})

    def visible_to(self, user):
        """Rows `user` may see (adds one filter; runs no query by itself)."""
        return scope_by_branch(self, user, None if self.branch_path is None else self.in_branch)


class AddressedQuerySet(BranchScopedQuerySet):
    """Rows of a `core.addressing.AddressedModel`: a branch's workers see those whose audience may
    take in their branch's retirees (the model says which, in `addressed_to_branch`)."""

    branch_path = "branches"

    def in_branch(self, branch_id: int) -> Q:
        return self.model.addressed_to_branch(branch_id)


class OfficeOnlyQuerySet(BranchScopedQuerySet):
    """Rows for the office's eyes only (the weekly reports): those who see every branch see them
    all, a branch's workers none (no row is in their branch), so that their request for one is a 404."""

    def in_branch(self, branch_id: int) -> Q:
        return Q(pk__in=[])


def in_scope(queryset_or_model: QuerySet | type[Model], user, pk, *, lock: bool = False):
    """For services: the row `pk` again, if `user` may see it; PermissionDenied otherwise (whether or
    not the row exists), so that a service refuses and saves nothing. `lock` also locks it."""
    # A model, its manager or a queryset of it.
    queryset = queryset_or_model.objects.all() if isinstance(queryset_or_model, type) else queryset_or_model.all()
    scoped = queryset.visible_to(user)
    if lock:
        scoped = scoped.select_for_update()
    try:
        return scoped.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise PermissionDenied(f"The {queryset.model._meta.model_name} is outside the user's scope.") from None


def locked_in_scope(queryset_or_model: QuerySet | type[Model], user, pk):
    """The row `pk`, locked until the transaction ends (SELECT … FOR UPDATE), if `user` may see it.

    For services that change a row the view already fetched: fetched again inside the scope and
    locked, the row cannot have left the scope, nor been changed by another request, meanwhile.
    Outside the scope (or gone) it is PermissionDenied. Call it inside `transaction.atomic`.
    """
    return in_scope(queryset_or_model, user, pk, lock=True)
