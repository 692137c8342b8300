"""core.anchors.PageAnchors over the registry list: a far page read from the kept anchors is the
page OFFSET gives, whatever the sort, filter and scope, and stays so after the registry changes.

The anchors are refused inside a transaction that has written retirees, which pytest-django's
default test transaction is: these tests commit (transactional_db)."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import RequestFactory

from core.anchors import CACHE, PageAnchors, sort_keys
from retirees import selectors
from retirees.filters import RetireeFilter
from retirees.models import RegistryChange, Retiree
from retirees.services import registry_changes_fold
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db(transaction=True)

# Few names and birth dates for many retirees: the sort keys repeat, and the id decides.
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"]


@pytest.fixture(autouse=True)
def small_anchors(monkeypatch):
    monkeypatch.setattr(PageAnchors, "EVERY", 4)
    monkeypatch.setattr(PageAnchors, "FROM_PLACE", 4)
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


@pytest.fixture
def registry(branch_a, branch_b):
    for number in range(45):
        make_retiree(
            branch_a if number % 3 else branch_b,
            NAMES[number % len(NAMES)],
            birth_date=datetime.date(1940 + number % 5, 1 + number % 2, 1),
            category="tuixiu" if number % 4 else "lixiu",
            status="active" if number % 7 else "moved",
            **({"moved_on": datetime.date(2025, 1, 1)} if number % 7 == 0 else {}),
        )


def listed(user, **data):
    request = RequestFactory().get("/")
    request.user = user
    return RetireeFilter(data, queryset=selectors.retiree_list(user=user), request=request).qs


def offset_ids(queryset, bottom, limit):
    return list(queryset.values_list("pk", flat=True)[bottom : bottom + limit])


FILTERS = [
    {},
    {"sort": "-name"},
    {"sort": "birth_date"},
    {"sort": "-birth_date"},
    {"sort": "-created"},
    {"sort": "branch"},
    {"sort": "-branch", "status": "all"},
    {"status": "all"},
    {"status": "all", "category": "tuixiu", "sort": "-birth_date"},
    {"q": "wang"},
]


@pytest.mark.parametrize("data", FILTERS)
@pytest.mark.parametrize("persona", ["office", "secretary_a"])
def test_every_far_page_from_the_anchors_is_the_offset_page(registry, request, persona, data):
    user = request.getfixturevalue(persona)
    queryset = listed(user, **data)
    anchors = selectors.registry_anchors()
    total = queryset.count()
    anchored = 0
    for bottom in range(4, total + 2):
        ids = anchors.ids(queryset, bottom, 6)
        if ids is not None:
            anchored += 1
            assert ids == offset_ids(queryset, bottom, 6), (bottom, data)
    # Every page that starts inside the list past the first anchor came from the anchors.
    assert anchored == max(total - 4, 0)


def test_the_anchors_are_made_once_then_a_far_page_is_one_query(registry, office, django_assert_num_queries):
    queryset = listed(office)
    anchors = selectors.registry_anchors()
    # fold the registry's changes, the anchors with the registry's version, the page's ids
    with django_assert_num_queries(3):
        first = anchors.ids(queryset, 17, 6)
    # the page's ids (with the version, to check the anchors against)
    with django_assert_num_queries(1):
        again = anchors.ids(queryset, 30, 6)
    assert first == offset_ids(queryset, 17, 6) and again == offset_ids(queryset, 30, 6)


def test_after_inserts_updates_and_deletes_the_next_far_page_is_exact(
    registry, office, branch_a, django_assert_num_queries
):
    queryset = listed(office)
    anchors = selectors.registry_anchors()
    anchors.ids(queryset, 20, 6)
    # Each write moves rows across the anchors: a name sorting first, a rename, a deletion.
    make_retiree(branch_a, "阿一")
    first = Retiree.objects.order_by("name_pinyin", "id").first()
    Retiree.objects.filter(pk=first.pk).update(name_pinyin="zzz")
    Retiree.objects.filter(pk=Retiree.objects.order_by("-id").values("pk")[1:2]).delete()
    queryset = listed(office)
    # a page against stale anchors (its version differs), fold, the anchors again, the page
    with django_assert_num_queries(4):
        ids = anchors.ids(queryset, 20, 6)
    assert ids == offset_ids(queryset, 20, 6)
    for bottom in range(4, queryset.count()):
        assert anchors.ids(queryset, bottom, 6) == offset_ids(queryset, bottom, 6)


def test_inside_a_transaction_that_wrote_retirees_the_anchors_stand_aside(registry, office, branch_a):
    queryset = listed(office)
    anchors = selectors.registry_anchors()
    assert anchors.ids(queryset, 20, 6) is not None
    with transaction.atomic():
        make_retiree(branch_a, "阿二")
        # Its own row is nobody else's yet: the kept anchors say nothing about this transaction.
        assert anchors.ids(queryset, 20, 6) is None
        transaction.set_rollback(True)
    assert anchors.ids(queryset, 20, 6) == offset_ids(queryset, 20, 6)


def test_a_page_past_the_end_or_near_the_top_is_left_to_offset(registry, office):
    queryset = listed(office)
    anchors = selectors.registry_anchors()
    assert anchors.ids(queryset, 3, 6) is None
    assert anchors.ids(queryset, queryset.count() + 10, 6) is None


def test_orders_the_anchors_cannot_prove_are_left_to_offset(registry, office):
    anchors = selectors.registry_anchors()
    assert sort_keys(Retiree.objects.order_by("name_pinyin")) is None  # not a total order
    assert sort_keys(Retiree.objects.order_by("moved_on", "id")) is None  # NULLs
    assert sort_keys(Retiree.objects.order_by("created_by", "id")) is None  # a key that may be NULL
    assert anchors.ids(listed(office).order_by("created_by__username", "id"), 20, 6) is None
    # A table the registry's version does not watch.
    assert anchors.ids(listed(office).filter(branch__cadence_policies__category="tuixiu"), 20, 6) is None


def test_sort_keys_follow_the_related_models_ordering():
    assert sort_keys(Retiree.objects.order_by("-birth_date", "pk")) == [("birth_date", True), ("id", False)]
    assert sort_keys(Retiree.objects.order_by("-branch", "id")) == [
        ("branch__order", True),
        ("branch__name", True),
        ("id", False),
    ]


def test_after_a_branch_is_reordered_the_next_far_page_sorted_by_branch_is_exact(registry, office, branch_b):
    queryset = listed(office, sort="branch")
    anchors = selectors.registry_anchors()
    assert anchors.ids(queryset, 20, 6) == offset_ids(queryset, 20, 6)
    branch_b.order = 0 if branch_b.order else 999
    branch_b.save()
    for bottom in range(4, queryset.count()):
        assert anchors.ids(queryset, bottom, 6) == offset_ids(queryset, bottom, 6)


def _version():
    with connection.cursor() as cursor:
        cursor.execute(selectors.REGISTRY_VERSION_SQL)
        return cursor.fetchone()[0]


def test_a_fold_keeps_the_registry_version_and_leaves_one_row(registry, branch_a):
    before = _version()
    assert RegistryChange.objects.count() > 1
    registry_changes_fold()
    assert RegistryChange.objects.count() == 1 and _version() == before
    make_retiree(branch_a, "阿三")
    assert _version() == before + 1
