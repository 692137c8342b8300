"""The access module: scoping, every role predicate for every persona, the locked in-scope fetch."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import access
from accounts.access import BranchScopedQuerySet, locked_in_scope
from accounts.models import User
from branches.models import Branch
from conftest import make_user
from retirees.choices import Status
from retirees.models import HouseholdContact, Retiree

# --- Scoping -------------------------------------------------------------------------------------


def test_secretary_sees_only_their_branch(secretary_a, retiree_a, retiree_b):
    assert list(Retiree.objects.visible_to(secretary_a)) == [retiree_a]
    assert list(Branch.objects.visible_to(secretary_a)) == [secretary_a.branch]
    assert {c.retiree_id for c in HouseholdContact.objects.visible_to(secretary_a)} == {retiree_a.pk}


def test_committee_member_sees_their_branch(committee_a, retiree_a, retiree_b):
    assert list(Retiree.objects.visible_to(committee_a)) == [retiree_a]


def test_office_and_admin_see_every_branch(office, admin_user, retiree_a, retiree_b):
    for user in (office, admin_user):
        assert set(Retiree.objects.visible_to(user)) == {retiree_a, retiree_b}


def test_anonymous_and_inactive_see_nothing(secretary_a, retiree_a):
    assert not Retiree.objects.visible_to(AnonymousUser()).exists()
    secretary_a.is_active = False
    assert not Retiree.objects.visible_to(secretary_a).exists()


def test_rows_of_no_branch_are_seen_by_every_signed_in_worker_only(secretary_b, retiree_a):
    # `in_branch=None` is how a model tied to no branch (a patrol shift) is scoped.
    assert list(access.scope_by_branch(Retiree.objects.all(), secretary_b, None)) == [retiree_a]
    assert not access.scope_by_branch(Retiree.objects.all(), AnonymousUser(), None).exists()


def test_every_visible_to_goes_through_scope_by_branch():
    """The module's promise: no model writes its own scoping rule."""
    scoped = []
    for model in apps.get_models():
        queryset = model._default_manager.all()
        if not hasattr(queryset, "visible_to"):
            continue
        scoped.append(model)
        assert isinstance(queryset, BranchScopedQuerySet), model
        assert type(queryset).visible_to is BranchScopedQuerySet.visible_to, f"{model} overrides visible_to"
    assert Retiree in scoped and Branch in scoped


# --- Role and position predicates ------------------------------------------------------------------

PERSONAS = ["secretary_a", "committee_a", "secretary_b", "office", "admin_user", "anonymous", "inactive"]

# persona: (sees_all_branches/is_office, is_admin, is_secretary, is_committee_member, can_export,
#           sees_full_phone, may_reveal id_number, may serve retiree_a, may request an exemption)
EXPECTED = {
    "secretary_a": (False, False, True, False, False, True, False, True, True),
    "committee_a": (False, False, False, True, False, True, False, True, False),
    "secretary_b": (False, False, True, False, False, True, False, False, True),
    "office": (True, False, False, False, True, True, True, True, True),
    "admin_user": (True, True, False, False, True, False, True, True, True),
    "anonymous": (False, False, False, False, False, False, False, False, False),
    "inactive": (False, False, False, False, False, False, False, False, False),
}


@pytest.fixture
def persona(request, branch_a):
    if request.param == "anonymous":
        return AnonymousUser()
    if request.param == "inactive":
        return _inactive(request.getfixturevalue("office"))
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_predicates_for_every_persona(persona, request, retiree_a):
    name = request.node.callspec.params["persona"]
    sees_all, admin, secretary, committee, export, full_phone, reveal_id, serves, requests = EXPECTED[name]
    assert access.sees_all_branches(persona) is sees_all
    assert access.is_office(persona) is sees_all
    assert access.is_admin(persona) is admin
    assert access.is_secretary(persona) is secretary
    assert access.is_committee_member(persona) is committee
    assert access.can_export(persona) is export
    assert access.sees_full_phone(persona) is full_phone
    assert access.may_reveal(persona, "id_number") is reveal_id
    assert access.may_reveal(persona, "phone") is True  # a phone is revealed to whoever sees the page
    assert access.may_request_exemption(persona) is requests
    if persona.is_authenticated:
        assert access.may_serve(persona, retiree_a) is serves
        # The model's properties (read by templates) are the module's answers.
        assert persona.sees_all_branches is sees_all
        assert persona.is_office is sees_all
        assert persona.is_admin_role is admin
        assert persona.is_secretary is secretary
        assert persona.is_committee_member is committee
        assert persona.may_request_exemption is requests
    if sees_all:
        access.require_office(persona)
    else:
        with pytest.raises(PermissionDenied):
            access.require_office(persona)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_branch_ids_in_scope_are_the_branches_visible_to_gives(persona, retiree_a, retiree_b):
    branch_ids = access.branch_ids_in_scope(persona)
    visible = set(Retiree.objects.visible_to(persona).values_list("branch_id", flat=True))
    if branch_ids is None:
        assert visible == set(Branch.objects.values_list("pk", flat=True))
    else:
        assert visible == branch_ids == set(Branch.objects.visible_to(persona).values_list("pk", flat=True))


