from django.contrib.auth.models import AnonymousUser

from branches.models import Branch
from retirees.models import HouseholdContact, Retiree


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
