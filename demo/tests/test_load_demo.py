from django.core.management import call_command

from accounts.models import User
from branches.models import Branch
from retirees.models import HouseholdContact, Retiree


def test_demo_is_shaped_like_the_report_and_loads_once(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (Branch.objects.count(), Retiree.objects.count(), HouseholdContact.objects.count(), User.objects.count())
    assert counts[:2] == (7, 487)
    assert Retiree.objects.filter(residence_area__in=["east", "north"]).count() == 137
    lixiu = Retiree.objects.filter(category="lixiu").count()
    assert 5 <= lixiu <= 30
    assert Retiree.objects.filter(care_level="dependent").exists()
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "office", "branch"}
    for branch in Branch.objects.all():
        assert branch.members.filter(position="secretary").count() == 1
    snapshot = list(Retiree.objects.order_by("id").values_list("name", "birth_date", "phone", "branch__name"))

    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (
        Branch.objects.count(),
        Retiree.objects.count(),
        HouseholdContact.objects.count(),
        User.objects.count(),
    ) == counts
    assert list(Retiree.objects.order_by("id").values_list("name", "birth_date", "phone", "branch__name")) == snapshot


def test_demo_users_can_log_in(client, db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    response = client.post("/accounts/login/", {"username": "sec1", "password": "Outreach-demo-2026"})
    assert response.status_code == 302 and response.url == "/"


def test_demo_has_ledgers_and_rounds_with_signoffs(db):
    from checkins.models import CheckinRound
    from ledgers.models import LedgerSignoff, NucleicTest, VaccinationDose
    from ledgers.signoffs import previous_signoff, snapshot_diff

    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert VaccinationDose.objects.count() > 400 and NucleicTest.objects.exists()
    closed, open_round = CheckinRound.objects.order_by("starts_on")
    assert (closed.status, open_round.status) == ("closed", "open")
    assert closed.ledger_signoffs.count() == 5 and open_round.ledger_signoffs.count() == 2
    latest = open_round.ledger_signoffs.order_by("branch__name").first()
    earlier = previous_signoff(branch=latest.branch, before=latest.signed_at)
    assert earlier.checkin_round == closed
    assert snapshot_diff(earlier.snapshot, latest.snapshot)  # what was recorded between the rounds
    doses = VaccinationDose.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert VaccinationDose.objects.count() == doses and LedgerSignoff.objects.count() == 7


def test_demo_fills_six_weeks_of_the_weekly_chart_as_the_contacts_say(db):
    from checkins.models import ContactLog, WeeklyReach
    from checkins.selectors import weekly_coverage
    from checkins.services import weekly_reach_refresh

    call_command("load_demo", stdout=open("/dev/null", "w"))
    office = User.objects.get(username="office")
    weeks_with_reach = [row for row in weekly_coverage(user=office) if row["reached"]]
    assert len(weeks_with_reach) >= 6
    # The rows are those contact_log would have left: refreshing from the contacts changes nothing.
    rows = set(WeeklyReach.objects.values_list("retiree_id", "week"))
    for retiree in Retiree.objects.order_by("pk")[:40]:
        days = list(ContactLog.objects.filter(retiree=retiree).values_list("contacted_on", flat=True))
        weekly_reach_refresh(retiree=retiree, days=days)
    assert set(WeeklyReach.objects.values_list("retiree_id", "week")) == rows


def test_branches_are_listed_by_their_number_then_the_named_ones(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert [branch.short_name for branch in Branch.objects.all()] == [
        "第一支部",
        "第二支部",
        "第三支部",
        "第四支部",
        "第五支部",
        "离休支部",
        "家属区支部",
    ]
