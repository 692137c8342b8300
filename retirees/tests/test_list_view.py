import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_retiree

LIST = reverse("retirees:list")


def names(response):
    return [r.name for r in response.context["page"]]


@pytest.fixture
def searchable(branch_a):
    return {
        "zeng": make_retiree(branch_a, "曾国华", phone="13512345678"),
        "shan": make_retiree(branch_a, "单秀英", gender="female"),
        "zhang": make_retiree(branch_a, "张卫东", phone_alt="01062751234"),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("曾国华", ["曾国华"]),
        ("国华", ["曾国华"]),
        ("zengguohua", ["曾国华"]),
        ("zgh", ["曾国华"]),
        ("ZGH", ["曾国华"]),
        ("sxy", ["单秀英"]),
        ("shan", ["单秀英"]),
        ("1234 5678", ["曾国华"]),
        ("62751234", ["张卫东"]),
    ],
)
def test_search_by_name_pinyin_and_phone(login, office, searchable, query, expected):
    response = login(office).post(LIST, {"q": query}, follow=True)
    assert names(response) == expected
    assert all(query.replace(" ", "") not in url.replace("+", "") for url, _status in response.redirect_chain)


def test_a_phone_number_in_a_link_is_moved_out_of_the_url(login, office, searchable):
    response = login(office).get(LIST, {"q": "13512345678", "category": "tuixiu"})
    assert response.status_code == 302
    assert "13512345678" not in response.url and "category=tuixiu" in response.url
    assert names(login(office).get(response.url)) == ["曾国华"]


def test_filters_by_category_residence_and_care(login, office, branch_a):
    make_retiree(branch_a, "李离休", category="lixiu", residence_area="east", care_level="dependent")
    make_retiree(branch_a, "王退休")
    client = login(office)
    assert names(client.get(LIST, {"category": "lixiu"})) == ["李离休"]
    assert names(client.get(LIST, {"residence_area": "east"})) == ["李离休"]
    assert names(client.get(LIST, {"care_level": "dependent"})) == ["李离休"]


@time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC))
def test_age_band_filter(login, office, branch_a):
    make_retiree(branch_a, "八十岁", birth_date=datetime.date(1946, 11, 29))  # 80 today
    make_retiree(branch_a, "七十九", birth_date=datetime.date(1946, 11, 30))  # 80 tomorrow
    client = login(office)
    assert names(client.get(LIST, {"age_band": "80s"})) == ["八十岁"]
    assert names(client.get(LIST, {"age_band": "70s"})) == ["七十九"]


def test_moved_and_deceased_are_hidden_by_default_but_findable(login, office, branch_a):
    make_retiree(branch_a, "王在册")
    make_retiree(branch_a, "赵已故", status="deceased", deceased_on=datetime.date(2025, 1, 1))
    client = login(office)
    assert names(client.get(LIST)) == ["王在册"]
    assert names(client.get(LIST, {"status": "deceased"})) == ["赵已故"]
    assert set(names(client.get(LIST, {"status": "all"}))) == {"王在册", "赵已故"}


def test_sort_by_birth_date(login, office, branch_a):
    make_retiree(branch_a, "年轻", birth_date=datetime.date(1960, 1, 1))
    make_retiree(branch_a, "年长", birth_date=datetime.date(1930, 1, 1))
    client = login(office)
    assert names(client.get(LIST, {"sort": "birth_date"})) == ["年长", "年轻"]
    assert names(client.get(LIST, {"sort": "-birth_date"})) == ["年轻", "年长"]


def test_secretary_filter_offers_only_their_branch(login, secretary_a, branch_b):
    response = login(secretary_a).get(LIST)
    assert list(response.context["filter"].form.fields["branch"].queryset) == [secretary_a.branch]


def test_pages_are_paginated(login, office, branch_a, settings):
    settings.OUTREACH_PAGE_SIZE = 5
    for number in range(12):
        make_retiree(branch_a, f"王{'一二三四五六七八九十甲乙'[number]}")
    client = login(office)
    assert len(client.get(LIST).context["page"]) == 5
    assert len(client.get(LIST, {"page": 3}).context["page"]) == 2


