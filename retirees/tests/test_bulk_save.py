"""retirees_bulk_save: what retiree_save does per retiree, for many at once (the roster import)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from retirees.models import Retiree
from retirees.services import retirees_bulk_save
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db


def new_retiree(branch, name, **fields) -> Retiree:
    values = {"gender": "male", "birth_date": datetime.date(1945, 3, 8), "category": "tuixiu"}
    values.update(fields)
    return Retiree(name=name, branch=branch, **values)


def test_created_retirees_get_search_keys_author_and_one_history_row_each(office, branch_a):
    created = [new_retiree(branch_a, "王 明"), new_retiree(branch_a, "李华")]
    retirees_bulk_save(user=office, created=created, updated=[], fields=[])
    saved = Retiree.objects.get(name="王明")  # spaces dropped, as retiree_save does
    assert (saved.name_pinyin, saved.name_initials) == ("wangming", "wm")
    assert saved.created_by == office and saved.created_at is not None and saved.updated_at is not None
    history = list(saved.history.all())
    assert [(h.history_type, h.history_user) for h in history] == [("+", office)]
    assert Retiree.history.filter(history_type="+").count() == 2


def test_updated_retirees_are_written_with_a_history_row(office, branch_a):
    retiree = make_retiree(branch_a, "王明", phone="13700000001")
    before = Retiree.objects.get(pk=retiree.pk).updated_at
    retiree.phone = "13700000002"
    retiree.name = "王晓明"
    retirees_bulk_save(user=office, created=[], updated=[retiree], fields=["phone"])
    saved = Retiree.objects.get(pk=retiree.pk)
    assert saved.phone == "13700000002"
    assert (saved.name, saved.name_pinyin) == ("王晓明", "wangxiaoming")
    assert saved.updated_at > before
    latest = saved.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.phone) == ("~", office, "13700000002")


def test_nothing_is_written_when_a_retiree_would_leave_the_users_scope(secretary_a, branch_a, branch_b):
    inside = new_retiree(branch_a, "王明")
    outside = new_retiree(branch_b, "李华")
    with pytest.raises(PermissionDenied):
        retirees_bulk_save(user=secretary_a, created=[inside, outside], updated=[], fields=[])
    assert not Retiree.objects.exists()
    assert not Retiree.history.exists()


def test_moving_a_retiree_out_of_scope_is_rolled_back(secretary_a, branch_a, branch_b):
    retiree = make_retiree(branch_a, "王明")
    retiree.branch = branch_b
    with pytest.raises(PermissionDenied):
        retirees_bulk_save(user=secretary_a, created=[], updated=[retiree], fields=["branch"])
    assert Retiree.objects.get(pk=retiree.pk).branch == branch_a


def test_queries_do_not_grow_with_the_number_of_retirees(office, branch_a, django_assert_max_num_queries):
    # A savepoint, the inserts of the retirees and of their history rows (one each per 1,000),
    # and the scope check.
    created = [new_retiree(branch_a, f"王明{n}") for n in range(50)]
    with django_assert_max_num_queries(6):
        retirees_bulk_save(user=office, created=created, updated=[], fields=[])
    assert Retiree.objects.count() == 50
