"""The full contact form: bad input gives field errors and saves nothing."""

import time_machine
from django.urls import reverse

from checkins.models import CheckinState, ContactLog
from tests.factories import at

NOW = at(2026, 3, 20, 9, 0)


def form_data(**overrides):
    data = {
        "contacted_at": "2026-03-20T08:30",
        "channel": "phone",
        "reached": "retiree",
        "outcome": "needs_help",
        "health_seen": "unwell",
        "community_status": "normal",
        "needs": "取药",
        "follow_up_on": "2026-03-22",
        "notes": "血压高，需要代取降压药。",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_logging_a_problem_saves_everything(login, secretary_a, retiree_a):
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    response = login(secretary_a).post(url, form_data())
    assert response.status_code == 302 and response.url == retiree_a.get_absolute_url()
    log = ContactLog.objects.get()
    assert (log.outcome, log.health_seen, log.needs, str(log.follow_up_on)) == (
        "needs_help",
        "unwell",
        "取药",
        "2026-03-22",
    )
    assert log.contacted_at == at(2026, 3, 20, 8, 30)
    assert CheckinState.objects.get().last_reached_on.isoformat() == "2026-03-20"


@time_machine.travel(NOW, tick=False)
def test_contact_in_the_future_is_a_field_error(login, secretary_a, retiree_a):
    response = login(secretary_a).post(
        reverse("checkins:contact_create", args=[retiree_a.pk]), form_data(contacted_at="2026-03-20T09:30")
    )
    assert response.status_code == 200
    assert "contacted_at" in response.context["form"].errors
    assert not ContactLog.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_follow_up_before_the_contact_is_a_field_error(login, secretary_a, retiree_a):
    response = login(secretary_a).post(
        reverse("checkins:contact_create", args=[retiree_a.pk]), form_data(follow_up_on="2026-03-19")
    )
    assert "follow_up_on" in response.context["form"].errors
    assert not ContactLog.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_reached_nobody_forces_the_not_reached_outcome(login, secretary_a, retiree_a):
    login(secretary_a).post(
        reverse("checkins:contact_create", args=[retiree_a.pk]), form_data(reached="nobody", follow_up_on="")
    )
    assert ContactLog.objects.get().outcome == "not_reached"


@time_machine.travel(NOW, tick=False)
def test_logging_for_another_branch_is_a_404_and_saves_nothing(login, secretary_a, retiree_b):
    response = login(secretary_a).post(reverse("checkins:contact_create", args=[retiree_b.pk]), form_data())
    assert response.status_code == 404
    assert not ContactLog.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_retiree_page_shows_the_timeline_newest_first(login, secretary_a, retiree_a):
    client = login(secretary_a)
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    # All well (an unwell, needs-help call would put her under attention: due again the next day).
    well = {"follow_up_on": "", "outcome": "all_well", "health_seen": "good"}
    client.post(url, form_data(contacted_at="2026-03-18T10:00", notes="第一次", **well))
    client.post(url, form_data(contacted_at="2026-03-19T10:00", notes="第二次", **well))
    html = client.get(retiree_a.get_absolute_url()).content.decode()
    assert html.index("第二次") < html.index("第一次")
    assert 'data-due-state="covered"' in html
