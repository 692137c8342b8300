"""The full contact form: bad input gives field errors and saves nothing."""

import re

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
    log = ContactLog.objects.get()
    # Needs help: the saved page offers the request before going back to the retiree's page.
    saved = reverse("checkins:contact_saved", args=[log.pk])
    assert response.status_code == 302 and response.url == f"{saved}?next={retiree_a.get_absolute_url()}"
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


# --- An honest problem form (issue #14) ---------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_form_preselects_no_outcome_and_refuses_a_call_left_at_its_defaults(login, secretary_a, retiree_a):
    client = login(secretary_a)
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    page = client.get(url).content.decode()
    assert 'name="outcome"' in page and 'name="reached"' in page
    assert " checked" not in page.split('name="reached"', 1)[1].split("</fieldset>", 1)[0]  # nothing chosen
    assert 'value="all_well"' in page and 'value="all_well" checked' not in page

    data = form_data()
    del data["reached"], data["outcome"]
    response = client.post(url, data)
    assert response.status_code == 200 and not ContactLog.objects.exists()
    html = response.content.decode()
    assert "请选择这次联系到了谁。" in html
    assert "请选择这次联系的结果：一切安好、需要关注、需要帮助或紧急。" in html

    response = client.post(url, {**data, "reached": "retiree"})  # whom, but not what came of it
    assert response.status_code == 200 and not ContactLog.objects.exists()
    assert "请选择这次联系的结果" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_reaching_nobody_needs_no_outcome(login, secretary_a, retiree_a):
    data = form_data(reached="nobody")
    del data["outcome"]
    response = login(secretary_a).post(reverse("checkins:contact_create", args=[retiree_a.pk]), data)
    assert response.status_code == 302 and ContactLog.objects.get().outcome == "not_reached"


@time_machine.travel(NOW, tick=False)
def test_the_problem_sections_are_open_and_the_rest_folded(login, secretary_a, retiree_a):
    html = login(secretary_a).get(reverse("checkins:contact_create", args=[retiree_a.pk])).content.decode()
    for section in ("when", "health", "ledger"):
        tag = html.split(f'data-section="{section}"', 1)[1].split(">", 1)[0]
        assert " open" not in tag, section
    # What a problem needs is outside the folded sections, ahead of them.
    assert html.index('name="needs"') < html.index('data-section="when"')
    assert html.index('name="outcome"') < html.index('data-section="when"')


@time_machine.travel(NOW, tick=False)
def test_doses_already_recorded_are_not_offered(login, secretary_a, retiree_a):
    from ledgers.models import VaccinationDose

    VaccinationDose.objects.create(retiree=retiree_a, dose_number=1, given_on="2021-05-01")
    VaccinationDose.objects.create(retiree=retiree_a, dose_number=2, given_on="2021-06-01")
    html = login(secretary_a).get(reverse("checkins:contact_create", args=[retiree_a.pk])).content.decode()
    select = html.split('name="ledger-dose_number"', 1)[1].split("</select>", 1)[0]
    assert 'value="1"' not in select and 'value="2"' not in select
    assert 'value="3"' in select and 'value="4"' in select


@time_machine.travel(NOW, tick=False)
def test_needs_help_offers_the_request_with_the_need_filled(login, secretary_a, retiree_a):
    client = login(secretary_a)
    url = reverse("checkins:contact_create", args=[retiree_a.pk])
    response = client.post(url, form_data(needs="需要车接送去打疫苗", next="/"), follow=True)
    log = ContactLog.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("checkins:contact_saved", args=[log.pk]) + "?next=/"
    request_url = reverse("assistance:request_from_contact", args=[log.pk])
    assert f'href="{request_url}"' in html and "登记帮扶需求" in html and "需要车接送去打疫苗" in html
    assert 'href="/"' in html  # "not now" goes back where the form came from

    form = client.get(request_url).content.decode()
    assert "需要车接送去打疫苗" in form  # the need fills the details
    chosen = re.findall(r'<input[^>]*name="kind"[^>]*value="(\w+)"[^>]*\bchecked', form)
    assert chosen == ["vaccination_transport"]  # the kind, from the need's words


@time_machine.travel(NOW, tick=False)
def test_all_well_goes_straight_back(login, secretary_a, retiree_a):
    response = login(secretary_a).post(
        reverse("checkins:contact_create", args=[retiree_a.pk]), form_data(outcome="all_well", next="/")
    )
    assert response.status_code == 302 and response.url == "/"
