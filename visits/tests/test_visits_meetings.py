import datetime

from django.urls import reverse
from django.utils import timezone

from conftest import make_retiree
from core.addressing import Audience
from meetings import selectors as meetings_selectors
from meetings import services as meetings_services
from meetings.models import Invitation
from visits import selectors as visits_selectors
from visits import services as visits_services
from visits.models import Visit


def test_frail_retirees_not_visited_within_the_period_are_listed(office, branch_a, today, settings):
    settings.OUTREACH_VISIT_PERIOD_DAYS = 30
    old = make_retiree(branch_a, "高龄", birth_date=datetime.date(1935, 1, 1))
    dependent = make_retiree(branch_a, "失能", birth_date=datetime.date(1960, 1, 1), care_level="dependent")
    make_retiree(branch_a, "年轻", birth_date=datetime.date(1960, 1, 1))
    visited = make_retiree(branch_a, "已走访", birth_date=datetime.date(1935, 1, 1))
    Visit.objects.create(retiree=visited, status="done", visited_on=today, created_by=office)
    Visit.objects.create(retiree=old, status="done", visited_on=today - datetime.timedelta(days=60), created_by=office)
    rows = list(visits_selectors.not_visited(user=office, today=today))
    assert [r.name for r in rows] == ["失能", "高龄"]  # never visited first
    assert rows[1].last_visited_on == today - datetime.timedelta(days=60)
    assert dependent in rows


def test_campaign_progress_per_branch(login, office, secretary_a, branch_a, branch_b, today):
    a1 = make_retiree(branch_a, "甲一", birth_date=datetime.date(1935, 1, 1))
    make_retiree(branch_a, "甲二", birth_date=datetime.date(1936, 1, 1))
    make_retiree(branch_b, "乙一", birth_date=datetime.date(1935, 1, 1))
    campaign = visits_services.visit_campaign_create(
        user=office, title="重阳慰问", kind="double_ninth", target="frail", starts_on=today, ends_on=today
    )
    visits_services.visit_save(
        user=secretary_a,
        visit=Visit(retiree=a1, campaign=campaign, status="done", visited_on=today, brought="重阳糕"),
        visitors=[secretary_a],
    )
    rows = {row["branch"]: row for row in visits_selectors.campaign_progress(user=office, campaign=campaign)}
    assert (rows[branch_a]["done"], rows[branch_a]["total"], rows[branch_a]["percent"]) == (1, 2, 50)
    assert rows[branch_b]["percent"] == 0
    html = login(secretary_a).get(campaign.get_absolute_url()).content.decode()
    assert "乙一" not in html and "甲二" in html


def test_meeting_invites_every_active_retiree_and_branches_record_attendance(
    login, office, secretary_a, secretary_b, retiree_a, retiree_b
):
    meeting = meetings_services.meeting_create(
        user=office, title="线上学习会", kind="study", mode="online", starts_at=timezone.now()
    )
    assert meeting.invitations.count() == 2
    invitation = Invitation.objects.get(retiree=retiree_a)
    login(secretary_a).post(meeting.get_absolute_url(), {"invitation": invitation.pk, "attended": "yes"})
    invitation.refresh_from_db()
    assert invitation.attended is True
    response = login(secretary_b).post(meeting.get_absolute_url(), {"invitation": invitation.pk, "attended": "no"})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.attended is True
    assert meetings_selectors.meeting_list(user=office).get().attended_count == 1


def test_meeting_for_one_branch_is_a_404_for_another(login, office, secretary_b, branch_a, retiree_a):
    meeting = meetings_services.meeting_create(
        user=office,
        title="座谈会",
        kind="forum",
        mode="in_person",
        starts_at=timezone.now(),
        audience=Audience.chosen(branches=[branch_a]),
    )
    assert login(secretary_b).get(meeting.get_absolute_url()).status_code == 404
    assert "座谈会" not in login(secretary_b).get(reverse("meetings:meeting_list")).content.decode()
