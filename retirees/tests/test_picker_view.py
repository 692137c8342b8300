"""The retiree picker's search (retirees.views.retiree_picker): by name, in the user's scope."""

import datetime

from django.urls import reverse

from conftest import make_retiree

PICKER = reverse("retirees:picker")


def test_the_office_finds_retirees_of_every_branch_by_name_or_initials(login, office, branch_a, branch_b):
    make_retiree(branch_a, "王建国", residence_area="east")
    make_retiree(branch_b, "王淑芬", residence_area="north")
    client = login(office)
    html = client.get(PICKER, {"retirees_q": "王"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王建国" in html and "王淑芬" in html
    assert "一支部 · 东家属区" in html and "二支部 · 北家属区" in html
    assert "王淑芬" in client.get(PICKER, {"retirees_q": "wsf"}).content.decode()


def test_a_secretary_finds_and_keeps_only_their_own_branchs_retirees(login, secretary_a, branch_a, branch_b):
    mine = make_retiree(branch_a, "王建国")
    theirs = make_retiree(branch_b, "王淑芬")
    html = login(secretary_a).get(PICKER, {"retirees_q": "王", "retirees": [mine.pk, theirs.pk]}).content.decode()
    assert f'value="{mine.pk}" id="id_retirees_{mine.pk}" checked' in html
    assert "王淑芬" not in html and str(theirs.pk) not in html


def test_the_chosen_stay_ticked_first_and_are_not_found_twice(login, office, branch_a):
    chosen = make_retiree(branch_a, "王建国")
    other = make_retiree(branch_a, "王建华")
    html = login(office).get(PICKER, {"retirees_q": "王建", "retirees": [chosen.pk]}).content.decode()
    assert html.count(f'value="{chosen.pk}"') == 1
    assert html.index(f'value="{chosen.pk}"') < html.index(f'value="{other.pk}"')
    assert f'value="{other.pk}" id="id_retirees_{other.pk}">' in html  # found, not ticked


def test_those_no_longer_active_are_not_offered(login, office, branch_a):
    make_retiree(branch_a, "王故", status="deceased", deceased_on=datetime.date(2022, 1, 1))
    html = login(office).get(PICKER, {"retirees_q": "王"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王故" not in html and "您负责范围内没有叫“王”的人。" in html


def test_a_number_is_not_searched_here(login, office, branch_a):
    retiree = make_retiree(branch_a, "王建国")
    html = login(office).get(PICKER, {"retirees_q": retiree.phone}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王建国" not in html and "这里请按姓名查找，不按号码查找。" in html


def test_a_long_list_is_cut_with_a_note(login, office, branch_a):
    for number in range(22):
        make_retiree(branch_a, f"王{number:02d}")
    html = login(office).get(PICKER, {"retirees_q": "王"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert html.count('type="checkbox"') == 20 and "只显示前 20 位" in html


def test_nonsense_ids_and_an_empty_search_answer_an_empty_list(login, office, branch_a):
    make_retiree(branch_a, "王建国")
    response = login(office).get(PICKER, {"retirees": ["x", "²", "-1", "99999999999999999999"]})
    assert response.status_code == 200 and "王建国" not in response.content.decode()
    response = login(office).get(PICKER, {"retirees_q": "王\x00" + "x" * 10_000})
    assert response.status_code == 200 and "王建国" not in response.content.decode()