def _list_queries(client, query=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, query or {})
    assert response.status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_rows(login, office, branch_a, branch_b):
    client = login(office)
    for number in range(10):
        make_retiree(branch_a if number % 2 else branch_b, f"甲{number}")
    # session, user, branch choices for the filter, the page's ids (one more than a page: there is
    # no next page, so the ids are the total), the page of retirees with their branch
    assert _list_queries(client, {"status": "all"}) == 5
    for number in range(190):
        make_retiree(branch_a if number % 2 else branch_b, f"乙{number}")
    # and a count, now that there are more pages
    assert _list_queries(client, {"status": "all"}) == 6
    for number in range(200):
        make_retiree(branch_a if number % 2 else branch_b, f"丙{number}")
    assert _list_queries(client, {"status": "all"}) == 6
    # The last page costs what the first does.
    assert _list_queries(client, {"status": "all", "page": 16}) == 6


def test_every_page_holds_the_rows_of_the_sorted_list_once(login, office, branch_a, settings):
    # The page is fetched as its ids first, then the rows: together the pages are the whole list,
    # in order, whatever the sort.
    settings.OUTREACH_PAGE_SIZE = 5
    for number in range(13):
        make_retiree(
            branch_a, f"赵{'一二三四五六七八九十甲乙丙'[number]}", birth_date=datetime.date(1940 + number % 4, 1, 1)
        )
    client = login(office)
    for sort in ("", "-birth_date", "branch"):
        pages = [client.get(LIST, {"sort": sort, "page": page}).context["page"] for page in (1, 2, 3)]
        seen = [retiree.pk for page in pages for retiree in page]
        expected = list(pages[0].paginator.object_list.values_list("pk", flat=True))
        assert seen == expected


def test_a_large_total_is_shown_as_an_estimate(login, office, branch_a, settings, monkeypatch):
    from core.pagination import EstimatedCountPaginator

    settings.OUTREACH_PAGE_SIZE = 5
    for number in range(12):
        make_retiree(branch_a, f"孙{'一二三四五六七八九十甲乙'[number]}")
    client = login(office)
    assert "共找到 12 人" in client.get(LIST).content.decode()
    monkeypatch.setattr(EstimatedCountPaginator, "PROBE", 3)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 3)
    html = client.get(LIST).content.decode()
    assert "共找到约" in html and "共约" in html and "page=2" in html
    # The last page knows the total: exact again.
    assert "共找到 12 人" in client.get(LIST, {"page": 3}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_far_pages_from_kept_anchors_are_the_sorted_list_and_cost_what_the_first_does(
    login, office, branch_a, settings, monkeypatch
):
    from django.core.cache import caches

    from core.anchors import CACHE, PageAnchors

    # Anchors every 4 rows from the 4th on (core.anchors), committed rows (the anchors stand aside
    # in a transaction that wrote retirees, as a test's own transaction has).
    monkeypatch.setattr(PageAnchors, "EVERY", 4)
    monkeypatch.setattr(PageAnchors, "FROM_PLACE", 4)
    caches[CACHE].clear()
    settings.OUTREACH_PAGE_SIZE = 5
    for number in range(23):
        make_retiree(branch_a, ["周一", "周二", "吴三"][number % 3], birth_date=datetime.date(1940 + number % 4, 1, 1))
    client = login(office)
    for sort in ("", "-name", "-birth_date"):
        pages = [client.get(LIST, {"sort": sort, "page": page}).context["page"] for page in range(1, 6)]
        seen = [retiree.pk for page in pages for retiree in page]
        assert seen == list(pages[0].paginator.object_list.values_list("pk", flat=True))
    # Made once above: a far page now costs the first page's queries, its ids read from an anchor.
    assert _list_queries(client, {"sort": "-name", "page": 4}) == _list_queries(client, {"sort": "-name"})
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST, {"sort": "-name", "page": 4})
    ids_query = next(query["sql"] for query in captured if "anchor_version" in query["sql"])
    assert "OFFSET 3" in ids_query  # page 4 starts 3 rows past the anchor at row 12
    caches[CACHE].clear()
