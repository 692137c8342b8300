"""Attention (重点关注) end to end: however a cause is recorded it puts the retiree under attention,
the schedule and the call list follow, it ends when the facts say so or when it is lifted."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEvent
from checkins import schedule, selectors, services
from checkins.models import AttentionEpisode, CheckinState
from checkins.signals import attention_entered
from ledgers import services as ledger_services
from ledgers.models import ExposureEvent
from retirees.models import Retiree
from tests.factories import at, log_at, make_retiree

TODAY = datetime.date(2026, 5, 20)
NOW = at(2026, 5, 20, 9, 0)
BORN = datetime.date(1955, 1, 1)  # 71: every 14 days by default


def scheduled(retiree, today=TODAY):
    return schedule.with_schedule(Retiree.objects.filter(pk=retiree.pk), today, with_source=True).get()


@pytest.fixture
def entered():
    """The attention_entered signals sent, as (retiree id, episode, reason)."""
    sent = []

    def receiver(sender, *, retiree, episode, reason, **kwargs):
        sent.append((retiree.pk, episode, str(reason)))

    attention_entered.connect(receiver, dispatch_uid="test-attention")
    yield sent
    attention_entered.disconnect(dispatch_uid="test-attention")


@pytest.fixture
def wang(branch_a, secretary_a):
    """A retiree of 71 reached three days ago: every 14 days, not due."""
    retiree = make_retiree(branch_a, "王秀兰", birth_date=BORN)
    log_at(at(2026, 5, 17), user=secretary_a, retiree=retiree)
    return retiree


@time_machine.travel(NOW, tick=False)
def test_exposure_from_the_ledger_page_makes_the_cadence_daily_and_sends_one_signal(login, secretary_a, wang, entered):
    assert (scheduled(wang).cadence_days, scheduled(wang).due_state) == (14, "covered")
    response = login(secretary_a).post(
        reverse("ledgers:exposure_add", args=[wang.pk]),
        {"kind": "close_contact", "started_on": "2026-05-19", "status": "ongoing"},
    )
    assert response.status_code == 302
    event = ExposureEvent.objects.get()
    row = scheduled(wang)
    assert (row.attention, row.cadence_days, row.cadence_source) == (True, 1, "attention")
    assert row.due_state == "overdue"  # reached on the 17th, daily since: overdue
    assert entered == [(wang.pk, f"exposure:{event.pk}", "涉疫情况：密切接触者")]
    # the same cause seen again (any later write) opens nothing and sends nothing
    services.attention_refresh(retiree=wang)
    log_at(at(2026, 5, 20, 8, 0), user=secretary_a, retiree=wang)
    assert len(entered) == 1 and AttentionEpisode.objects.count() == 1
    assert scheduled(wang).due_state == "covered"  # reached today: due again tomorrow


@time_machine.travel(NOW, tick=False)
def test_lifting_the_exposure_in_the_ledger_resolves_it(secretary_a, wang):
    event = ledger_services.exposure_record(
        user=secretary_a, retiree=wang, kind="sealed_community", started_on=datetime.date(2026, 5, 18)
    )
    assert scheduled(wang).attention
    ledger_services.exposure_lift(user=secretary_a, event=event, ended_on=TODAY)
    row = scheduled(wang)
    assert (row.attention, row.cadence_days, row.cadence_source) == (False, 14, "default")
    episode = AttentionEpisode.objects.get()
    assert (episode.status, episode.ended_on) == ("resolved", TODAY)
    assert CheckinState.objects.get(retiree=wang).attention_since is None


def test_positive_test_ends_by_itself_after_the_test_days(secretary_a, wang, settings):
    settings.OUTREACH_ATTENTION_TEST_DAYS = 14
    with time_machine.travel(NOW, tick=False):
        ledger_services.nucleic_test_record(user=secretary_a, retiree=wang, tested_on=TODAY, result="positive")
    assert scheduled(wang, TODAY).attention
    assert scheduled(wang, datetime.date(2026, 6, 2)).attention
    assert not scheduled(wang, datetime.date(2026, 6, 3)).attention  # 14 days after the test
    assert AttentionEpisode.objects.get().expires_on == datetime.date(2026, 6, 3)


@time_machine.travel(NOW, tick=False)
def test_a_corrected_result_resolves_the_test(secretary_a, wang):
    ledger_services.nucleic_test_record(user=secretary_a, retiree=wang, tested_on=TODAY, result="positive")
    ledger_services.nucleic_test_record(user=secretary_a, retiree=wang, tested_on=TODAY, result="negative")
    assert not scheduled(wang).attention
    assert AttentionEpisode.objects.get().status == "resolved"


@time_machine.travel(NOW, tick=False)
def test_unwell_health_record_until_a_record_of_good_health(secretary_a, wang, entered):
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="unwell")
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="hospitalised")
    assert scheduled(wang).attention
    assert len(entered) == 1  # still unwell: the same episode
    assert AttentionEpisode.objects.get().detail == "hospitalised"
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="good")
    assert not scheduled(wang).attention


@time_machine.travel(NOW, tick=False)
def test_urgent_call_until_a_later_all_well_call(secretary_a, wang, entered):
    urgent = services.contact_log(user=secretary_a, retiree=wang, outcome="urgent", contacted_at=at(2026, 5, 19))
    assert entered == [(wang.pk, f"contact:{urgent.pk}", "联络结果：紧急")]
    services.contact_log(user=secretary_a, retiree=wang, outcome="concern", contacted_at=at(2026, 5, 19, 15))
    services.contact_log(user=secretary_a, retiree=wang, reached="nobody", contacted_at=at(2026, 5, 20, 8))
    assert scheduled(wang).attention
    services.contact_log(user=secretary_a, retiree=wang, outcome="all_well", contacted_at=at(2026, 5, 20, 8, 30))
    assert not scheduled(wang).attention
    assert len(entered) == 1


@time_machine.travel(NOW, tick=False)
def test_attention_wins_over_a_care_plan(office, secretary_a, wang):
    services.checkin_state_set_cadence_override(user=office, retiree=wang, cadence_days=30)
    assert (scheduled(wang).cadence_days, scheduled(wang).cadence_source) == (30, "care_plan")
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="unwell")
    assert (scheduled(wang).cadence_days, scheduled(wang).cadence_source) == (1, "attention")


@time_machine.travel(NOW, tick=False)
def test_the_cadence_under_attention_is_a_setting(secretary_a, wang, settings):
    settings.OUTREACH_ATTENTION_CADENCE_DAYS = 2
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="unwell")
    assert scheduled(wang).cadence_days == 2


@time_machine.travel(NOW, tick=False)
def test_an_admin_correction_is_followed_too(client, admin_user, secretary_a, wang):
    event = ledger_services.exposure_record(
        user=secretary_a, retiree=wang, kind="close_contact", started_on=datetime.date(2026, 5, 19)
    )
    client.force_login(admin_user)
    response = client.post(reverse("admin:ledgers_exposureevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302 and not ExposureEvent.objects.exists()
    assert not scheduled(wang).attention


# --- Lifting ----------------------------------------------------------------------------------


@pytest.fixture
def sealed(secretary_a, wang):
    with time_machine.travel(NOW, tick=False):
        ledger_services.exposure_record(
            user=secretary_a, retiree=wang, kind="sealed_community", started_on=datetime.date(2026, 5, 18)
        )
    return AttentionEpisode.objects.get()


@time_machine.travel(NOW, tick=False)
def test_the_secretary_lifts_with_a_reason_and_the_same_cause_seen_again_stays_lifted(
    secretary_a, wang, sealed, entered
):
    services.attention_lift(user=secretary_a, episode=sealed, reason="  家人同住，每周联系即可  ")
    sealed.refresh_from_db()
    assert (sealed.status, sealed.lifted_by, sealed.lift_reason) == ("lifted", secretary_a, "家人同住，每周联系即可")
    assert not scheduled(wang).attention
    event = AuditEvent.objects.get(action="attention_lift")
    assert (event.actor, event.retiree, event.detail["episode"]) == (secretary_a, wang, sealed.episode)
    assert "家人" not in str(event.detail)  # the reason stays on the episode, not in the audit log
    services.attention_refresh(retiree=wang)  # the exposure is still open in the ledger
    assert not scheduled(wang).attention and entered == []
    # a new cause opens a new episode
    ledger_services.health_record(user=secretary_a, retiree=wang, recorded_on=TODAY, condition="unwell")
    assert scheduled(wang).attention and len(entered) == 1


@time_machine.travel(NOW, tick=False)
def test_lifting_needs_a_reason_and_an_open_episode(office, sealed):
    with pytest.raises(ValidationError) as error:
        services.attention_lift(user=office, episode=sealed, reason="   ")
    assert "reason" in error.value.error_dict
    services.attention_lift(user=office, episode=sealed, reason="社区已解封")
    with pytest.raises(ValidationError):
        services.attention_lift(user=office, episode=sealed, reason="又一次")


@time_machine.travel(NOW, tick=False)
def test_a_committee_member_or_another_branch_may_not_lift(committee_a, secretary_b, sealed):
    with pytest.raises(PermissionDenied):
        services.attention_lift(user=committee_a, episode=sealed, reason="不需要了")
    with pytest.raises(PermissionDenied):
        services.attention_lift(user=secretary_b, episode=sealed, reason="不需要了")
    sealed.refresh_from_db()
    assert sealed.status == "open"


@time_machine.travel(NOW, tick=False)
def test_lift_form_on_the_retiree_page_lifts_in_one_click(login, secretary_a, wang, sealed):
    client = login(secretary_a)
    page = client.get(wang.get_absolute_url()).content.decode()
    assert "data-attention-panel" in page and 'data-cadence-source="attention"' in page
    assert reverse("checkins:attention_lift", args=[sealed.pk]) in page
    response = client.post(
        reverse("checkins:attention_lift", args=[sealed.pk]),
        {"reason": "社区已解封", "next": wang.get_absolute_url()},
    )
    assert response.status_code == 302 and response.url == wang.get_absolute_url()
    page = client.get(wang.get_absolute_url()).content.decode()
    assert "data-attention-panel" not in page and "社区已解封" in page  # shown in the history


@time_machine.travel(NOW, tick=False)
def test_lift_without_a_reason_shows_a_chinese_error_and_changes_nothing(login, secretary_a, sealed):
    response = login(secretary_a).post(reverse("checkins:attention_lift", args=[sealed.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "请说明解除关注的原因" in response.content.decode()
    sealed.refresh_from_db()
    assert sealed.status == "open"


@time_machine.travel(NOW, tick=False)
def test_committee_member_sees_no_lift_button_and_is_refused(login, committee_a, wang, sealed):
    client = login(committee_a)
    page = client.get(wang.get_absolute_url()).content.decode()
    assert "data-attention-panel" in page
    assert reverse("checkins:attention_lift", args=[sealed.pk]) not in page
    assert client.post(reverse("checkins:attention_lift", args=[sealed.pk]), {"reason": "x"}).status_code == 403


def test_one_open_or_lifted_episode_per_cause_row_in_the_database(wang):
    AttentionEpisode.objects.create(retiree=wang, cause="exposure", source_id=1, detail="other", since=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttentionEpisode.objects.create(retiree=wang, cause="exposure", source_id=1, detail="other", since=TODAY)


# --- The call list and the dashboard ------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_under_attention_comes_first_on_the_call_list_with_the_reason(login, secretary_a, branch_a, wang, sealed):
    never = make_retiree(branch_a, "从未联系", birth_date=BORN)  # overdue: first but for attention
    response = login(secretary_a).get(reverse("checkins:call_list"))
    assert [r.name for r in response.context["page"]] == [wang.name, never.name]
    html = response.content.decode()
    assert "涉疫情况：封控区 · 自 5月18日" in html
    assert html.index("call-section-attention") < html.index("call-section-overdue")


@time_machine.travel(NOW, tick=False)
def test_dashboard_counts_those_under_attention_per_branch(login, office, secretary_a, wang, sealed, retiree_b):
    response = login(office).get(reverse("checkins:dashboard"))
    rows = {row["branch"].pk: row for row in response.context["page"]}
    assert rows[wang.branch_id]["attention"] == 1 and rows[retiree_b.branch_id]["attention"] == 0
    assert response.context["totals"]["attention"] == 1
    assert re.search(r'data-total="attention"[^>]*>1<', response.content.decode())


@time_machine.travel(NOW, tick=False)
def test_refresh_all_backfills_without_announcing(secretary_a, wang, entered):
    ExposureEvent.objects.create(retiree=wang, kind="close_contact", started_on=TODAY)  # bulk, past the services
    assert not scheduled(wang).attention
    assert services.attention_refresh_all() >= 1
    assert scheduled(wang).attention and entered == []
    assert selectors.call_list(user=secretary_a).first() == wang


@time_machine.travel(NOW, tick=False)
def test_the_printed_call_sheet_puts_them_first_and_says_why(login, secretary_a, branch_a, wang, sealed):
    make_retiree(branch_a, "从未联系", birth_date=BORN)
    response = login(secretary_a).get(reverse("checkins:call_sheet"))
    assert [r.name for r in response.context["rows"]][0] == wang.name
    assert "涉疫情况：封控区" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_anonymising_the_retiree_erases_the_reason_and_keeps_the_lift(secretary_a, wang, sealed):
    from retirees.services import retiree_anonymise

    services.attention_lift(user=secretary_a, episode=sealed, reason="已出院回家，女儿陪同")
    retiree_anonymise(retiree=wang)
    sealed.refresh_from_db()
    assert (sealed.status, sealed.lifted_by, sealed.lift_reason) == ("lifted", secretary_a, "")
