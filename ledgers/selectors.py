"""Reads of the ledgers, always through the user's scope.

The ledger pages show one row per retiree with their current state, derived with
subqueries so that a page, or an export of any length, costs a fixed number of queries.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from branches.models import Branch
from core.dates import local_today
from retirees.choices import Status
from retirees.models import Retiree

from .choices import COMMUNITY_KINDS, MAX_DOSE_NUMBER, Condition, ExposureStatus, Ledger, TestResult
from .models import ExposureEvent, HealthRecord, ImportUpload, NucleicTest, VaccinationDose, VaccinationStance

DOSE_NUMBERS = range(1, MAX_DOSE_NUMBER + 1)
DEFAULT_TESTED_WITHIN_DAYS = 7


def _latest(model, date_field: str, field: str):
    return Subquery(model.objects.filter(retiree=OuterRef("pk")).order_by(f"-{date_field}", "-id").values(field)[:1])


def _count(model):
    """How many `model` entries the retiree has, as a subquery (no join, no GROUP BY on the retirees)."""
    counted = model.objects.filter(retiree=OuterRef("pk")).order_by().values("retiree").annotate(n=Count("id"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def _ongoing_exposure():
    # Ongoing until somebody lifts it: a planned end date that has passed still needs a look.
    return ExposureEvent.objects.filter(retiree=OuterRef("pk"), status=ExposureStatus.ONGOING)


def retirees_for_ledger(*, user):
    """The retirees `user` may see, with what every ledger row shows joined in."""
    return Retiree.objects.visible_to(user).select_related("branch")


def vaccination_ledger(*, user):
    """One row per retiree: the date of each dose, the latest dose's details, the latest willingness."""
    annotations = {
        f"dose{number}_on": Subquery(
            VaccinationDose.objects.filter(retiree=OuterRef("pk"), dose_number=number).values("given_on")[:1]
        )
        for number in DOSE_NUMBERS
    }
    latest_dose = VaccinationDose.objects.filter(retiree=OuterRef("pk")).order_by("-dose_number")
    return retirees_for_ledger(user=user).annotate(
        **annotations,
        doses=_count(VaccinationDose),
        last_product=Subquery(latest_dose.values("product")[:1]),
        last_site=Subquery(latest_dose.values("site")[:1]),
        last_arrangement=Subquery(latest_dose.values("arrangement")[:1]),
        stance=_latest(VaccinationStance, "stated_on", "stance"),
        stance_reason=_latest(VaccinationStance, "stated_on", "reason"),
        stance_on=_latest(VaccinationStance, "stated_on", "stated_on"),
    )


def testing_ledger(*, user):
    """One row per retiree: their latest nucleic-acid test and how many they had."""
    return retirees_for_ledger(user=user).annotate(
        last_tested_on=_latest(NucleicTest, "tested_on", "tested_on"),
        last_result=_latest(NucleicTest, "tested_on", "result"),
        last_test_site=_latest(NucleicTest, "tested_on", "site"),
        tests=_count(NucleicTest),
    )


def exposure_ledger(*, user):
    """One row per exposure event, with its retiree."""
    return ExposureEvent.objects.visible_to(user).select_related("retiree", "retiree__branch")


def health_ledger(*, user):
    """One row per retiree: their latest health record."""
    return retirees_for_ledger(user=user).annotate(
        health_on=_latest(HealthRecord, "recorded_on", "recorded_on"),
        health=_latest(HealthRecord, "recorded_on", "condition"),
        health_notes=_latest(HealthRecord, "recorded_on", "notes"),
    )


# ledger -> the selector of its rows (the ledger pages, their exports and the sign-off snapshots)
LEDGER_SELECTORS = {
    Ledger.VACCINATION: vaccination_ledger,
    Ledger.TESTING: testing_ledger,
    Ledger.EXPOSURE: exposure_ledger,
    Ledger.HEALTH: health_ledger,
}


