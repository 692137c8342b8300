"""A kept queryset compiled once: the same rows as compiling every time, and nothing else served its SQL."""

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.db.models.sql import compiler as sql_compiler
from django.test.utils import CaptureQueriesContext

from branches.models import Branch
from core.compiled import PARAMETER, SLICES_KEPT, compiled_once
from retirees.models import Retiree
from tests.factories import make_retiree


@pytest.fixture
def retirees(db):
    branch = Branch.objects.create(name="东家属区支部")
    other = Branch.objects.create(name="北家属区支部")
    for number in range(12):
        make_retiree(branch if number % 3 else other, f"王{number:02d}")
    return (
        Retiree.objects.select_related("branch")
        .annotate(label=Concat(F("name"), Value("·"), F("branch__name")))
        .order_by("name", "id")
    )


@pytest.fixture
def compilations(monkeypatch):
    """How many times the ORM compiled a SELECT."""
    calls = []
    original = sql_compiler.SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sql_compiler.SQLCompiler, "as_sql", counting)
    return calls


def rows(queryset):
    return [(retiree.pk, retiree.name, retiree.label, retiree.branch.name) for retiree in queryset]


def test_pages_are_the_rows_a_plain_queryset_gives_and_are_compiled_once(retirees, compilations):
    kept = compiled_once(retirees)
    expected = [rows(retirees.all()[0:5]), rows(retirees.all()[5:10]), rows(retirees.all())]
    compilations.clear()
    for _ in range(3):
        assert [rows(kept.all()[0:5]), rows(kept.all()[5:10]), rows(kept.all())] == expected
    assert len(compilations) == 3
    for _ in range(3):
        [rows(retirees.all()[0:5]), rows(retirees.all()[5:10]), rows(retirees.all())]
    assert len(compilations) == 3 + 9


def test_the_rows_are_read_afresh_each_time(retirees):
    kept = compiled_once(retirees)
    first = rows(kept.all()[0:3])
    Retiree.objects.filter(pk=first[0][0]).update(name="王00改")
    assert rows(kept.all()[0:3])[0][1] == "王00改"


def test_a_filtered_or_reordered_queryset_is_compiled_for_itself(retirees):
    kept = compiled_once(retirees)
    rows(kept.all()[0:5])
    one = kept.all()[0:5]
    assert rows(kept.filter(name="王07")) == rows(retirees.filter(name="王07"))
    assert rows(kept.order_by("-name")[0:5]) == rows(retirees.order_by("-name")[0:5])
    assert rows(kept.exclude(branch__name="北家属区支部")[0:5]) == rows(
        retirees.exclude(branch__name="北家属区支部")[0:5]
    )
    assert list(kept.values_list("name", flat=True)[0:2]) == ["王00", "王01"]
    assert kept.all().count() == 12 and kept.all()[0:5].count() == 5
    assert Retiree.objects.filter(pk__in=kept.values("pk")[0:5]).count() == 5
    assert rows(one) == rows(retirees[0:5])


def test_one_row_by_index_and_a_page_past_the_end(retirees):
    kept = compiled_once(retirees)
    assert kept.all()[3].pk == retirees[3].pk
    assert rows(kept.all()[50:60]) == []


def test_one_query_for_a_page_as_before(retirees):
    kept = compiled_once(retirees)
    rows(kept.all()[0:5])
    with CaptureQueriesContext(connection) as queries:
        rows(kept.all()[0:5])
    assert len(queries) == 1


def test_slices_kept_are_bounded(retirees):
    kept = compiled_once(retirees)
    for start in range(SLICES_KEPT + 5):
        list(kept.all()[start : start + 1])
    assert len(kept._compiled_store) == SLICES_KEPT
    assert rows(kept.all()[2:4]) == rows(retirees[2:4])


def test_the_queryset_keeps_its_own_methods(retirees):
    kept = compiled_once(Retiree.objects.all())
    assert list(kept.active().values_list("pk", flat=True)) == list(
        Retiree.objects.active().values_list("pk", flat=True)
    )


def test_a_bound_value_is_the_queryset_filtered_by_it_compiled_once(retirees, compilations):
    kept = compiled_once(retirees.filter(pk=PARAMETER))
    wanted = list(retirees)
    compilations.clear()
    for retiree in wanted:
        assert rows(kept.bound(retiree.pk)[:1]) == rows(retirees.filter(pk=retiree.pk))
    assert len(compilations) == 1 + len(wanted)  # the kept one once, the plain ones each time
    assert rows(kept.all()) == []  # nothing has the placeholder as its id
    assert rows(kept.bound(-1)) == []
    with pytest.raises(TypeError):
        kept.bound("1")


def test_a_bound_value_does_not_leak_into_another_evaluation(retirees):
    kept = compiled_once(retirees.filter(pk=PARAMETER))
    first, second = list(retirees[:2])
    one = kept.bound(first.pk)
    two = kept.bound(second.pk)
    assert [row[0] for row in rows(two)] == [second.pk]
    assert [row[0] for row in rows(one)] == [first.pk]
    # The value is bound into the kept SQL only: a further operation would build the query as it
    # was built, about no row. It is refused rather than answered wrong.
    with pytest.raises(TypeError):
        kept.bound(first.pk).filter(name=first.name)
    with pytest.raises(TypeError):
        kept.bound(first.pk).count()
    with pytest.raises(TypeError):
        kept.bound(first.pk)[:1].exists()


def test_a_bound_queryset_is_sliced_indexed_and_read(retirees):
    kept = compiled_once(retirees.filter(pk=PARAMETER))
    first = retirees.order_by("pk").first()
    assert kept.bound(first.pk)[0] == first
    assert list(kept.bound(first.pk)[:5]) == [first]
    assert len(kept.bound(first.pk)) == 1
    with pytest.raises(IndexError):
        kept.bound(first.pk)[1]


def test_a_value_no_bigint_holds_finds_nothing_without_asking_the_database(retirees, django_assert_num_queries):
    kept = compiled_once(retirees.filter(pk=PARAMETER))
    with django_assert_num_queries(0):
        assert list(kept.bound(2**63)[:1]) == []
        assert list(kept.bound(-(2**64))) == []


def test_a_kept_queryset_built_with_any_of_is_bound_to_a_list_of_ids(retirees, django_assert_num_queries):
    from django.db.models import F

    from core.compiled import AnyOf

    kept = compiled_once(retirees.filter(AnyOf(F("pk"), PARAMETER)))
    everyone = list(retirees.order_by("pk"))
    three, two = [r.pk for r in everyone[:3]], [r.pk for r in everyone[3:5]]
    assert sorted(r.pk for r in kept.bound(three)) == sorted(three)
    assert sorted(r.pk for r in kept.bound(two)) == sorted(two)
    # One SQL for both lengths: the list is one array parameter.
    assert len(kept._compiled_store) == 1
    with django_assert_num_queries(0):
        assert list(kept.bound([])) == [] and list(kept.bound([2**63])) == []
    with pytest.raises(TypeError):
        kept.bound(["1"])
