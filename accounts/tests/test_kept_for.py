"""accounts.access.kept_for: one kept queryset for every branch's workers, each bound to their own branch."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.access import kept_for
from core import compiled
from core.compiled import PARAMETER
from retirees.models import Retiree
from tests.factories import make_retiree


def _retirees(user):
    return Retiree.objects.visible_to(user).filter(pk=PARAMETER)


@pytest.fixture
def two_branches(branch_a, branch_b):
    return make_retiree(branch=branch_a, name="甲"), make_retiree(branch=branch_b, name="乙")


def test_the_workers_of_every_branch_share_one_sql_bound_to_their_own_branch(
    secretary_a, secretary_b, committee_a, office, two_branches
):
    compiled._kept_querysets.clear()
    in_a, in_b = two_branches
    key = ("test_shared",)
    assert list(kept_for(secretary_a, key, _retirees).bound(in_a.pk)) == [in_a]
    assert list(kept_for(secretary_a, key, _retirees).bound(in_b.pk)) == []
    assert list(kept_for(secretary_b, key, _retirees).bound(in_b.pk)) == [in_b]
    assert list(kept_for(secretary_b, key, _retirees).bound(in_a.pk)) == []
    assert list(kept_for(office, key, _retirees).bound(in_a.pk)) == [in_a]
    assert list(kept_for(office, key, _retirees).bound(in_b.pk)) == [in_b]
    # One kept queryset for both secretaries (compiled once), one for the office.
    assert len([k for k in compiled._kept_querysets if k[0] == "test_shared"]) == 2
    # A committee member of branch A: the same kept queryset, bound to branch A.
    assert list(kept_for(committee_a, key, _retirees).bound(in_a.pk)) == [in_a]
    assert len([k for k in compiled._kept_querysets if k[0] == "test_shared"]) == 2


def test_a_visitor_sees_nothing_and_no_rows_are_held_on_the_shared_queryset(office, two_branches):
    compiled._kept_querysets.clear()
    in_a, _in_b = two_branches
    assert list(kept_for(AnonymousUser(), ("test_none",), _retirees).bound(in_a.pk)) == []
    assert len(list(kept_for(office, ("test_all",), lambda user: Retiree.objects.visible_to(user)))) == 2
    for kept_queryset in compiled._kept_querysets.values():
        assert kept_queryset._result_cache is None
