"""Reads of the ledgers, always through the user's scope.

The ledger pages show one row per retiree with their current state, derived with
subqueries so that a page, or an export of any length, costs a fixed number of queries.
"""

import datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from branches.models import Branch
from core.compiled import PARAMETER, kept, kept_first
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
    doses_until: datetime.date | None = None,
    groups: dict[str, dict] | None = None,
) -> tuple[list[dict], dict]:
    """Per visible branch: active retirees, how many had each dose, were tested lately (in the
    `tested_within_days` days up to `today`), are exposed; only those living in `residence_area`
    when given (a `ResidenceArea` code). `doses_until` counts only the doses given by that day
    (the weekly report's figure at the end of a past week); the ledger page counts them all.
    `groups` (a name -> lookups on the retiree, e.g. {"category": "lixiu"}) adds the same counts
    for the retirees of each group, as `row["groups"][name]` (the weekly report's 60+, 80+ and 离休).

    Five queries, whatever the number of retirees: the branches, and one grouped pass each over
    the retirees, the doses, the tests and the ongoing exposures (each joined to its retirees once,
    rather than a subquery per retiree and dose: 0.4 s instead of 2 s for a city's 100,000).
    A dose number is recorded once per retiree (a constraint), so counting doses counts retirees.
    """
    today = today or local_today()
    tested_since = today - datetime.timedelta(days=tested_within_days - 1)
    groups = groups or {}
    in_scope = {"retiree__status": Status.ACTIVE}
    retirees = Retiree.objects.visible_to(user).filter(status=Status.ACTIVE)
    if residence_area:
        retirees = retirees.filter(residence_area=residence_area)
        in_scope["retiree__residence_area"] = residence_area

    def counted(queryset, path: str, count: str, *group_by) -> list[dict]:
        """`queryset` grouped by branch (and `group_by`): `n`, and `n_<group>` for each group."""

        def of(lookups):
            condition = Q(**{f"{path}{k}": v for k, v in lookups.items()}) if lookups else None
            return Count(count, distinct=count != "id", filter=condition)

        return list(
            queryset.order_by()
            .values(f"{path}branch", *group_by)
            .annotate(n=of({}), **{f"n_{name}": of(lookups) for name, lookups in groups.items()})
        )

    doses = VaccinationDose.objects.visible_to(user).filter(**in_scope)
    if doses_until is not None:
        doses = doses.filter(given_on__lte=doses_until)
    tests = NucleicTest.objects.visible_to(user).filter(**in_scope, tested_on__gte=tested_since, tested_on__lte=today)
    exposed = ExposureEvent.objects.visible_to(user).filter(**in_scope, status=ExposureStatus.ONGOING)
    passes = [
        ("total", counted(retirees, "", "id")),
        ("dose", counted(doses, "retiree__", "id", "dose_number")),
        ("tested", counted(tests, "retiree__", "retiree")),
        ("exposed", counted(exposed, "retiree__", "retiree")),
    ]
    keys = ["total", "tested", "exposed", *(f"dose{number}" for number in DOSE_NUMBERS)]
    by_branch: dict[int, dict] = {}
    for key, rows in passes:
        for row in rows:
            branch_id = row.get("branch", row.get("retiree__branch"))
            counts = by_branch.setdefault(
                branch_id, {"": dict.fromkeys(keys, 0), **{name: dict.fromkeys(keys, 0) for name in groups}}
            )
            field = f"dose{row['dose_number']}" if key == "dose" else key
            counts[""][field] = row["n"]
            for name in groups:
                counts[name][field] = row[f"n_{name}"]
    totals = []
    for branch in Branch.objects.visible_to(user):
        counts = by_branch.get(branch.pk, {})
        row = {**dict.fromkeys(keys, 0), **counts.get("", {}), "branch": branch}
        row["groups"] = {name: {**dict.fromkeys(keys, 0), **counts.get(name, {})} for name in groups}
        totals.append(row)
    overall = {key: sum(row[key] for row in totals) for key in keys}
    overall["groups"] = {
        name: {key: sum(row["groups"][name][key] for row in totals) for key in keys} for name in groups
    }
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

    def of_retiree(model, name, build):
        # Built and compiled once per process, the retiree's id bound.
        return kept(("retiree_ledger_summary", name), lambda: build(model.objects.filter(retiree=PARAMETER)))

    def latest(model, name, *order):
        return kept_first(of_retiree(model, name, lambda rows: rows.order_by(*order)), retiree.pk)

    def every(model, name, build):
        return list(of_retiree(model, name, build).bound(retiree.pk))

    return {
        "doses": every(VaccinationDose, "doses", lambda rows: rows.order_by("dose_number")),
        "stance": latest(VaccinationStance, "stance", "-stated_on", "-id"),
        "test": latest(NucleicTest, "test", "-tested_on", "-id"),
        "exposures": every(ExposureEvent, "exposures", lambda rows: rows.filter(status=ExposureStatus.ONGOING)),
        "health": latest(HealthRecord, "health", "-recorded_on", "-id"),
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
