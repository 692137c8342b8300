"""The registry's branch filter: a list while branches are few, a search box past
retirees.filters.BRANCH_SELECT_LIMIT, resolved on the server (no JavaScript needed)."""

import pytest
from django.urls import reverse

from branches.models import Branch
from tests.factories import make_retiree

LIST = reverse("retirees:list")


def names(response):
    return sorted(r.name for r in response.context["page"])


@pytest.fixture
def many_branches(branch_a, branch_b, monkeypatch):
    chem = Branch.objects.create(name="化学系离退休第一党支部", short_name="化学一支部")
    Branch.objects.create(name="化学系离退休第二党支部", short_name="化学二支部")
    make_retiree(branch_a, "甲一")
    make_retiree(branch_b, "乙一")
    make_retiree(chem, "化一")
    return chem


def _limit(monkeypatch, limit):
    from retirees.filters import RetireeFilter

    monkeypatch.setattr(RetireeFilter.base_filters["branch"].extra["widget"], "limit", limit)


def test_few_branches_are_a_list(login, office, branch_a, branch_b):
    html = login(office).get(LIST).content.decode()
    assert '<select name="branch"' in html and branch_a.name in html and branch_b.name in html


def test_many_branches_are_a_search_box_without_the_list(login, office, many_branches, monkeypatch):
    _limit(monkeypatch, 2)
    html = login(office).get(LIST).content.decode()
    assert '<input type="search" name="branch"' in html and "输入支部名称" in html
    assert '<select name="branch"' not in html and many_branches.name not in html


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("化学系离退休第一党支部", ["化一"]),  # the full name
        ("化学一支部", ["化一"]),  # the short name
        ("一党支部", ["化一", "甲一"]),  # part of names: every branch that has it
        ("一支部", ["甲一"]),  # one branch is called exactly that: that one
        ("化学", ["化一"]),
    ],
)
def test_a_typed_branch_name_filters_the_list(login, office, many_branches, monkeypatch, typed, expected):
    _limit(monkeypatch, 2)
    response = login(office).get(LIST, {"branch": typed})
    assert names(response) == expected
    assert f'value="{typed}"' in response.content.decode()


def test_a_link_by_branch_id_still_works_and_shows_the_name(login, office, many_branches, monkeypatch):
    _limit(monkeypatch, 2)
    response = login(office).get(LIST, {"branch": many_branches.pk})
    assert names(response) == ["化一"]
    assert f'value="{many_branches.name}"' in response.content.decode()


def test_a_name_that_matches_no_branch_says_so_and_shows_nobody(login, office, many_branches, monkeypatch):
    _limit(monkeypatch, 2)
    response = login(office).get(LIST, {"branch": "物理系"})
    assert response.status_code == 200 and names(response) == []
    assert "没有名称含“物理系”的支部。" in response.content.decode()


def test_a_secretary_cannot_reach_another_branch_by_its_name(login, secretary_a, many_branches, monkeypatch):
    response = login(secretary_a).get(LIST, {"branch": "化学一支部"})
    assert names(response) == []
    response = login(secretary_a).get(LIST, {"branch": many_branches.pk})
    assert names(response) == []


def test_a_nul_or_long_text_is_a_message_not_an_error(login, office, many_branches, monkeypatch):
    _limit(monkeypatch, 2)
    assert login(office).get(LIST, {"branch": "化\x00" + "学" * 500}).status_code == 200


def test_the_search_box_suggests_branch_names_in_scope(login, office, secretary_a, many_branches, monkeypatch):
    _limit(monkeypatch, 2)
    html = login(office).get(LIST).content.decode()
    assert 'list="id_branch_suggestions"' in html and f'hx-get="{reverse("branches:suggest")}"' in html
    suggest = reverse("branches:suggest")
    answer = login(office).get(suggest, {"branch": "化学"}).content.decode()
    assert answer == (
        '<option value="化学系离退休第一党支部"></option><option value="化学系离退休第二党支部"></option>'
    )
    assert login(office).get(suggest, {"branch": ""}).content == b""
    # A secretary's suggestions are their own branch at most.
    assert login(secretary_a).get(suggest, {"branch": "化学"}).content == b""
    assert "第一党支部" in login(secretary_a).get(suggest, {"branch": "党支部"}).content.decode()


def test_the_suggestions_need_a_login(client):
    response = client.get(reverse("branches:suggest"), {"branch": "化学"})
    assert response.status_code == 302
