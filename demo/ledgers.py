"""Demo ledgers and rounds: what an office sees after a few months of using the app.

Doses, willingness, tests, exposures and health records for the demo retirees; last month's
round, closed, with most branches' ledgers signed off; later entries; and this month's round,
open, with two branches signed off, so the sign-off pages show a snapshot and its changes.
Deterministic, and only run once (nothing happens when any dose exists).
"""

import datetime
import random

from simple_history.utils import bulk_create_with_history

from accounts.models import User
from checkins.models import CheckinRound, ContactLog
from checkins.services import round_close, round_create, round_verification_confirm
from core.dates import local_today
from ledgers.choices import Arrangement, Condition, ExposureKind, ExposureStatus, Stance, TestResult
from ledgers.models import ExposureEvent, HealthRecord, LedgerSignoff, NucleicTest, VaccinationDose, VaccinationStance
from ledgers.signoffs import ledger_signoff
from retirees.choices import Status
from retirees.models import Retiree

PRODUCTS = ("科兴", "国药北京", "国药武汉", "智飞")
SITES = ("校医院", "街道社区卫生服务中心", "区人民医院")
UNWILLING_REASONS = ("担心副作用", "年纪太大，家人不同意", "在外地，暂不方便")
CONTRAINDICATIONS = ("正在化疗", "严重过敏史", "急性期疾病")


def load_ledger_demo() -> bool:
    """Create the demo ledgers and rounds; False when there were doses already."""
    if VaccinationDose.objects.exists():
        return False
    rng = random.Random(20221101)
    today = local_today()
    office = User.objects.filter(role=User.Role.OFFICE).order_by("username").first()
    retirees = list(Retiree.objects.filter(status=Status.ACTIVE).order_by("pk"))
    if office is None or not retirees:
        return False
    _ledger_entries(rng, retirees, office, today, until=today - datetime.timedelta(days=32))

    last_month = round_create(
        user=office,
        title="上月在册人员全面摸排",
        starts_on=today - datetime.timedelta(days=42),
        ends_on=today - datetime.timedelta(days=31),
        verify_vaccination=True,
    )
    _round_answers(random.Random(1), last_month)  # a generator of its own: the ledgers stay as they were
    _sign_off(last_month, numbers=range(1, 6), today=today - datetime.timedelta(days=31))
    round_close(user=office, checkin_round=last_month, summary="五个支部已签核台账，其余两个支部下月补签。")

    # What was recorded since: new doses and tests, one community sealed, one lifted.
    _ledger_entries(rng, retirees, office, today, since=today - datetime.timedelta(days=30))
    this_month = round_create(
        user=office,
        title="本月疫情防控摸排",
        starts_on=today - datetime.timedelta(days=6),
        ends_on=today + datetime.timedelta(days=7),
        verify_vaccination=True,
        verify_testing=True,
    )
    _round_answers(random.Random(2), this_month)
    _sign_off(this_month, numbers=(1, 2), today=today)
    return True


def _round_answers(rng, checkin_round: CheckinRound) -> None:
    """Most calls of the round asked about vaccination and testing; of the retirees reached whose
    calls did not, a third were confirmed unchanged in one tap (while the round runs)."""
    in_window = ContactLog.objects.reached().filter(
        contacted_on__gte=checkin_round.starts_on, contacted_on__lte=checkin_round.ends_on
    )
    asked = [pk for pk in in_window.order_by("pk").values_list("pk", flat=True) if rng.random() < 0.7]
    in_window.filter(pk__in=asked).update(checked_vaccination=True, checked_testing=True)
    if not checkin_round.runs_on(local_today()):
        return
    callers = {user.branch_id: user for user in User.objects.filter(username__startswith="sec")}
    unasked = Retiree.objects.filter(status=Status.ACTIVE, pk__in=in_window.exclude(pk__in=asked).values("retiree"))
    for retiree in unasked.order_by("pk"):
        caller = callers.get(retiree.branch_id)
        if caller is not None and rng.random() < 0.35:
            round_verification_confirm(user=caller, checkin_round=checkin_round, retiree=retiree)


def _sign_off(checkin_round: CheckinRound, *, numbers, today: datetime.date) -> None:
    for number in numbers:
        secretary = User.objects.filter(username=f"sec{number}").first()
        if secretary is None:
            continue
        signoff = ledger_signoff(user=secretary, checkin_round=checkin_round, note="已逐一电话核实。")
        # Signed on the round's last day (the demo is loaded all at once).
        signed_at = signoff.signed_at - datetime.timedelta(days=(local_today() - today).days)
        LedgerSignoff.objects.filter(pk=signoff.pk).update(signed_at=signed_at)


