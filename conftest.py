"""Shared personas for every test module (their factories are in tests/factories.py).

Personas: a secretary and a committee member of branch A, a secretary of branch B, office
staff, an admin, and the anonymous visitor (the test client as it comes).
"""

import datetime
import os

import pytest

from accounts.models import User
from branches.models import Branch
from retirees.models import HouseholdContact
from tests.factories import make_retiree, make_user


@pytest.fixture
def branch_a(db):
    return Branch.objects.create(name="第一党支部", short_name="一支部")


@pytest.fixture
def branch_b(db):
    return Branch.objects.create(name="第二党支部", short_name="二支部")


@pytest.fixture
def secretary_a(branch_a):
    return make_user("sec_a", role=User.Role.BRANCH, branch=branch_a, position=User.Position.SECRETARY)


@pytest.fixture
def committee_a(branch_a):
    return make_user("com_a", role=User.Role.BRANCH, branch=branch_a, position=User.Position.COMMITTEE)


@pytest.fixture
def secretary_b(branch_b):
    return make_user("sec_b", role=User.Role.BRANCH, branch=branch_b, position=User.Position.SECRETARY)


@pytest.fixture
def office(db):
    return make_user("office", role=User.Role.OFFICE)


@pytest.fixture
def admin_user(db):
    return make_user("admin", role=User.Role.ADMIN)


@pytest.fixture
def retiree_a(branch_a):
    retiree = make_retiree(branch_a, "曾宪梅", gender="female", birth_date=datetime.date(1940, 5, 3))
    HouseholdContact.objects.create(
        retiree=retiree, name="曾小红", relation="child", phone="13911112222", is_primary=True
    )
    return retiree


@pytest.fixture
def retiree_b(branch_b):
    retiree = make_retiree(branch_b, "单立新", birth_date=datetime.date(1950, 1, 20))
    HouseholdContact.objects.create(retiree=retiree, name="李梅", relation="caregiver", phone="13722223333")
    return retiree


@pytest.fixture
def login(client):
    """Log the test client in as a persona: login(secretary_a)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def checkin_objects(db):
    """Check-in objects of a retiree's branch (a contact with a follow-up, a round, an exemption, a
    cadence rule), keyed as tests/test_url_scoping.py's OBJECT_URLS names them."""
    from django.utils import timezone

    from checkins.models import CadencePolicy, CheckinRound, ContactLog, Exemption

    def _make(retiree):
        worker = make_user(f"worker{retiree.pk}", role=User.Role.OFFICE)
        now = timezone.now()
        today = timezone.localdate()
        contact = ContactLog.objects.create(
            retiree=retiree, contacted_by=worker, contacted_at=now, contacted_on=today, follow_up_on=today
        )
        checkin_round = CheckinRound.objects.create(
            title=f"摸排 {retiree.branch.short_name}",
            starts_on=today,
            ends_on=today,
            all_branches=False,
            created_by=worker,
        )
        checkin_round.branches.set([retiree.branch])
        # A request awaiting approval: the decision page opens on it for every other office worker.
        exemption = Exemption.objects.create(
            retiree=retiree, reason="travelling", starts_on=today, ends_on=today, requested_by=worker
        )
        policy = CadencePolicy.objects.create(branch=retiree.branch, cadence_days=10)
        return {"contact": contact, "round": checkin_round, "exemption": exemption, "policy": policy}

    return _make


@pytest.fixture
def care_objects(db, settings, tmp_path):
    """Care objects of a retiree's branch (a care plan, a request from a contact assigned to the
    retiree as a volunteer, a patrol shift, a notice with an attachment addressed to the branch
    only, a visit, a campaign and a meeting), keyed as tests/test_url_scoping.py's OBJECT_URLS names them."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from assistance import services as assistance_services
    from care import services as care_services
    from checkins.models import ContactLog
    from core.addressing import Audience
    from meetings import services as meetings_services
    from notices import services as notices_services
    from visits import services as visits_services
    from visits.models import Visit
    from volunteers import services as volunteers_services
    from volunteers.models import PatrolShift, Volunteer

    settings.MEDIA_ROOT = str(tmp_path / "media")

    def _make(retiree, contact: ContactLog | None = None):
        office_user = User.objects.create(username=f"carer{retiree.pk}", role=User.Role.OFFICE)  # no password hashing
        today = timezone.localdate()
        plan = care_services.care_plan_save(
            user=office_user, retiree=retiree, responsible=office_user, review_on=today, cadence_days=5
        )
        volunteer = Volunteer.objects.create(retiree=retiree, area="both", skills="开车")
        request = assistance_services.assistance_request_create(
            user=office_user, retiree=retiree, kind="medicine", details="取药", contact=contact
        )
        assistance_services.assistance_request_assign(user=office_user, request=request, volunteer=volunteer)
        shift = PatrolShift.objects.create(
            area="east",
            date=today,
            starts_at=datetime.time(8 + retiree.pk % 10),
            ends_at=datetime.time(9 + retiree.pk % 10),
            created_by=office_user,
        )
        volunteers_services.patrol_assign(user=office_user, shift=shift, volunteer=volunteer)
        notice = notices_services.notice_publish(
            user=office_user,
            title=f"一封信 {retiree.pk}",
            body="致全体离退休同志",
            attachment=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", content_type="application/pdf"),
            audience=Audience.chosen(branches=[retiree.branch]),
        )
        visit = Visit.objects.create(retiree=retiree, status="done", visited_on=today, created_by=office_user)
        campaign = visits_services.visit_campaign_create(
            user=office_user,
            title=f"重阳 {retiree.pk}",
            kind="double_ninth",
            target="all",
            starts_on=today,
            ends_on=today,
            audience=Audience.chosen(branches=[retiree.branch]),
        )
        meeting = meetings_services.meeting_create(
            user=office_user,
            title=f"座谈会 {retiree.pk}",
            kind="forum",
            mode="online",
            starts_at=timezone.now(),
            audience=Audience.chosen(branches=[retiree.branch]),
        )
        return {
            "plan": plan,
            "volunteer": volunteer,
            "request": request,
            "shift": shift,
            "notice": notice,
            "visit": visit,
            "campaign": campaign,
            "meeting": meeting,
        }

    return _make


def pytest_configure(config):
    """Under pytest-xdist, each worker sends Celery tasks to its own queue.

    Every worker has its own test database (pytest-django adds the worker's name), but they share
    one Redis: a real worker started by one process (reminders/tests/test_worker.py) must not take
    the tasks that another process's tests enqueued, with ids from another database.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from outreach.celery import app

        app.conf.task_default_queue = f"outreach-tests-{worker}"


def pytest_collection_modifyitems(config, items):
    # Browser tests run one after another on one xdist worker (`--dist loadgroup`): one Chromium
    # at a time on a small machine, and the others' tests meanwhile on the remaining workers.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
