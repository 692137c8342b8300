"""What a weekly report says: every figure read through the selector of the page that shows it.

Nothing is counted here. Coverage and its 12-week trend are the dashboard's (`checkins.selectors`),
vaccination and tests the ledger totals' (`ledgers.selectors.branch_totals`), campaigns their
progress pages' (`visits.selectors`), shifts the roster's (`volunteers.selectors.roster_week`): a
figure in the report equals the same figure on its page. This module only picks the week and the
scope, and writes the numbers into the plain dict that is frozen when the report is issued.
"""

import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assistance import selectors as assistance_selectors
from assistance.choices import AssistanceKind
from branches.models import Branch
from checkins import selectors as checkin_selectors
from core.dates import local_today
from ledgers import selectors as ledger_selectors
from retirees.choices import Category, ResidenceArea
from retirees.models import birth_date_bounds
from visits import selectors as visit_selectors
from volunteers import selectors as volunteer_selectors

from .choices import ReportScope
from .models import WeeklyReport

FIGURES_VERSION = 1
# The age groups whose vaccination rates the report gives beside everybody's.
GROUPS = ("age60", "age80", "lixiu")
WEEKS_OFFERED = 52


@dataclass(frozen=True)
class Scope:
    """All branches, one branch or one residence area (a `ResidenceArea` code)."""

    kind: str = ReportScope.ALL
    branch: Branch | None = None
    area: str = ""

    @property
    def label(self) -> str:
        if self.kind == ReportScope.BRANCH:
            return self.branch.name
        if self.kind == ReportScope.AREA:
            return str(ResidenceArea(self.area).label)
        return _("All branches")

    @property
    def value(self) -> str:
        """How the scope travels in a form: all, branch:<pk> or area:<code>."""
        if self.kind == ReportScope.BRANCH:
            return f"branch:{self.branch.pk}"
        if self.kind == ReportScope.AREA:
            return f"area:{self.area}"
        return "all"


