"""Every answer of the contact form lands where it belongs (checkins.findings), in the contact's
transaction, and the form says beforehand what it will record."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from checkins.findings import contact_ledger_facts
from checkins.models import AttentionEpisode, ContactLog
from ledgers.models import ExposureEvent, HealthRecord, NucleicTest
from tests.factories import at, make_retiree

NOW = at(2026, 5, 20, 9, 0)
TODAY = datetime.date(2026, 5, 20)


def form_data(**overrides):
    data = {
        "contacted_at": "2026-05-20T08:30",
        "channel": "phone",
        "reached": "retiree",
        "outcome": "all_well",
        "health_seen": "",
        "community_status": "",
        "needs": "",
        "follow_up_on": "",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def li(branch_a):
    return make_retiree(branch_a, "李桂英", birth_date=datetime.date(1955, 1, 1))


def log(client, retiree, **answers):
    return client.post(reverse("checkins:contact_create", args=[retiree.pk]), form_data(**answers))


# --- The mapping ------------------------------------------------------------------------------


def test_the_mapping_of_health_and_community_answers():
    answers = {"reached": "retiree", "health_seen": "in_hospital", "community_status": "sealed"}
    facts = contact_ledger_facts(contact=answers)
    assert facts == {"health_condition": "hospitalised", "community_kind": "sealed_community"}
    assert contact_ledger_facts(contact={"reached": "family", "community_status": "precaution"}) == {
        "community_unrestricted": True
    }
    assert contact_ledger_facts(contact={"reached": "retiree", "health_seen": "", "community_status": ""}) == {}
    # nobody reached: nobody said how they are
    assert contact_ledger_facts(contact={"reached": "nobody", "health_seen": "unwell"}) == {}
    # a community exposure named in the ledger part is the one recorded
    facts = contact_ledger_facts(
        contact={"reached": "retiree", "community_status": "sealed"}, ledger={"exposure_kind": "controlled_community"}
    )
    assert "community_kind" not in facts and facts["exposure_kind"] == "controlled_community"


# --- Through the form -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_unwell_writes_a_health_record_and_puts_under_attention(login, secretary_a, li):
    assert log(login(secretary_a), li, health_seen="unwell", outcome="concern").status_code == 302
    record = HealthRecord.objects.get()
    assert (record.retiree, record.condition, record.recorded_on, record.recorded_by) == (
        li,
        "unwell",
        TODAY,
        secretary_a,
    )
    assert AttentionEpisode.objects.get().episode == f"health:{record.pk}"


@time_machine.travel(NOW, tick=False)
def test_good_health_is_recorded_too_and_ends_unwell(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, health_seen="unwell", contacted_at="2026-05-19T10:00")
    log(client, li, health_seen="good")
    assert list(HealthRecord.objects.order_by("id").values_list("condition", flat=True)) == ["unwell", "good"]
    assert AttentionEpisode.objects.get().status == "resolved"


@time_machine.travel(NOW, tick=False)
def test_sealed_community_is_an_exposure_event_once_and_normal_lifts_it(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, community_status="sealed", contacted_at="2026-05-19T10:00")
    event = ExposureEvent.objects.get()
    assert (event.kind, event.started_on, event.status) == ("sealed_community", datetime.date(2026, 5, 19), "ongoing")
    log(client, li, community_status="sealed", contacted_at="2026-05-19T16:00")  # seen again
    assert ExposureEvent.objects.count() == 1
    log(client, li, community_status="normal")
    event.refresh_from_db()
    assert (event.status, event.ended_on) == ("lifted", TODAY)
    assert AttentionEpisode.objects.get().status == "resolved"


@time_machine.travel(NOW, tick=False)
def test_controlled_becoming_sealed_ends_the_one_and_starts_the_other(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, community_status="controlled", contacted_at="2026-05-18T10:00")
    log(client, li, community_status="sealed")
    events = list(ExposureEvent.objects.order_by("id").values_list("kind", "status", "started_on", "ended_on"))
    assert events == [
        ("controlled_community", "lifted", datetime.date(2026, 5, 18), TODAY),
        ("sealed_community", "ongoing", TODAY, None),
    ]


@time_machine.travel(NOW, tick=False)
def test_precautionary_area_lifts_a_sealed_community_too(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, community_status="sealed", contacted_at="2026-05-18T10:00")
    log(client, li, community_status="precaution")
    assert ExposureEvent.objects.get().status == "lifted"


@time_machine.travel(NOW, tick=False)
def test_close_contact_seen_again_updates_the_open_event(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, contacted_at="2026-05-18T10:00", **{"ledger-exposure_kind": "close_contact"})
    log(client, li, **{"ledger-exposure_kind": "close_contact"})
    assert ExposureEvent.objects.count() == 1
    log(client, li, **{"ledger-exposure_kind": "close_contact", "ledger-exposure_ended_on": "2026-05-20"})
    event = ExposureEvent.objects.get()
    assert (event.started_on, event.status, event.ended_on) == (datetime.date(2026, 5, 18), "lifted", TODAY)


@time_machine.travel(NOW, tick=False)
def test_a_failing_fact_saves_nothing_at_all(login, secretary_a, li):
    response = log(
        login(secretary_a),
        li,
        health_seen="unwell",
        community_status="sealed",
        **{"ledger-stance": "unwilling", "ledger-stance_reason": ""},
    )
    assert response.status_code == 200
    assert not ContactLog.objects.exists() and not HealthRecord.objects.exists()
    assert not ExposureEvent.objects.exists() and not AttentionEpisode.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_contact_that_reached_nobody_records_no_health(login, secretary_a, li):
    log(login(secretary_a), li, reached="nobody", outcome="not_reached", health_seen="unwell")
    assert ContactLog.objects.count() == 1 and not HealthRecord.objects.exists()


# --- The summary ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_form_says_what_it_will_record_and_htmx_refreshes_it(login, secretary_a, li):
    client = login(secretary_a)
    page = client.get(reverse("checkins:contact_create", args=[li.pk])).content.decode()
    url = reverse("checkins:contact_findings", args=[li.pk])
    assert f'hx-get="{url}"' in page and "保存后将记录" in page
    response = client.get(
        url,
        form_data(health_seen="unwell", community_status="sealed", **{"ledger-test_result": "positive"}),
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "健康状况：身体不适" in html
    assert "涉疫情况：封控区，自 05-20 起" in html
    assert "核酸检测：阳性，05-20" in html
    assert "李桂英将列为重点关注" in html
    assert not ExposureEvent.objects.exists() and not NucleicTest.objects.exists()  # a read


@time_machine.travel(NOW, tick=False)
def test_the_summary_names_the_open_community_event_it_would_lift(login, secretary_a, li):
    client = login(secretary_a)
    log(client, li, community_status="sealed", contacted_at="2026-05-18T10:00")
    html = client.get(reverse("checkins:contact_findings", args=[li.pk]), form_data(community_status="normal"))
    html = html.content.decode()
    assert "封控区（05-18 起）于 05-20 解除" in html
    assert "重点关注" not in html


@time_machine.travel(NOW, tick=False)
def test_a_plain_call_records_nothing_in_the_ledgers(login, secretary_a, li):
    html = login(secretary_a).get(reverse("checkins:contact_findings", args=[li.pk]), form_data()).content.decode()
    assert "仅记录本次联络" in html


def test_summary_of_another_branch_is_a_404(login, secretary_b, li):
    assert login(secretary_b).get(reverse("checkins:contact_findings", args=[li.pk])).status_code == 404