def branch_totals(
    *,
    user,
    tested_within_days: int = DEFAULT_TESTED_WITHIN_DAYS,
    today=None,
    residence_area: str = "",
    among: Q | None = None,
    doses_until: datetime.date | None = None,
) -> tuple[list[dict], dict]:
    """Per visible branch: active retirees, how many had each dose, were tested lately (in the
    `tested_within_days` days up to `today`), are exposed; only those living in `residence_area`
    when given (a `ResidenceArea` code), and only the retirees matching `among` when given (the
    weekly report's 60+, 80+ and 离休 rates). `doses_until` counts only the doses given by that
    day (the weekly report's figure at the end of a past week); the ledger page counts them all.

    Runs two queries (the branches, and one grouped count over the retirees).
    """
    today = today or local_today()
    tested_since = today - datetime.timedelta(days=tested_within_days - 1)
    doses = VaccinationDose.objects.filter(retiree=OuterRef("pk"))
    if doses_until is not None:
        doses = doses.filter(given_on__lte=doses_until)
    counts = {
        f"dose{number}": Count("id", filter=Q(Exists(doses.filter(dose_number=number)))) for number in DOSE_NUMBERS
    }
    retirees = Retiree.objects.visible_to(user).filter(status=Status.ACTIVE)
    if residence_area:
        retirees = retirees.filter(residence_area=residence_area)
    if among is not None:
        retirees = retirees.filter(among)
    tests = NucleicTest.objects.filter(retiree=OuterRef("pk"), tested_on__gte=tested_since, tested_on__lte=today)
    rows = (
        retirees.values("branch")
        .annotate(
            total=Count("id"),
            **counts,
            tested=Count("id", filter=Q(Exists(tests))),
            exposed=Count("id", filter=Q(Exists(_ongoing_exposure()))),
        )
        .order_by()
    )
    by_branch = {row["branch"]: row for row in rows}
    totals = []
    empty = {"total": 0, "tested": 0, "exposed": 0, **{f"dose{number}": 0 for number in DOSE_NUMBERS}}
    for branch in Branch.objects.visible_to(user):
        row = {**empty, **by_branch.get(branch.pk, {})}
        row["branch"] = branch
        totals.append(row)
    overall = {key: sum(row[key] for row in totals) for key in empty}
    for row in [*totals, overall]:
        row["dose_cells"] = [(row[f"dose{n}"], _rate(row[f"dose{n}"], row["total"])) for n in DOSE_NUMBERS]
        row["tested_rate"] = _rate(row["tested"], row["total"])
    return totals, overall


def exposures_in_week(
    *, user, starts_on: datetime.date, ends_on: datetime.date, branch=None, residence_area: str = ""
) -> dict:
    """Exposure events of the retirees in scope (any status of retiree) started, and lifted,
    between `starts_on` and `ends_on` (inclusive): the weekly report's flow beside the ledger
    page's "currently exposed" (`branch_totals`). A lifted event's day is its `ended_on`. One query."""
    events = ExposureEvent.objects.visible_to(user)
    if branch is not None:
        events = events.filter(retiree__branch=branch)
    if residence_area:
        events = events.filter(retiree__residence_area=residence_area)
    return events.aggregate(
        opened=Count("id", filter=Q(started_on__gte=starts_on, started_on__lte=ends_on)),
        lifted=Count("id", filter=Q(status=ExposureStatus.LIFTED, ended_on__gte=starts_on, ended_on__lte=ends_on)),
    )


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def retiree_ledgers(*, user, pk) -> dict:
    """One retiree (404 outside the user's scope) and every ledger entry about them."""
    retiree = get_object_or_404(Retiree.objects.visible_to(user).select_related("branch"), pk=pk)
    return {
        "retiree": retiree,
        "doses": retiree.vaccinationdoses.order_by("dose_number"),
        "stances": retiree.vaccinationstances.order_by("-stated_on", "-id"),
        "tests": retiree.nucleictests.order_by("-tested_on"),
        "exposures": retiree.exposureevents.order_by("-started_on", "-id"),
        "health": retiree.healthrecords.order_by("-recorded_on", "-id"),
    }