def week_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weeks_offered(today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the weeks that may be reported, the last one ended first: a week is reported
    once it is over, so that its figures are whole."""
    last = week_monday(today or local_today()) - datetime.timedelta(weeks=1)
    return [last - datetime.timedelta(weeks=back) for back in range(WEEKS_OFFERED)]


def scope_choices(*, user) -> list[tuple[str, str]]:
    """The scopes offered: all, each visible active branch, each residence area (one query)."""
    choices = [("all", _("All branches"))]
    choices += [(f"branch:{b.pk}", b.name) for b in Branch.objects.visible_to(user).filter(is_active=True)]
    choices += [(f"area:{code}", label) for code, label in ResidenceArea.choices]
    return choices


def scope_from_value(*, user, value: str) -> Scope | None:
    """The Scope a form's value names, or None when it names nothing `user` may report on."""
    kind, _sep, key = (value or "").partition(":")
    if kind == ReportScope.ALL and not key:
        return Scope()
    if kind == ReportScope.BRANCH and key.isdigit():
        branch = Branch.objects.visible_to(user).filter(pk=int(key)).first()
        return Scope(kind=ReportScope.BRANCH, branch=branch) if branch else None
    if kind == ReportScope.AREA and key in ResidenceArea.values:
        return Scope(kind=ReportScope.AREA, area=key)
    return None


def scope_of(report: WeeklyReport) -> Scope:
    return Scope(kind=report.scope, branch=report.branch, area=report.area_id or "")


def report_list(*, user):
    return WeeklyReport.objects.visible_to(user).select_related("branch", "issued_by")


def report_get(*, user, pk) -> WeeklyReport:
    """One report; 404 for anybody but office staff (one query)."""
    return get_object_or_404(report_list(user=user), pk=pk)


def report_find(*, week: datetime.date, scope: Scope) -> WeeklyReport | None:
    """The report issued for the week and scope, if any (one query)."""
    return WeeklyReport.objects.filter(
        week=week, scope=scope.kind, branch=scope.branch, area_id=scope.area or None
    ).first()


def _narrow(scope: Scope) -> dict:
    """The keyword arguments by which the domain selectors narrow to the scope."""
    if scope.kind == ReportScope.BRANCH:
        return {"branch": scope.branch}
    if scope.kind == ReportScope.AREA:
        return {"residence_area": scope.area}
    return {}


def _branch_rows(rows: list[dict], scope: Scope, key=lambda row: row["branch"].pk) -> list[dict]:
    if scope.kind == ReportScope.BRANCH:
        return [row for row in rows if key(row) == scope.branch.pk]
    return rows


def _coverage_state(*, user, scope: Scope, today: datetime.date) -> dict:
    """The dashboard's per-branch coverage, today (the day the report is issued)."""
    area = scope.area if scope.kind == ReportScope.AREA else ""
    rows = _branch_rows(checkin_selectors.branch_coverage(user=user, today=today, residence_area=area), scope)
    totals = checkin_selectors.coverage_totals(rows)
    fields = ["total", "covered", "exempt", "overdue", "unreachable", "attention", "percent"]
    return {
        "rows": [{"id": row["branch"].pk, "name": row["branch"].name, **{f: row[f] for f in fields}} for row in rows],
        "totals": {f: totals[f] for f in fields},
    }


def _groups(day: datetime.date) -> dict[str, dict]:
    """The groups whose vaccination rates the report gives, as lookups on the retiree (ages on `day`)."""
    return {
        "age60": {"birth_date__lte": birth_date_bounds(60, None, day)[1]},
        "age80": {"birth_date__lte": birth_date_bounds(80, None, day)[1]},
        "lixiu": {"category": Category.LIXIU},
    }


def _ledger_totals(*, user, scope: Scope, sunday: datetime.date) -> tuple[list[dict], dict]:
    """The ledger page's totals per branch at the end of the week, with the groups': doses given by
    then, tests in its seven days, and the retirees exposed now."""
    area = scope.area if scope.kind == ReportScope.AREA else ""
    rows, _overall = ledger_selectors.branch_totals(
        user=user, today=sunday, residence_area=area, doses_until=sunday, groups=_groups(sunday)
    )
    rows = _branch_rows(rows, scope)
    keys = ["total", "tested", "exposed", *(f"dose{n}" for n in ledger_selectors.DOSE_NUMBERS)]
    overall = {key: sum(row[key] for row in rows) for key in keys}
    overall["groups"] = {name: {key: sum(row["groups"][name][key] for row in rows) for key in keys} for name in GROUPS}
    return rows, overall


def _doses(row: dict) -> list[int]:
    return [row[f"dose{n}"] for n in ledger_selectors.DOSE_NUMBERS]


def _week_flows(*, user, scope: Scope, monday: datetime.date) -> dict:
    """What happened in one week: exposures opened and lifted, services, visits, shifts."""
    sunday = monday + datetime.timedelta(days=6)
    narrow = _narrow(scope)
    exposures = ledger_selectors.exposures_in_week(user=user, starts_on=monday, ends_on=sunday, **narrow)
    services = assistance_selectors.assistance_in_week(user=user, starts_on=monday, ends_on=sunday, **narrow)
    visits = visit_selectors.visits_done_in_week(user=user, starts_on=monday, ends_on=sunday, **narrow)
    # Shifts are by patrol area, not by branch: a branch's report shows every area's shifts.
    area = scope.area if scope.kind == ReportScope.AREA else None
    shifts = list(volunteer_selectors.roster_week(user=user, monday=monday, area=area))
    return {
        "exposures": exposures,
        "services": {kind: services.get(kind, {"requested": 0, "done": 0}) for kind in AssistanceKind.values},
        "visits": visits,
        "shifts": {
            "shifts": len(shifts),
            "needed": sum(shift.volunteers_needed for shift in shifts),
            "filled": sum(min(shift.filled, shift.volunteers_needed) for shift in shifts),
            "full": sum(shift.filled >= shift.volunteers_needed for shift in shifts),
        },
    }


def _campaigns(*, user, scope: Scope, monday: datetime.date) -> list[dict]:
    """The visit campaigns running in the week, with their progress as their pages count it."""
    sunday = monday + datetime.timedelta(days=6)
    area = scope.area if scope.kind == ReportScope.AREA else ""
    rows = []
    for campaign in visit_selectors.campaigns_running(user=user, starts_on=monday, ends_on=sunday):
        progress = _branch_rows(
            visit_selectors.campaign_progress(user=user, campaign=campaign, residence_area=area), scope
        )
        total = sum(row["total"] for row in progress)
        done = sum(row["done"] for row in progress)
        rows.append(
            {
                "title": campaign.title,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
                "total": total,
                "done": done,
                "percent": round(100 * done / total) if total else 100,
            }
        )
    return rows


def report_figures(
    *, user, week: datetime.date, scope: Scope, today: datetime.date | None = None, previous: dict | None = None
) -> dict:
    """Every figure of the report for the week starting on Monday `week`, as a plain dict to freeze.

    Figures of what happened in a week (reached, doses by its end, tests in its seven days,
    exposures, services, visits, shifts) are counted for this week and the one before. Figures of
    a state (overdue, unreachable, under attention, exposed) can only be counted as they are now,
    the day the report is issued; last week's beside them come from last week's report, if one was
    issued (`previous`: its figures), else none.
    """
    today = today or local_today()
    sunday = week + datetime.timedelta(days=6)
    last_monday = week - datetime.timedelta(weeks=1)
    last_sunday = sunday - datetime.timedelta(weeks=1)
    narrow = _narrow(scope)

    state = _coverage_state(user=user, scope=scope, today=today)
    trend = checkin_selectors.weekly_coverage(user=user, today=sunday, total=state["totals"]["total"], **narrow)

    this_rows, this_overall = _ledger_totals(user=user, scope=scope, sunday=sunday)
    last_rows, last_overall = _ledger_totals(user=user, scope=scope, sunday=last_sunday)
    last_by_branch = {row["branch"].pk: row for row in last_rows}
    groups = {
        key: {
            "this": {"total": this_overall["groups"][key]["total"], "doses": _doses(this_overall["groups"][key])},
            "last": {"total": last_overall["groups"][key]["total"], "doses": _doses(last_overall["groups"][key])},
        }
        for key in GROUPS
    }

    previous = previous or {}
    return {
        "version": FIGURES_VERSION,
        "week": week.isoformat(),
        "issued_on": today.isoformat(),
        "scope": {"kind": scope.kind, "value": scope.value, "label": scope.label},
        "coverage": {
            "total": state["totals"]["total"],
            "weeks": [{"week": w["week"].isoformat(), "reached": w["reached"], "percent": w["percent"]} for w in trend],
        },
        "state": {
            "rows": state["rows"],
            "totals": state["totals"],
            "last": previous.get("state"),
        },
        "vaccination": {
            "doses": list(ledger_selectors.DOSE_NUMBERS),
            "rows": [
                {
                    "id": r["branch"].pk,
                    "name": r["branch"].name,
                    "total": r["total"],
                    "doses": _doses(r),
                    "last_total": last_by_branch[r["branch"].pk]["total"],
                    "last_doses": _doses(last_by_branch[r["branch"].pk]),
                }
                for r in this_rows
            ],
            "this": {"total": this_overall["total"], "doses": _doses(this_overall)},
            "last": {"total": last_overall["total"], "doses": _doses(last_overall)},
            "groups": groups,
        },
        "tests": {
            "rows": [
                {
                    "id": r["branch"].pk,
                    "name": r["branch"].name,
                    "total": r["total"],
                    "tested": r["tested"],
                    "last_total": last_by_branch[r["branch"].pk]["total"],
                    "last_tested": last_by_branch[r["branch"].pk]["tested"],
                }
                for r in this_rows
            ],
            "this": {"total": this_overall["total"], "tested": this_overall["tested"]},
            "last": {"total": last_overall["total"], "tested": last_overall["tested"]},
        },
        "exposed": {"this": this_overall["exposed"], "last": (previous.get("exposed") or {}).get("this")},
        "flows": {
            "this": _week_flows(user=user, scope=scope, monday=week),
            "last": _week_flows(user=user, scope=scope, monday=last_monday),
        },
        "campaigns": _campaigns(user=user, scope=scope, monday=week),
    }


def previous_figures(*, week: datetime.date, scope: Scope) -> dict | None:
    """The frozen figures of the report of the week before, same scope, if it was issued."""
    report = report_find(week=week - datetime.timedelta(weeks=1), scope=scope)
    return report.figures if report else None
