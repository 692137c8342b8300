import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.factories import make_user


def test_branch_worker_needs_a_branch(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", role=User.Role.BRANCH, position=User.Position.SECRETARY)


def test_office_staff_has_no_branch(branch_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", role=User.Role.OFFICE, branch=branch_a)


def test_one_secretary_per_branch(secretary_a, branch_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("sec_a2", role=User.Role.BRANCH, branch=branch_a, position=User.Position.SECRETARY)


def test_createsuperuser_makes_an_admin(db):
    user = User.objects.create_superuser("root", "root@example.org", "Persona-pass-2026")
    assert user.role == User.Role.ADMIN and user.sees_all_branches
