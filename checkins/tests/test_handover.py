"""Handover: history and open follow-ups stay with the retiree when they move branch."""

import datetime

from django.urls import reverse

from checkins import selectors
from retirees.services import retiree_save
from tests.factories import at, log_at


def test_history_and_open_follow_ups_move_with_the_retiree(
    login, secretary_a, secretary_b, office, retiree_a, branch_b
):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, follow_up_on=datetime.date(2026, 3, 5), needs="取药")
    retiree_a.branch = branch_b
    retiree_save(user=office, retiree=retiree_a)

    assert [c.needs for c in selectors.open_follow_ups(user=secretary_b)] == ["取药"]
    assert list(selectors.open_follow_ups(user=secretary_a)) == []
    assert selectors.contact_timeline(user=secretary_b, retiree=retiree_a).count() == 1
    page = login(secretary_b).get(reverse("retirees:detail", args=[retiree_a.pk]))
    assert "取药" in page.content.decode()
    assert login(secretary_a).get(reverse("retirees:detail", args=[retiree_a.pk])).status_code == 404


def test_a_new_secretary_inherits_the_branch_call_list(login, secretary_a, committee_a, retiree_a):
    log_at(at(2026, 3, 1), user=secretary_a, retiree=retiree_a, follow_up_on=datetime.date(2026, 3, 2))
    secretary_a.is_active = False  # the old secretary leaves; nothing belongs to them
    secretary_a.save()
    response = login(committee_a).get(reverse("checkins:call_list"))
    assert retiree_a.name in response.content.decode()
    assert [c.retiree for c in response.context["follow_ups"]] == [retiree_a]