def _ledger_entries(rng, retirees, office, today, *, until=None, since=None) -> None:
    """The facts of the demo ledgers: everything up to `until`, or the later ones from `since`."""
    doses, stances, tests, exposures, health = [], [], [], [], []
    if since is None:
        for retiree in retirees:
            if rng.random() < 0.9:
                first = datetime.date(2021, 3, 15) + datetime.timedelta(days=rng.randint(0, 150))
                dates = [first]
                if rng.random() < 0.94:
                    dates.append(first + datetime.timedelta(days=rng.randint(21, 56)))
                    if rng.random() < 0.7:
                        dates.append(datetime.date(2021, 11, 1) + datetime.timedelta(days=rng.randint(0, 150)))
                product = rng.choice(PRODUCTS)
                for number, given_on in enumerate(dates, start=1):
                    doses.append(
                        VaccinationDose(
                            retiree=retiree,
                            dose_number=number,
                            given_on=given_on,
                            product=product,
                            site=rng.choice(SITES),
                            arrangement=rng.choices(list(Arrangement.values), weights=(70, 20, 10))[0],
                            recorded_by=office,
                        )
                    )
            else:
                stance = rng.choice((Stance.UNWILLING, Stance.CONTRAINDICATED, Stance.UNDECIDED))
                reasons = {Stance.UNWILLING: UNWILLING_REASONS, Stance.CONTRAINDICATED: CONTRAINDICATIONS}
                stances.append(
                    VaccinationStance(
                        retiree=retiree,
                        stance=stance,
                        reason=rng.choice(reasons[stance]) if stance in reasons else "",
                        stated_on=until - datetime.timedelta(days=rng.randint(0, 60)),
                        recorded_by=office,
                    )
                )
            if rng.random() < 0.3:
                health.append(
                    HealthRecord(
                        retiree=retiree,
                        recorded_on=until - datetime.timedelta(days=rng.randint(0, 40)),
                        condition=rng.choices(list(Condition.values), weights=(60, 30, 8, 2))[0],
                        recorded_by=office,
                    )
                )
        day = until
    else:
        have = set(VaccinationDose.objects.values_list("retiree_id", "dose_number"))
        for retiree in retirees:
            if (retiree.pk, 3) in have and (retiree.pk, 4) not in have and rng.random() < 0.15:
                doses.append(
                    VaccinationDose(
                        retiree=retiree,
                        dose_number=4,
                        given_on=since + datetime.timedelta(days=rng.randint(0, 20)),
                        product="智飞",
                        site=SITES[1],
                        arrangement=Arrangement.HOME if rng.random() < 0.3 else Arrangement.TRANSPORT,
                        recorded_by=office,
                    )
                )
        # The first sealed community was lifted on its planned day.
        first_event = ExposureEvent.objects.order_by("pk").first()
        if first_event is not None:
            ExposureEvent.objects.filter(pk=first_event.pk).update(status=ExposureStatus.LIFTED)
        day = today
    for retiree in retirees:
        if rng.random() < 0.55:
            tests.append(
                NucleicTest(
                    retiree=retiree,
                    tested_on=day - datetime.timedelta(days=rng.randint(0, 9)),
                    result=TestResult.NEGATIVE,
                    site=rng.choice(SITES),
                    recorded_by=office,
                )
            )
    with_community = [retiree for retiree in retirees if retiree.community]
    sealed = with_community[:4] if since is None else with_community[4:6]
    for retiree in sealed:
        started = day - datetime.timedelta(days=rng.randint(2, 8))
        exposures.append(
            ExposureEvent(
                retiree=retiree,
                kind=ExposureKind.SEALED_COMMUNITY if since is None else ExposureKind.CONTROLLED_COMMUNITY,
                started_on=started,
                ended_on=started + datetime.timedelta(days=7),
                recorded_by=office,
            )
        )
    for model, rows in (
        (VaccinationDose, doses),
        (VaccinationStance, stances),
        (NucleicTest, tests),
        (ExposureEvent, exposures),
        (HealthRecord, health),
    ):
        bulk_create_with_history(rows, model, batch_size=1000)
