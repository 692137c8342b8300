"""core.pagination.EstimatedCountPaginator: exact totals while small, PostgreSQL's estimate past
them, and paging that never relies on the estimate."""

import pytest

from core.pagination import EstimatedCountPaginator
from retirees.models import Retiree
from tests.factories import make_retiree


@pytest.fixture
def twelve(branch_a):
    for number in range(12):
        make_retiree(branch_a, f"钱{'一二三四五六七八九十甲乙'[number]}")
    return Retiree.objects.order_by("name_pinyin", "id")


def test_a_small_total_is_exact(twelve):
    paginator = EstimatedCountPaginator(twelve, 5)
    assert paginator.count == 12 and not paginator.approximate
    assert paginator.num_pages == 3


def test_past_the_exact_limit_the_total_is_estimated_and_paging_follows_the_rows(twelve, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 3)
    paginator = EstimatedCountPaginator(twelve, 5)
    first = paginator.get_page(1)
    assert paginator.approximate and paginator.count >= 4
    assert first.has_next() and len(first) == 5
    seen, number = [], 1
    while True:
        page = EstimatedCountPaginator(twelve, 5).get_page(number)
        seen += [retiree.pk for retiree in page]
        if not page.has_next():
            break
        number += 1
    assert seen == list(twelve.values_list("pk", flat=True)) and number == 3
    # The page that ends the list knows the total exactly.
    assert not page.paginator.approximate and page.paginator.count == 12 and page.paginator.num_pages == 3


def test_a_page_past_the_end_shows_the_last_page_with_the_exact_total(twelve, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 3)
    page = EstimatedCountPaginator(twelve, 5).get_page(40)
    assert page.number == 3 and len(page) == 2
    assert not page.paginator.approximate and page.paginator.count == 12


@pytest.mark.parametrize("count, shown", [(94_270, 94_000), (14_895, 15_000), (10_001, 10_000), (987_654, 990_000)])
def test_an_estimated_total_is_shown_to_two_significant_figures(count, shown):
    paginator = EstimatedCountPaginator(Retiree.objects.none(), 25)
    paginator.__dict__["count"] = count
    paginator.approximate = True
    assert paginator.rounded_count == shown


def test_past_the_probe_a_small_estimate_is_counted_exactly(twelve, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr("core.pagination._estimated_rows", lambda queryset: 9)
    paginator = EstimatedCountPaginator(twelve, 5)
    assert paginator.count == 12 and not paginator.approximate


def test_past_the_probe_a_large_estimate_is_the_total(twelve, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 10)
    monkeypatch.setattr("core.pagination._estimated_rows", lambda queryset: 5_000)
    paginator = EstimatedCountPaginator(twelve, 5)
    assert paginator.count == 5_000 and paginator.approximate and paginator.rounded_count == 5_000
    assert paginator.get_page(1).has_next()


def test_the_estimate_is_postgresqls(twelve):
    from core.pagination import _estimated_rows

    assert _estimated_rows(twelve.values("pk")) > 0


@pytest.mark.parametrize("number", ["99999999999999999999999", "9" * 5000, "-3", "x", "", None, "２"])
def test_any_page_number_is_a_page(twelve, monkeypatch, number):
    for probe in (3, 2_000):
        monkeypatch.setattr(EstimatedCountPaginator, "PROBE", probe)
        monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", probe)
        page = EstimatedCountPaginator(twelve, 5).get_page(number)
        assert page.number in (1, 2, 3) and len(page) in (5, 2)


def test_a_page_past_a_low_estimate_is_the_page_asked_for(twelve, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 3)
    monkeypatch.setattr("core.pagination._estimated_rows", lambda queryset: 6)  # two pages of 5: low
    page = EstimatedCountPaginator(twelve, 5).get_page(3)
    assert page.number == 3 and [retiree.pk for retiree in page] == list(twelve.values_list("pk", flat=True))[10:]
    page = EstimatedCountPaginator(twelve, 5).get_page(2)
    assert page.number == 2 and page.has_next() and len(page) == 5