def _inactive(user):
    user.is_active = False
    user.save()
    return user


def test_staff_who_may_serve_is_the_query_form_of_may_serve(
    secretary_a, committee_a, secretary_b, office, admin_user, retiree_a
):
    _inactive(make_user("gone", role=User.Role.OFFICE))
    staff = set(access.staff_who_may_serve(branch_id=retiree_a.branch_id))
    assert staff == {secretary_a, committee_a, office, admin_user}
    assert staff == {user for user in User.objects.all() if access.may_serve(user, retiree_a)}


def test_users_by_role(secretary_a, committee_a, secretary_b, office, admin_user):
    _inactive(make_user("office_off", role=User.Role.OFFICE))
    assert set(access.branch_workers()) == {secretary_a, committee_a, secretary_b}
    assert set(access.secretaries()) == {secretary_a, secretary_b}
    assert set(access.office_staff()) == {office}
    reader = access.office_reader()
    assert reader.pk is None and access.sees_all_branches(reader)


# --- The locked in-scope fetch -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_locked_in_scope_returns_the_row_locked(secretary_a, retiree_a):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert locked_in_scope(Retiree, secretary_a, retiree_a.pk) == retiree_a
    assert "FOR UPDATE" in queries[-1]["sql"]


def test_locked_in_scope_takes_a_queryset(secretary_a, retiree_a):
    with transaction.atomic():
        assert locked_in_scope(Retiree.objects.active(), secretary_a, retiree_a.pk) == retiree_a
        retiree_a.status = Status.MOVED
        retiree_a.save()
        with pytest.raises(PermissionDenied):
            locked_in_scope(Retiree.objects.active(), secretary_a, retiree_a.pk)


@pytest.mark.parametrize("who", ["secretary_b", "anonymous"])
def test_locked_in_scope_refuses_outside_the_scope(who, request, retiree_a):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with transaction.atomic(), pytest.raises(PermissionDenied):
        locked_in_scope(Retiree, user, retiree_a.pk)


def test_locked_in_scope_refuses_a_missing_row_alike(office):
    # Missing and out of scope look the same: the refusal says nothing about what exists.
    with transaction.atomic(), pytest.raises(PermissionDenied):
        locked_in_scope(Retiree, office, 999_999)


# --- No role value outside the module ------------------------------------------------------------

ROLE_VALUE = r'(?:"(?:admin|office|branch|secretary|committee)"|(?:User\.)?(?:Role|Position)\.[A-Z])'
PYTHON_ROLE_USE = re.compile(
    rf"\b(?:role|position)(?:__in)?\s*(?:=|==|!=|in)\s*[\[(]?\s*{ROLE_VALUE}|\.(?:Role|Position)\.[A-Z]"
)
TEMPLATE_ROLE_USE = re.compile(r"\.(?:role|position)\s*(?:==|!=|in)")


def _sources(pattern: str):
    root = Path(settings.BASE_DIR)
    for path in root.glob(pattern):
        parts = set(path.relative_to(root).parts)
        # Tests build personas; migrations and the demo and benchmark generators create users.
        if parts & {".venv", "tests", "migrations", "accounts", "perf", "demo"} or path.name in {
            "conftest.py",
            "demo.py",
        }:
            continue
        yield path


def test_no_role_or_position_value_outside_the_access_module():
    found = [
        f"{path}: {line.strip()}"
        for path in _sources("**/*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if PYTHON_ROLE_USE.search(line)
    ]
    found += [
        f"{path}: {line.strip()}"
        for path in _sources("templates/**/*.html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if TEMPLATE_ROLE_USE.search(line)
    ]
    assert found == []
