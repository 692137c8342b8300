from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from branches.models import Branch
from tests.factories import make_retiree, make_user


def test_branch_detail_lists_committee_and_retirees(login, office, secretary_a, committee_a, retiree_a):
    response = login(office).get(reverse("branches:detail", args=[secretary_a.branch.pk]))
    page = response.content.decode()
    assert str(secretary_a) in page and str(committee_a) in page and retiree_a.name in page
    assert response.context["branch"].retiree_count == 1


def test_branch_list_query_count_is_constant(login, office):
    client = login(office)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("branches:list")).status_code == 200
        return len(captured)

    first = Branch.objects.create(name="甲支部")
    make_user("s1", role=User.Role.BRANCH, branch=first, position=User.Position.SECRETARY)
    make_retiree(first, "王一")
    small = count()
    for number in range(10):
        branch = Branch.objects.create(name=f"支部{number}")
        make_user(f"s{number + 2}", role=User.Role.BRANCH, branch=branch, position=User.Position.SECRETARY)
        make_retiree(branch, f"李{number}")
    # session, user, branches with counts, their members (the session's expiry is refreshed at
    # most once a minute: core.middleware.SessionTouchMiddleware)
    assert small == count() == 4