def retiree_doses(*, retiree) -> list[VaccinationDose]:
    """The doses recorded for `retiree`, by number (one query). The caller fetched the retiree
    through its user's scope, so their doses are inside it too."""
    return list(VaccinationDose.objects.filter(retiree=retiree).order_by("dose_number"))


def retiree_ledger_summary(*, retiree) -> dict:
    """The current state shown on the retiree's page (five small queries)."""
    return {
        "doses": list(retiree.vaccinationdoses.order_by("dose_number")),
        "stance": retiree.vaccinationstances.order_by("-stated_on", "-id").first(),
        "test": retiree.nucleictests.order_by("-tested_on").first(),
        "exposures": list(retiree.exposureevents.filter(status=ExposureStatus.ONGOING)),
        "health": retiree.healthrecords.order_by("-recorded_on", "-id").first(),
    }


def retiree_panel(*, user, retiree) -> dict:
    """The ledgers panel of the retiree page. `retiree` was fetched through `user`'s scope by the
    page's view, so their ledger entries are inside it too (five small queries)."""
    return retiree_ledger_summary(retiree=retiree)


# --- For the apps above: what a retiree's ledgers say now -------------------------------------


def open_exposures(*, retiree, kind: str, day: datetime.date):
    """The retiree's ongoing exposure events of `kind` that started by `day`, latest first (a queryset)."""
    return ExposureEvent.objects.filter(
        retiree=retiree, kind=kind, status=ExposureStatus.ONGOING, started_on__lte=day
    ).order_by("-started_on", "-id")


def open_community_exposures(*, retiree, day: datetime.date):
    """The retiree's ongoing sealed or controlled community events that started by `day` (a queryset)."""
    return ExposureEvent.objects.filter(
        retiree=retiree, kind__in=COMMUNITY_KINDS, status=ExposureStatus.ONGOING, started_on__lte=day
    ).order_by("started_on", "id")


def attention_facts(*, retiree_id: int, positive_since: datetime.date) -> dict:
    """What one retiree's ledgers say that matters for attention (`checkins.attention`), as plain
    values: `exposures` (id, kind, started_on) ongoing; `positive_tests` (id, tested_on) since
    `positive_since`; `health` (id, recorded_on, condition), oldest first. Three small queries,
    each on the retiree's own rows.
    """
    return {
        "exposures": list(
            ExposureEvent.objects.filter(retiree_id=retiree_id, status=ExposureStatus.ONGOING)
            .order_by("started_on", "id")
            .values_list("id", "kind", "started_on")
        ),
        "positive_tests": list(
            NucleicTest.objects.filter(
                retiree_id=retiree_id, result=TestResult.POSITIVE, tested_on__gte=positive_since
            ).values_list("id", "tested_on")
        ),
        "health": list(
            HealthRecord.objects.filter(retiree_id=retiree_id)
            .order_by("recorded_on", "id")
            .values_list("id", "recorded_on", "condition")
        ),
    }


def attention_candidates(*, positive_since: datetime.date) -> set[int]:
    """Ids of the retirees whose ledgers may hold a cause of attention (an ongoing exposure, a
    positive test since `positive_since`, any health record but good), for a full refresh."""
    return (
        set(ExposureEvent.objects.filter(status=ExposureStatus.ONGOING).values_list("retiree_id", flat=True))
        | set(
            NucleicTest.objects.filter(result=TestResult.POSITIVE, tested_on__gte=positive_since).values_list(
                "retiree_id", flat=True
            )
        )
        | set(HealthRecord.objects.exclude(condition=Condition.GOOD).values_list("retiree_id", flat=True))
    )


def import_uploads_recent(*, user, limit: int = 5) -> list[ImportUpload]:
    """The user's own latest uploads (their files are not read), for the import page."""
    return list(ImportUpload.objects.filter(user=user).defer("content", "result").order_by("-uploaded_at")[:limit])
